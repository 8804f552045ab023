//! The front-end-neutral entry points: what applies at a position of a Python document,
//! and every finding in it. The CLI and the language server both call these.

use crate::catalog::Catalog;
use crate::code::python::{CallSite, PyDocument};
use crate::matching::{self, Explanation, Finding};
use crate::source::SourceRoots;

/// The comment that silences findings on its line.
pub const IGNORE_MARKER: &str = "skill-lsp: ignore";

/// What the hover shows at `offset` (bytes); `None` when the node resolves to nothing.
pub fn explain_at(
    catalog: &Catalog,
    doc: &PyDocument,
    offset: usize,
    sources: &SourceRoots,
) -> Option<Explanation> {
    let resolved = doc.keys_at(offset)?;
    Some(matching::explain(catalog, &resolved, sources))
}

/// A call site with the pitfalls that apply to it.
#[derive(Debug, Clone)]
pub struct SiteFindings {
    pub site: CallSite,
    pub findings: Vec<Finding>,
}

/// Every call site with applicable pitfalls, minus lines marked `# skill-lsp: ignore`.
pub fn check_document(catalog: &Catalog, doc: &PyDocument) -> Vec<SiteFindings> {
    doc.call_sites()
        .into_iter()
        .filter(|site| !silenced(&doc.source, site.start))
        .filter_map(|site| {
            let findings = matching::findings(catalog, &site);
            (!findings.is_empty()).then_some(SiteFindings { site, findings })
        })
        .collect()
}

/// Whether the line holding `offset` carries the ignore marker.
pub fn silenced(source: &str, offset: usize) -> bool {
    let start = source[..offset.min(source.len())]
        .rfind('\n')
        .map(|i| i + 1)
        .unwrap_or(0);
    let line = source[start..].split('\n').next().unwrap_or("");
    line.split_once('#')
        .is_some_and(|(_, comment)| comment.contains(IGNORE_MARKER))
}
