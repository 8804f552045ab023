//! The front-end-neutral entry points: what applies at a position of a document of any
//! kind of code, and every finding in it. The CLI and the language server both call these.

use crate::catalog::Catalog;
use crate::code::{CallSite, Code};
use crate::matching::{self, applicability, Explanation, Finding};
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
    check_span(catalog, doc, 0..usize::MAX)
}

/// [`check_document`] for the call sites starting in `span` (bytes) only: what a code
/// action request on a few lines needs, without matching the rest of a long file.
pub fn check_span(
    catalog: &Catalog,
    doc: &Code,
    span: std::ops::Range<usize>,
) -> Vec<SiteFindings> {
    let modules = doc.imported();
    let imported = matching::packs_imported(catalog, &modules);
    let star_modules = doc.star_modules();
    // A callee the file never binds speaks only when a star import names it for certain.
    let sites: Vec<CallSite> = doc
        .call_sites()
        .into_iter()
        .map(|site| matching::unbound::name_site(catalog, site, &star_modules, &modules))
        .collect();
    let assignments = environment_assignments(&sites);
    // One statement says a pitfall once: at its first call (`mpiexec` running
    // `gpaw-python`, `read(Trajectory(...))`).
    let mut said: std::collections::HashSet<(usize, crate::catalog::EntryId)> =
        std::collections::HashSet::new();
    sites
        .into_iter()
        .filter(|site| span.contains(&site.start))
        .filter(|site| !silenced(doc.source(), site.start, doc.line_comment()))
        .filter_map(|site| {
            let mut findings = matching::findings_in(catalog, &site, &imported);
            // Advice the file already follows above (or at) this site is not repeated.
            findings.retain(|f| {
                let written = applicability::assignments_written(catalog.entry(f.entry).2);
                let made = |(name, value): &(String, String)| {
                    assignments
                        .iter()
                        .any(|(at, n, v)| *at <= site.start && n == name && v == value)
                };
                written.is_empty() || !written.iter().all(made)
            });
            findings.retain(|f| said.insert((site.statement_end, f.entry)));
            (!findings.is_empty()).then_some(SiteFindings { site, findings })
        })
        .collect()
}

/// Environment variables the file sets, with the value and where: sites keyed `env:X`
/// whose keyword `X` carries the value (`export X=1`, `os.environ["X"] = "1"`).
fn environment_assignments(sites: &[CallSite]) -> Vec<(usize, String, String)> {
    let mut out = Vec::new();
    for site in sites {
        for name in site.keys.iter().filter_map(|k| k.strip_prefix("env:")) {
            for arg in site.keywords.iter().filter(|k| k.name == name) {
                for value in &arg.values {
                    out.push((site.start, name.to_string(), value.value.clone()));
                }
            }
        }
    }
    out
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
