//! Where a package's source is on disk: the workspace, or the Python environment's
//! package folders (read from the file system; an interpreter is asked for `sys.path`
//! only when the user named it, and never on the hover path). Ranked source entry points are
//! repository-relative (`ase/parallel.py`); here they become files and definition lines.

mod python_env;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The interpreter to ask for `sys.path`: the one the user named (a setting, a flag),
/// else `$SKILL_LSP_PYTHON`; `None` runs nothing. Read here only, for every front end.
pub fn configured_python(named: Option<PathBuf>) -> Option<PathBuf> {
    named.or_else(|| std::env::var_os("SKILL_LSP_PYTHON").map(PathBuf::from))
}

#[derive(Debug, Clone, Default)]
pub struct SourceRoots {
    roots: Vec<PathBuf>,
    /// Recent answers: a hover on `ase.io.read` would otherwise stat every root and read
    /// `ase/io/formats.py` (3,000 lines) for each of its source items, on every hover.
    memo: Arc<Mutex<Memo>>,
}

/// How long a resolved location is trusted: long enough that hovering around a call
/// reads no file twice, short enough that an edited source shows within seconds.
const MEMO_TTL: Duration = Duration::from_secs(5);
/// Bound on remembered answers (a long session hovers many symbols).
const MEMO_MAX: usize = 4096;

#[derive(Debug, Default)]
struct Memo {
    located: HashMap<(String, Option<String>), (Instant, Option<Located>)>,
    defining: HashMap<String, (Instant, Option<(String, Located)>)>,
}

/// The memoized answer for `key` in `map`, computing (outside the lock) when absent or
/// older than [`MEMO_TTL`].
fn memoized<K, V>(
    memo: &Mutex<Memo>,
    map: fn(&mut Memo) -> &mut HashMap<K, (Instant, V)>,
    key: K,
    compute: impl FnOnce() -> V,
) -> V
where
    K: std::hash::Hash + Eq,
    V: Clone,
{
    {
        let mut guard = memo.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((at, value)) = map(&mut guard).get(&key) {
            if at.elapsed() < MEMO_TTL {
                return value.clone();
            }
        }
    }
    let value = compute();
    let mut guard = memo.lock().unwrap_or_else(|p| p.into_inner());
    let entries = map(&mut guard);
    if entries.len() >= MEMO_MAX {
        entries.clear();
    }
    entries.insert(key, (Instant::now(), value.clone()));
    value
}

/// A source path resolved on disk.
#[derive(Debug, Clone, PartialEq)]
pub struct Located {
    pub file: PathBuf,
    /// 1-based line of the definition, when found.
    pub line: Option<u32>,
}

impl SourceRoots {
    pub fn new(roots: Vec<PathBuf>) -> Self {
        let mut unique: Vec<PathBuf> = Vec::new();
        for r in roots.into_iter().filter_map(|r| r.canonicalize().ok()) {
            if r.is_dir() && !unique.contains(&r) {
                unique.push(r);
            }
        }
        SourceRoots {
            roots: unique,
            memo: Arc::default(),
        }
    }

    /// The workspace, then the package folders of the Python environment: asked of
    /// `interpreter` when the user named one (a setting, a flag, `$SKILL_LSP_PYTHON`),
    /// else found by reading the file system ([`python_env::package_dirs`]). Nothing in
    /// the workspace is ever executed: its `.venv/bin/python` may be any program.
    pub fn discover(workspace: Option<&Path>, interpreter: Option<&Path>) -> Self {
        let mut roots: Vec<PathBuf> = workspace.map(Path::to_path_buf).into_iter().collect();
        match interpreter.and_then(python_sys_path) {
            Some(paths) => roots.extend(paths),
            None => roots.extend(python_env::package_dirs(workspace)),
        }
        SourceRoots::new(roots)
    }

    pub fn roots(&self) -> &[PathBuf] {
        &self.roots
    }

    /// The file of a repository-relative path (`ase/parallel.py`) under some root.
    pub fn resolve(&self, rel: &str) -> Option<PathBuf> {
        if rel.starts_with('/') || rel.split('/').any(|c| c == "..") {
            return None;
        }
        self.roots.iter().find_map(|root| {
            let path = root.join(rel);
            path.is_file().then_some(path)
        })
    }

    /// Resolves `rel` and finds the definition of `name` in it.
    pub fn locate(&self, rel: &str, name: Option<&str>) -> Option<Located> {
        let key = (rel.to_string(), name.map(str::to_string));
        memoized(
            &self.memo,
            |m| &mut m.located,
            key,
            || {
                let file = self.resolve(rel)?;
                let line = name.and_then(|n| definition_line(&file, n));
                Some(Located { file, line })
            },
        )
    }

    /// The file defining a qualified name, following re-exports
    /// (`ase.io.read` -> `ase/io/formats.py`), as (relative path, location).
    pub fn defining_file(&self, qualified: &str) -> Option<(String, Located)> {
        memoized(
            &self.memo,
            |m| &mut m.defining,
            qualified.to_string(),
            || {
                let name = crate::keys::last_component(qualified);
                module_files(qualified).into_iter().find_map(|rel| {
                    let file = self.resolve(&rel)?;
                    Some(self.follow(&rel, file, name, 0))
                })
            },
        )
    }

    fn follow(&self, rel: &str, file: PathBuf, name: &str, depth: u32) -> (String, Located) {
        // One capped read serves both the definition scan and the re-export parse.
        let text = read_source(&file);
        let line = text.as_deref().and_then(|t| definition_line_in(t, name));
        if line.is_some() {
            return (rel.to_string(), Located { file, line });
        }
        if depth < 3 {
            if let Some(module) = text.as_deref().and_then(|t| reexport_module(t, rel, name)) {
                for next in module_paths(&module) {
                    if let Some(next_file) = self.resolve(&next) {
                        return self.follow(&next, next_file, name, depth + 1);
                    }
                }
            }
        }
        (rel.to_string(), Located { file, line: None })
    }
}

/// Files that could hold a qualified name: `a.b.c` -> `a/b.py`, `a/b/__init__.py`,
/// `a/b/c.py`... longest module first. A class method `a.b.C.m` tries `a/b.py` too.
pub fn module_files(qualified: &str) -> Vec<String> {
    let parts: Vec<&str> = qualified.split('.').collect();
    let mut out = Vec::new();
    for end in (1..parts.len()).rev() {
        out.extend(module_paths(&parts[..end].join(".")));
    }
    out
}

fn module_paths(module: &str) -> Vec<String> {
    let base = module.replace('.', "/");
    vec![format!("{base}.py"), format!("{base}/__init__.py")]
}

/// Largest source file read, for a definition line or a re-export: package modules are
/// far smaller; a workspace can hold a 2 GB (sparse) file named like one.
pub const MAX_SOURCE_BYTES: u64 = crate::code::MAX_PARSED_BYTES as u64;

/// The text of a package source file: a regular file (not a FIFO or a device, symlinks
/// followed) of at most [`MAX_SOURCE_BYTES`], never more than that read even when it
/// grows meanwhile. Every source read goes through here.
pub fn read_source(file: &Path) -> Option<String> {
    let bytes = crate::pack::read_capped(file, MAX_SOURCE_BYTES).ok()?;
    Some(String::from_utf8_lossy(&bytes).into_owned())
}

/// Largest script a job names that is read for its imports (they sit at the top).
const MAX_SCRIPT_BYTES: u64 = 1024 * 1024;

/// The top-level modules the Python scripts a job runs import (`python run.py` in
/// `job.sh`: what `run.py` imports). Only relative paths that stay inside the job
/// script's folder are read, each capped and checked like every other read.
pub fn imports_of_scripts(folder: &Path, scripts: &[String]) -> Vec<String> {
    let Ok(root) = folder.canonicalize() else {
        return Vec::new();
    };
    let mut modules = Vec::new();
    for script in scripts {
        let relative = Path::new(script);
        if relative.is_absolute() {
            continue;
        }
        let Ok(path) = root.join(relative).canonicalize() else {
            continue;
        };
        if !path.starts_with(&root) {
            continue;
        }
        let Ok(bytes) = crate::pack::read_capped(&path, MAX_SCRIPT_BYTES) else {
            continue;
        };
        let text = String::from_utf8_lossy(&bytes).into_owned();
        if let Some(doc) = crate::code::python::PyDocument::parse(text) {
            modules.extend(doc.analysis.imported().iter().cloned());
        }
    }
    modules.sort();
    modules.dedup();
    modules
}

/// Line of `def name`, `class name` or a top-level `name =`.
pub fn definition_line(file: &Path, name: &str) -> Option<u32> {
    definition_line_in(&read_source(file)?, name)
}

fn definition_line_in(text: &str, name: &str) -> Option<u32> {
    for (i, line) in text.lines().enumerate() {
        let t = line.trim_start();
        for prefix in ["def ", "async def ", "class "] {
            if let Some(rest) = t.strip_prefix(prefix) {
                if rest.starts_with(name) && rest[name.len()..].starts_with(['(', ':']) {
                    return Some(i as u32 + 1);
                }
            }
        }
        if line.starts_with(name) && line[name.len()..].trim_start().starts_with('=') {
            return Some(i as u32 + 1);
        }
    }
    None
}

/// `from X import ..., name, ...` in `text` (the file at `rel`): the absolute module X.
fn reexport_module(text: &str, rel: &str, name: &str) -> Option<String> {
    let module = crate::code::python::from_import_module(text, name)?;
    let package: Vec<&str> = {
        let mut p: Vec<&str> = rel.trim_end_matches(".py").split('/').collect();
        p.pop();
        p
    };
    let dots = module.chars().take_while(|c| *c == '.').count();
    if dots == 0 {
        return Some(module);
    }
    let keep = package.len().checked_sub(dots - 1)?;
    let mut parts: Vec<&str> = package[..keep].to_vec();
    let tail = &module[dots..];
    if !tail.is_empty() {
        parts.push(tail);
    }
    Some(parts.join("."))
}

/// `sys.path` of an interpreter, with a hard time limit.
fn python_sys_path(python: &Path) -> Option<Vec<PathBuf>> {
    let mut child = Command::new(python)
        .args([
            "-I",
            "-c",
            "import sys, json; print(json.dumps([p for p in sys.path if p]))",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(10)),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                tracing::warn!(
                    "{} did not answer for sys.path within 5 s",
                    python.display()
                );
                return None;
            }
        }
    }
    let output = child.wait_with_output().ok()?;
    let paths: Vec<String> = serde_json::from_slice(&output.stdout).ok()?;
    Some(paths.into_iter().map(PathBuf::from).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn follows_reexports_to_the_definition() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("ase/io")).unwrap();
        std::fs::write(root.join("ase/__init__.py"), "").unwrap();
        std::fs::write(
            root.join("ase/io/__init__.py"),
            "from ase.io.trajectory import Trajectory\nfrom .formats import (\n    read,\n    write,\n)\n",
        )
        .unwrap();
        std::fs::write(
            root.join("ase/io/formats.py"),
            "import x\n\n\ndef read(filename, index=None):\n    pass\n",
        )
        .unwrap();
        let roots = SourceRoots::new(vec![root.to_path_buf()]);
        let (rel, loc) = roots.defining_file("ase.io.read").unwrap();
        assert_eq!(rel, "ase/io/formats.py");
        assert_eq!(loc.line, Some(4));
        assert!(roots.resolve("../etc/passwd").is_none());
        assert_eq!(module_files("ase.io.read")[0], "ase/io.py");
    }
}
