//! textDocument/completion: inside a string passed to a keyword the skills document
//! (`backend_config={"parallel": "|"}`), the values they name, with their trade-offs; in
//! the value of a job script's assignment (`export OMP_NUM_THREADS=|`), the values the
//! skills assign to that variable; on a flag being typed after a command (`mpiexec -|`),
//! the flags the skills name for that command.

use super::state::State;
use crate::catalog::Catalog;
use crate::matching;
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::{
    CompletionItem, CompletionItemKind, CompletionParams, CompletionTextEdit, Documentation,
    MarkupContent, MarkupKind, Range, TextEdit,
};

pub fn completion(
    state: &State,
    catalog: &Catalog,
    params: &CompletionParams,
) -> Result<Vec<CompletionItem>> {
    let uri = &params.text_document_position.text_document.uri;
    let position = params.text_document_position.position;
    let encoding = state.encoding();
    let markdown = state.caps().completion_markdown;
    let Some(view) = state.documents.view(uri) else {
        return Ok(Vec::new());
    };
    let Some(code) = view.code() else {
        return Ok(Vec::new());
    };
    let offset = view
        .offset(encoding, position)
        .ok_or_else(|| Error::invalid_params("position is past the end of the document"))?;
    let Some(resolved) = code.keys_at(offset) else {
        return Ok(Vec::new());
    };
    let Some((values, detail, range)) = candidates(catalog, &view, encoding, &resolved, offset)
    else {
        return Ok(Vec::new());
    };
    let items = values
        .into_iter()
        .map(|v| {
            let doc = format!("{}\n\n— *{}*", v.text, v.skill);
            CompletionItem {
                label: v.value.clone(),
                kind: Some(CompletionItemKind::VALUE),
                detail: Some(format!("{detail} · {}", v.skill)),
                documentation: Some(if markdown {
                    Documentation::MarkupContent(MarkupContent {
                        kind: MarkupKind::Markdown,
                        value: doc,
                    })
                } else {
                    Documentation::String(super::hover::plain(&doc))
                }),
                text_edit: Some(CompletionTextEdit::Edit(TextEdit {
                    range,
                    new_text: v.value,
                })),
                ..CompletionItem::default()
            }
        })
        .collect();
    Ok(items)
}

/// The variable whose assigned value the cursor is in (`export OMP_NUM_THREADS=|`): the
/// resolved node is a variable of an assignment site, after its name.
fn assigned_variable(resolved: &crate::code::Resolved, offset: usize) -> Option<&str> {
    let name = resolved.keys.first()?.strip_prefix("env:")?;
    let site = resolved.call.as_ref()?;
    let assigned = site
        .keys
        .first()
        .is_some_and(|k| k.strip_prefix("env:") == Some(name));
    (assigned && offset > site.end).then_some(name)
}

/// What to offer at the resolved node: the documented values, what they are values of,
/// and the range they replace.
fn candidates(
    catalog: &Catalog,
    view: &super::documents::View,
    encoding: super::proto::Encoding,
    resolved: &crate::code::Resolved,
    offset: usize,
) -> Option<(Vec<matching::DocumentedValue>, String, Range)> {
    let first = resolved.keys.first()?;
    if let Some(rest) = first.strip_prefix("val:") {
        // Inside a literal value: its key is `val:callee:keyword:<typed so far>`.
        let mut parts = rest.splitn(3, ':');
        let (callee, keyword) = (parts.next()?, parts.next()?);
        // The string's content, between the quotes.
        let range = view.range(
            encoding,
            resolved.start + 1,
            resolved.end.saturating_sub(1).max(resolved.start + 1),
        );
        let values = matching::documented_values(catalog, callee, keyword);
        return Some((values, format!("{callee}({keyword}=...)"), range));
    }
    let range = view.range(encoding, resolved.start, resolved.end);
    if let Some(name) = assigned_variable(resolved, offset) {
        // The value of a job script's `export NAME=` (typed so far, or nothing yet).
        let values = matching::documented_env_values(catalog, name, &resolved.imported);
        return Some((values, format!("{name}=..."), range));
    }
    // A flag being typed after a command (`mpiexec -n|`, `#SBATCH --c|`).
    let (command, typed) = first.strip_prefix("flag:")?.rsplit_once(':')?;
    let mut flags = matching::documented_flags(catalog, command, &resolved.imported);
    flags.retain(|f| f.value.starts_with(typed));
    Some((flags, format!("{command} flag"), range))
}
