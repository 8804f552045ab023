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
    MarkupContent, MarkupKind, TextEdit,
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
    let Some(offer) = matching::completions(catalog, &resolved, offset) else {
        return Ok(Vec::new());
    };
    let (detail, range) = (offer.of, view.range(encoding, offer.start, offer.end));
    let items = offer
        .values
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
