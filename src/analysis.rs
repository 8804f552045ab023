//! The front-end-neutral entry points: what applies at a position of a document of any
//! kind of code, and every finding in it. The CLI and the language server both call these.

use crate::catalog::Catalog;
use crate::code::{CallSite, Code};
use crate::matching::{self, Explanation, Finding};
use crate::source::SourceRoots;

/// The comment that silences findings on its line.
pub const IGNORE_MARKER: &str = "skill-lsp: ignore";

/// What the hover shows at `offset` (bytes); `None` when the node resolves to nothing.
pub fn explain_at(
    catalog: &Catalog,
    doc: &Code,
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

/// Every call site with applicable pitfalls, minus lines whose comment carries the ignore
/// marker (`# skill-lsp: ignore` in Python).
pub fn check_document(catalog: &Catalog, doc: &Code) -> Vec<SiteFindings> {
    doc.call_sites()
        .into_iter()
        .filter(|site| !silenced(doc.source(), site.start, doc.line_comment()))
        .filter_map(|site| {
            let findings = matching::findings(catalog, &site);
            (!findings.is_empty()).then_some(SiteFindings { site, findings })
        })
        .collect()
}

/// Whether the line holding `offset` carries the ignore marker in a comment started by
/// `line_comment`.
pub fn silenced(source: &str, offset: usize, line_comment: &str) -> bool {
    let start = source[..offset.min(source.len())]
        .rfind('\n')
        .map(|i| i + 1)
        .unwrap_or(0);
    let line = source[start..].split('\n').next().unwrap_or("");
    line.split_once(line_comment)
        .is_some_and(|(_, comment)| comment.contains(IGNORE_MARKER))
}
