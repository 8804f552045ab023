//! The notebook half of the document store: a notebook's cells beside its program, cell
//! edits as the smallest splice of the program, structure changes, and the
//! `notebookDocument/*` notifications' synchronous store functions.

use super::super::proto::Encoding;
use super::{change_range, Content, Document, Documents, Store};
use crate::code::notebook::{self, CellSpan};
use crate::code::FileKind;
use std::collections::HashMap;
use std::sync::Arc;
use tower_lsp_server::ls_types::{
    DidChangeNotebookDocumentParams, DidOpenNotebookDocumentParams, NotebookCell, NotebookCellKind,
    TextDocumentContentChangeEvent, Uri,
};

/// The cells of a notebook: their URIs, their text as the editor has it (IPython lines
/// included), and where each sits in the program.
#[derive(Clone, Default)]
pub struct Cells {
    pub uris: Vec<Uri>,
    pub texts: Vec<String>,
    pub spans: Vec<CellSpan>,
}

impl Cells {
    pub(super) fn index_of(&self, uri: &Uri) -> Option<usize> {
        self.uris.iter().position(|u| u == uri)
    }

    /// Where cell `index`'s part of the program ends: the next cell's start (the newline
    /// after a code cell is the cell's own), or the program's end.
    fn next_start(&self, index: usize, program_len: usize) -> usize {
        self.spans.get(index).map_or(program_len, |s| s.start)
    }
}

impl Document {
    /// Applies one change to cell `index` of a notebook: to the cell's text, then to the
    /// program, as the smallest edit that turns the cell's old program text into its new
    /// one (so the parse redoes only what changed).
    fn apply_to_cell(
        &mut self,
        index: usize,
        change: TextDocumentContentChangeEvent,
        encoding: Encoding,
    ) -> Result<(), String> {
        let Some(cells) = self.cells.as_mut().map(Arc::make_mut) else {
            return Err("not a notebook".into());
        };
        let Some(text) = cells.texts.get_mut(index) else {
            return Err(format!("no cell {index}"));
        };
        let (start, end, clamped) = match change.range {
            None => (0, text.len(), false),
            Some(range) => change_range(text, range, encoding)?,
        };
        if !(text.is_char_boundary(start) && text.is_char_boundary(end)) {
            return Err(format!("could not apply change at {:?}", change.range));
        }
        text.replace_range(start..end, &change.text);
        let span = cells.spans[index];
        if span.code {
            let new = notebook::blank_ipython(text);
            let program = self.text();
            let old = &program[span.start..span.end()];
            let (prefix, suffix) = common_ends(old, &new);
            let replacement = new[prefix..new.len() - suffix].to_string();
            let (edit_start, edit_end) = (span.start + prefix, span.end() - suffix);
            let grown = new.len() as isize - span.len as isize;
            if !self.splice(edit_start, edit_end, &replacement) {
                return Err(format!("could not apply change at {:?}", change.range));
            }
            if let Some(cells) = self.cells.as_mut().map(Arc::make_mut) {
                cells.spans[index].len = new.len();
                for later in &mut cells.spans[index + 1..] {
                    later.start = later.start.saturating_add_signed(grown);
                }
            }
        }
        if clamped {
            return Err(format!(
                "change range {:?} is past the end of the cell; clamped",
                change.range
            ));
        }
        Ok(())
    }

    /// Replaces cells `at..at + removed` with `new` (URI, code or not, text): one splice
    /// of the program, spans shifted after it.
    fn replace_cells(&mut self, at: usize, removed: usize, new: Vec<(Uri, bool, String)>) {
        let program_len = self.text().len();
        let Some(cells) = self.cells.as_mut().map(Arc::make_mut) else {
            return;
        };
        let at = at.min(cells.uris.len());
        let removed = removed.min(cells.uris.len() - at);
        let start = cells.next_start(at, program_len);
        let end = cells.next_start(at + removed, program_len);
        let blanked: Vec<(bool, String)> = new
            .iter()
            .map(|(_, code, text)| {
                (
                    *code,
                    code.then(|| notebook::blank_ipython(text))
                        .unwrap_or_default(),
                )
            })
            .collect();
        let (inserted, mut spans) =
            notebook::layout(blanked.iter().map(|(code, text)| (*code, text.as_str())));
        for span in &mut spans {
            span.start += start;
        }
        let grown = inserted.len() as isize - (end - start) as isize;
        for later in &mut cells.spans[at + removed..] {
            later.start = later.start.saturating_add_signed(grown);
        }
        let (uris, texts): (Vec<Uri>, Vec<String>) =
            new.into_iter().map(|(uri, _, text)| (uri, text)).unzip();
        cells.spans.splice(at..at + removed, spans);
        cells.uris.splice(at..at + removed, uris);
        cells.texts.splice(at..at + removed, texts);
        // A structure change lays the program out again and parses every cell (cells
        // are small; keystrokes take `apply_to_cell`'s one-cell path).
        let mut program = std::mem::replace(&mut self.content, Content::Text(String::new()));
        let mut text = match program {
            Content::Code(code) => code.into_source(),
            Content::Text(ref mut text) => std::mem::take(text),
        };
        if crate::code::editable(&text, start, end) {
            text.replace_range(start..end, &inserted);
        } else {
            tracing::warn!("could not apply a notebook's cell change");
        }
        self.content = Content::Text(text);
        self.fit_content();
    }
}

impl Documents {
    pub fn open_notebook(&self, params: DidOpenNotebookDocumentParams) {
        let texts: HashMap<Uri, String> = params
            .cell_text_documents
            .into_iter()
            .map(|item| (item.uri, item.text))
            .collect();
        let new = new_cells(params.notebook_document.cells, &texts, &HashMap::new());
        let mut doc = Document::new(
            String::new(),
            params.notebook_document.version,
            Some(FileKind::Notebook),
            false,
            "",
        );
        doc.cells = Some(Arc::new(Cells::default()));
        doc.replace_cells(0, 0, new);
        let uri = params.notebook_document.uri;
        let mut store = self.lock();
        if let Some(cells) = &doc.cells {
            for cell in &cells.uris {
                store.cell_owner.insert(cell.clone(), uri.clone());
            }
        }
        store.docs.insert(uri, doc);
    }

    /// Applies a `notebookDocument/didChange`: structure (cells inserted, deleted,
    /// moved), then kinds, then text, as the protocol orders them.
    pub fn change_notebook(
        &self,
        params: DidChangeNotebookDocumentParams,
        encoding: Encoding,
    ) -> Result<Vec<String>, String> {
        let uri = params.notebook_document.uri;
        let mut store = self.lock();
        let Store { docs, cell_owner } = &mut *store;
        let Some(doc) = docs.get_mut(&uri) else {
            return Err(format!(
                "didChange for a notebook that is not open: {}",
                uri.as_str()
            ));
        };
        let mut problems = Vec::new();
        doc.version = params.notebook_document.version;
        let Some(change) = params.change.cells else {
            return Ok(problems);
        };
        if let Some(structure) = change.structure {
            let array = structure.array;
            let texts: HashMap<Uri, String> = structure
                .did_open
                .into_iter()
                .flatten()
                .map(|item| (item.uri, item.text))
                .collect();
            // A moved cell is deleted and inserted again, its text not always resent.
            let mut removed_texts = HashMap::new();
            if let Some(cells) = &doc.cells {
                let at = (array.start as usize).min(cells.uris.len());
                let end = (at + array.delete_count as usize).min(cells.uris.len());
                for i in at..end {
                    removed_texts.insert(cells.uris[i].clone(), cells.texts[i].clone());
                    cell_owner.remove(&cells.uris[i]);
                }
            }
            let new = new_cells(array.cells.unwrap_or_default(), &texts, &removed_texts);
            for (cell, _, _) in &new {
                cell_owner.insert(cell.clone(), uri.clone());
            }
            doc.replace_cells(array.start as usize, array.delete_count as usize, new);
        }
        for cell in change.data.into_iter().flatten() {
            let Some(cells) = &doc.cells else { break };
            let Some(i) = cells.index_of(&cell.document) else {
                problems.push(format!("no cell {}", cell.document.as_str()));
                continue;
            };
            let code = cell.kind == NotebookCellKind::CODE;
            if cells.spans[i].code != code {
                let text = cells.texts[i].clone();
                doc.replace_cells(i, 1, vec![(cell.document, code, text)]);
            }
        }
        for content in change.text_content.into_iter().flatten() {
            let Some(i) = doc
                .cells
                .as_ref()
                .and_then(|c| c.index_of(&content.document.uri))
            else {
                problems.push(format!("no cell {}", content.document.uri.as_str()));
                continue;
            };
            for edit in content.changes {
                if let Err(problem) = doc.apply_to_cell(i, edit, encoding) {
                    problems.push(problem);
                }
            }
        }
        Ok(problems)
    }
}

/// The cells a notebook change brings, with their text: sent with it, or the text of a
/// cell the same change removed (a move).
fn new_cells(
    cells: Vec<NotebookCell>,
    texts: &HashMap<Uri, String>,
    removed: &HashMap<Uri, String>,
) -> Vec<(Uri, bool, String)> {
    cells
        .into_iter()
        .map(|cell| {
            let text = texts
                .get(&cell.document)
                .or_else(|| removed.get(&cell.document))
                .cloned()
                .unwrap_or_default();
            (cell.document, cell.kind == NotebookCellKind::CODE, text)
        })
        .collect()
}

/// Lengths in bytes of the common prefix and suffix of `a` and `b` (not overlapping, on
/// character boundaries of both).
fn common_ends(a: &str, b: &str) -> (usize, usize) {
    let mut prefix = a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
    while !(a.is_char_boundary(prefix) && b.is_char_boundary(prefix)) {
        prefix -= 1;
    }
    let room = a.len().min(b.len()) - prefix;
    let mut suffix = a
        .bytes()
        .rev()
        .zip(b.bytes().rev())
        .take(room)
        .take_while(|(x, y)| x == y)
        .count();
    while !(a.is_char_boundary(a.len() - suffix) && b.is_char_boundary(b.len() - suffix)) {
        suffix -= 1;
    }
    (prefix, suffix)
}

#[cfg(test)]
mod tests {
    use super::common_ends;

    #[test]
    fn common_ends_stay_on_character_boundaries() {
        assert_eq!(common_ends("abcdef", "abXdef"), (2, 3));
        assert_eq!(common_ends("aa", "aaa"), (2, 0));
        assert_eq!(common_ends("é", "è"), (0, 0));
        assert_eq!(common_ends("", "x"), (0, 0));
    }
}
