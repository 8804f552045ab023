//! The open documents. Notifications that change them run one after another, in arrival
//! order, and mutate the store synchronously (no await between reading and writing), so
//! an edit storm cannot reorder edits. Requests read a copy ([`Documents::snapshot`]) and
//! hold the lock only to take it: a hover never waits for the diagnostics of a long file.

use super::proto::Encoding;
use crate::code::python::{PyDocument, MAX_PARSED_BYTES};
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
    /// Opened as Python: parsed whenever it is small enough ([`MAX_PARSED_BYTES`]).
    python: bool,
}

impl Document {
    pub fn new(text: String, version: i32, python: bool, markdown: bool) -> Self {
        let mut doc = Document {
            version,
            content: Content::Text(text),
            markdown,
            python,
        };
        doc.fit_content();
        if python && doc.python().is_none() {
            too_large(doc.text().len());
        }
        doc
    }

    /// Parses a Python document that is small enough, and keeps one that grew past
    /// [`MAX_PARSED_BYTES`] as plain text: its parse would take tens of times its size
    /// (tree-sitter's peak is up to 85 bytes per byte) and seconds per hover. The text is
    /// kept either way, so nothing the user wrote is lost.
    fn fit_content(&mut self) {
        let len = self.text().len();
        match &mut self.content {
            Content::Text(text) if self.python && len <= MAX_PARSED_BYTES => {
                match PyDocument::parse_or_return(std::mem::take(text)) {
                    Ok(doc) => {
                        self.content = Content::Python(doc);
                        // The parse stack is freed now; only the tree stays.
                        if len >= crate::memory::LARGE_DOCUMENT_BYTES {
                            crate::memory::give_back_freed();
                        }
                    }
                    // tree-sitter gives up only when cancelled; the text stays.
                    Err(source) => {
                        *text = source;
                        tracing::warn!("tree-sitter gave up parsing a document");
                    }
                }
            }
            Content::Python(doc) if len > MAX_PARSED_BYTES => {
                too_large(len);
                let source = std::mem::take(&mut doc.source);
                let text = std::sync::Arc::try_unwrap(source).unwrap_or_else(|s| (*s).clone());
                self.content = Content::Text(text);
            }
            _ => {}
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
            self.fit_content();
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
        self.fit_content();
        if clamped {
            return Err(format!(
                "change range {range:?} is past the end of the document; clamped"
            ));
        }
        Ok(())
    }
}

fn too_large(len: usize) {
    tracing::warn!(
        "a {len} byte Python document is past the {MAX_PARSED_BYTES} byte limit: kept as \
         text, with no hovers or diagnostics until it is smaller"
    );
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
