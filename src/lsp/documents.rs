//! The open documents. Notifications that change them run one after another, in arrival
//! order, and mutate the store synchronously (no await between reading and writing), so
//! an edit storm cannot reorder edits. Requests read a copy ([`Documents::snapshot`]) and
//! hold the lock only to take it: a hover never waits for the diagnostics of a long file.

use super::proto::Encoding;
use crate::code::python::PyDocument;
use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};
use tower_lsp_server::ls_types::{TextDocumentContentChangeEvent, Uri};

#[derive(Clone)]
pub enum Content {
    Python(PyDocument),
    Text(String),
}

#[derive(Clone)]
pub struct Document {
    pub version: i32,
    pub content: Content,
    /// A skill file (SKILL.md, references/*.md) rather than Python.
    pub markdown: bool,
}

impl Document {
    pub fn new(text: String, version: i32, python: bool, markdown: bool) -> Self {
        let content = if python {
            match PyDocument::parse(text) {
                Some(doc) => Content::Python(doc),
                // tree-sitter gives up only when cancelled; keep the text regardless.
                None => Content::Text(String::new()),
            }
        } else {
            Content::Text(text)
        };
        Document {
            version,
            content,
            markdown,
        }
    }

    pub fn text(&self) -> &str {
        match &self.content {
            Content::Python(doc) => &doc.source,
            Content::Text(text) => text,
        }
    }

    pub fn python(&self) -> Option<&PyDocument> {
        match &self.content {
            Content::Python(doc) => Some(doc),
            Content::Text(_) => None,
        }
    }

    /// Applies one change. A range past the end is clamped to the end (and reported).
    pub fn apply(
        &mut self,
        change: TextDocumentContentChangeEvent,
        encoding: Encoding,
    ) -> Result<(), String> {
        let Some(range) = change.range else {
            match &mut self.content {
                Content::Python(doc) => {
                    let end = doc.source.len();
                    doc.edit_deferred(0, end, &change.text);
                }
                Content::Text(text) => *text = change.text,
            }
            return Ok(());
        };
        let text = self.text();
        let clamp = |p| encoding.offset(text, p).unwrap_or(text.len());
        let (start, end) = (clamp(range.start), clamp(range.end));
        let clamped = encoding.offset(text, range.end).is_none()
            || encoding.offset(text, range.start).is_none();
        if start > end {
            return Err(format!("change range ends before it starts: {range:?}"));
        }
        match &mut self.content {
            Content::Python(doc) => {
                if !doc.edit_deferred(start, end, &change.text) {
                    return Err(format!("could not apply change at {range:?}"));
                }
            }
            Content::Text(text) => text.replace_range(start..end, &change.text),
        }
        if clamped {
            return Err(format!(
                "change range {range:?} is past the end of the document; clamped"
            ));
        }
        Ok(())
    }
}

#[derive(Default)]
pub struct Documents {
    inner: Mutex<HashMap<Uri, Document>>,
}

impl Documents {
    /// The store, even after a panic elsewhere poisoned the lock: documents stay usable.
    /// Python edits are applied to the text only; readers use [`Documents::snapshot`].
    pub fn lock(&self) -> MutexGuard<'_, HashMap<Uri, Document>> {
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// A copy of `uri`'s document with its pending edits parsed: what a request reads.
    /// Edits are parsed here, once per burst rather than once per keystroke, only for the
    /// document asked about, and outside the lock (a long file's parse and bindings take
    /// tens of milliseconds); the store adopts the parse unless an edit came meanwhile.
    pub fn snapshot(&self, uri: &Uri) -> Option<Document> {
        let mut copy = self.lock().get(uri)?.clone();
        if let Content::Python(py) = &mut copy.content {
            if py.is_stale() {
                if py.refresh() {
                    if let Some(Content::Python(stored)) =
                        self.lock().get_mut(uri).map(|d| &mut d.content)
                    {
                        stored.adopt(py);
                    }
                } else {
                    tracing::warn!("tree-sitter gave up re-parsing {}", uri.as_str());
                }
            }
        }
        Some(copy)
    }
}
