//! The open documents. Notifications that change them call the synchronous functions here
//! ([`Documents::open`], [`Documents::change`], [`Documents::close`] and their notebook
//! counterparts), which take the lock, mutate and return before the notification's first
//! `.await`: edits apply in arrival order and an edit storm cannot reorder them. Requests
//! read a copy ([`Documents::view`]) and hold the lock only to take it: a hover never waits
//! for the diagnostics of a long file.
//!
//! A notebook is one document (its cells laid out as one program, `code::notebook`) under
//! the notebook's URI; each cell's URI views its window of it (`documents/notebooks.rs`).

mod notebooks;

pub use notebooks::Cells;

use super::proto::Encoding;
use crate::code::{Code, FileKind, MAX_PARSED_BYTES};
use std::collections::HashMap;
use std::ops::Range;
use std::sync::{Arc, Mutex, MutexGuard};
use tower_lsp_server::ls_types::{Position, TextDocumentContentChangeEvent, Uri};

#[derive(Clone)]
pub enum Content {
    Code(Code),
    Text(String),
}

#[derive(Clone)]
pub struct Document {
    pub version: i32,
    pub content: Content,
    /// The kind of code it holds, if any: parsed whenever small enough
    /// ([`MAX_PARSED_BYTES`]).
    pub kind: Option<FileKind>,
    /// A skill file (SKILL.md, references/*.md) rather than code.
    pub markdown: bool,
    /// A notebook's cells, in order.
    pub cells: Option<Arc<Cells>>,
    /// The file's name (an input file's says which packs own it).
    pub name: Arc<str>,
}

impl Document {
    pub fn new(
        text: String,
        version: i32,
        kind: Option<FileKind>,
        markdown: bool,
        name: &str,
    ) -> Self {
        let mut doc = Document {
            version,
            content: Content::Text(text),
            kind,
            markdown,
            cells: None,
            name: Arc::from(name),
        };
        doc.fit_content();
        if kind.is_some() && doc.code().is_none() {
            too_large(doc.text().len());
        }
        doc
    }

    /// Parses a document of code that is small enough, and keeps one that grew past
    /// [`MAX_PARSED_BYTES`] as plain text: its parse would take tens of times its size
    /// (tree-sitter's peak is up to 85 bytes per byte) and seconds per hover. The text is
    /// kept either way, so nothing the user wrote is lost.
    fn fit_content(&mut self) {
        let len = self.text().len();
        match (&mut self.content, self.kind) {
            (Content::Text(text), Some(kind)) if len <= MAX_PARSED_BYTES => {
                let text = std::mem::take(text);
                // A notebook is parsed cell by cell, where its cells are.
                let parsed = match &self.cells {
                    Some(cells) => Code::notebook(text, &cells.spans),
                    None => Code::parse_named(kind, &self.name, text),
                };
                match parsed {
                    Ok(code) => {
                        self.content = Content::Code(code);
                        // The parse stack is freed now; only the tree stays.
                        if len >= crate::memory::LARGE_DOCUMENT_BYTES {
                            crate::memory::give_back_freed();
                        }
                    }
                    // tree-sitter gives up only when cancelled; the text stays.
                    Err(source) => {
                        self.content = Content::Text(source);
                        tracing::warn!("tree-sitter gave up parsing a document");
                    }
                }
            }
            (Content::Code(_), _) if len > MAX_PARSED_BYTES => {
                too_large(len);
                let taken = std::mem::replace(&mut self.content, Content::Text(String::new()));
                if let Content::Code(code) = taken {
                    self.content = Content::Text(code.into_source());
                }
            }
            _ => {}
        }
    }

    pub fn text(&self) -> &str {
        match &self.content {
            Content::Code(code) => code.source(),
            Content::Text(text) => text,
        }
    }

    pub fn code(&self) -> Option<&Code> {
        match &self.content {
            Content::Code(code) => Some(code),
            Content::Text(_) => None,
        }
    }

    /// Replaces `start..end` (bytes) of the text, telling the parse where.
    fn splice(&mut self, start: usize, end: usize, text: &str) -> bool {
        let ok = match &mut self.content {
            Content::Code(code) => code.edit_deferred(start, end, text),
            Content::Text(old) => {
                let fits = crate::code::editable(old, start, end);
                if fits {
                    old.replace_range(start..end, text);
                }
                fits
            }
        };
        self.fit_content();
        ok
    }

    /// Applies one change. A range past the end is clamped to the end (and reported).
    pub fn apply(
        &mut self,
        change: TextDocumentContentChangeEvent,
        encoding: Encoding,
    ) -> Result<(), String> {
        let (start, end, clamped) = match change.range {
            None => (0, self.text().len(), false),
            Some(range) => change_range(self.text(), range, encoding)?,
        };
        if !self.splice(start, end, &change.text) {
            return Err(format!("could not apply change at {:?}", change.range));
        }
        if clamped {
            return Err(format!(
                "change range {:?} is past the end of the document; clamped",
                change.range
            ));
        }
        Ok(())
    }
}

/// Byte range of an LSP range in `text`, clamped to its end (and whether it was).
fn change_range(
    text: &str,
    range: tower_lsp_server::ls_types::Range,
    encoding: Encoding,
) -> Result<(usize, usize, bool), String> {
    let clamp = |p| encoding.offset(text, p).unwrap_or(text.len());
    let (start, end) = (clamp(range.start), clamp(range.end));
    let clamped =
        encoding.offset(text, range.end).is_none() || encoding.offset(text, range.start).is_none();
    if start > end {
        return Err(format!("change range ends before it starts: {range:?}"));
    }
    Ok((start, end, clamped))
}

fn too_large(len: usize) {
    tracing::warn!(
        "a {len} byte document is past the {MAX_PARSED_BYTES} byte limit: kept as \
         text, with no hovers or diagnostics until it is smaller"
    );
}

/// What a request reads for one URI: a copy of its document, and which cell of it the
/// URI is when the document is a notebook.
pub struct View {
    pub doc: Document,
    pub cell: Option<usize>,
}

impl View {
    /// The part of the program this URI shows.
    pub fn window(&self) -> Range<usize> {
        match (self.cell, &self.doc.cells) {
            (Some(i), Some(cells)) => cells.spans[i].start..cells.spans[i].end(),
            _ => 0..self.doc.text().len(),
        }
    }

    /// The text as the editor has it for this URI (a cell's own text, IPython lines
    /// included: the same length and lines as its window of the program).
    pub fn text(&self) -> &str {
        match (self.cell, &self.doc.cells) {
            (Some(i), Some(cells)) => &cells.texts[i],
            _ => self.doc.text(),
        }
    }

    /// The program offset of a position in this URI's text.
    pub fn offset(&self, encoding: Encoding, position: Position) -> Option<usize> {
        Some(self.window().start + encoding.offset(self.text(), position)?)
    }

    /// The LSP range, in this URI's text, of program offsets `start..end` (clamped to
    /// the window).
    pub fn range(
        &self,
        encoding: Encoding,
        start: usize,
        end: usize,
    ) -> tower_lsp_server::ls_types::Range {
        let window = self.window();
        let local = |o: usize| o.clamp(window.start, window.end) - window.start;
        encoding.range(self.text(), local(start), local(end))
    }

    /// Whether a program offset is in this URI's part.
    pub fn holds(&self, offset: usize) -> bool {
        let window = self.window();
        window.start <= offset && offset <= window.end
    }

    /// The code to read, unless this URI is a notebook's markdown or raw cell.
    pub fn code(&self) -> Option<&Code> {
        match (self.cell, &self.doc.cells) {
            (Some(i), Some(cells)) if !cells.spans[i].code => None,
            _ => self.doc.code(),
        }
    }
}

#[derive(Default)]
pub struct Store {
    docs: HashMap<Uri, Document>,
    /// Each open notebook cell's notebook.
    cell_owner: HashMap<Uri, Uri>,
}

impl Store {
    pub fn get(&self, uri: &Uri) -> Option<&Document> {
        self.docs.get(uri)
    }

    /// The open documents (a notebook once, under its own URI).
    pub fn uris(&self) -> Vec<Uri> {
        self.docs.keys().cloned().collect()
    }

    /// The document `uri` shows: its own, or its notebook's for a cell.
    pub fn owner_of<'a>(&'a self, uri: &'a Uri) -> Option<&'a Uri> {
        if self.docs.contains_key(uri) {
            return Some(uri);
        }
        self.cell_owner.get(uri)
    }
}

#[derive(Default)]
pub struct Documents {
    inner: Mutex<Store>,
}

impl Documents {
    /// The store, even after a panic elsewhere poisoned the lock: documents stay usable.
    /// Edits are applied to the text only; readers use [`Documents::view`].
    pub fn lock(&self) -> MutexGuard<'_, Store> {
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The version of the document `uri` shows (a cell's is its notebook's).
    pub fn version(&self, uri: &Uri) -> Option<i32> {
        let store = self.lock();
        let owner = store.owner_of(uri)?;
        store.docs.get(owner).map(|d| d.version)
    }

    pub fn open(&self, uri: Uri, text: String, version: i32, language_id: &str) {
        let kind = FileKind::detect(uri.path().as_str(), Some(language_id), &text)
            .filter(|k| *k != FileKind::Notebook);
        let markdown = kind.is_none() && super::proto::is_markdown(&uri, Some(language_id));
        let name = uri.path().as_str().rsplit('/').next().unwrap_or("");
        let doc = Document::new(text, version, kind, markdown, name);
        self.lock().docs.insert(uri, doc);
    }

    /// Applies a `didChange`; what could not be applied as sent, for the log.
    pub fn change(
        &self,
        uri: &Uri,
        version: i32,
        changes: Vec<TextDocumentContentChangeEvent>,
        encoding: Encoding,
    ) -> Result<Vec<String>, String> {
        let mut store = self.lock();
        let Some(doc) = store.docs.get_mut(uri) else {
            return Err(format!(
                "didChange for a document that is not open: {}",
                uri.as_str()
            ));
        };
        let problems = changes
            .into_iter()
            .filter_map(|change| doc.apply(change, encoding).err())
            .collect();
        doc.version = version;
        Ok(problems)
    }

    /// Closes a document; the closed one, so a large one's memory can be given back.
    pub fn close(&self, uri: &Uri) -> Option<Document> {
        let mut store = self.lock();
        let closed = store.docs.remove(uri)?;
        if let Some(cells) = &closed.cells {
            for cell in &cells.uris {
                store.cell_owner.remove(cell);
            }
        }
        Some(closed)
    }

    /// A copy of what `uri` shows, with pending edits parsed: what a request reads.
    /// Edits are parsed here, once per burst rather than once per keystroke, only for the
    /// document asked about, and outside the lock (a long file's parse and bindings take
    /// tens of milliseconds); the store adopts the parse unless an edit came meanwhile.
    pub fn view(&self, uri: &Uri) -> Option<View> {
        let (owner, mut doc) = {
            let store = self.lock();
            let owner = store.owner_of(uri)?.clone();
            let doc = store.docs.get(&owner)?.clone();
            (owner, doc)
        };
        if let Content::Code(code) = &mut doc.content {
            if code.is_stale() {
                if code.refresh() {
                    if let Some(Content::Code(stored)) =
                        self.lock().docs.get_mut(&owner).map(|d| &mut d.content)
                    {
                        stored.adopt(code);
                    }
                } else {
                    tracing::warn!("tree-sitter gave up re-parsing {}", uri.as_str());
                }
            }
        }
        // A job script: what the scripts it runs import, read outside the lock.
        if let (Content::Code(code @ Code::Shell(_)), Some(path)) =
            (&mut doc.content, super::proto::file_path(&owner))
        {
            if let Some(folder) = path.parent() {
                code.learn_scripts(folder);
                if let Some(Content::Code(stored)) =
                    self.lock().docs.get_mut(&owner).map(|d| &mut d.content)
                {
                    stored.adopt_learnt(code);
                }
            }
        }
        let cell = doc.cells.as_ref().and_then(|c| c.index_of(uri));
        Some(View { doc, cell })
    }
}
