//! The open documents. Notifications that change them run one after another, in arrival
//! order, and mutate the store synchronously (no await between reading and writing), so
//! an edit storm cannot reorder edits. Readers take what they need under the lock.

use super::proto::Encoding;
use crate::code::python::PyDocument;
use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};
use tower_lsp_server::ls_types::{TextDocumentContentChangeEvent, Uri};

pub enum Content {
    Python(PyDocument),
    Text(String),
}

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
    /// Python edits are applied to the text only; readers use [`Documents::read`].
    pub fn lock(&self) -> MutexGuard<'_, HashMap<Uri, Document>> {
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The store with `uri`'s pending edits parsed: what a request about `uri` reads.
    /// Edits are parsed here, once per burst, rather than once per keystroke, and only
    /// for the document asked about.
    pub fn read(&self, uri: &Uri) -> MutexGuard<'_, HashMap<Uri, Document>> {
        let mut docs = self.lock();
        if let Some(Content::Python(py)) = docs.get_mut(uri).map(|d| &mut d.content) {
            if py.is_stale() && !py.refresh() {
                tracing::warn!("tree-sitter gave up re-parsing {}", uri.as_str());
            }
        }
        docs
    }
}
