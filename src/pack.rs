//! Finding and reading skill packs: on disk (walked with `ignore`, so a pack's
//! .gitignore is honoured) or embedded in the binary. Every file is checked before it is
//! parsed (inside the pack root, a regular file, not too large, UTF-8, not empty); a bad
//! file is reported and skipped, the rest of the pack is read.

use crate::docs_tree;
use crate::keys::{alnum_lower, is_identifier};
use crate::model::{Entry, EntryKind, Pack, Problem, Severity, Skill};
use crate::skill::{references, skill_md};
use crate::symbols;
use include_dir::{include_dir, Dir};
use std::path::{Path, PathBuf};
use thiserror::Error;

/// SKILL.md and reference files above this size are reported and skipped.
pub const MAX_FILE_BYTES: u64 = 2 * 1024 * 1024;
/// At most this many markdown files are read from one pack.
pub const MAX_FILES_PER_PACK: usize = 5_000;

static EMBEDDED: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/index");

#[derive(Debug, Error)]
pub enum PackError {
    #[error("{0}: no such directory")]
    Missing(String),
    #[error("{0}: neither a repository holding skills/ nor a skills folder (no */SKILL.md found)")]
    NotAPack(String),
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

/// Where a pack lives on disk.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PackLocation {
    /// The repository root (cited paths resolve against it).
    pub root: PathBuf,
    pub skills_dir: PathBuf,
}

impl PackLocation {
    /// `dir` is a repository root holding `skills/`, or a skills folder itself.
    pub fn from_dir(dir: &Path) -> Result<Self, PackError> {
        let shown = dir.display().to_string();
        if !dir.is_dir() {
            return Err(PackError::Missing(shown));
        }
        let dir = dir.canonicalize().map_err(|source| PackError::Io {
            path: shown.clone(),
            source,
        })?;
        let nested = dir.join("skills");
        if nested.is_dir() {
            return Ok(PackLocation {
                root: dir,
                skills_dir: nested,
            });
        }
        if !holds_skills(&dir) {
            return Err(PackError::NotAPack(shown));
        }
        // A folder named `skills` inside a repository: the repository is the root.
        let root = match (dir.file_name(), dir.parent()) {
            (Some(name), Some(parent)) if name == "skills" => parent.to_path_buf(),
            _ => dir.clone(),
        };
        Ok(PackLocation {
            root,
            skills_dir: dir,
        })
    }
}

fn holds_skills(dir: &Path) -> bool {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .any(|e| e.path().join("SKILL.md").is_file())
        })
        .unwrap_or(false)
}

/// The packs of a workspace: `skills/`, `.claude/skills`, `.agents/skills`.
pub fn workspace_packs(workspace: &Path) -> Vec<PackLocation> {
    [".", ".claude", ".agents"]
        .iter()
        .map(|sub| workspace.join(sub))
        .filter_map(|dir| {
            let skills = dir.join("skills");
            (skills.is_dir() && holds_skills(&skills))
                .then(|| PackLocation::from_dir(&skills).ok())
                .flatten()
        })
        .collect()
}

/// A file of a pack, from disk or from the binary.
struct PackFile {
    /// Path relative to the skills folder, `/`-separated.
    rel: String,
    /// What problems and entries name it by (absolute path, or `embedded:...`).
    shown: String,
    bytes: Result<Vec<u8>, String>,
}

/// Reads a pack from disk. Problems are collected; only an unusable location is an error.
pub fn read_dir_pack(location: &PackLocation) -> (Pack, Vec<Problem>) {
    let mut problems = Vec::new();
    let files = disk_files(location, &mut problems);
    let name = pack_name(&location.root, &location.skills_dir);
    let mut pack = assemble(
        name,
        location.root.display().to_string(),
        location.skills_dir.display().to_string(),
        files,
        false,
        &mut problems,
    );
    // What the repository's packaging files call its packages, beside what the skills say.
    for module in crate::manifest::declared_modules(&location.root) {
        if !pack.modules.contains(&module) {
            pack.modules.push(module);
        }
    }
    symbols::annotate_pack(&mut pack);
    pack.doc_symbols = docs_tree::documented_symbols(&location.root, &pack);
    merge_doc_map_symbols(&mut pack);
    (pack, problems)
}

/// The default packs compiled into the binary.
pub fn embedded_packs() -> Vec<(Pack, Vec<Problem>)> {
    EMBEDDED
        .dirs()
        .filter_map(|package| {
            let skills = package.get_dir(package.path().join("skills"))?;
            let mut files = Vec::new();
            collect_embedded(skills, skills.path(), &mut files);
            let name = package.path().display().to_string();
            let mut problems = Vec::new();
            let mut pack = assemble(
                name.clone(),
                format!("embedded:{name}"),
                format!("embedded:{name}/skills"),
                files,
                true,
                &mut problems,
            );
            symbols::annotate_pack(&mut pack);
            merge_doc_map_symbols(&mut pack);
            Some((pack, problems))
        })
        .collect()
}

fn collect_embedded(dir: &Dir<'static>, base: &Path, out: &mut Vec<PackFile>) {
    for file in dir.files() {
        let rel = file
            .path()
            .strip_prefix(base)
            .unwrap_or(file.path())
            .to_string_lossy()
            .replace('\\', "/");
        out.push(PackFile {
            shown: format!("embedded:{}", file.path().display()),
            rel,
            bytes: Ok(file.contents().to_vec()),
        });
    }
    for sub in dir.dirs() {
        collect_embedded(sub, base, out);
    }
}

/// Whether a path relative to the skills folder is one we read.
fn wanted(rel: &str) -> bool {
    let parts: Vec<&str> = rel.split('/').collect();
    match parts.as_slice() {
        [_, "SKILL.md"] => true,
        [_, "references", rest @ ..] => !rest.is_empty() && rel.ends_with(".md"),
        _ => false,
    }
}

fn disk_files(location: &PackLocation, problems: &mut Vec<Problem>) -> Vec<PackFile> {
    let root = &location.root;
    let mut files = Vec::new();
    let walker = skills_walker(location);
    for item in walker {
        let item = match item {
            Ok(item) => item,
            Err(err) => {
                problems.push(Problem {
                    file: location.skills_dir.display().to_string(),
                    line: 0,
                    severity: Severity::Warning,
                    message: format!("cannot walk: {err}"),
                });
                continue;
            }
        };
        let path = item.path();
        let Ok(rel) = path.strip_prefix(&location.skills_dir) else {
            continue;
        };
        let rel = rel.to_string_lossy().replace('\\', "/");
        if !wanted(&rel) {
            continue;
        }
        if files.len() >= MAX_FILES_PER_PACK {
            problems.push(Problem {
                file: path.display().to_string(),
                line: 0,
                severity: Severity::Warning,
                message: format!(
                    "more than {MAX_FILES_PER_PACK} files in this pack; the rest are skipped"
                ),
            });
            break;
        }
        files.push(PackFile {
            shown: path.display().to_string(),
            bytes: read_checked(path, root),
            rel,
        });
    }
    files
}

/// The text of a skill file as the catalog read it: from the binary for an embedded pack
/// (`embedded:ase/skills/ase-index/SKILL.md`), else from disk, inside the pack's root
/// and capped like every pack file.
pub fn skill_file_text(pack: &Pack, file: &str) -> Result<String, String> {
    let bytes = match file.strip_prefix("embedded:") {
        Some(rel) if pack.embedded => EMBEDDED
            .get_file(rel)
            .map(|f| f.contents().to_vec())
            .ok_or_else(|| format!("{file}: not in the embedded packs"))?,
        _ => {
            let root = Path::new(&pack.root)
                .canonicalize()
                .map_err(|e| format!("{}: {e}", pack.root))?;
            read_checked(Path::new(file), &root)?
        }
    };
    String::from_utf8(bytes).map_err(|_| format!("{file}: not UTF-8"))
}

/// Reads a file only if it is a regular file inside `root` and not too large.
fn read_checked(path: &Path, root: &Path) -> Result<Vec<u8>, String> {
    read_in_root(path, root, MAX_FILE_BYTES)
}

/// Reads `path` only if, symlinks followed, it is a regular file inside `root` (not a
/// FIFO, which would block, nor a device such as `/dev/zero`) of at most `limit` bytes;
/// never more than `limit` bytes are read, even from a file growing meanwhile.
pub fn read_in_root(path: &Path, root: &Path, limit: u64) -> Result<Vec<u8>, String> {
    let real = path
        .canonicalize()
        .map_err(|e| format!("cannot resolve: {e}"))?;
    if !real.starts_with(root) {
        return Err(format!(
            "points outside the pack root ({}); not read",
            real.display()
        ));
    }
    read_capped(&real, limit)
}

/// Reads `path` only if it is a regular file (symlinks followed; not a FIFO, which would
/// block, nor a device) of at most `limit` bytes, through `take(limit)`: the one capped
/// reader behind pack files ([`read_in_root`]) and package sources
/// (`source::read_source`).
pub fn read_capped(path: &Path, limit: u64) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let meta = std::fs::metadata(path).map_err(|e| format!("cannot stat: {e}"))?;
    if !meta.is_file() {
        return Err("not a regular file".into());
    }
    if meta.len() > limit {
        return Err(format!(
            "{} bytes is larger than the {limit} byte limit; skipped",
            meta.len()
        ));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    std::fs::File::open(path)
        .and_then(|f| f.take(limit).read_to_end(&mut bytes))
        .map_err(|e| format!("cannot read: {e}"))?;
    Ok(bytes)
}

/// Text of a file: UTF-8 (BOM stripped, CRLF normalised) or a reason.
fn decode(bytes: Vec<u8>) -> Result<String, (u32, String)> {
    let text = String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let line = e.as_bytes()[..valid]
            .iter()
            .filter(|&&b| b == b'\n')
            .count() as u32
            + 1;
        (line, format!("not valid UTF-8 (byte {valid})"))
    })?;
    if text.as_bytes().contains(&0) {
        return Err((1, "binary content (NUL bytes), not markdown".into()));
    }
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    Ok(if text.contains('\r') {
        text.replace("\r\n", "\n").replace('\r', "\n")
    } else {
        text.to_string()
    })
}

fn assemble(
    name: String,
    root: String,
    skills_dir: String,
    files: Vec<PackFile>,
    embedded: bool,
    problems: &mut Vec<Problem>,
) -> Pack {
    let mut skills: Vec<Skill> = Vec::new();
    let mut references_of: Vec<(String, Vec<Entry>)> = Vec::new();
    for file in files {
        let report = |problems: &mut Vec<Problem>, line: u32, message: String| {
            problems.push(Problem {
                file: file.shown.clone(),
                line,
                severity: Severity::Error,
                message,
            })
        };
        let text = match file.bytes.map_err(|m| (0, m)).and_then(decode) {
            Ok(text) => text,
            Err((line, message)) => {
                report(problems, line, message);
                continue;
            }
        };
        let mut parts = file.rel.splitn(2, '/');
        let folder = parts.next().unwrap_or_default().to_string();
        let inner = parts.next().unwrap_or_default();
        if inner == "SKILL.md" {
            match skill_md::read(&text, &file.shown, &folder, problems) {
                Ok(skill) => skills.push(skill),
                Err(problem) => problems.push(problem),
            }
        } else {
            if text.trim().is_empty() {
                report(problems, 1, "reference file is empty".into());
                continue;
            }
            let file_name = inner.rsplit('/').next().unwrap_or(inner);
            references_of.push((folder, references::read(&text, &file.shown, file_name)));
        }
    }
    for (folder, entries) in references_of {
        let skills_path = |s: &Skill| s.file.rsplit('/').nth(1) == Some(folder.as_str());
        match skills.iter_mut().find(|s| skills_path(s)) {
            Some(skill) => skill.entries.extend(entries),
            None => {
                if let Some(first) = entries.first() {
                    problems.push(Problem {
                        file: first.file.clone(),
                        line: 0,
                        severity: Severity::Warning,
                        message: format!("references of `{folder}` have no readable SKILL.md beside them; not indexed"),
                    });
                }
            }
        }
    }
    let mut seen = std::collections::HashSet::new();
    for skill in &skills {
        if !seen.insert(skill.name.clone()) {
            problems.push(Problem {
                file: skill.file.clone(),
                line: 2,
                severity: Severity::Warning,
                message: format!("skill name `{}` is used twice in this pack", skill.name),
            });
        }
    }
    let modules = modules_of(&name, &skills);
    Pack {
        name,
        root,
        skills_dir,
        modules,
        skills,
        doc_symbols: Vec::new(),
        embedded,
    }
}

/// Doc maps may list what a doc documents (`| symbols: ase.io.read, ...`): the embedded
/// packs do, as they ship without a documentation tree.
fn merge_doc_map_symbols(pack: &mut Pack) {
    let mut extra: Vec<(String, Vec<String>)> = Vec::new();
    for (_, entry) in pack.entries() {
        let (EntryKind::DocMap, Some(path)) = (entry.kind, entry.path()) else {
            continue;
        };
        let names: Vec<String> = entry
            .symbols
            .iter()
            .filter(|s| s.kind == crate::model::SymbolKind::Qualified)
            .map(|s| s.name.clone())
            .collect();
        if !names.is_empty() {
            extra.push((path.to_string(), names));
        }
    }
    for (path, names) in extra {
        match pack.doc_symbols.iter_mut().find(|(p, _)| *p == path) {
            Some((_, list)) => {
                for n in names {
                    if !list.contains(&n) {
                        list.push(n);
                    }
                }
            }
            None => pack.doc_symbols.push((path, names)),
        }
    }
}

/// The package name: the repository folder's name, or the skills' common prefix.
fn pack_name(root: &Path, skills_dir: &Path) -> String {
    let folder = |p: &Path| p.file_name().map(|n| n.to_string_lossy().to_string());
    let from_root = folder(root).filter(|n| n != "skills" && !n.starts_with('.'));
    if let Some(name) = from_root {
        return name;
    }
    let names: Vec<String> = std::fs::read_dir(skills_dir)
        .map(|d| {
            d.flatten()
                .filter(|e| e.path().join("SKILL.md").is_file())
                .map(|e| e.file_name().to_string_lossy().to_string())
                .collect()
        })
        .unwrap_or_default();
    let prefix = names
        .first()
        .and_then(|n| n.split('-').next())
        .map(str::to_string)
        .unwrap_or_else(|| "skills".into());
    if names
        .iter()
        .all(|n| n.split('-').next() == Some(prefix.as_str()))
    {
        prefix
    } else {
        "skills".into()
    }
}

/// The Python top-level modules a pack is about: its own name, normalised, and the
/// package folders its skills send readers to (`Optional deeper inspection: ase`).
fn modules_of(name: &str, skills: &[Skill]) -> Vec<String> {
    let normalised: String = name
        .split('.')
        .next()
        .unwrap_or(name)
        .to_lowercase()
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { '_' })
        .collect();
    let mut modules = vec![normalised];
    const NOT_MODULES: [&str; 10] = [
        "src",
        "tools",
        "source",
        "lib",
        "docs",
        "doc",
        "tests",
        "test",
        "examples",
        "tutorials",
    ];
    for skill in skills {
        for entry in &skill.entries {
            if entry.kind != EntryKind::DeeperInspection {
                continue;
            }
            for span in symbols::inline_code(&entry.text) {
                let is_module = !span.is_empty()
                    && span.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                    && !NOT_MODULES.contains(&span);
                if is_module && !modules.iter().any(|m| m == span) {
                    modules.push(span.to_string());
                }
            }
        }
    }
    // What the skills themselves say the package is: modules their examples import and
    // their inline code names (`uproot.open`), when that name is the pack's or the skill
    // names' (a repository `uproot5` with skills `uproot-*` is about `uproot`;
    // `tvb-root` about `tvb`; `drake` about `pydrake`), and the package folders of the
    // Python sources they cite (`src/uproot/reading.py`).
    let prefix = common_skill_prefix(skills);
    let identities: Vec<String> = [Some(name), prefix.as_deref()]
        .into_iter()
        .flatten()
        .map(alnum_lower)
        .filter(|n| n.len() >= MIN_IDENTITY_LEN)
        .collect();
    let related = |module: &str| {
        let m = alnum_lower(module);
        m.len() >= MIN_IDENTITY_LEN
            && identities
                .iter()
                .any(|id| id.starts_with(&m) || m.contains(id.as_str()))
    };
    let mut source_folders: std::collections::BTreeMap<String, usize> = Default::default();
    // Modules the skills' shell examples run (`python -m tools.plot_Bscan`): the
    // package's own, even under a folder name that is usually no package (`tools`).
    let mut run_modules: Vec<String> = Vec::new();
    for skill in skills {
        for entry in &skill.entries {
            let shell = crate::code::FileKind::of_example(entry.lang.as_deref(), &entry.text)
                == Some(crate::code::FileKind::Shell);
            if entry.kind == EntryKind::Example && shell {
                if let Ok(code) =
                    crate::code::Code::parse(crate::code::FileKind::Shell, entry.text.clone())
                {
                    run_modules.extend(code.imported());
                }
            }
            let code_modules = match entry.kind {
                EntryKind::Example => imported_tops(&entry.text),
                _ => Vec::new(),
            };
            let named = symbols::inline_code(&entry.text)
                .into_iter()
                .filter_map(|span| span.split_once('.').map(|(top, _)| top))
                .filter(|top| is_identifier(top));
            for module in code_modules.iter().map(String::as_str).chain(named) {
                if related(module) && !modules.iter().any(|m| m == module) {
                    modules.push(module.to_string());
                }
            }
            for path in &entry.cited_paths {
                if let Some(folder) = python_package_folder(path) {
                    *source_folders.entry(folder.to_string()).or_default() += 1;
                }
            }
        }
    }
    for (folder, cited) in source_folders {
        let run = run_modules.contains(&folder);
        let wanted = cited >= MIN_CITED_SOURCES || related(&folder) || run;
        let generic = NOT_MODULES.contains(&folder.as_str()) && !run;
        if wanted && !generic && !modules.contains(&folder) {
            modules.push(folder);
        }
    }
    modules
}

/// Shortest name that can identify a package by prefix (`arc` of
/// `arc-alkali-rydberg-calculator`): shorter ones (`a`, `np`) match too much.
const MIN_IDENTITY_LEN: usize = 3;

/// Python source files a pack must cite under one folder for that folder to be taken as
/// one of its packages without its name matching the pack's.
const MIN_CITED_SOURCES: usize = 3;

/// The first `-` part every skill name shares (`uproot` of `uproot-getting-started`).
fn common_skill_prefix(skills: &[Skill]) -> Option<String> {
    let first = skills.first()?.name.split('-').next()?.to_string();
    skills
        .iter()
        .all(|s| s.name.split('-').next() == Some(first.as_str()))
        .then_some(first)
}

/// Top-level modules an example imports: Python (`import a.b`, `from a.b import c`),
/// Julia (`using A, B`, `import A: x`) and Fortran (`use a, only: x`); Julia's and
/// Fortran's lowercased, as their keys are.
fn imported_tops(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in code.lines() {
        let t = line.trim_start();
        let t = t.strip_prefix(">>> ").unwrap_or(t);
        let (names, lowercase) = if let Some(rest) = t.strip_prefix("import ") {
            let rest = rest.split(':').next().unwrap_or(rest);
            (rest.split(',').map(str::trim).collect::<Vec<_>>(), false)
        } else if let Some(rest) = t.strip_prefix("from ") {
            (rest.split_whitespace().next().into_iter().collect(), false)
        } else if let Some(rest) = t.strip_prefix("using ") {
            let rest = rest.split(':').next().unwrap_or(rest);
            (rest.split(',').map(str::trim).collect(), true)
        } else if let Some(rest) = t.strip_prefix("use ") {
            (
                rest.split(',').next().into_iter().map(str::trim).collect(),
                true,
            )
        } else {
            continue;
        };
        for name in names {
            let top = name.split([' ', '.']).next().unwrap_or("");
            if is_identifier(top) {
                out.push(if lowercase {
                    top.to_ascii_lowercase()
                } else {
                    top.to_string()
                });
            }
        }
    }
    out
}

/// The package folder of a cited Python source path: `src/uproot/reading.py` ->
/// `uproot`, `ase/io/formats.py` -> `ase`; `None` for top-level scripts and non-Python.
fn python_package_folder(path: &str) -> Option<&str> {
    if !(path.ends_with(".py") || path.ends_with(".pyx") || path.ends_with(".pyi")) {
        return None;
    }
    let mut parts: Vec<&str> = path.split('/').collect();
    parts.pop();
    let parts = match parts.first() {
        Some(&"src") | Some(&"lib") | Some(&"python") => &parts[1..],
        _ => &parts[..],
    };
    parts.first().copied().filter(|f| is_identifier(f))
}

/// The walk over a skills folder: hidden entries and .gitignore'd ones skipped (even
/// outside a git checkout), links not followed, bounded depth, stable order.
fn skills_walker(location: &PackLocation) -> ignore::Walk {
    ignore::WalkBuilder::new(&location.skills_dir)
        .hidden(true)
        .require_git(false)
        .follow_links(false)
        .max_depth(Some(6))
        .sort_by_file_name(|a, b| a.cmp(b))
        .filter_entry(|entry| {
            // Only `<skill>/SKILL.md` and `<skill>/references/**` are read (`wanted`): the
            // walk never enters a skill's assets, scripts or data, however many files they
            // hold, so the 2 s poller stays cheap on a skills folder of 200,000 files.
            entry.depth() != 2
                || entry.file_name() == "references"
                || !entry.file_type().is_some_and(|t| t.is_dir())
        })
        .build()
}

/// Modification time in nanoseconds since the epoch (0 when unknown).
pub fn mtime_nanos(meta: &std::fs::Metadata) -> u128 {
    meta.modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map(|d| d.as_nanos())
        .unwrap_or(0)
}

/// A fingerprint of the files a pack would be read from (paths, sizes, mtimes), cheap to
/// compute: a walk with stats, no reads.
pub fn fingerprint(location: &PackLocation) -> String {
    let mut hasher = blake3::Hasher::new();
    hasher.update(env!("CARGO_PKG_VERSION").as_bytes());
    let walker = skills_walker(location);
    for item in walker.flatten() {
        let Ok(rel) = item.path().strip_prefix(&location.skills_dir) else {
            continue;
        };
        let rel = rel.to_string_lossy();
        if !wanted(&rel) {
            continue;
        }
        hasher.update(rel.as_bytes());
        if let Ok(meta) = item.path().metadata() {
            hasher.update(&meta.len().to_le_bytes());
            hasher.update(&mtime_nanos(&meta).to_le_bytes());
        }
    }
    // The packaging files say what the pack is about too.
    for file in crate::manifest::FILES {
        if let Ok(meta) = location.root.join(file).metadata() {
            hasher.update(file.as_bytes());
            hasher.update(&meta.len().to_le_bytes());
            hasher.update(&mtime_nanos(&meta).to_le_bytes());
        }
    }
    hasher.finalize().to_hex().to_string()
}

/// The fingerprint of the embedded packs: their bytes, as compiled in.
pub fn embedded_fingerprint() -> String {
    fn walk(dir: &Dir<'static>, hasher: &mut blake3::Hasher) {
        for file in dir.files() {
            hasher.update(file.path().to_string_lossy().as_bytes());
            hasher.update(file.contents());
        }
        for sub in dir.dirs() {
            walk(sub, hasher);
        }
    }
    let mut hasher = blake3::Hasher::new();
    hasher.update(env!("CARGO_PKG_VERSION").as_bytes());
    walk(&EMBEDDED, &mut hasher);
    hasher.finalize().to_hex().to_string()
}

/// A cited repository-relative path in one spelling: `.` and empty components dropped
/// (`doc/./a.rst`, `doc//a.rst` -> `doc/a.rst`); `None` for absolute paths and `..`.
pub fn normalize_rel(rel: &str) -> Option<String> {
    if rel.starts_with('/') || rel.starts_with('\\') {
        return None;
    }
    let mut parts = Vec::new();
    for part in rel.split('/') {
        match part {
            "" | "." => {}
            ".." => return None,
            p => parts.push(p),
        }
    }
    (!parts.is_empty()).then(|| parts.join("/"))
}

/// A path under `root`, as a file or folder inside it once symlinks are followed: the
/// one resolver every cited path goes through (links, hovers, diagnostics, actions).
/// `..`, absolute paths and links leaving the root resolve to nothing.
/// A path written relative to `dir` (citations and markdown links may climb:
/// `../SKILL.md`), as a file or folder inside `root` (canonical) once `..` and symlinks
/// are resolved. Only looked at, never read.
pub fn resolve_from(dir: &Path, rel: &str, canonical_root: &Path) -> Option<PathBuf> {
    if rel.starts_with(['/', '\\']) {
        return None;
    }
    let real = dir.join(rel).canonicalize().ok()?;
    real.starts_with(canonical_root).then_some(real)
}

pub fn resolve_under(root: &Path, rel: &str) -> Option<PathBuf> {
    let rel = normalize_rel(rel)?;
    let root = root.canonicalize().ok()?;
    let real = root.join(rel).canonicalize().ok()?;
    real.starts_with(&root).then_some(real)
}

/// A repository-relative path cited by a pack, as a file inside the pack's root, if it
/// exists there. Absolute paths, `..` and links leaving the root resolve to nothing.
pub fn resolve_in_pack(pack: &Pack, rel: &str) -> Option<PathBuf> {
    if pack.embedded {
        return None;
    }
    resolve_under(Path::new(&pack.root), rel).filter(|p| p.is_file())
}

/// Writes the embedded packs under `base` (once per content fingerprint) so editors can
/// open them, and returns the folder; `embedded:<path>` maps to `<folder>/<path>`.
pub fn materialize_embedded(base: &Path) -> std::io::Result<PathBuf> {
    let dir = base.join(format!("embedded-{}", &embedded_fingerprint()[..16]));
    if dir.join(".complete").is_file() {
        return Ok(dir);
    }
    fn write(d: &Dir<'static>, dir: &Path) -> std::io::Result<()> {
        for file in d.files() {
            let target = dir.join(file.path());
            if let Some(parent) = target.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(target, file.contents())?;
        }
        for sub in d.dirs() {
            write(sub, dir)?;
        }
        Ok(())
    }
    write(&EMBEDDED, &dir)?;
    std::fs::write(dir.join(".complete"), b"")?;
    Ok(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_packs_read_cleanly() {
        let packs = embedded_packs();
        let names: Vec<_> = packs.iter().map(|(p, _)| p.name.as_str()).collect();
        assert!(
            names.contains(&"ase") && names.contains(&"oqupy"),
            "{names:?}"
        );
        for (pack, problems) in &packs {
            assert!(problems.is_empty(), "{problems:?}");
            assert!(pack
                .skills
                .iter()
                .any(|s| s.count(crate::model::EntryKind::Pitfall) > 0));
        }
    }

    #[test]
    fn decode_rejects_bad_bytes_and_normalises() {
        assert!(decode(vec![b'a', b'\n', 0xff]).unwrap_err().0 == 2);
        assert_eq!(
            decode("\u{feff}a\r\nb".as_bytes().to_vec()).unwrap(),
            "a\nb"
        );
        assert!(decode(vec![b'a', 0, b'b']).is_err());
    }

    #[test]
    fn cited_paths_have_one_spelling() {
        assert_eq!(normalize_rel("doc/./a.rst").as_deref(), Some("doc/a.rst"));
        assert_eq!(normalize_rel("doc//a.rst/").as_deref(), Some("doc/a.rst"));
        assert_eq!(normalize_rel("references/../../etc/passwd"), None);
        assert_eq!(normalize_rel("/etc/passwd"), None);
        assert_eq!(normalize_rel("./"), None);
    }

    #[test]
    fn the_walk_never_enters_a_skills_other_folders() {
        let dir = tempfile::tempdir().unwrap();
        let skill = dir.path().join("skills/x");
        for sub in ["assets/data", "scripts", "references/deep"] {
            std::fs::create_dir_all(skill.join(sub)).unwrap();
        }
        std::fs::write(skill.join("SKILL.md"), "---\nname: x\n---\n").unwrap();
        std::fs::write(skill.join("references/deep/doc_map.md"), "x").unwrap();
        for i in 0..50 {
            std::fs::write(skill.join(format!("assets/data/{i}.md")), "x").unwrap();
            std::fs::write(skill.join(format!("scripts/{i}.py")), "x").unwrap();
        }
        let location = PackLocation {
            root: dir.path().to_path_buf(),
            skills_dir: dir.path().join("skills"),
        };
        let walked: Vec<String> = skills_walker(&location)
            .flatten()
            .filter_map(|e| {
                let rel = e.path().strip_prefix(&location.skills_dir).ok()?;
                Some(rel.to_string_lossy().into_owned())
            })
            .collect();
        assert!(
            walked.contains(&"x/references/deep/doc_map.md".to_string()),
            "{walked:?}"
        );
        assert!(walked.contains(&"x/SKILL.md".to_string()), "{walked:?}");
        assert!(
            !walked
                .iter()
                .any(|p| p.starts_with("x/assets/") || p.starts_with("x/scripts/")),
            "{walked:?}"
        );
    }

    #[test]
    fn wanted_files() {
        assert!(wanted("x/SKILL.md"));
        assert!(wanted("x/references/doc_map.md"));
        assert!(!wanted("x/agents/openai.yaml"));
        assert!(!wanted("README.md"));
        assert!(!wanted("x/assets/README.md"));
    }
}
