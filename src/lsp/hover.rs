//! textDocument/hover: the rendered explanation for code (a notebook cell reads its
//! whole notebook); doc-map facts on a cited path
//! in a skill file. `None` (a null result) where nothing applies.

use super::skill_files;
use super::state::State;
use crate::catalog::Catalog;
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::{Hover, HoverContents, HoverParams, MarkupContent, MarkupKind};

pub fn hover(state: &State, catalog: &Catalog, params: &HoverParams) -> Result<Option<Hover>> {
    let position = params.text_document_position_params.position;
    let uri = &params.text_document_position_params.text_document.uri;
    let encoding = state.encoding();
    let Some(view) = state.documents.view(uri) else {
        return Ok(None);
    };
    let offset = view.offset(encoding, position).ok_or_else(|| {
        Error::invalid_params(format!(
            "position {}:{} is past the end of the document",
            position.line, position.character
        ))
    })?;
    let (markdown, range) = if let Some(code) = view.code() {
        let sources = state.sources();
        // Resolved once: the keys feed the matching, the node's range the hover's range.
        let Some(resolved) = code.keys_at(offset) else {
            return Ok(None);
        };
        let explanation = crate::matching::explain(catalog, &resolved, &sources);
        let options = state.settings().hover_options();
        let Some(md) = crate::render::hover_markdown(&explanation, &options) else {
            return Ok(None);
        };
        (md, Some(view.range(encoding, resolved.start, resolved.end)))
    } else if view.doc.markdown {
        let text = view.text();
        match skill_files::hover(catalog, uri, text, offset) {
            Some((md, start, end)) => (md, Some(encoding.range(text, start, end))),
            None => return Ok(None),
        }
    } else {
        return Ok(None);
    };
    let (kind, value) = if state.caps().hover_markdown {
        (MarkupKind::Markdown, markdown)
    } else {
        (MarkupKind::PlainText, plain(&markdown))
    };
    Ok(Some(Hover {
        contents: HoverContents::Markup(MarkupContent { kind, value }),
        range,
    }))
}

/// Markdown to readable plain text for clients without markdown: links become
/// `text (target)`, emphasis markers go.
pub fn plain(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len());
    let mut rest = markdown;
    while let Some(open) = rest.find('[') {
        let Some(mid) = rest[open..].find("](").map(|m| m + open) else {
            break;
        };
        let Some(close) = rest[mid..].find(')').map(|c| c + mid) else {
            break;
        };
        out.push_str(&rest[..open]);
        out.push_str(&rest[open + 1..mid]);
        out.push_str(" (");
        out.push_str(&rest[mid + 2..close]);
        out.push(')');
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    out.replace("**", "").replace('`', "")
}
