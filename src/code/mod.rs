//! The user's code, whatever kind of file holds it. This module is the seam: the
//! language-neutral model every consumer works on (call sites, the keys at a position,
//! literal values, comment syntax) and the file kinds, told apart by name and content.
//! One module per kind of file sits behind it:
//!
//! - [`python`]: Python sources (tree-sitter), also the code of notebooks;
//! - [`notebook`]: Jupyter notebooks: one Python program laid out in cells, each cell
//!   parsed on its own and the bindings merged;
//! - [`shell`]: shell and batch job scripts (tree-sitter-bash);
//! - [`cpp`]: C and C++ sources (tree-sitter-cpp);
//! - [`julia`]: Julia sources (tree-sitter-julia);
//! - [`fortran`]: Fortran sources (tree-sitter-fortran);
//! - [`whole_file`]: what C/C++, Julia and Fortran share: a document read whole again
//!   after each change;
//! - [`input`]: input files of simulation codes (namelists, HSD, `key value` decks,
//!   `#command:` files, `*CARD` decks, and formats never seen, by one tolerant reader).
//!
//! Matching, applicability, fixes, analysis, the language server's documents and the
//! CLI see only [`Code`], [`CallSite`] and [`Resolved`]. Adding a kind of file: a
//! [`FileKind`] variant with its names and `#!` interpreters, a module that turns text
//! into [`CallSite`]s and [`Resolved`] keys (the `keys` vocabulary), and its arm in
//! [`Code`].

pub mod cpp;
pub mod fortran;
pub mod input;
pub mod julia;
pub mod notebook;
pub mod python;
pub mod shell;
pub mod whole_file;

use cpp::CppDocument;
use fortran::FortranDocument;
use input::InputDocument;
use julia::JuliaDocument;
use python::PyDocument;
use shell::ShellDocument;

/// Whether `start..end` (bytes) is a range of `source` that an edit may replace: in
/// order, inside it, on character boundaries.
pub(crate) fn editable(source: &str, start: usize, end: usize) -> bool {
    start <= end
        && end <= source.len()
        && source.is_char_boundary(start)
        && source.is_char_boundary(end)
}

/// Replaces `start..end` (bytes) of a shared text whose parse is deferred, and marks the
/// parse stale; false (and nothing changed) when the range is not [`editable`]. For the
/// kinds whose refresh reads the whole text again (job scripts, input files).
pub(crate) fn splice_deferred(
    source: &mut std::sync::Arc<String>,
    freshness: &mut Freshness,
    (start, end): (usize, usize),
    text: &str,
) -> bool {
    if !editable(source, start, end) {
        return false;
    }
    std::sync::Arc::make_mut(source).replace_range(start..end, text);
    freshness.edited();
    true
}

/// Whether a document's edits are parsed, and which text it is: a copy parsed elsewhere
/// (outside the store's lock) is adopted back only if no edit came since it was taken.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Freshness {
    stale: bool,
    generation: u64,
}

impl Freshness {
    pub(crate) fn new() -> Self {
        Freshness {
            stale: false,
            generation: next_generation(),
        }
    }

    /// Text changed: a parse is due, and copies taken before are of another text.
    pub(crate) fn edited(&mut self) {
        self.stale = true;
        self.generation = next_generation();
    }

    pub(crate) fn parsed(&mut self) {
        self.stale = false;
    }

    pub(crate) fn is_stale(self) -> bool {
        self.stale
    }

    /// Whether `parsed`, a refreshed copy of this text, may replace this parse.
    pub(crate) fn adoptable(self, parsed: &Freshness) -> bool {
        self.stale && !parsed.stale && parsed.generation == self.generation
    }
}

/// A fresh value for a document's generation, from one process-wide counter, so two
/// documents (a closed and a reopened one) never share one: a copy parsed elsewhere is
/// adopted only if no edit (or reopening) came since it was taken.
pub(crate) fn next_generation() -> u64 {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

/// Largest text parsed as code, open or on disk: tree-sitter's peak while parsing dense
/// code is up to about 85 bytes per byte, so this bounds one document's memory to about a
/// gigabyte while it parses. Hand-written modules are far smaller (a 10 MB generated file
/// still answers); past it is data, which editors themselves stop treating as code.
pub const MAX_PARSED_BYTES: usize = 12 * 1024 * 1024;

/// A call with everything matching needs.
#[derive(Debug, Clone, PartialEq)]
pub struct CallSite {
    pub callee: String,
    /// Byte range of the callee expression (where diagnostics go).
    pub start: usize,
    pub end: usize,
    /// Byte range of the whole statement holding the call (for "insert below").
    pub statement_end: usize,
    pub keywords: Vec<KeywordArg>,
    pub keys: Vec<String>,
}

impl CallSite {
    /// Where the called name itself starts: `continuerun` in `n.continuerun`, the whole
    /// callee when it has no dotted owner. `check` reports this column, because it is
    /// where `explain` (and a hover) answers for the call, not for its owner.
    pub fn name_start(&self, source: &str) -> usize {
        let Some(callee) = source.get(self.start..self.end) else {
            return self.start;
        };
        match callee.rfind(['.', ':']) {
            Some(dot) => {
                let after = &callee[dot + 1..];
                let name = after.trim_start();
                if !name.starts_with(|c: char| c.is_alphabetic() || c == '_') {
                    self.start
                } else {
                    self.start + dot + 1 + (after.len() - name.len())
                }
            }
            None => self.start,
        }
    }
}

/// A keyword argument (Python `name=value`; a flag or a variable assignment elsewhere).
#[derive(Debug, Clone, PartialEq)]
pub struct KeywordArg {
    pub name: String,
    /// Byte range of the keyword name.
    pub start: usize,
    pub end: usize,
    /// String literals found in the value (also inside a dict literal).
    pub values: Vec<LiteralValue>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LiteralValue {
    pub value: String,
    /// Byte range of the string content (without quotes).
    pub start: usize,
    pub end: usize,
    /// The dict key the value sits under, if any (`"parallel"`).
    pub dict_key: Option<String>,
}

/// The node under the cursor, resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct Resolved {
    /// What to call it in a popup: `ase.io.read`, `oqupy.PtTebd(backend_config=...)`.
    pub symbol: String,
    /// Most specific first.
    pub keys: Vec<String>,
    /// Byte range of the hovered node.
    pub start: usize,
    pub end: usize,
    /// The enclosing call, when there is one.
    pub call: Option<CallSite>,
    /// Top-level modules the file imports (`ase`, `numpy`): keys that belong to no
    /// package (environment variables, paths) are looked up in their packs first.
    pub imported: Vec<String>,
    /// Python: the modules of the file's star imports, in import order; a name the file
    /// never binds (`?.name`, `keys::unbound`) may come from one of them.
    pub star_modules: Vec<String>,
}

/// The kinds of file the server reads as code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileKind {
    Python,
    /// A Jupyter notebook: its code cells are Python.
    Notebook,
    /// A shell or batch job script.
    Shell,
    /// An input file of a simulation code.
    Input,
    /// A C or C++ source or header.
    Cpp,
    /// A Julia source.
    Julia,
    /// A Fortran source.
    Fortran,
}

/// Extensions of input files: Fortran namelists, HSD, decks, parameter files.
const INPUT_EXTENSIONS: [&str; 11] = [
    "in", "inp", "hsd", "nml", "namelist", "par", "dat", "input", "xtbrc", "fdf", "gen",
];

/// Names of input files without a telling extension (`MOM_input`, `INCAR`, `xcontrol`),
/// compared lowercased: a file named like this, or starting with one of these and `_`.
const INPUT_NAMES: [&str; 8] = [
    "mom_input",
    "mom_override",
    "input",
    "incar",
    "xcontrol",
    "control",
    "namelist",
    "diag_table",
];

/// Build and packaging templates that end in `.in` but are no simulation's input
/// (`Makefile.in`, `MANIFEST.in`, `config.h.in`, `Doxyfile.in`).
fn is_template(base: &str) -> bool {
    let stem = base.strip_suffix(".in").unwrap_or("");
    matches!(stem, "makefile" | "manifest" | "configure" | "doxyfile") || stem.contains('.')
}

/// Interpreters whose `#!` line makes a file a shell script.
const SHELLS: [&str; 6] = ["sh", "bash", "zsh", "ksh", "dash", "tcsh"];

impl FileKind {
    /// The kind a file's name says (`run.py`, `study.ipynb`), or its editor's language id.
    pub fn from_name(name: &str, language_id: Option<&str>) -> Option<FileKind> {
        let by_language = match language_id {
            Some("python") => Some(FileKind::Python),
            Some("jupyter") => Some(FileKind::Notebook),
            Some("shellscript" | "sh" | "bash" | "zsh" | "slurm") => Some(FileKind::Shell),
            Some("c" | "cpp" | "cuda-cpp" | "objective-cpp") => Some(FileKind::Cpp),
            Some("julia") => Some(FileKind::Julia),
            Some("fortran" | "fortran90" | "FortranFreeForm" | "FortranFixedForm") => {
                Some(FileKind::Fortran)
            }
            Some("fortran-namelist" | "namelist" | "hsd" | "ini" | "properties") => {
                Some(FileKind::Input)
            }
            _ => None,
        };
        let lower = name.to_ascii_lowercase();
        let base = lower.rsplit('/').next().unwrap_or(&lower);
        let extension = base.rsplit_once('.').map(|(_, e)| e);
        by_language.or(match extension {
            Some("py" | "pyi" | "pyw") => Some(FileKind::Python),
            Some("ipynb") => Some(FileKind::Notebook),
            Some("sh" | "bash" | "zsh" | "ksh" | "slurm" | "sbatch" | "pbs" | "lsf" | "job") => {
                Some(FileKind::Shell)
            }
            Some("c" | "h" | "cc" | "cpp" | "cxx" | "hpp" | "hh" | "hxx" | "cu" | "cuh") => {
                Some(FileKind::Cpp)
            }
            Some("jl") => Some(FileKind::Julia),
            Some("f" | "for" | "ftn" | "f77" | "f90" | "f95" | "f03" | "f08") => {
                Some(FileKind::Fortran)
            }
            Some(e) if INPUT_EXTENSIONS.contains(&e) && !is_template(base) => Some(FileKind::Input),
            _ => INPUT_NAMES
                .iter()
                .any(|n| {
                    base == *n
                        || base
                            .strip_prefix(n)
                            .is_some_and(|r| r.starts_with(['_', '.']))
                })
                .then_some(FileKind::Input),
        })
    }

    /// The kind a file's first line says: a `#!` line naming an interpreter.
    pub fn from_content(text: &str) -> Option<FileKind> {
        let first = text.lines().next()?.strip_prefix("#!")?;
        let mut words = first.split_whitespace();
        let mut program = words.next()?.rsplit('/').next()?;
        if program == "env" {
            program = words.find(|w| !w.starts_with('-'))?;
        }
        if program.starts_with("python") {
            Some(FileKind::Python)
        } else if SHELLS.contains(&program) {
            Some(FileKind::Shell)
        } else {
            None
        }
    }

    /// [`Self::from_name`], else [`Self::from_content`].
    pub fn detect(name: &str, language_id: Option<&str>, text: &str) -> Option<FileKind> {
        Self::from_name(name, language_id).or_else(|| Self::from_content(text))
    }

    /// The kind of a skill's fenced example, by its info string (`python`, `py`,
    /// `pycon`); an unlabelled block that imports something is taken as Python.
    pub fn of_example(lang: Option<&str>, text: &str) -> Option<FileKind> {
        match lang.map(str::to_ascii_lowercase).as_deref() {
            Some("python" | "py" | "python3" | "pycon" | "ipython") => Some(FileKind::Python),
            Some("bash" | "sh" | "shell" | "console" | "zsh" | "slurm") => Some(FileKind::Shell),
            Some("julia" | "jl" | "julia-repl") => Some(FileKind::Julia),
            Some(
                "hsd" | "ini" | "cfg" | "conf" | "namelist" | "nml" | "inp" | "in" | "dat" | "par"
                | "text" | "txt" | "none" | "plain" | "input",
            ) => input::reader::looks_like_input(text).then_some(FileKind::Input),
            // A Fortran block is a program (its statements say so) or a namelist.
            Some("fortran" | "f90") if fortran::has_statements(text) => Some(FileKind::Fortran),
            Some("fortran" | "f90") => {
                input::reader::looks_like_input(text).then_some(FileKind::Input)
            }
            Some(_) => None,
            None if text.contains("import ") => Some(FileKind::Python),
            None => input::reader::looks_like_input(text).then_some(FileKind::Input),
        }
    }

    /// What starts a line comment in this kind of file (where the ignore marker goes).
    pub fn line_comment(self) -> &'static str {
        match self {
            FileKind::Python
            | FileKind::Notebook
            | FileKind::Shell
            | FileKind::Input
            | FileKind::Julia => "#",
            FileKind::Cpp => "//",
            FileKind::Fortran => "!",
        }
    }
}

/// A parsed document of any kind: what analysis, matching and the front ends work on.
#[derive(Clone)]
pub enum Code {
    Python(PyDocument),
    /// A notebook's code cells, each parsed on its own, resolved as one program.
    Notebook(notebook::NotebookCode),
    Shell(ShellDocument),
    Input(InputDocument),
    Cpp(CppDocument),
    Julia(JuliaDocument),
    Fortran(FortranDocument),
}

impl Code {
    /// Parses `text` as `kind`; the text back when the parser gives up.
    pub fn parse(kind: FileKind, text: String) -> Result<Code, String> {
        Self::parse_named(kind, "", text)
    }

    /// [`Self::parse`] for a file named `name` (an input file's name says which packs
    /// own it).
    pub fn parse_named(kind: FileKind, name: &str, text: String) -> Result<Code, String> {
        match kind {
            FileKind::Input => {
                let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
                Ok(Code::Input(InputDocument::parse(text, base)))
            }
            FileKind::Python => PyDocument::parse_or_return(text).map(Code::Python),
            // Text without its cells' layout: one cell.
            FileKind::Notebook => {
                let spans = [notebook::CellSpan {
                    start: 0,
                    len: text.len(),
                    code: true,
                }];
                Code::notebook(text, &spans)
            }
            FileKind::Shell => ShellDocument::parse(text).map(Code::Shell),
            FileKind::Cpp => CppDocument::parse(text).map(Code::Cpp),
            FileKind::Julia => JuliaDocument::parse(text).map(Code::Julia),
            FileKind::Fortran => FortranDocument::parse(text).map(Code::Fortran),
        }
    }

    /// A notebook's program with its cells at `spans` (`notebook::layout`).
    pub fn notebook(program: String, spans: &[notebook::CellSpan]) -> Result<Code, String> {
        notebook::NotebookCode::parse(program, spans).map(Code::Notebook)
    }

    pub fn source(&self) -> &str {
        match self {
            Code::Python(doc) => &doc.source,
            Code::Notebook(code) => &code.source,
            Code::Shell(doc) => &doc.source,
            Code::Input(doc) => &doc.source,
            Code::Cpp(doc) => &doc.source,
            Code::Julia(doc) => &doc.source,
            Code::Fortran(doc) => &doc.source,
        }
    }

    /// Gives the text back, copying it only if a snapshot still shares it.
    pub fn into_source(self) -> String {
        match self {
            Code::Python(PyDocument { source, .. })
            | Code::Notebook(notebook::NotebookCode { source, .. })
            | Code::Shell(ShellDocument { source, .. })
            | Code::Input(InputDocument { source, .. })
            | Code::Cpp(CppDocument { source, .. })
            | Code::Julia(JuliaDocument { source, .. })
            | Code::Fortran(FortranDocument { source, .. }) => {
                std::sync::Arc::try_unwrap(source).unwrap_or_else(|s| (*s).clone())
            }
        }
    }

    /// Local name -> qualified name, for every import (`read` -> `ase.io.read`).
    pub fn imports(&self) -> Vec<(&str, &str)> {
        match self {
            Code::Python(doc) => doc.analysis.imports().collect(),
            Code::Notebook(code) => code.analysis().imports().collect(),
            Code::Julia(doc) => doc.imports(),
            Code::Fortran(doc) => doc.imports(),
            Code::Shell(_) | Code::Input(_) | Code::Cpp(_) => Vec::new(),
        }
    }

    /// Top-level modules the code is about (for keys of no package: environment
    /// variables, commands): what a Python file imports, what a job script runs.
    pub fn imported(&self) -> Vec<String> {
        match self {
            Code::Python(doc) => doc.analysis.imported().to_vec(),
            Code::Notebook(code) => code.analysis().imported().to_vec(),
            Code::Shell(doc) => doc.imported(),
            Code::Input(doc) => doc.imported(),
            Code::Cpp(doc) => doc.imported(),
            Code::Julia(doc) => doc.imported(),
            Code::Fortran(doc) => doc.imported(),
        }
    }

    /// Python's star imports, in import order (`matching::unbound` names what the file
    /// never binds through them); none in other kinds of file.
    pub fn star_modules(&self) -> Vec<String> {
        match self {
            Code::Python(doc) => doc.analysis.star_modules(),
            Code::Notebook(code) => code.analysis().star_modules(),
            _ => Vec::new(),
        }
    }

    /// For a job script in `folder`: reads what the Python scripts it runs import
    /// (`source::imports_of_scripts`), once per change of the scripts it names.
    pub fn learn_scripts(&mut self, folder: &std::path::Path) {
        if let Code::Shell(doc) = self {
            if doc.scripts_learnt() != Some(doc.scripts()) {
                let scripts = doc.scripts().to_vec();
                let modules = crate::source::imports_of_scripts(folder, &scripts);
                doc.set_imported(scripts, modules);
            }
        }
    }

    /// Takes what a copy learnt in [`Self::learn_scripts`].
    pub fn adopt_learnt(&mut self, copy: &Code) {
        if let (Code::Shell(doc), Code::Shell(copy)) = (self, copy) {
            doc.adopt_learnt(copy);
        }
    }

    /// What starts a line comment (where the ignore marker goes).
    pub fn line_comment(&self) -> &'static str {
        match self {
            Code::Python(_) => FileKind::Python.line_comment(),
            Code::Notebook(_) => FileKind::Notebook.line_comment(),
            Code::Shell(_) => FileKind::Shell.line_comment(),
            Code::Input(doc) => doc.line_comment(),
            Code::Cpp(_) => FileKind::Cpp.line_comment(),
            Code::Julia(_) => FileKind::Julia.line_comment(),
            Code::Fortran(_) => FileKind::Fortran.line_comment(),
        }
    }

    /// The keys of what is under `offset` (bytes).
    pub fn keys_at(&self, offset: usize) -> Option<Resolved> {
        match self {
            Code::Python(doc) => doc.keys_at(offset),
            Code::Notebook(code) => code.keys_at(offset),
            Code::Shell(doc) => doc.keys_at(offset),
            Code::Input(doc) => doc.keys_at(offset),
            Code::Cpp(doc) => doc.keys_at(offset),
            Code::Julia(doc) => doc.keys_at(offset),
            Code::Fortran(doc) => doc.keys_at(offset),
        }
    }

    pub fn call_sites(&self) -> Vec<CallSite> {
        match self {
            Code::Python(doc) => doc.call_sites(),
            Code::Notebook(code) => code.call_sites(),
            Code::Shell(doc) => doc.call_sites(),
            Code::Input(doc) => doc.call_sites(),
            Code::Cpp(doc) => doc.call_sites(),
            Code::Julia(doc) => doc.call_sites(),
            Code::Fortran(doc) => doc.call_sites(),
        }
    }

    /// Replaces `start..end` (bytes) with `text`; parsed at the next [`Self::refresh`].
    pub fn edit_deferred(&mut self, start: usize, end: usize, text: &str) -> bool {
        match self {
            Code::Python(doc) => doc.edit_deferred(start, end, text),
            Code::Notebook(code) => code.edit_deferred(start, end, text),
            Code::Shell(doc) => doc.edit_deferred(start, end, text),
            Code::Input(doc) => doc.edit_deferred(start, end, text),
            Code::Cpp(doc) => doc.edit_deferred(start, end, text),
            Code::Julia(doc) => doc.edit_deferred(start, end, text),
            Code::Fortran(doc) => doc.edit_deferred(start, end, text),
        }
    }

    /// Parses pending edits; false if the parser gave up (the old parse stays).
    pub fn refresh(&mut self) -> bool {
        match self {
            Code::Python(doc) => doc.refresh(),
            Code::Notebook(code) => code.refresh(),
            Code::Shell(doc) => doc.refresh(),
            Code::Input(doc) => doc.refresh(),
            Code::Cpp(doc) => doc.refresh(),
            Code::Julia(doc) => doc.refresh(),
            Code::Fortran(doc) => doc.refresh(),
        }
    }

    /// Takes the parse of `parsed`, a refreshed copy, unless an edit came since.
    pub fn adopt(&mut self, parsed: &Code) {
        match (self, parsed) {
            (Code::Python(doc), Code::Python(parsed)) => doc.adopt(parsed),
            (Code::Notebook(code), Code::Notebook(parsed)) => code.adopt(parsed),
            (Code::Shell(doc), Code::Shell(parsed)) => doc.adopt(parsed),
            (Code::Input(doc), Code::Input(parsed)) => doc.adopt(parsed),
            (Code::Cpp(doc), Code::Cpp(parsed)) => doc.adopt(parsed),
            (Code::Julia(doc), Code::Julia(parsed)) => doc.adopt(parsed),
            (Code::Fortran(doc), Code::Fortran(parsed)) => doc.adopt(parsed),
            _ => {}
        }
    }

    pub fn is_stale(&self) -> bool {
        match self {
            Code::Python(doc) => doc.is_stale(),
            Code::Notebook(code) => code.is_stale(),
            Code::Shell(doc) => doc.is_stale(),
            Code::Input(doc) => doc.is_stale(),
            Code::Cpp(doc) => doc.is_stale(),
            Code::Julia(doc) => doc.is_stale(),
            Code::Fortran(doc) => doc.is_stale(),
        }
    }
}

/// A file of code read from disk: its parse, and where its cells are for a notebook.
pub struct SourceFile {
    pub kind: FileKind,
    pub code: Code,
    /// A notebook's cells in the program (`code::notebook`); `None` for other files.
    pub cells: Option<Vec<notebook::CellSpan>>,
}

#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("not a kind of file skill-lsp reads as code")]
    UnknownKind,
    #[error(transparent)]
    Notebook(#[from] notebook::NotebookError),
    #[error("the parser gave up")]
    Unparsed,
}

impl SourceFile {
    /// Reads `text`, named `name`, as the kind of code its name or first line says.
    pub fn read(name: &str, text: String) -> Result<SourceFile, SourceError> {
        let kind = FileKind::detect(name, None, &text).ok_or(SourceError::UnknownKind)?;
        let (code, cells) = match kind {
            FileKind::Notebook => {
                let read = notebook::read_ipynb(&text)?;
                let code = Code::notebook(read.program, &read.spans);
                (code, Some(read.spans))
            }
            FileKind::Python
            | FileKind::Shell
            | FileKind::Input
            | FileKind::Cpp
            | FileKind::Julia
            | FileKind::Fortran => (Code::parse_named(kind, name, text), None),
        };
        let code = code.map_err(|_| SourceError::Unparsed)?;
        Ok(SourceFile { kind, code, cells })
    }

    /// [`Self::read`] for a file on disk at `path`, whose job scripts learn the imports
    /// of the scripts they run from the file's folder.
    pub fn read_at(path: &std::path::Path, text: String) -> Result<SourceFile, SourceError> {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default();
        let mut read = Self::read(&name, text)?;
        if let Some(folder) = path.parent() {
            read.code.learn_scripts(folder);
        }
        Ok(read)
    }

    /// Where a program offset is: the 1-based cell (for a notebook) and the 0-based
    /// line and column in that cell (or the file), counted in `unit`.
    pub fn locate(&self, offset: usize, unit: crate::text::ColumnUnit) -> (Option<u32>, u32, u32) {
        let source = self.code.source();
        match &self.cells {
            Some(spans) => {
                let Some(i) = notebook::cell_at(spans, offset) else {
                    let (line, column) = crate::text::position_of(source, offset, unit);
                    return (None, line, column);
                };
                let span = spans[i];
                let cell = &source[span.start..span.end()];
                let (line, column) = crate::text::position_of(cell, offset - span.start, unit);
                (Some(i as u32 + 1), line, column)
            }
            None => {
                let (line, column) = crate::text::position_of(source, offset, unit);
                (None, line, column)
            }
        }
    }

    /// The program offset of a 0-based line and column in a 1-based cell (a notebook)
    /// or the file.
    pub fn offset_of(
        &self,
        cell: Option<u32>,
        line: u32,
        column: u32,
        unit: crate::text::ColumnUnit,
    ) -> Option<usize> {
        let source = self.code.source();
        match (&self.cells, cell) {
            (Some(spans), Some(cell)) => {
                let span = spans
                    .get((cell as usize).checked_sub(1)?)
                    .filter(|s| s.code)?;
                let text = &source[span.start..span.end()];
                Some(span.start + crate::text::offset_of(text, line, column, unit)?)
            }
            (None, None) => crate::text::offset_of(source, line, column, unit),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::FileKind;

    #[test]
    fn kinds_by_name_language_and_first_line() {
        assert_eq!(
            FileKind::from_name("a/run.py", None),
            Some(FileKind::Python)
        );
        assert_eq!(
            FileKind::from_name("Study.IPYNB", None),
            Some(FileKind::Notebook)
        );
        assert_eq!(
            FileKind::from_name("untitled", Some("python")),
            Some(FileKind::Python)
        );
        assert_eq!(FileKind::from_name("notes.txt", None), None);
        assert_eq!(
            FileKind::from_content("#!/usr/bin/env -S python3 -u\nprint()"),
            Some(FileKind::Python)
        );
        assert_eq!(
            FileKind::from_content("#!/usr/bin/python3.11"),
            Some(FileKind::Python)
        );
        assert_eq!(FileKind::from_content("#!/bin/sh\n"), Some(FileKind::Shell));
        assert_eq!(FileKind::from_content("#!/usr/bin/env perl\n"), None);
        assert_eq!(
            FileKind::from_name("run.slurm", None),
            Some(FileKind::Shell)
        );
        assert_eq!(FileKind::from_content("import os"), None);
    }
}
