//! Helpers shared by the integration tests: the real binary, the corpus, loud skips.
#![allow(dead_code)]

pub mod lsp;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The server binary: this build's, or `SKILL_LSP_BIN` (a long benchmark runs a copy, so
/// that rebuilding meanwhile does not swap the binary under it).
pub fn bin() -> &'static str {
    static BIN: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    BIN.get_or_init(|| {
        std::env::var("SKILL_LSP_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_skill-lsp").into())
    })
}

/// `../shared/corpus` beside the checkout, where CI puts it.
pub fn corpus() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    dir.is_dir().then(|| dir.canonicalize().ok()).flatten()
}

/// Says a skip out loud (past the test harness's output capture) and returns.
#[macro_export]
macro_rules! corpus_or_skip {
    () => {
        match common::corpus() {
            Some(dir) => dir,
            None => {
                common::say_skipped(module_path!(), "no corpus at ../shared/corpus");
                return;
            }
        }
    };
}

pub fn say_skipped(test: &str, why: &str) {
    let _ = writeln!(std::io::stderr(), "{test}: skipped: {why}");
}

/// Runs the binary with a private cache dir, in `cwd`.
pub fn run(args: &[&str], cwd: &Path, cache: &Path) -> Output {
    Command::new(bin())
        .args(args)
        .current_dir(cwd)
        .env("SKILL_LSP_CACHE_DIR", cache)
        .env_remove("SKILL_LSP_SKILLS")
        .output()
        .expect("spawn skill-lsp")
}

/// `skill-lsp ARGS...` in a fresh, empty folder with a private cache.
pub fn run_fresh(args: &[&str]) -> Output {
    let cwd = tempfile::tempdir().expect("temp dir");
    let cache = tempfile::tempdir().expect("temp dir");
    run(args, cwd.path(), cache.path())
}

/// `skill-lsp check ARGS...` in a fresh folder with a private cache.
pub fn check(args: &[&str]) -> Output {
    let mut all = vec!["check"];
    all.extend_from_slice(args);
    run_fresh(&all)
}

pub fn json_of(output: &Output) -> serde_json::Value {
    assert!(
        output.status.success(),
        "exit {:?}\nstderr: {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}",
            String::from_utf8_lossy(&output.stdout)
        )
    })
}

/// A tiny deterministic generator for fuzzing and storms (same sequence every run).
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

/// The skill names in `skills --json` output, in its order.
pub fn skill_names(json: &serde_json::Value) -> Vec<&str> {
    json["skills"]
        .as_array()
        .map(|skills| skills.iter().filter_map(|s| s["name"].as_str()).collect())
        .unwrap_or_default()
}

/// Writes `root/skills/NAME/SKILL.md`: front matter, a title, then `body`.
pub fn write_skill(root: &Path, name: &str, body: &str) {
    let dir = root.join("skills").join(name);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("SKILL.md"),
        format!("---\nname: {name}\ndescription: test skill\n---\n# {name}\n\n{body}"),
    )
    .unwrap();
}

/// The SDK version the issue was written against: its default client sends
/// `server/discover` (protocol 2026-07-28) first.
pub const MCP_SDK: &str = "mcp==2.3.0";

/// The Python of a venv holding the official MCP SDK (`.editor-tools/mcp`), installed
/// from PyPI on first use, loudly; for the MCP test and bench.
pub fn mcp_python() -> &'static Path {
    static PYTHON: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    PYTHON.get_or_init(|| {
        let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join(".editor-tools/mcp");
        let python = venv.join("bin/python");
        let has_sdk = |python: &Path| {
            Command::new(python)
                .args([
                    "-c",
                    "import importlib.metadata as m; assert m.version('mcp') == '2.3.0'",
                ])
                .status()
                .is_ok_and(|s| s.success())
        };
        if !has_sdk(&python) {
            eprintln!(
                "mcp tests: installing {MCP_SDK} from PyPI into {}",
                venv.display()
            );
            let made = Command::new("python3")
                .args(["-m", "venv"])
                .arg(&venv)
                .status()
                .expect("python3 -m venv");
            assert!(made.success(), "python3 -m venv {} failed", venv.display());
            let pip = Command::new(venv.join("bin/pip"))
                .args(["install", "-q", MCP_SDK])
                .status()
                .expect("pip");
            assert!(
                pip.success(),
                "pip install {MCP_SDK} failed (PyPI is needed)"
            );
        }
        assert!(
            has_sdk(&python),
            "{MCP_SDK} is not importable from {}",
            python.display()
        );
        python
    })
}
