//! Symbols in skill text: inline code and python examples, qualified through the pack's
//! own example imports (`Trajectory` -> `ase.io.Trajectory`) and keyword owners the
//! examples show (`backend_config` of `oqupy.PtTebd`).

use crate::code::{Code, FileKind};
use crate::keys::Key;
use crate::model::{Entry, EntryKind, Pack, Symbol, SymbolKind};
use std::collections::{BTreeMap, BTreeSet};

/// What the python examples of a pack (or of one skill) teach about names.
#[derive(Debug, Default, Clone)]
pub struct ExampleFacts {
    /// Local name -> qualified name, from example imports (`Psi4` -> `ase.calculators.psi4.Psi4`).
    pub imports: BTreeMap<String, String>,
    /// Qualified callees the examples call.
    pub callees: BTreeSet<String>,
    /// Keyword name -> callees that receive it.
    pub keyword_owners: BTreeMap<String, BTreeSet<String>>,
    /// Literal value -> `callee:keyword` owners.
    pub value_owners: BTreeMap<String, BTreeSet<String>>,
}

impl ExampleFacts {
    /// What a Python example teaches, and its symbols.
    pub fn learn(&mut self, code: &str) -> Vec<Symbol> {
        self.learn_as(FileKind::Python, code)
    }

    /// What an example of a kind with imports and calls (Python, Julia) teaches.
    pub fn learn_as(&mut self, kind: FileKind, code: &str) -> Vec<Symbol> {
        let Ok(doc) = Code::parse(kind, code.to_string()) else {
            return Vec::new();
        };
        let imports = doc.imports();
        for &(local, qualified) in &imports {
            if local != qualified {
                self.imports
                    .insert(local.to_string(), qualified.to_string());
            }
        }
        let mut symbols = Vec::new();
        for site in doc.call_sites() {
            self.callees.insert(site.callee.clone());
            symbols.push(Symbol::new(SymbolKind::Qualified, &site.callee));
            for kw in &site.keywords {
                self.keyword_owners
                    .entry(kw.name.clone())
                    .or_default()
                    .insert(site.callee.clone());
                symbols.push(Symbol::owned(SymbolKind::Keyword, &kw.name, &site.callee));
                let owner = crate::keys::value_owner(&site.callee, &kw.name);
                for v in &kw.values {
                    self.value_owners
                        .entry(v.value.clone())
                        .or_default()
                        .insert(owner.clone());
                    symbols.push(Symbol::owned(SymbolKind::Value, &v.value, &owner));
                }
            }
            symbols.extend(
                site.keys
                    .iter()
                    .filter_map(|k| k.strip_prefix("env:"))
                    .map(|e| Symbol::new(SymbolKind::EnvVar, e)),
            );
        }
        for &(_, qualified) in &imports {
            symbols.push(Symbol::new(SymbolKind::Qualified, qualified));
        }
        symbols
    }

    fn merge(&mut self, other: &ExampleFacts) {
        for (k, v) in &other.imports {
            self.imports.entry(k.clone()).or_insert_with(|| v.clone());
        }
        self.callees.extend(other.callees.iter().cloned());
        for (k, v) in &other.keyword_owners {
            self.keyword_owners
                .entry(k.clone())
                .or_default()
                .extend(v.iter().cloned());
        }
        for (k, v) in &other.value_owners {
            self.value_owners
                .entry(k.clone())
                .or_default()
                .extend(v.iter().cloned());
        }
    }
}

const PATH_EXTENSIONS: [&str; 20] = [
    "rst", "md", "py", "pyx", "txt", "jl", "f90", "F90", "c", "h", "cpp", "json", "yaml", "yml",
    "toml", "ipynb", "hsd", "cfg", "sh", "in",
];

const SHELL_COMMANDS: [&str; 18] = [
    "rg",
    "grep",
    "mpiexec",
    "mpirun",
    "srun",
    "sbatch",
    "pytest",
    "python",
    "python3",
    "pip",
    "make",
    "cmake",
    "git",
    "conda",
    "ase",
    "gpaw-python",
    "julia",
    "bash",
];

/// Fills `symbols` and `cited_paths` of every entry of the pack.
pub fn annotate_pack(pack: &mut Pack) {
    // Examples first: each skill's own facts, then the pack's, so a pitfall in one skill
    // can name what another skill's example imports.
    let mut pack_facts = ExampleFacts::default();
    let mut skill_facts = Vec::with_capacity(pack.skills.len());
    for skill in &mut pack.skills {
        let mut facts = ExampleFacts::default();
        for entry in &mut skill.entries {
            if entry.kind != EntryKind::Example {
                continue;
            }
            // Python, Julia and Fortran examples teach imports, callees and keyword owners;
            // shell examples are keyed once, by `annotate_entry` (commands, flags, variables).
            if let Some(kind @ (FileKind::Python | FileKind::Julia | FileKind::Fortran)) =
                FileKind::of_example(entry.lang.as_deref(), &entry.text)
            {
                entry.symbols = facts.learn_as(kind, &entry.text);
            }
        }
        pack_facts.merge(&facts);
        skill_facts.push(facts);
    }
    let modules = pack.modules.clone();
    for (skill, own) in pack.skills.iter_mut().zip(skill_facts) {
        let mut facts = own.clone();
        facts.merge(&pack_facts);
        for entry in &mut skill.entries {
            annotate_entry(entry, &facts, &own, &modules);
        }
    }
}

fn annotate_entry(entry: &mut Entry, facts: &ExampleFacts, own: &ExampleFacts, modules: &[String]) {
    let mut symbols: BTreeSet<Symbol> = entry.symbols.drain(..).collect();
    let mut paths: Vec<String> = entry.cited_paths.clone();
    if entry.kind == EntryKind::Example {
        let kind = FileKind::of_example(entry.lang.as_deref(), &entry.text);
        if kind == Some(FileKind::Input) {
            input_example_symbols(&entry.text, &mut symbols);
        }
        if kind == Some(FileKind::Shell) {
            let commands: String = entry
                .text
                .lines()
                .map(|l| l.trim_start().trim_start_matches("$ "))
                .collect::<Vec<_>>()
                .join("\n");
            shell_symbols(&commands, false, &mut symbols, &mut paths);
        }
    } else {
        let spans = inline_code(&entry.text);
        // Callees this entry names, to own its bare keywords (`Psi4` ... `num_threads`).
        let mut named_callees: BTreeSet<String> = BTreeSet::new();
        for word in plain_words(&entry.text) {
            if let Some(q) = facts.imports.get(word) {
                if word.chars().any(|c| c.is_ascii_uppercase()) {
                    named_callees.insert(q.clone());
                    symbols.insert(Symbol::new(SymbolKind::Qualified, q));
                }
            }
            if is_env_var(word) {
                symbols.insert(Symbol::new(SymbolKind::EnvVar, word));
            }
        }
        for span in &spans {
            if let Some(name) = callable_name(span) {
                if let Some(method) = own_method(name, facts, own) {
                    // `set_cell()`, which the skill's examples call on an `Atoms`.
                    named_callees.insert(method.clone());
                } else if let Some(q) = qualify(name, facts, modules) {
                    if facts.callees.contains(&q)
                        || q.rsplit('.')
                            .next()
                            .is_some_and(|l| l.starts_with(char::is_uppercase))
                    {
                        named_callees.insert(q);
                    }
                }
            }
        }
        for span in &spans {
            // `#src_steps/#rx_steps`: alternatives, each a keyword.
            if span.starts_with(['#', '*', '$', '&']) && span.contains('/') {
                for part in span.split('/') {
                    setting_symbols(part, &mut symbols);
                }
            } else {
                setting_symbols(span, &mut symbols);
            }
        }
        for span in spans {
            span_symbols(
                span,
                facts,
                own,
                modules,
                &named_callees,
                &mut symbols,
                &mut paths,
            );
        }
    }
    for s in &symbols {
        if s.kind == SymbolKind::Path && !paths.contains(&s.name) {
            paths.push(s.name.clone());
        }
    }
    entry.symbols = symbols.into_iter().collect();
    entry.cited_paths = paths;
}

/// The keywords and values of a skill's input-file example, read by the same reader as
/// the user's input files (`code::input`), so both sides key them alike.
fn input_example_symbols(text: &str, out: &mut BTreeSet<Symbol>) {
    let Ok(Code::Input(doc)) = Code::parse(FileKind::Input, text.to_string()) else {
        return;
    };
    for site in doc.call_sites() {
        for key in site.keys.iter().filter_map(|k| Key::parse(k)) {
            match key {
                Key::Setting(name) => {
                    out.insert(Symbol::new(SymbolKind::Setting, &name));
                }
                Key::SettingValue { setting, value } => {
                    out.insert(Symbol::owned(SymbolKind::SettingValue, &value, setting));
                }
                _ => {}
            }
        }
    }
}

/// An input file's keyword a code span names, with its value: `scf.SpinPolarization on`,
/// `Driver = VelocityVerlet`, `#time_window`, `*STEP`, `$chrg`, `&time_control`,
/// `temp=300`. A name alone is also a value (`Type2FileNames` is a block type and the
/// value naming it). Paths and calls are not keywords.
fn setting_symbols(span: &str, out: &mut BTreeSet<Symbol>) {
    use crate::code::input::reader::{is_keyword, normalise};
    let span = span.trim_end_matches([',', ';', ':', '>']);
    let card = span.starts_with('*') && !span.starts_with("**");
    let body = span.trim_start_matches(['#', '*', '&', '$', '<']);
    if body.is_empty() || span.contains('(') || (is_path(span) && !span.contains('=')) {
        return;
    }
    let (name, value) = match body.split_once('=') {
        Some((n, v)) => (n.trim(), Some(v.trim())),
        None if card => (body.split(',').next().unwrap_or("").trim(), None),
        None => match body.split_once(char::is_whitespace) {
            Some((n, v)) if !v.trim().contains(char::is_whitespace) => (n, Some(v.trim())),
            Some(_) => return,
            None => (body, None),
        },
    };
    let name = name.split(['[', '(']).next().unwrap_or("").trim_end();
    let keyword = if card {
        !name.is_empty() && name.split(' ').all(is_keyword)
    } else {
        is_keyword(name)
    };
    if !keyword || name.len() < 2 {
        return;
    }
    let name = normalise(name);
    out.insert(Symbol::new(SymbolKind::Setting, &name));
    match value.map(|v| v.trim_matches(['"', '\'', ',', '{', ' '])) {
        Some(value) if !value.is_empty() && !value.contains(char::is_whitespace) => {
            out.insert(Symbol::owned(
                SymbolKind::SettingValue,
                normalise(value),
                &name,
            ));
        }
        Some(_) => {}
        None => {
            out.insert(Symbol::new(SymbolKind::SettingValue, &name));
        }
    }
}

/// Backticked spans of an entry's text.
pub fn inline_code(text: &str) -> Vec<&str> {
    text.split('`')
        .enumerate()
        .filter(|(i, s)| i % 2 == 1 && !s.trim().is_empty())
        .map(|(_, s)| s.trim())
        .collect()
}

/// Words outside backticks (identifier-like only).
fn plain_words(text: &str) -> impl Iterator<Item = &str> {
    text.split('`')
        .enumerate()
        .filter(|(i, _)| i % 2 == 0)
        .flat_map(|(_, s)| s.split(|c: char| !(c.is_alphanumeric() || c == '_')))
        .filter(|w| !w.is_empty())
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_')
}

fn is_dotted(s: &str) -> bool {
    !s.is_empty() && s.split('.').all(is_identifier)
}

pub fn is_env_var(s: &str) -> bool {
    // Search paths are variables without an underscore too (`PYTHONPATH`, `JULIA_HOME`).
    let path_like = s.len() > 4
        && (s.ends_with("PATH") || s.ends_with("HOME"))
        && s.chars().all(|c| c.is_ascii_uppercase());
    path_like
        || s.contains('_')
            && s.len() > 3
            && s.starts_with(|c: char| c.is_ascii_uppercase())
            && s.chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
            && !s.ends_with('_')
}

pub fn is_path(s: &str) -> bool {
    if s.contains(char::is_whitespace)
        || s.contains("://")
        || s.contains(['<', '>', '*', '{', '(', '"', '\'', '|', '='])
    {
        return false;
    }
    if s.contains('/') {
        return s.chars().any(char::is_alphabetic);
    }
    s.rsplit_once('.').is_some_and(|(stem, ext)| {
        !stem.is_empty() && PATH_EXTENSIONS.contains(&ext) && !is_dotted_module_like(s)
    })
}

/// `ase.io` is a module, `ase.py` is a file: dotted names with a file extension as last
/// component are ambiguous only for `.in`, `.c`, `.h`; treat short stems as files.
fn is_dotted_module_like(s: &str) -> bool {
    s.matches('.').count() > 1 && is_dotted(s)
}

/// `read()`, `Psi4(...)`, `calc.read(label)` -> the name before the parenthesis.
fn callable_name(span: &str) -> Option<&str> {
    let name = span.split('(').next()?.trim();
    is_dotted(name).then_some(name)
}

fn qualify(name: &str, facts: &ExampleFacts, modules: &[String]) -> Option<String> {
    let (head, rest) = match name.split_once('.') {
        Some((h, r)) => (h, Some(r)),
        None => (name, None),
    };
    if modules.iter().any(|m| m == head) {
        return Some(name.to_string());
    }
    let base = facts.imports.get(head)?;
    Some(match rest {
        Some(rest) => format!("{base}.{rest}"),
        None => base.clone(),
    })
}

#[allow(clippy::too_many_arguments)]
fn span_symbols(
    span: &str,
    facts: &ExampleFacts,
    own: &ExampleFacts,
    modules: &[String],
    named_callees: &BTreeSet<String>,
    out: &mut BTreeSet<Symbol>,
    paths: &mut Vec<String>,
) {
    let span = span.trim_end_matches([',', '.', ';']);
    if is_path(span) {
        let path = span.trim_start_matches("./").trim_end_matches('/');
        out.insert(Symbol::new(SymbolKind::Path, path));
        return;
    }
    // A command-line flag on its own: `-urf`, `--project=.` (its command unknown here).
    if let Some(flag) = flag_name(span) {
        out.insert(Symbol::new(SymbolKind::Flag, flag));
        return;
    }
    // A quoted literal: `"multithread"`.
    if let Some(value) = unquote(span) {
        value_symbols(value, facts, out);
        return;
    }
    // `NAME=value` or `name=value`.
    if let Some((name, value)) = span.split_once('=') {
        let (name, value) = (name.trim(), value.trim());
        if is_env_var(name) {
            out.insert(Symbol::new(SymbolKind::EnvVar, name));
            return;
        }
        if is_identifier(name) && !value.starts_with('=') {
            keyword_symbols(name, facts, own, named_callees, out);
            // A value is a literal (`"multithread"`, `None`, `0.1`); `dkmax = tcut/dt`
            // is a formula, not a value to compare with the call's.
            let literal = unquote(value).is_some()
                || value
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-' | '+'));
            let value = unquote(value).unwrap_or(value);
            if literal && !value.is_empty() {
                for owner in keyword_owner_list(name, facts, own, named_callees) {
                    out.insert(Symbol::owned(
                        SymbolKind::Value,
                        value,
                        crate::keys::value_owner(&owner, name),
                    ));
                }
            }
            return;
        }
    }
    if is_env_var(span) {
        out.insert(Symbol::new(SymbolKind::EnvVar, span));
        return;
    }
    if span.contains(char::is_whitespace) && !span.contains('(') {
        shell_symbols(span, true, out, paths);
        return;
    }
    let executable = span.ends_with(".x") || span.ends_with(".exe");
    if looks_like_command(span) && (!span.contains('.') || executable) {
        // `gpaw-python`, `dftb+`: a program named on its own.
        out.insert(Symbol::new(SymbolKind::Command, span));
    }
    let Some(name) = callable_name(span) else {
        return;
    };
    if let Some(method) = own_method(name, facts, own) {
        out.insert(Symbol::new(SymbolKind::Qualified, method));
        return;
    }
    match qualify(name, facts, modules) {
        Some(q) => {
            out.insert(Symbol::new(SymbolKind::Qualified, q));
        }
        None if !name.contains('.') && facts.keyword_owners.contains_key(name) => {
            keyword_symbols(name, facts, own, named_callees, out);
        }
        None => {
            out.insert(Symbol::new(SymbolKind::Bare, name));
            if !name.contains('.')
                && name.starts_with(|c: char| c.is_lowercase())
                && !span.contains('(')
            {
                // A bare lowercase name in prose is most often a keyword of the callee
                // the entry (or, failing that, the skill's examples) is about: `xc`.
                keyword_symbols(name, facts, own, named_callees, out);
            }
        }
    }
}

/// A bare method name the skill's own examples call (`calc.read(...)` on a `Psi4`) is
/// that method, before any same-named import of another skill (`ase.io.read`).
fn own_method<'a>(name: &str, facts: &ExampleFacts, own: &'a ExampleFacts) -> Option<&'a String> {
    if name.contains('.') || own.imports.contains_key(name) {
        return None;
    }
    let suffix = format!(".{name}");
    own.callees
        .iter()
        .find(|c| c.ends_with(&suffix) && facts.imports.get(name) != Some(*c))
}

fn keyword_owner_list(
    name: &str,
    facts: &ExampleFacts,
    own: &ExampleFacts,
    named_callees: &BTreeSet<String>,
) -> Vec<String> {
    if !named_callees.is_empty() {
        return named_callees.iter().cloned().collect();
    }
    if let Some(owners) = facts.keyword_owners.get(name) {
        return owners.iter().cloned().collect();
    }
    // The classes the skill's own examples construct.
    own.callees
        .iter()
        .filter(|c| {
            c.rsplit('.')
                .next()
                .is_some_and(|l| l.starts_with(char::is_uppercase))
        })
        .cloned()
        .collect()
}

fn keyword_symbols(
    name: &str,
    facts: &ExampleFacts,
    own: &ExampleFacts,
    named_callees: &BTreeSet<String>,
    out: &mut BTreeSet<Symbol>,
) {
    let owners = keyword_owner_list(name, facts, own, named_callees);
    if owners.is_empty() {
        out.insert(Symbol::new(SymbolKind::Keyword, name));
    }
    // A Python CLI takes its keywords as flags (`sweep_mode` is `--sweep-mode`).
    if name.len() > 2 {
        out.insert(Symbol::new(
            SymbolKind::Flag,
            format!("--{}", name.replace('_', "-")),
        ));
    }
    for owner in owners {
        out.insert(Symbol::owned(SymbolKind::Keyword, name, owner));
    }
}

fn value_symbols(value: &str, facts: &ExampleFacts, out: &mut BTreeSet<Symbol>) {
    match facts.value_owners.get(value) {
        Some(owners) => {
            for owner in owners {
                out.insert(Symbol::owned(SymbolKind::Value, value, owner.clone()));
            }
        }
        None => {
            out.insert(Symbol::new(SymbolKind::Value, value));
        }
    }
}

fn unquote(s: &str) -> Option<&str> {
    for q in ['"', '\''] {
        if s.len() >= 2 && s.starts_with(q) && s.ends_with(q) {
            return Some(&s[1..s.len() - 1]);
        }
    }
    None
}

/// The commands, flags and variables of shell text, read by the same reader as the
/// user's job scripts (`code::shell`), so both sides key them alike; `inline` for a code
/// span in prose, where a command must look like one (a known command, a path, a name
/// with `-`, `+` or `.`, or flags after it), and paths cited in it.
fn shell_symbols(text: &str, inline: bool, out: &mut BTreeSet<Symbol>, paths: &mut Vec<String>) {
    // `--json [file]`: a flag with its arguments, of a command not named here.
    if let Some(flag) = text.split_whitespace().next().and_then(flag_name) {
        out.insert(Symbol::new(SymbolKind::Flag, flag));
    }
    if let Ok(Code::Shell(doc)) = Code::parse(FileKind::Shell, text.to_string()) {
        for site in doc.call_sites() {
            if let Some(name) = site.callee.strip_prefix('$') {
                if is_env_var(name) {
                    out.insert(Symbol::new(SymbolKind::EnvVar, name));
                }
                continue;
            }
            if inline && !looks_like_command(&site.callee) && site.keywords.is_empty() {
                continue;
            }
            out.insert(Symbol::new(SymbolKind::Command, &site.callee));
            // With its subcommand (`git pull`), keyed as the job script keys it.
            for sub in site.keys.iter().filter_map(|k| k.strip_prefix("cmd:")) {
                if sub.contains(' ') {
                    out.insert(Symbol::new(SymbolKind::Command, sub));
                }
            }
            for flag in &site.keywords {
                out.insert(Symbol::owned(SymbolKind::Flag, &flag.name, &site.callee));
            }
            // `python -m tools.outputfiles_merge`: the module run, as a qualified name.
            for key in site.keys.iter().filter_map(|k| k.strip_prefix("sym:")) {
                out.insert(Symbol::new(SymbolKind::Qualified, key));
            }
        }
    }
    for line in text.lines() {
        let line = line.trim().trim_start_matches("$ ");
        if line.starts_with('#') {
            continue;
        }
        for word in line.split_whitespace().skip(1) {
            let word = word.trim_matches(['"', '\'', ',']);
            if is_path(word) && !word.starts_with('-') {
                let path = word
                    .trim_start_matches("./")
                    .trim_end_matches('/')
                    .to_string();
                if !paths.contains(&path) {
                    paths.push(path);
                }
            }
        }
    }
}

/// The flag a lone span names: `-urf`, `--cpus-per-task`, `--project=.` (not `-1`).
fn flag_name(span: &str) -> Option<&str> {
    let name = span.split('=').next()?;
    let body = name.strip_prefix("--").or_else(|| name.strip_prefix('-'))?;
    // `-l*`: a family of flags (`-l1`, `-l2`, ...), as skills write them.
    let stem = body.strip_suffix('*').unwrap_or(body);
    (stem.starts_with(|c: char| c.is_ascii_alphabetic())
        && stem
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'))
    .then_some(name)
}

/// A word that reads as a program rather than prose: a known command, a path to one, or
/// a lowercase name joined by `-`, `+` or `.` (`gpaw-python`, `dftb+`, `pw.x`).
fn looks_like_command(word: &str) -> bool {
    SHELL_COMMANDS.contains(&word)
        || word.starts_with("./")
        || (word
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "-+._".contains(c))
            && word.contains(['-', '+', '.'])
            && word.starts_with(|c: char| c.is_ascii_lowercase()))
}

#[cfg(test)]
mod tests;
