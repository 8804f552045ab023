//! textDocument/codeAction: quick fixes attached to their diagnostic, and for a matched
//! call: open doc, open source, insert the skill's example. Only where a match is in
//! range; dotted kinds; a stable order; at most one preferred action.

use super::diagnostics::{DiagnosticData, SOURCE};
use super::proto::file_uri;
use super::state::State;
use crate::catalog::Catalog;
use crate::matching::{self, ItemKind};
use serde_json::json;
use std::collections::HashMap;
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams, Command, Position, Range,
    TextEdit, WorkspaceEdit,
};

pub const OPEN_COMMAND: &str = "skill-lsp.open";
pub const KIND_FIX: &str = "quickfix.skill-lsp.fix";
// Quick fixes, so that VS Code lists them under Ctrl+. on a matched call, not only under
// "Source Action...": reading the doc is the fix a pitfall usually asks for.
pub const KIND_OPEN_DOC: &str = "quickfix.skill-lsp.open-doc";
pub const KIND_OPEN_SOURCE: &str = "quickfix.skill-lsp.open-source";
pub const KIND_INSERT_EXAMPLE: &str = "source.skill-lsp.insert-example";

pub fn code_actions(
    state: &State,
    catalog: &Catalog,
    params: &CodeActionParams,
) -> Result<Vec<CodeActionOrCommand>> {
    let uri = &params.text_document.uri;
    let wanted = |kind: &str| {
        params.context.only.as_ref().is_none_or(|only| {
            only.iter()
                .any(|k| kind == k.as_str() || kind.starts_with(&format!("{}.", k.as_str())))
        })
    };
    let mut actions = Vec::new();
    // Quick fixes, from the diagnostics the client sends back; when it sends none of ours
    // (the cursor on `xc` of `Psi4(xc=...)`, beside the diagnostic on `Psi4`), those on
    // the lines asked about, as VS Code's Ctrl+. looks for nearby fixes on the line.
    let mut preferred = false;
    let ours = |d: &&tower_lsp_server::ls_types::Diagnostic| d.source.as_deref() == Some(SOURCE);
    let nearby: Vec<tower_lsp_server::ls_types::Diagnostic> =
        if params.context.diagnostics.iter().any(|d| ours(&d)) || !wanted(KIND_FIX) {
            Vec::new()
        } else {
            super::diagnostics::on_lines(
                state,
                catalog,
                uri,
                params.range.start.line,
                params.range.end.line,
            )
        };
    for diagnostic in params.context.diagnostics.iter().chain(&nearby) {
        if diagnostic.source.as_deref() != Some(SOURCE) || !wanted(KIND_FIX) {
            continue;
        }
        // Clients that drop `data` (Neovim 0.7, some eglot versions) get the fixes
        // recomputed from the diagnostic's range and message.
        let Some(data) = diagnostic
            .data
            .clone()
            .and_then(|d| serde_json::from_value::<DiagnosticData>(d).ok())
            .or_else(|| super::diagnostics::recompute_data(state, catalog, uri, diagnostic))
        else {
            continue;
        };
        for fix in data.fixes {
            let mut changes = HashMap::new();
            changes.insert(uri.clone(), vec![fix.edit]);
            actions.push(CodeActionOrCommand::CodeAction(CodeAction {
                title: format!("{} ({})", fix.title, data.skill),
                kind: Some(CodeActionKind::new(KIND_FIX)),
                diagnostics: Some(vec![diagnostic.clone()]),
                edit: Some(WorkspaceEdit {
                    changes: Some(changes),
                    ..WorkspaceEdit::default()
                }),
                is_preferred: Some(!preferred),
                ..CodeAction::default()
            }));
            preferred = true;
        }
    }

    let encoding = state.encoding();
    let Some(view) = state.documents.view(uri) else {
        return Ok(actions);
    };
    let Some(code) = view.code() else {
        return Ok(actions);
    };
    let start = view
        .offset(encoding, params.range.start)
        .ok_or_else(|| Error::invalid_params("range is past the end of the document"))?;
    let end = view
        .offset(encoding, params.range.end)
        .unwrap_or(view.window().end);
    // The innermost call whose statement the range touches, in this URI's part (a
    // notebook cell's calls only).
    let sites = code.call_sites();
    let Some(site) = sites
        .iter()
        .filter(|s| view.holds(s.start))
        .filter(|s| s.start <= end && start <= s.statement_end)
        .min_by_key(|s| s.statement_end - s.start)
    else {
        return Ok(actions);
    };
    let Some(resolved) = code.keys_at(site.start) else {
        return Ok(actions);
    };
    let sources = state.sources();
    let explanation = matching::explain(catalog, &resolved, &sources);
    if !explanation
        .items
        .iter()
        .any(|i| matches!(i.kind, ItemKind::Pitfall | ItemKind::Doc))
    {
        return Ok(actions);
    }
    for item in &explanation.items {
        let (kind, verb) = match item.kind {
            ItemKind::Doc => (KIND_OPEN_DOC, "Open doc"),
            ItemKind::Source => (KIND_OPEN_SOURCE, "Open source"),
            _ => continue,
        };
        // A doc that is not on disk opens at its doc-map line (title and headings).
        let openable = item.resolved || (item.kind == ItemKind::Doc && item.file.starts_with('/'));
        if !openable || !wanted(kind) {
            continue;
        }
        let Some(target) = file_uri(std::path::Path::new(&item.file)) else {
            continue;
        };
        let path = item.path.as_deref().unwrap_or(&item.text);
        let title = if item.resolved {
            format!("{verb} {path}")
        } else {
            format!("{verb} {path} (doc map entry)")
        };
        actions.push(CodeActionOrCommand::CodeAction(CodeAction {
            title: title.clone(),
            kind: Some(CodeActionKind::new(kind)),
            command: Some(Command {
                title,
                command: OPEN_COMMAND.to_string(),
                arguments: Some(vec![
                    json!({"uri": target.as_str(), "line": item.line.saturating_sub(1)}),
                ]),
            }),
            ..CodeAction::default()
        }));
    }
    if wanted(KIND_INSERT_EXAMPLE) {
        let mut seen = Vec::new();
        for item in explanation
            .items
            .iter()
            .filter(|i| i.kind == ItemKind::Example)
        {
            if seen.contains(&item.skill) {
                continue;
            }
            seen.push(item.skill.clone());
            let base = view.window().start;
            let edit = insert_below(
                view.text(),
                site.start - base,
                (site.statement_end - base).min(view.text().len()),
                &format!(
                    "{} Example from the {} skill:",
                    code.line_comment(),
                    item.skill
                ),
                &item.text,
                encoding,
            );
            let mut changes = HashMap::new();
            changes.insert(uri.clone(), vec![edit]);
            actions.push(CodeActionOrCommand::CodeAction(CodeAction {
                title: format!("Insert example from {}", item.skill),
                kind: Some(CodeActionKind::new(KIND_INSERT_EXAMPLE)),
                edit: Some(WorkspaceEdit {
                    changes: Some(changes),
                    ..WorkspaceEdit::default()
                }),
                ..CodeAction::default()
            }));
        }
    }
    Ok(actions)
}

/// A TextEdit inserting the example below the statement holding the call, indented like
/// the line the call starts on.
fn insert_below(
    source: &str,
    call_start: usize,
    statement_end: usize,
    heading: &str,
    example: &str,
    encoding: super::proto::Encoding,
) -> TextEdit {
    let line_start = source[..call_start].rfind('\n').map(|i| i + 1).unwrap_or(0);
    let indent: String = source[line_start..]
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect();
    let insert_at = source[statement_end..]
        .find('\n')
        .map(|i| statement_end + i + 1)
        .unwrap_or(source.len());
    let mut text = String::new();
    if insert_at == source.len() && !source.ends_with('\n') {
        text.push('\n');
    }
    text.push_str(&format!("{indent}{heading}\n"));
    for line in example.trim_end().lines() {
        if !line.trim().is_empty() {
            text.push_str(&indent);
            text.push_str(line);
        }
        text.push('\n');
    }
    let position: Position = encoding.position(source, insert_at);
    TextEdit {
        range: Range::new(position, position),
        new_text: text,
    }
}
