//! Shell and batch job scripts, read with tree-sitter-bash: the commands they run (through
//! launchers: `mpiexec -np 3 gpaw-python run.py` runs `mpiexec` and `gpaw-python`), their
//! flags and flag values, environment variables set (`export OMP_NUM_THREADS=4`,
//! `OMP_NUM_THREADS=1 python run.py`) or read (`$OMP_NUM_THREADS`), scheduler directives
//! (`#SBATCH --ntasks=4`), and the Python scripts and modules the job runs, whose imports
//! say which packages the job is about.
//!
//! Keys: `cmd:gpaw-python`, `flag:mpiexec:-np`, `env:OMP_NUM_THREADS`. A command is a
//! call site whose keywords are its flags; an assignment is a site whose one keyword is
//! the variable, with the value assigned.

use super::{CallSite, KeywordArg, LiteralValue, Resolved};
use crate::keys;
use std::sync::Arc;
use tree_sitter::{Node, Parser, Tree};

/// Commands that run the command after their own flags (MPI launchers, schedulers' step
/// launchers, and the shell's own wrappers).
const LAUNCHERS: [&str; 14] = [
    "mpiexec", "mpirun", "orterun", "srun", "aprun", "jsrun", "ibrun", "charmrun", "env", "time",
    "nohup", "numactl", "taskset", "exec",
];

/// Extensions of scripts run as commands.
const SCRIPT_EXTENSIONS: [&str; 4] = ["sh", "py", "pl", "bash"];

/// Scheduler directive prefixes and the command whose flags they carry.
const DIRECTIVES: [(&str, &str); 5] = [
    ("#SBATCH", "sbatch"),
    ("#PBS", "qsub"),
    ("#BSUB", "bsub"),
    ("#$", "qsub"),
    ("#COBALT", "qsub"),
];

/// A parsed job script. Cheap to clone (shared text and facts).
#[derive(Clone)]
pub struct ShellDocument {
    pub source: Arc<String>,
    facts: Arc<Facts>,
    /// Top-level modules of the Python the job runs (read by the front end from the
    /// scripts named in [`Facts::scripts`]), and the scripts they were read from.
    imported: Arc<Vec<String>>,
    learnt_from: Option<Arc<Vec<String>>>,
    /// Edits not parsed yet, and which text this is (`code::Freshness`).
    freshness: super::Freshness,
}

/// What one parse finds.
#[derive(Debug, Default)]
struct Facts {
    sites: Vec<CallSite>,
    /// `$NAME` and `${NAME}` reads: name and byte range.
    reads: Vec<(String, usize, usize)>,
    /// Python scripts the job runs (`python run.py`: `run.py`), as written.
    scripts: Vec<String>,
    /// Modules it runs (`python -m pkg.tool`: `pkg`).
    modules: Vec<String>,
}

impl ShellDocument {
    pub fn parse(source: String) -> Result<Self, String> {
        let Some(tree) = parse(&source) else {
            return Err(source);
        };
        let facts = Arc::new(Facts::read(&tree, source.as_bytes()));
        Ok(ShellDocument {
            source: Arc::new(source),
            facts,
            imported: Arc::new(Vec::new()),
            learnt_from: None,
            freshness: super::Freshness::new(),
        })
    }

    /// Replaces `start..end` (bytes) with `text`; parsed at [`Self::refresh`]. Job scripts
    /// are short: the refresh parses the whole text again.
    pub fn edit_deferred(&mut self, start: usize, end: usize, text: &str) -> bool {
        super::splice_deferred(&mut self.source, &mut self.freshness, (start, end), text)
    }

    pub fn refresh(&mut self) -> bool {
        if !self.freshness.is_stale() {
            return true;
        }
        let Some(tree) = parse(&self.source) else {
            return false;
        };
        self.facts = Arc::new(Facts::read(&tree, self.source.as_bytes()));
        self.freshness.parsed();
        true
    }

    pub fn adopt(&mut self, parsed: &ShellDocument) {
        if self.freshness.adoptable(&parsed.freshness) {
            self.facts = parsed.facts.clone();
            self.freshness.parsed();
        }
    }

    pub fn is_stale(&self) -> bool {
        self.freshness.is_stale()
    }

    pub fn call_sites(&self) -> Vec<CallSite> {
        self.facts.sites.clone()
    }

    /// The Python scripts the job runs, as written (relative to the script's folder).
    pub fn scripts(&self) -> &[String] {
        &self.facts.scripts
    }

    /// Top-level modules of what the job runs: `-m` modules, and those given by
    /// [`Self::set_imported`].
    pub fn imported(&self) -> Vec<String> {
        let mut all: Vec<String> = self
            .facts
            .modules
            .iter()
            .chain(self.imported.iter())
            .cloned()
            .collect();
        all.sort();
        all.dedup();
        all
    }

    /// The modules the scripts the job runs import, read from `scripts`.
    pub fn set_imported(&mut self, scripts: Vec<String>, modules: Vec<String>) {
        self.imported = Arc::new(modules);
        self.learnt_from = Some(Arc::new(scripts));
    }

    /// Takes what `other`, a copy, learnt of the scripts, if this names the same ones.
    pub fn adopt_learnt(&mut self, other: &ShellDocument) {
        if other.scripts_learnt() == Some(self.scripts()) {
            self.imported = other.imported.clone();
            self.learnt_from = other.learnt_from.clone();
        }
    }

    /// The scripts [`Self::set_imported`] was last given.
    pub fn scripts_learnt(&self) -> Option<&[String]> {
        self.learnt_from.as_deref().map(Vec::as_slice)
    }

    /// The keys of what is under `offset`: a command, a flag or its value, a variable;
    /// the narrowest of them when several hold it (a read inside a flag's value).
    pub fn keys_at(&self, offset: usize) -> Option<Resolved> {
        let imported = self.imported();
        let within = |start: usize, end: usize| start <= offset && offset <= end;
        let mut found: Vec<Candidate> = Vec::new();
        for (name, start, end) in &self.facts.reads {
            if within(*start, *end) {
                found.push((
                    *start,
                    *end,
                    format!("${name}"),
                    vec![keys::env(name)],
                    None,
                ));
            }
        }
        for site in self
            .facts
            .sites
            .iter()
            .filter(|s| within(s.start, s.statement_end))
        {
            if within(site.start, site.end) {
                // The command as run: its name, its subcommand (`git pull`), its stem
                // (`./tvb_clean.sh` is `tvb_clean`); an assignment, its variable.
                let mut own: Vec<String> = site.keys.first().cloned().into_iter().collect();
                own.extend(
                    site.keys
                        .iter()
                        .skip(1)
                        .filter(|k| k.starts_with("cmd:"))
                        .cloned(),
                );
                found.push((site.start, site.end, site.callee.clone(), own, Some(site)));
            }
            // `export X=` with nothing typed yet: the cursor after `=` is the value's place.
            let is_assignment = site.keys.first().is_some_and(|k| k.starts_with("env:"));
            if is_assignment
                && offset > site.end
                && site.keywords.iter().all(|k| k.values.is_empty())
            {
                let keys = site.keys.first().cloned().into_iter().collect();
                found.push((offset, offset, site.callee.clone(), keys, Some(site)));
            }
            for arg in &site.keywords {
                let value = arg.values.iter().find(|v| within(v.start, v.end));
                if !(within(arg.start, arg.end) || value.is_some()) {
                    continue;
                }
                let (start, end) = value.map_or((arg.start, arg.end), |v| (v.start, v.end));
                let keys = if site.keys.first().is_some_and(|k| k.starts_with("env:")) {
                    vec![keys::env(&arg.name)]
                } else {
                    flag_keys(site, arg)
                };
                let symbol = format!("{} {}", site.callee, arg.name);
                found.push((start, end, symbol, keys, Some(site)));
            }
        }
        let (start, end, symbol, keys, site) = found.into_iter().min_by_key(|f| f.1 - f.0)?;
        Some(resolved(symbol, keys, start, end, site.cloned(), imported))
    }
}

/// The keys of a command's flag: the flag; for `-DNAME=...` the variable it defines
/// (skills name `HOST_ARCH`, not `-DHOST_ARCH`); for `python -m pkg.tool` the module run.
fn flag_keys(site: &CallSite, arg: &KeywordArg) -> Vec<String> {
    let mut out = vec![keys::flag(&site.callee, &arg.name)];
    if let Some(name) = arg
        .name
        .strip_prefix("-D")
        .filter(|n| keys::is_identifier(n))
    {
        out.push(keys::env(name));
    }
    if arg.name == "-m" && is_python(&site.callee) {
        out.extend(arg.values.iter().map(|v| keys::sym(&v.value)));
    }
    out
}

/// Whether a command runs Python (`python3.11`, `gpaw-python`, `pvpython`).
fn is_python(command: &str) -> bool {
    command.starts_with("python") || command.ends_with("-python") || command == "pvpython"
}

/// A word that reads as a subcommand: `git pull`, `pip install`, `conda activate`.
fn is_subcommand(word: &str) -> bool {
    word.len() > 1
        && word.starts_with(|c: char| c.is_ascii_lowercase())
        && word.chars().all(|c| c.is_ascii_lowercase() || c == '-')
}

/// Something under the cursor: its range, what to call it, its keys, its site.
type Candidate<'a> = (usize, usize, String, Vec<String>, Option<&'a CallSite>);

fn resolved(
    symbol: String,
    keys: Vec<String>,
    start: usize,
    end: usize,
    call: Option<CallSite>,
    imported: Vec<String>,
) -> Resolved {
    Resolved {
        symbol,
        keys,
        start,
        end,
        call,
        imported,
        star_modules: Vec::new(),
    }
}

/// Parses with this thread's parser.
fn parse(source: &str) -> Option<Tree> {
    thread_local! {
        static PARSER: std::cell::RefCell<Parser> = std::cell::RefCell::new(parser());
    }
    PARSER.with_borrow_mut(|p| p.parse(source, None))
}

fn parser() -> Parser {
    let mut parser = Parser::new();
    // The grammar is compiled in; a version mismatch would be a build error, not input.
    parser
        .set_language(&tree_sitter_bash::LANGUAGE.into())
        .unwrap_or_else(|e| panic!("tree-sitter-bash grammar rejected: {e}"));
    parser
}

/// One word of a command line: its text (quotes removed) and byte range.
#[derive(Debug, Clone)]
struct Word {
    text: String,
    start: usize,
    end: usize,
}

impl Facts {
    fn read(tree: &Tree, src: &[u8]) -> Facts {
        let mut facts = Facts::default();
        let mut stack = vec![tree.root_node()];
        while let Some(node) = stack.pop() {
            match node.kind() {
                "command" => facts.command(node, src),
                // Assignments before a command belong to that command's environment:
                // read by `command`, which sees them as its children.
                "variable_assignment" if node.parent().is_none_or(|p| p.kind() != "command") => {
                    facts.assignment(node, src)
                }
                "simple_expansion" | "expansion" => facts.expansion(node, src),
                // `unset X`: the variable, as a read (hovered, it is `env:X`).
                "unset_command" => facts.unset(node, src),
                "comment" => facts.directive(node, src),
                _ => {}
            }
            let mut cursor = node.walk();
            let children: Vec<Node> = node.children(&mut cursor).collect();
            stack.extend(children.into_iter().rev());
        }
        facts.sites.sort_by_key(|s| s.start);
        facts.scripts.dedup();
        facts
    }

    /// `NAME=value` (also after `export`, `declare`, or before a command).
    fn assignment(&mut self, node: Node<'_>, src: &[u8]) {
        let Some(name) = node.child_by_field_name("name") else {
            return;
        };
        let text = node_text(name, src).to_string();
        let values = node
            .child_by_field_name("value")
            .map(|v| {
                let word = word_of(v, src);
                vec![LiteralValue {
                    value: word.text,
                    start: word.start,
                    end: word.end,
                    dict_key: None,
                }]
            })
            .unwrap_or_default();
        let statement = node
            .parent()
            .filter(|p| p.kind() == "declaration_command")
            .unwrap_or(node);
        self.sites.push(CallSite {
            callee: format!("${text}"),
            start: name.start_byte(),
            end: name.end_byte(),
            statement_end: statement.end_byte().max(node.end_byte()),
            keys: vec![keys::env(&text)],
            keywords: vec![KeywordArg {
                name: text,
                start: name.start_byte(),
                end: name.end_byte(),
                values,
            }],
        });
    }

    fn expansion(&mut self, node: Node<'_>, src: &[u8]) {
        let mut cursor = node.walk();
        let name = node
            .children(&mut cursor)
            .find(|c| c.kind() == "variable_name");
        if let Some(name) = name {
            self.reads.push((
                node_text(name, src).to_string(),
                node.start_byte(),
                node.end_byte(),
            ));
        }
    }

    fn unset(&mut self, node: Node<'_>, src: &[u8]) {
        let mut cursor = node.walk();
        for child in node.named_children(&mut cursor) {
            let name = node_text(child, src);
            if keys::is_identifier(name) {
                self.reads
                    .push((name.to_string(), child.start_byte(), child.end_byte()));
            }
        }
    }

    fn command(&mut self, node: Node<'_>, src: &[u8]) {
        let mut cursor = node.walk();
        let mut words = Vec::new();
        for child in node.children(&mut cursor) {
            match child.kind() {
                "variable_assignment" => self.assignment(child, src),
                "command_name" => words.push(word_of(child, src)),
                k if k.contains("redirect") || k == "herestring_redirect" => {}
                _ if child.is_named() && !words.is_empty() => words.push(word_of(child, src)),
                _ => {}
            }
        }
        self.command_words(&words, node.end_byte());
    }

    /// A command line as words: a site for the command, and for the one a launcher runs.
    fn command_words(&mut self, words: &[Word], statement_end: usize) {
        let Some(first) = words.first() else { return };
        let name = program_name(&first.text).to_string();
        if name.is_empty() {
            return;
        }
        let launcher = LAUNCHERS.contains(&name.as_str());
        let (mut keywords, rest) = flags(&words[1..], launcher);
        if is_python(&name) {
            // `-m pkg.tool`: the module is the flag's value.
            let module = words
                .iter()
                .position(|w| w.text == "-m")
                .and_then(|i| words.get(i + 1));
            if let (Some(module), Some(flag)) =
                (module, keywords.iter_mut().find(|k| k.name == "-m"))
            {
                flag.values = vec![literal(&module.text, module.start, module.end)];
            }
        }
        let mut site_keys = vec![keys::command(&name)];
        // `git pull` is not `git clone`: the subcommand is part of what runs.
        if let Some(sub) = rest.first().filter(|w| !launcher && is_subcommand(&w.text)) {
            site_keys.push(keys::command(&format!("{name} {}", sub.text)));
        }
        // A script run by name is also its stem (`./tvb_clean.sh` is `tvb_clean`).
        if let Some((stem, _)) = name
            .rsplit_once('.')
            .filter(|(_, e)| SCRIPT_EXTENSIONS.contains(e))
        {
            site_keys.push(keys::command(stem));
        }
        site_keys.extend(keywords.iter().map(|k| keys::flag(&name, &k.name)));
        if is_python(&name) {
            let run = keywords
                .iter()
                .filter(|k| k.name == "-m")
                .flat_map(|k| &k.values);
            site_keys.extend(run.map(|v| keys::sym(&v.value)).collect::<Vec<_>>());
        }
        // `-DNAME=value` defines NAME (cmake, compilers): skills name the variable.
        site_keys.extend(
            keywords
                .iter()
                .filter_map(|k| k.name.strip_prefix("-D"))
                .filter(|v| keys::is_identifier(v))
                .map(keys::env),
        );
        self.sites.push(CallSite {
            callee: name.clone(),
            start: first.start,
            end: first.end,
            statement_end,
            keywords,
            keys: site_keys,
        });
        if launcher {
            // `env A=1 cmd`: the assignments are the environment of the command run.
            let inner = rest
                .iter()
                .position(|w| !(name == "env" && w.text.contains('=')))
                .map_or(&[][..], |i| &rest[i..]);
            self.command_words(inner, statement_end);
            return;
        }
        if is_python(&name) {
            self.python_arguments(&words[1..]);
        }
    }

    /// `python [-u] run.py` and `python -m pkg.tool`.
    fn python_arguments(&mut self, rest: &[Word]) {
        let mut words = rest.iter();
        while let Some(word) = words.next() {
            if word.text == "-m" {
                if let Some(module) = words.next() {
                    let top = module.text.split('.').next().unwrap_or("");
                    if keys::is_identifier(top) {
                        self.modules.push(top.to_string());
                    }
                }
                return;
            }
            if word.text.ends_with(".py") {
                self.scripts.push(word.text.clone());
                return;
            }
            if !word.text.starts_with('-') {
                return;
            }
        }
    }

    /// `#SBATCH --ntasks=4` and friends: the scheduler command with its flags.
    fn directive(&mut self, node: Node<'_>, src: &[u8]) {
        let text = node_text(node, src);
        let Some((prefix, command)) = DIRECTIVES.iter().find(|(p, _)| {
            text.strip_prefix(p)
                .is_some_and(|rest| rest.starts_with(char::is_whitespace))
        }) else {
            return;
        };
        let start = node.start_byte();
        let mut words = vec![Word {
            text: command.to_string(),
            start,
            end: start + prefix.len(),
        }];
        let body = &text[prefix.len()..];
        let mut at = prefix.len();
        for piece in body.split_inclusive(char::is_whitespace) {
            let word = piece.trim_end();
            // A comment after the directive ends it.
            if word.starts_with('#') {
                break;
            }
            if !word.is_empty() {
                words.push(Word {
                    text: word.to_string(),
                    start: start + at,
                    end: start + at + word.len(),
                });
            }
            at += piece.len();
        }
        self.command_words(&words, node.end_byte());
    }
}

/// The flags of a command line and what follows them: `-np 3` and `--ntasks=4` are flags
/// with values; a launcher's flags end at the first word that is neither a flag nor a
/// flag's value (the command it runs). For other commands every flag counts.
fn flags(words: &[Word], launcher: bool) -> (Vec<KeywordArg>, &[Word]) {
    let mut out = Vec::new();
    let mut i = 0;
    let mut first_plain = None;
    while i < words.len() {
        let word = &words[i];
        // A lone `-` or `--` counts too: it is a flag being typed (completion).
        let is_flag =
            word.text.starts_with('-') && !word.text[1..].starts_with(|c: char| c.is_ascii_digit());
        if !is_flag {
            if first_plain.is_none() {
                first_plain = Some(i);
            }
            if launcher {
                break;
            }
            i += 1;
            continue;
        }
        let (name, value) = match word.text.split_once('=') {
            Some((name, value)) => {
                let value_start = word.start + name.len() + 1;
                (
                    name.to_string(),
                    Some(literal(value, value_start, word.end)),
                )
            }
            None => {
                // A number after a flag is its value (`-np 3`, `-c 4`).
                let next = words.get(i + 1).filter(|w| is_number(&w.text));
                if next.is_some() {
                    i += 1;
                }
                (
                    word.text.clone(),
                    next.map(|w| literal(&w.text, w.start, w.end)),
                )
            }
        };
        out.push(KeywordArg {
            name,
            start: word.start,
            end: word.start + word.text.split('=').next().unwrap_or("").len(),
            values: value.into_iter().collect(),
        });
        i += 1;
    }
    let rest = if launcher {
        &words[i.min(words.len())..]
    } else {
        &words[first_plain.unwrap_or(words.len())..]
    };
    (out, rest)
}

fn literal(value: &str, start: usize, end: usize) -> LiteralValue {
    LiteralValue {
        value: value.trim_matches(['"', '\'']).to_string(),
        start,
        end,
        dict_key: None,
    }
}

fn is_number(text: &str) -> bool {
    !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_digit() || c == ':' || c == '.')
}

/// The program a command word runs: `/usr/bin/mpirun` and `./pw.x` are `mpirun` and `pw.x`.
fn program_name(word: &str) -> &str {
    word.rsplit('/').next().unwrap_or(word)
}

fn node_text<'a>(node: Node<'_>, src: &'a [u8]) -> &'a str {
    std::str::from_utf8(&src[node.byte_range()]).unwrap_or("")
}

/// A word's text without its quotes (a string's content).
fn word_of(node: Node<'_>, src: &[u8]) -> Word {
    let text = node_text(node, src);
    let unquoted = text.trim_matches(['"', '\'']);
    let start = node.start_byte() + (text.len() - text.trim_start_matches(['"', '\'']).len());
    Word {
        text: unquoted.to_string(),
        start,
        end: start + unquoted.len(),
    }
}

#[cfg(test)]
mod tests {
    use super::ShellDocument;

    const JOB: &str = "#!/bin/bash\n#SBATCH --ntasks=3\n#SBATCH -c 2  # two cores\nmodule load gpaw\nunset KMP_AFFINITY\nHALF=$((CORES)/2)\nexport OMP_NUM_THREADS=8\nOMP_PROC_BIND=close mpiexec -np 3 gpaw-python diffusion3.py --steps 10\necho \"$OMP_NUM_THREADS\"\npython -m ase.db results.db\n";

    fn at(doc: &ShellDocument, needle: &str) -> Vec<String> {
        let offset = JOB.find(needle).unwrap() + 1;
        doc.keys_at(offset).map(|r| r.keys).unwrap_or_default()
    }

    #[test]
    fn commands_launchers_flags_variables_and_directives() {
        let doc = ShellDocument::parse(JOB.to_string()).unwrap();
        let callees: Vec<String> = doc.call_sites().into_iter().map(|s| s.callee).collect();
        for expected in [
            "sbatch",
            "module",
            "$OMP_NUM_THREADS",
            "$OMP_PROC_BIND",
            "mpiexec",
            "gpaw-python",
            "echo",
            "python",
        ] {
            assert!(
                callees.contains(&expected.to_string()),
                "{expected}: {callees:?}"
            );
        }
        assert_eq!(at(&doc, "gpaw-python"), vec!["cmd:gpaw-python"]);
        assert_eq!(at(&doc, "np 3"), vec!["flag:mpiexec:-np"]);
        assert_eq!(at(&doc, "ntasks"), vec!["flag:sbatch:--ntasks"]);
        assert_eq!(at(&doc, "SBATCH -c"), vec!["cmd:sbatch"]);
        assert_eq!(at(&doc, "OMP_NUM_THREADS=8"), vec!["env:OMP_NUM_THREADS"]);
        assert_eq!(at(&doc, "$OMP_NUM"), vec!["env:OMP_NUM_THREADS"]);
        assert_eq!(at(&doc, "KMP_AFFINITY"), vec!["env:KMP_AFFINITY"]);
        assert_eq!(doc.scripts(), ["diffusion3.py"]);
        assert_eq!(doc.imported(), ["ase"]);
        let mpiexec = doc
            .call_sites()
            .into_iter()
            .find(|s| s.callee == "mpiexec")
            .unwrap();
        assert_eq!(mpiexec.keywords[0].values[0].value, "3");
        let export = doc
            .call_sites()
            .into_iter()
            .find(|s| s.callee == "$OMP_NUM_THREADS")
            .unwrap();
        assert_eq!(export.keywords[0].values[0].value, "8");
        // The directive's trailing comment is not a flag.
        let directives: Vec<_> = doc
            .call_sites()
            .into_iter()
            .filter(|s| s.callee == "sbatch")
            .collect();
        assert_eq!(directives[1].keywords.len(), 1, "{directives:?}");
    }
}
