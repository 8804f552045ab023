//! `cargo bench --bench relevance`: does the hover show the right pitfall at real call
//! sites? Cases are hand-labelled positions in the corpus packs' own example files
//! (`benches/relevance/cases.toml`): positives name the skill and fragments of the pitfall
//! an expert would put there; negatives must stay silent. Each case is asked of the real
//! binary (`explain --json` with the case's pack), beside a plain BM25 baseline (`search`
//! for the hovered token, top result). Prints recall and silence per pack, for the tuning
//! split, the held-out split and all. `RELEVANCE_VERBOSE=1` lists every miss.
//!
//! Notebooks are asked as the product reads them (`explain FILE.ipynb:CELL:LINE:COL`).
//! The Python code blocks of .md/.rst docs are asked as one program per file (blocks in
//! order); their shell blocks (`benches/relevance/shell_cases.toml`) as one job script per
//! file. Input files (`input_cases.toml`) and C/C++/Fortran sources (`source_cases.toml`)
//! are asked as the files they are. Results are reported per pack and per kind of file.

#[path = "../tests/common/mod.rs"]
mod common;

use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

#[derive(Deserialize)]
struct CaseFile {
    /// Packs measured only at the end: no matcher change was made looking at them.
    holdout_packs: Vec<String>,
    case: Vec<Case>,
}

#[derive(Deserialize, Clone)]
struct Case {
    id: String,
    pack: String,
    file: String,
    cell: Option<usize>,
    line: usize,
    column: usize,
    symbol: String,
    skill: Option<String>,
    #[serde(default)]
    fragments: Vec<String>,
    #[serde(default)]
    why: String,
    /// Set from the file the case came from: shell cases are read from shell blocks.
    #[serde(skip)]
    shell: bool,
}

#[derive(Deserialize)]
struct ShellCaseFile {
    case: Vec<Case>,
}

impl Case {
    /// The kind of file the user is in, as the product tells them apart.
    fn kind(&self) -> &'static str {
        if self.shell {
            return "job script";
        }
        match self.file.rsplit('.').next() {
            Some("ipynb") => "notebook",
            Some("py") => "python",
            Some("md" | "rst") => "python in docs",
            Some("cpp" | "cc" | "cxx" | "c" | "h" | "hpp" | "f90" | "F90" | "f") => {
                "C/C++/Fortran source"
            }
            Some("jl") => "julia",
            _ => "input file",
        }
    }
}

/// A file as the product reads it: its Python text, and where a case's position lands.
struct Program {
    text: String,
    /// Original (cell, 1-based line) -> (1-based line in `text`, columns removed).
    lines: BTreeMap<(usize, usize), (usize, usize)>,
}

#[derive(Default, Clone, Copy)]
struct Tally {
    positives: u32,
    found: u32,
    baseline_found: u32,
    negatives: u32,
    silent: u32,
    baseline_silent: u32,
    bad_cases: u32,
    /// Misses whose pitfall the hover did show, as a note or as related.
    elsewhere: u32,
}

impl Tally {
    fn add(&mut self, o: &Tally) {
        self.positives += o.positives;
        self.found += o.found;
        self.baseline_found += o.baseline_found;
        self.negatives += o.negatives;
        self.silent += o.silent;
        self.baseline_silent += o.baseline_silent;
        self.bad_cases += o.bad_cases;
        self.elsewhere += o.elsewhere;
    }
}

fn pct(n: u32, d: u32) -> String {
    if d == 0 {
        "-".into()
    } else {
        format!("{:.0}% ({n}/{d})", 100.0 * n as f64 / d as f64)
    }
}

/// Lowercase, no backticks or emphasis, single spaces: a fragment copied from the file
/// matches the entry text however the reader joined its lines.
fn normalise(text: &str) -> String {
    text.replace(['`', '*'], "")
        .to_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn program(path: &Path, shell: bool) -> Option<Program> {
    let raw = std::fs::read_to_string(path).ok()?;
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    let mut text = String::new();
    let mut lines = BTreeMap::new();
    let mut out_line = 0;
    let mut emit = |key: (usize, usize), line: &str, removed: usize, text: &mut String| {
        out_line += 1;
        lines.insert(key, (out_line, removed));
        text.push_str(line);
        text.push('\n');
    };
    match ext {
        // A file the product reads as it is: Python, an input file, a source file.
        _ if ext != "md" && ext != "rst" => {
            return Some(Program {
                lines: (1..=raw.lines().count())
                    .map(|l| ((0, l), (l, 0)))
                    .collect(),
                text: raw,
            })
        }
        "md" => {
            let mut in_code = false;
            for (n, line) in raw.lines().enumerate() {
                let t = line.trim_start();
                if let Some(info) = t.strip_prefix("```") {
                    in_code = !in_code && block_language(info.trim(), shell);
                    continue;
                }
                if in_code {
                    let (code, removed) = if shell {
                        strip_shell_prompt(line)
                    } else {
                        strip_prompt(line, 0)
                    };
                    emit((0, n + 1), code, removed, &mut text);
                }
            }
        }
        "rst" => {
            let all: Vec<&str> = raw.lines().collect();
            let mut n = 0;
            while n < all.len() {
                let line = all[n];
                let t = line.trim();
                let opens = if shell {
                    rst_shell_block(t)
                } else {
                    rst_python_block(t)
                };
                let doctest = !shell && t.starts_with(">>> ");
                if doctest {
                    let (code, removed) = strip_prompt(line, 0);
                    emit((0, n + 1), code, removed, &mut text);
                    n += 1;
                    continue;
                }
                n += 1;
                if !opens {
                    continue;
                }
                let outer = line.len() - line.trim_start().len();
                // Options (`:linenos:`) and blank lines, then the indented block. In a
                // block of doctest prompts, lines without one are output, not code.
                let block_end = all[n..]
                    .iter()
                    .position(|l| !l.trim().is_empty() && l.len() - l.trim_start().len() <= outer)
                    .map_or(all.len(), |p| n + p);
                let doctest_block = all[n..block_end]
                    .iter()
                    .any(|l| l.trim_start().starts_with(">>>"));
                let mut block_indent = None;
                while n < all.len() {
                    let l = all[n];
                    if l.trim().is_empty() {
                        n += 1;
                        continue;
                    }
                    let ind = l.len() - l.trim_start().len();
                    if ind <= outer {
                        break;
                    }
                    if block_indent.is_none() && l.trim_start().starts_with(':') {
                        n += 1;
                        continue;
                    }
                    let bi = *block_indent.get_or_insert(ind);
                    let t = l.trim_start();
                    let prompted = t.starts_with(">>>") || t.starts_with("...");
                    if doctest_block && !prompted {
                        n += 1;
                        continue;
                    }
                    let (code, removed) = if shell {
                        let (code, removed) = strip_shell_prompt(&l[bi.min(ind)..]);
                        (code, removed + bi.min(ind))
                    } else {
                        strip_prompt(&l[bi.min(ind)..], bi.min(ind))
                    };
                    emit((0, n + 1), code, removed, &mut text);
                    n += 1;
                }
            }
        }
        _ => return None,
    }
    Some(Program { text, lines })
}

/// Whether a fenced block's info string is the language asked for.
fn block_language(info: &str, shell: bool) -> bool {
    if shell {
        matches!(info, "bash" | "sh" | "shell" | "console" | "zsh" | "slurm")
    } else {
        matches!(info, "python" | "py" | "python3" | "ipython" | "pycon")
    }
}

/// A line opening a shell block in reStructuredText (`.. code-block:: bash`).
fn rst_shell_block(line: &str) -> bool {
    let Some(directive) = line.strip_prefix("..") else {
        return false;
    };
    let Some((name, lang)) = directive.trim().split_once("::") else {
        return false;
    };
    matches!(name.trim(), "code-block" | "code" | "sourcecode" | "prompt")
        && block_language(lang.split_whitespace().next().unwrap_or(""), true)
}

/// A console prompt (`$ `) removed, with how many columns went.
fn strip_shell_prompt(line: &str) -> (&str, usize) {
    let lead = line.len() - line.trim_start().len();
    match line[lead..].strip_prefix("$ ") {
        Some(rest) => (rest, lead + 2),
        None => (line, 0),
    }
}

/// A line opening a Python block in reStructuredText: a code directive in Python (or no
/// language), an IPython/Jupyter/doctest directive, or a paragraph ending in `::`.
fn rst_python_block(line: &str) -> bool {
    let Some(directive) = line.strip_prefix("..") else {
        return line.ends_with("::");
    };
    let Some((name, lang)) = directive.trim().split_once("::") else {
        return false;
    };
    let lang = lang.trim().to_lowercase();
    match name.trim() {
        "code-block" | "code" | "sourcecode" => {
            lang.is_empty() || lang.starts_with("python") || lang.starts_with("ipython")
        }
        "ipython" | "jupyter-execute" | "doctest" | "testcode" | "plot" => true,
        _ => false,
    }
}

/// A doctest prompt (`>>> `, `... `) removed, with how many columns went.
fn strip_prompt(line: &str, removed: usize) -> (&str, usize) {
    let lead = line.len() - line.trim_start().len();
    let t = &line[lead..];
    for prompt in [">>> ", "... "] {
        if let Some(rest) = t.strip_prefix(prompt) {
            return (rest, removed + lead + prompt.len());
        }
    }
    if t == ">>>" || t == "..." {
        return ("", removed + line.len());
    }
    (line, removed)
}

struct Outcome {
    shown: Vec<(String, String)>,
    /// Items of other kinds (notes, related pitfalls), as `(kind, skill, text)`: a miss
    /// whose pitfall is here was found but not judged to apply.
    elsewhere: Vec<(String, String, String)>,
    /// The resolved symbol and its keys, for the verbose listing of misses.
    resolved: String,
    baseline_top: Option<(String, String)>,
}

fn ask(case: &Case, location: &str, pack: &Path, cache: &Path) -> Outcome {
    let out = Command::new(common::bin())
        .args(["explain", "--json", "--skills"])
        .arg(pack)
        .arg(location)
        .env("SKILL_LSP_CACHE_DIR", cache)
        .env_remove("SKILL_LSP_SKILLS")
        .env_remove("SKILL_LSP_PYTHON")
        .output()
        .expect("run skill-lsp explain");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    let resolved = format!("{} {} at {location}", json["symbol"], json["keys"]);
    let shown = json["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|i| i["kind"] == "pitfall")
        .map(|i| {
            (
                i["skill"].as_str().unwrap_or("").to_string(),
                i["text"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    let elsewhere = json["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|i| i["kind"] != "pitfall")
        .map(|i| {
            let field = |k: &str| i[k].as_str().unwrap_or("").to_string();
            (field("kind"), field("skill"), field("text"))
        })
        .collect();
    let out = Command::new(common::bin())
        .args(["search", "--json", "-n", "1", &case.symbol])
        .arg(pack)
        .env("SKILL_LSP_CACHE_DIR", cache)
        .env_remove("SKILL_LSP_SKILLS")
        .output()
        .expect("run skill-lsp search");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    let baseline_top = json["results"].as_array().and_then(|r| r.first()).map(|r| {
        (
            r["skill"].as_str().unwrap_or("").to_string(),
            r["text"].as_str().unwrap_or("").to_string(),
        )
    });
    Outcome {
        shown,
        elsewhere,
        resolved,
        baseline_top,
    }
}

fn is_expected(case: &Case, skill: &str, text: &str) -> bool {
    let text = normalise(text);
    case.skill.as_deref() == Some(skill)
        && case.fragments.iter().any(|f| text.contains(&normalise(f)))
}

fn main() {
    let Some(corpus) = common::corpus() else {
        eprintln!("relevance: skipped: no corpus at ../shared/corpus");
        return;
    };
    let cases_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/relevance/cases.toml");
    let mut cases: CaseFile = match std::fs::read_to_string(&cases_path)
        .map_err(|e| e.to_string())
        .and_then(|t| toml::from_str(&t).map_err(|e| e.to_string()))
    {
        Ok(c) => c,
        Err(e) => panic!("{}: {e}", cases_path.display()),
    };
    let shell_path = cases_path.with_file_name("shell_cases.toml");
    let shell: ShellCaseFile = match std::fs::read_to_string(&shell_path)
        .map_err(|e| e.to_string())
        .and_then(|t| toml::from_str(&t).map_err(|e| e.to_string()))
    {
        Ok(c) => c,
        Err(e) => panic!("{}: {e}", shell_path.display()),
    };
    cases
        .case
        .extend(shell.case.into_iter().map(|c| Case { shell: true, ..c }));
    // Input files and C/C++/Fortran sources, asked as the files they are.
    for name in ["input_cases.toml", "source_cases.toml"] {
        let path = cases_path.with_file_name(name);
        let more: ShellCaseFile = match std::fs::read_to_string(&path)
            .map_err(|e| e.to_string())
            .and_then(|t| toml::from_str(&t).map_err(|e| e.to_string()))
        {
            Ok(c) => c,
            Err(e) => panic!("{}: {e}", path.display()),
        };
        cases.case.extend(more.case);
    }
    let verbose = std::env::var_os("RELEVANCE_VERBOSE").is_some();
    let temp = tempfile::tempdir().expect("temp dir");
    let work_dir = temp.path().to_path_buf();
    // RELEVANCE_KEEP=1 keeps the extracted programs, to rerun a miss by hand.
    let _cleanup = if std::env::var_os("RELEVANCE_KEEP").is_some() {
        println!("programs kept in {}", temp.keep().display());
        None
    } else {
        Some(temp)
    };
    let cache = work_dir.as_path().join("cache");
    let mut programs: BTreeMap<(PathBuf, bool), Option<(PathBuf, Program)>> = BTreeMap::new();
    let mut per_pack: BTreeMap<String, Tally> = BTreeMap::new();
    let mut per_kind: BTreeMap<(&str, &str), Tally> = BTreeMap::new();
    for case in &cases.case {
        let mut tally = Tally::default();
        let pack = corpus.join(&case.pack);
        let source = pack.join(&case.file);
        let split = split_of(&cases.holdout_packs, &case.pack);
        let mut count = |tally: &Tally| {
            per_pack.entry(case.pack.clone()).or_default().add(tally);
            per_kind.entry((case.kind(), split)).or_default().add(tally);
        };
        let Some(location) = locate(case, &source, &work_dir, &mut programs, &mut tally) else {
            count(&tally);
            continue;
        };
        let outcome = ask(case, &location, &pack, &cache);
        let baseline_hit = outcome
            .baseline_top
            .as_ref()
            .is_some_and(|(s, t)| is_expected(case, s, t));
        if case.skill.is_some() {
            tally.positives += 1;
            let hit = outcome.shown.iter().any(|(s, t)| is_expected(case, s, t));
            tally.found += u32::from(hit);
            tally.baseline_found += u32::from(baseline_hit);
            let as_other = outcome
                .elsewhere
                .iter()
                .find(|(_, s, t)| is_expected(case, s, t))
                .map(|(kind, _, _)| kind.as_str());
            tally.elsewhere += u32::from(!hit && as_other.is_some());
            if !hit && verbose {
                println!(
                    "miss {}{} ({}): {} at {}:{} wants {} {:?}; shown {:?}; resolved {}",
                    case.id,
                    as_other
                        .map(|k| format!(" [shown as {k}]"))
                        .unwrap_or_default(),
                    case.why,
                    case.symbol,
                    case.file,
                    case.line,
                    case.skill.as_deref().unwrap_or(""),
                    case.fragments,
                    outcome
                        .shown
                        .iter()
                        .map(|(s, t)| format!("{s}: {}", t.chars().take(70).collect::<String>()))
                        .collect::<Vec<_>>(),
                    outcome.resolved
                );
            }
        } else {
            tally.negatives += 1;
            let silent = outcome.shown.is_empty();
            tally.silent += u32::from(silent);
            tally.baseline_silent += u32::from(outcome.baseline_top.is_none());
            if silent && verbose {
                println!("silent {}: resolved {}", case.id, outcome.resolved);
            }
            if !silent && verbose {
                println!(
                    "noise {}: {} at {}:{} shows {:?}",
                    case.id,
                    case.symbol,
                    case.file,
                    case.line,
                    outcome
                        .shown
                        .iter()
                        .map(|(s, t)| format!("{s}: {t}"))
                        .collect::<Vec<_>>()
                );
            }
        }
        count(&tally);
    }
    println!(
        "\n| pack | split | recall | missed but shown as note/related | BM25 top-1 | silent on negatives | BM25 silent | bad cases |"
    );
    println!("| --- | --- | --- | --- | --- | --- | --- | --- |");
    let mut splits: BTreeMap<&str, Tally> = BTreeMap::new();
    for (pack, t) in &per_pack {
        let split = if cases.holdout_packs.contains(pack) {
            "held out"
        } else {
            "tuning"
        };
        splits.entry(split).or_default().add(t);
        splits.entry("all").or_default().add(t);
        row(pack, split, t);
    }
    for (split, t) in &splits {
        row(&format!("**{split}**"), "", t);
    }
    println!("\n| kind of file | split | recall | missed but shown as note/related | BM25 top-1 | silent on negatives | BM25 silent | bad cases |");
    println!("| --- | --- | --- | --- | --- | --- | --- | --- |");
    for ((kind, split), t) in &per_kind {
        row(kind, split, t);
    }
}

fn split_of(holdout: &[String], pack: &str) -> &'static str {
    if holdout.iter().any(|p| p == pack) {
        "held out"
    } else {
        "tuning"
    }
}

/// Where to ask a case: `FILE.ipynb:CELL:LINE:COL` for a notebook (as the product reads
/// it), else `FILE:LINE:COL` in the file or in the program extracted from a doc's blocks.
/// `None` (a bad case, counted) when the position does not hold the case's symbol.
fn locate(
    case: &Case,
    source: &Path,
    work_dir: &Path,
    programs: &mut BTreeMap<(PathBuf, bool), Option<(PathBuf, Program)>>,
    tally: &mut Tally,
) -> Option<String> {
    let bad = |tally: &mut Tally, why: String| {
        println!("bad case {}: {why}", case.id);
        tally.bad_cases += 1;
        None
    };
    if case.kind() == "notebook" {
        let Some(cell) = case.cell else {
            return bad(tally, "a notebook case without a cell".into());
        };
        let text = notebook_cell(source, cell).unwrap_or_default();
        let at: String = text
            .lines()
            .nth(case.line - 1)
            .map(|l| l.chars().skip(case.column - 1).collect())
            .unwrap_or_default();
        if !at.starts_with(&case.symbol) {
            return bad(
                tally,
                format!("{at:?} in cell {cell}, not {:?}", case.symbol),
            );
        }
        // The product counts cells from 1, as notebook front ends show them.
        return Some(format!(
            "{}:{}:{}:{}",
            source.display(),
            cell + 1,
            case.line,
            case.column
        ));
    }
    let entry = programs
        .entry((source.to_path_buf(), case.shell))
        .or_insert_with(|| {
            let program = program(source, case.shell)?;
            let doc = source.extension().is_some_and(|e| e == "md" || e == "rst");
            let file = if !doc {
                source.to_path_buf()
            } else {
                // Beside nothing: the case's pack is given explicitly.
                let extension = if case.shell { "sh" } else { "py" };
                let file = work_dir.join(format!("{}.{extension}", case.id));
                std::fs::write(&file, &program.text).ok()?;
                file
            };
            Some((file, program))
        });
    let Some((file, program)) = entry else {
        return bad(tally, format!("cannot read {}", source.display()));
    };
    let Some(&(line, removed)) = program.lines.get(&(case.cell.unwrap_or(0), case.line)) else {
        return bad(tally, format!("line {} is not code", case.line));
    };
    let column = case.column.saturating_sub(removed).max(1);
    let at = program
        .text
        .lines()
        .nth(line - 1)
        .map(|l| l.chars().skip(column - 1).collect::<String>())
        .unwrap_or_default();
    if !at.starts_with(&case.symbol) {
        let shown: String = at.chars().take(30).collect();
        return bad(
            tally,
            format!("{shown:?} at {line}:{column}, not {:?}", case.symbol),
        );
    }
    Some(format!("{}:{line}:{column}", file.display()))
}

/// The source of cell `index` (0-based, in the notebook's `cells` array).
fn notebook_cell(path: &Path, index: usize) -> Option<String> {
    let nb: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()?;
    let cell = nb["cells"].get(index)?;
    Some(match &cell["source"] {
        serde_json::Value::Array(parts) => parts.iter().filter_map(|p| p.as_str()).collect(),
        serde_json::Value::String(s) => s.clone(),
        _ => return None,
    })
}

fn row(name: &str, split: &str, t: &Tally) {
    println!(
        "| {name} | {split} | {} | {} | {} | {} | {} | {} |",
        pct(t.found, t.positives),
        t.elsewhere,
        pct(t.baseline_found, t.positives),
        pct(t.silent, t.negatives),
        pct(t.baseline_silent, t.negatives),
        t.bad_cases
    );
}
