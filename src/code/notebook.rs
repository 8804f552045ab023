//! Jupyter notebooks, read as one Python program: the code cells in order, each followed
//! by a newline, so an import in cell 1 resolves a call in cell 5. A [`CellSpan`] says
//! where each cell's text sits in the program; positions are mapped through it, both for
//! `.ipynb` files on disk (`check`) and for notebooks an editor syncs cell by cell.
//!
//! Markdown and raw cells and every output are left out. IPython's own syntax (`%magic`,
//! `!shell`, `%%cell magic`) is not Python: those lines are blanked to a comment of the
//! same length, so offsets in the program stay offsets in the cell.

use serde::Deserialize;

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
}
