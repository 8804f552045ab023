//! Diagnostics: one per applicable pitfall on a call site (code = skill, a link to the
//! skill, quick fixes carried in `data`), and dead cited paths / pack problems in skill
//! files. Pushed after changes (debounced), or pulled when the client asks.

use super::documents::View;
use super::proto::{file_path, file_uri, Encoding};
use super::skill_files;
use super::state::State;
use crate::analysis;
use crate::catalog::Catalog;
use crate::matching::fixes::fixes;
use crate::model::Severity;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::str::FromStr;
use std::sync::Arc;
use tower_lsp_server::ls_types::{
    CodeDescription, Diagnostic, DiagnosticSeverity, NumberOrString, Position, Range, TextEdit, Uri,
};

pub const SOURCE: &str = "skill-lsp";

/// Typed `Diagnostic.data`: what a code action needs, computed with the diagnostic.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DiagnosticData {
    pub skill: String,
    pub pack: String,
    #[serde(default)]
    pub fixes: Vec<FixData>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FixData {
    pub title: String,
    pub edit: TextEdit,
}

/// The diagnostics of what `uri` shows (one cell, for a notebook cell), with the version.
pub fn compute(state: &State, catalog: &Catalog, uri: &Uri) -> Option<(Vec<Diagnostic>, i32)> {
    let view = state.documents.view(uri)?;
    let version = view.doc.version;
    let out = if view.code().is_some() {
        let sites = sites(state, catalog, &view);
        code_diagnostics(state, catalog, &view, &sites)
    } else if view.doc.markdown && in_workspace(state, uri) {
        skill_file(catalog, uri, view.text(), state.encoding())
    } else {
        Vec::new()
    };
    Some((out, version))
}

/// The diagnostics of the calls starting on lines `first..=last` of what `uri` shows:
/// for a code action request beside a squiggle, without checking the whole document.
pub fn on_lines(
    state: &State,
    catalog: &Catalog,
    uri: &Uri,
    first: u32,
    last: u32,
) -> Vec<Diagnostic> {
    let Some(view) = state.documents.view(uri) else {
        return Vec::new();
    };
    let encoding = state.encoding();
    let line_start = |line: u32| view.offset(encoding, Position::new(line, 0));
    let (Some(code), Some(start)) = (view.code(), line_start(first)) else {
        return Vec::new();
    };
    if !state.settings().diagnostics.enabled {
        return Vec::new();
    }
    let end = last
        .checked_add(1)
        .and_then(line_start)
        .unwrap_or(usize::MAX);
    let sites = analysis::check_span(catalog, code, start..end);
    code_diagnostics(state, catalog, &view, &sites)
}

/// The diagnostics of one URI a document shows.
pub type UriDiagnostics = (Uri, Vec<Diagnostic>);

/// The diagnostics of an open document per URI it shows: itself, or each cell of a
/// notebook (the notebook checked once, as one program), with the document's version.
pub fn compute_all(
    state: &State,
    catalog: &Catalog,
    uri: &Uri,
) -> Option<(Vec<UriDiagnostics>, i32)> {
    let view = state.documents.view(uri)?;
    let Some(cells) = view.doc.cells.clone() else {
        return compute(state, catalog, uri).map(|(d, v)| (vec![(uri.clone(), d)], v));
    };
    let sites = sites(state, catalog, &view);
    let per_cell = cells
        .uris
        .iter()
        .enumerate()
        .map(|(i, cell)| {
            let part = View {
                doc: view.doc.clone(),
                cell: Some(i),
            };
            (
                cell.clone(),
                code_diagnostics(state, catalog, &part, &sites),
            )
        })
        .collect();
    Some((per_cell, view.doc.version))
}

/// The findings of the view's whole document, when diagnostics are on.
fn sites(state: &State, catalog: &Catalog, view: &View) -> Vec<analysis::SiteFindings> {
    match view.code() {
        Some(code) if state.settings().diagnostics.enabled => {
            analysis::check_document(catalog, code)
        }
        _ => Vec::new(),
    }
}

/// The diagnostics of the findings whose call sits in the view's part.
fn code_diagnostics(
    state: &State,
    catalog: &Catalog,
    view: &View,
    sites: &[analysis::SiteFindings],
) -> Vec<Diagnostic> {
    let encoding = state.encoding();
    let severity = state.settings().severity();
    let mut out = Vec::new();
    for site in sites.iter().filter(|s| view.holds(s.site.start)) {
        let range = view.range(encoding, site.site.start, site.site.end);
        for finding in &site.findings {
            let (_, _, entry) = catalog.entry(finding.entry);
            let fix_data = fix_data(entry, &site.site, view, encoding);
            let href = crate::render::file_link(&finding.skill_file, finding.skill_line)
                .and_then(|l| Uri::from_str(&l).ok());
            let data = DiagnosticData {
                skill: finding.skill.clone(),
                pack: finding.pack.clone(),
                fixes: fix_data,
            };
            out.push(Diagnostic {
                range,
                severity: Some(severity),
                code: Some(NumberOrString::String(finding.skill.clone())),
                code_description: href.map(|href| CodeDescription { href }),
                source: Some(SOURCE.to_string()),
                message: crate::render::finding_message(finding),
                data: serde_json::to_value(data).ok(),
                ..Diagnostic::default()
            });
        }
    }
    out
}

/// The fixes a pitfall implies for a call, as LSP edits.
fn fix_data(
    entry: &crate::model::Entry,
    site: &crate::code::CallSite,
    view: &View,
    encoding: Encoding,
) -> Vec<FixData> {
    fixes(entry, site)
        .into_iter()
        .map(|f| FixData {
            title: f.title,
            edit: TextEdit {
                range: view.range(encoding, f.start, f.end),
                new_text: f.replacement,
            },
        })
        .collect()
}

/// The data of a skill-lsp diagnostic whose `data` the client did not send back: the call
/// at the diagnostic's start, the finding with the same skill and message.
pub fn recompute_data(
    state: &State,
    catalog: &Catalog,
    uri: &Uri,
    diagnostic: &Diagnostic,
) -> Option<DiagnosticData> {
    let encoding = state.encoding();
    let view = state.documents.view(uri)?;
    let code = view.code()?;
    let start = view.offset(encoding, diagnostic.range.start)?;
    let site = analysis::check_document(catalog, code)
        .into_iter()
        .find(|s| s.site.start == start)?;
    let skill = match &diagnostic.code {
        Some(NumberOrString::String(s)) => s.clone(),
        _ => return None,
    };
    let finding = site
        .findings
        .iter()
        .find(|f| f.skill == skill && crate::render::finding_message(f) == diagnostic.message)?;
    let (_, _, entry) = catalog.entry(finding.entry);
    let fixes = fix_data(entry, &site.site, &view, encoding);
    Some(DiagnosticData {
        skill,
        pack: finding.pack.clone(),
        fixes,
    })
}

/// Whether a skill file lies in one of the workspace's folders: its packs are the user's
/// to author, and linted; a pack opened from a hover (embedded, configured, another
/// repository) is only read, and gets no diagnostics.
fn in_workspace(state: &State, uri: &Uri) -> bool {
    let Some(path) = file_path(uri) else {
        return false;
    };
    let path = path.canonicalize().unwrap_or(path);
    state.workspace_folders().iter().any(|folder| {
        let folder = folder.canonicalize().unwrap_or_else(|_| folder.clone());
        path.starts_with(&folder)
    })
}

fn skill_file(catalog: &Catalog, uri: &Uri, text: &str, encoding: Encoding) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let Some(path) = file_path(uri) else {
        return out;
    };
    for cited in skill_files::cited(catalog, &path, text) {
        if cited.exists == Some(false) {
            out.push(Diagnostic {
                range: encoding.range(text, cited.start, cited.end),
                severity: Some(DiagnosticSeverity::WARNING),
                code: Some(NumberOrString::String("dead-path".into())),
                source: Some(SOURCE.to_string()),
                message: format!("`{}` does not exist in this pack's repository", cited.path),
                ..Diagnostic::default()
            });
        }
    }
    let shown = path.display().to_string();
    for problem in catalog.problems.iter().filter(|p| p.file == shown) {
        let line = problem.line.saturating_sub(1);
        let start = crate::text::offset_of(text, line, 0, encoding.0).unwrap_or(0);
        let end = crate::text::line_text(text, line)
            .map(|l| start + l.len())
            .unwrap_or(start);
        out.push(problem_diagnostic(
            problem,
            encoding.range(text, start, end),
        ));
    }
    out
}

fn problem_diagnostic(problem: &crate::model::Problem, range: Range) -> Diagnostic {
    Diagnostic {
        range,
        severity: Some(match problem.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
        }),
        code: Some(NumberOrString::String("pack-problem".into())),
        source: Some(SOURCE.to_string()),
        message: problem.message.clone(),
        ..Diagnostic::default()
    }
}

/// Pushes diagnostics for `uri` unless the client pulls them.
pub async fn publish(state: &Arc<State>, uri: Uri) {
    if state.caps().pull_diagnostics {
        return;
    }
    let Some(catalog) = state.catalog_now() else {
        return;
    };
    // A long file takes a while: off the async workers, so requests keep being answered.
    let computing = {
        let (state, uri) = (state.clone(), uri.clone());
        tokio::task::spawn_blocking(move || compute_all(&state, &catalog, &uri))
    };
    let (per_uri, version) = match computing.await {
        Ok(Some(computed)) => computed,
        Ok(None) => return,
        Err(failed) => {
            tracing::error!("diagnostics of {} failed: {failed}", uri.as_str());
            return;
        }
    };
    // An edit came while they were computed: its own (debounced) run publishes, and these
    // must not land after it.
    if state.documents.version(&uri) != Some(version) {
        return;
    }
    for (shown, diagnostics) in per_uri {
        // A cell's own version is not tracked; its notebook's is checked above.
        let version = (shown == uri).then_some(version);
        state
            .client
            .publish_diagnostics(shown, diagnostics, version)
            .await;
    }
}

/// Diagnostics for problem files of the packs that are not open (pack problems only).
pub fn pack_problem_files(catalog: &Catalog) -> HashMap<Uri, Vec<Diagnostic>> {
    let mut out: HashMap<Uri, Vec<Diagnostic>> = HashMap::new();
    for problem in &catalog.problems {
        let Some(uri) = file_uri(std::path::Path::new(&problem.file)) else {
            continue;
        };
        let line = problem.line.saturating_sub(1);
        let at = tower_lsp_server::ls_types::Position::new(line, 0);
        out.entry(uri)
            .or_default()
            .push(problem_diagnostic(problem, Range::new(at, at)));
    }
    out
}
