//! The typed picture of skill packs: Pack > Skill > Entry, plus the problems found
//! while reading them. Nothing here knows about tantivy, LSP or Python.

use serde::{Deserialize, Serialize};
use std::fmt;

/// What an entry is, derived from the section it was found in (or the reference file).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    Description,
    Pitfall,
    Route,
    Triage,
    Workflow,
    Example,
    Checklist,
    Scope,
    PrimaryDoc,
    SupportingRef,
    Tutorial,
    TestRef,
    DeeperInspection,
    SourceEntry,
    /// A line of the index skill's routing list (`skill-name`: topic).
    RoutingList,
    /// `references/doc_map.md`: one documentation file with title and headings.
    DocMap,
    /// `references/source_map.md`: one ranked source entry point.
    SourceMap,
    /// `references/source_map.md`: a topic query token.
    TopicToken,
    /// `references/test_map.md` entry.
    TestMap,
    /// `references/tutorial_map.md` entry.
    TutorialMap,
    /// Any other markdown under `references/`.
    Reference,
    /// A section we do not recognise: kept, never dropped.
    Generic,
}

impl EntryKind {
    pub const ALL: [EntryKind; 22] = [
        EntryKind::Description,
        EntryKind::Pitfall,
        EntryKind::Route,
        EntryKind::Triage,
        EntryKind::Workflow,
        EntryKind::Example,
        EntryKind::Checklist,
        EntryKind::Scope,
        EntryKind::PrimaryDoc,
        EntryKind::SupportingRef,
        EntryKind::Tutorial,
        EntryKind::TestRef,
        EntryKind::DeeperInspection,
        EntryKind::SourceEntry,
        EntryKind::RoutingList,
        EntryKind::DocMap,
        EntryKind::SourceMap,
        EntryKind::TopicToken,
        EntryKind::TestMap,
        EntryKind::TutorialMap,
        EntryKind::Reference,
        EntryKind::Generic,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EntryKind::Description => "description",
            EntryKind::Pitfall => "pitfall",
            EntryKind::Route => "route",
            EntryKind::Triage => "triage",
            EntryKind::Workflow => "workflow",
            EntryKind::Example => "example",
            EntryKind::Checklist => "checklist",
            EntryKind::Scope => "scope",
            EntryKind::PrimaryDoc => "primary_doc",
            EntryKind::SupportingRef => "supporting_ref",
            EntryKind::Tutorial => "tutorial",
            EntryKind::TestRef => "test_ref",
            EntryKind::DeeperInspection => "deeper_inspection",
            EntryKind::SourceEntry => "source_entry",
            EntryKind::RoutingList => "routing_list",
            EntryKind::DocMap => "doc_map",
            EntryKind::SourceMap => "source_map",
            EntryKind::TopicToken => "topic_token",
            EntryKind::TestMap => "test_map",
            EntryKind::TutorialMap => "tutorial_map",
            EntryKind::Reference => "reference",
            EntryKind::Generic => "generic",
        }
    }

    pub fn parse(s: &str) -> Option<EntryKind> {
        EntryKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

impl fmt::Display for EntryKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a symbol found in skill text is to be understood.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum SymbolKind {
    /// A dotted, package-qualified name: `ase.io.read`.
    Qualified,
    /// A bare name no import of the pack qualifies: `read()`.
    Bare,
    /// A keyword argument; `owner` is the callee when the examples show it.
    Keyword,
    /// A literal value; `owner` is `callee:keyword` when the examples show it.
    Value,
    /// An environment variable: `OMP_NUM_THREADS`.
    EnvVar,
    /// A repository path: `doc/ase/parallel.rst`.
    Path,
    /// A shell command: `mpiexec`.
    Command,
    /// A command's flag: `-np`; `owner` is the command (`mpiexec`).
    Flag,
    /// An input file's keyword, lowercased: `scf.spinpolarization`, `time_window`.
    Setting,
    /// A value of an input file's keyword, lowercased; `owner` is the keyword when the
    /// skill shows it (`scf.SpinPolarization on`).
    SettingValue,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
pub struct Symbol {
    pub kind: SymbolKind,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
}

impl Symbol {
    pub fn new(kind: SymbolKind, name: impl Into<String>) -> Self {
        Symbol {
            kind,
            name: name.into(),
            owner: None,
        }
    }

    pub fn owned(kind: SymbolKind, name: impl Into<String>, owner: impl Into<String>) -> Self {
        Symbol {
            kind,
            name: name.into(),
            owner: Some(owner.into()),
        }
    }

    /// The match key of this symbol, in the same vocabulary as the keys resolved from code
    /// (see `crate::keys`).
    pub fn key(&self) -> String {
        crate::keys::symbol_key(self)
    }
}

/// One indexed piece of a skill: a pitfall bullet, a doc-map line, a code example...
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Entry {
    pub kind: EntryKind,
    /// The heading (or label bullet) the entry was found under, as written.
    pub section: String,
    /// The entry text as written, inline code kept in backticks.
    pub text: String,
    /// The file it comes from (absolute path, or `embedded:` path for the default packs).
    pub file: String,
    /// 1-based line of the entry in `file`.
    pub line: u32,
    /// Position in its list, 1-based, for ranked lists (source entry points, source map).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rank: Option<u32>,
    /// Source-map score, when the map gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<f32>,
    /// Repository-relative paths cited in the entry (doc paths, source paths).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cited_paths: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub symbols: Vec<Symbol>,
    /// Language of a fenced example.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
    /// Doc-map title / matched tokens, and other per-kind details.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub headings: Vec<String>,
}

impl Entry {
    pub fn new(kind: EntryKind, section: &str, text: String, file: &str, line: u32) -> Self {
        Entry {
            kind,
            section: section.to_string(),
            text,
            file: file.to_string(),
            line,
            rank: None,
            score: None,
            cited_paths: Vec::new(),
            symbols: Vec::new(),
            lang: None,
            title: None,
            headings: Vec::new(),
        }
    }

    /// The first cited path, for entries that are about one path (doc map, source entry).
    pub fn path(&self) -> Option<&str> {
        self.cited_paths.first().map(String::as_str)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Skill {
    pub name: String,
    pub description: String,
    pub title: String,
    /// The SKILL.md file.
    pub file: String,
    /// Front-matter keys other than name and description, kept as YAML text.
    #[serde(default)]
    pub extra_front_matter: Vec<(String, String)>,
    pub entries: Vec<Entry>,
}

impl Skill {
    pub fn count(&self, kind: EntryKind) -> usize {
        self.entries.iter().filter(|e| e.kind == kind).count()
    }
}

/// One package's skills folder.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Pack {
    /// Package name: the repository folder's name, or the common prefix of its skills.
    pub name: String,
    /// The folder holding `skills/` (cited repository paths resolve against it), or the
    /// skills folder itself when no repository is around it.
    pub root: String,
    pub skills_dir: String,
    /// Python top-level modules the pack is about (`ase`, `oqupy`), used to scope matches.
    pub modules: Vec<String>,
    pub skills: Vec<Skill>,
    /// Documentation tree facts: repository-relative doc path -> symbols it documents.
    #[serde(default)]
    pub doc_symbols: Vec<(String, Vec<String>)>,
    pub embedded: bool,
}

impl Pack {
    pub fn entries(&self) -> impl Iterator<Item = (&Skill, &Entry)> {
        self.skills
            .iter()
            .flat_map(|s| s.entries.iter().map(move |e| (s, e)))
    }
}

/// Something wrong in a pack: reported, never fatal for the rest of the pack.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Problem {
    pub file: String,
    pub line: u32,
    pub severity: Severity,
    pub message: String,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Error,
    Warning,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sev = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{}:{}: {}: {}", self.file, self.line, sev, self.message)
    }
}
