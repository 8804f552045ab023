//! What a repository's own packaging files say its packages are called, for a pack whose
//! folder name is not its package's (`fluxonium-study/`, `owner+name/`, a `foo-toolkit`
//! repository of the `foo` module): `pyproject.toml`, `setup.cfg`, `setup.py`, a `src/`
//! or flat layout of Python packages, Julia's `Project.toml`, Fortran's `fpm.toml`,
//! CMake's and Meson's `project(...)`. Only files directly in the pack's root are read,
//! each capped and type-checked like pack files; nothing is executed (`setup.py` is read
//! as text).

use std::path::Path;

/// The packaging files read, in the pack's root (their stats join the pack's fingerprint).
pub const FILES: [&str; 8] = [
    "pyproject.toml",
    "Project.toml",
    "JuliaProject.toml",
    "fpm.toml",
    "setup.cfg",
    "setup.py",
    "CMakeLists.txt",
    "meson.build",
];

/// Largest packaging file read.
const MAX_MANIFEST_BYTES: u64 = 256 * 1024;

/// Package folders of most repositories that are no importable package of theirs.
const NOT_PACKAGES: [&str; 8] = [
    "tests",
    "test",
    "docs",
    "doc",
    "examples",
    "benchmarks",
    "scripts",
    "tools",
];

/// The module names the packaging files in `root` declare, lowercased, in a stable order.
pub fn declared_modules(root: &Path) -> Vec<String> {
    let Ok(root) = root.canonicalize() else {
        return Vec::new();
    };
    let mut out: Vec<String> = Vec::new();
    let mut add = |name: &str| {
        let module = module_name(name);
        if module.len() >= 2 && !out.contains(&module) {
            out.push(module);
        }
    };
    let read = |file: &str| -> Option<String> {
        let bytes = crate::pack::read_in_root(&root.join(file), &root, MAX_MANIFEST_BYTES).ok()?;
        String::from_utf8(bytes).ok()
    };
    for file in [
        "pyproject.toml",
        "Project.toml",
        "JuliaProject.toml",
        "fpm.toml",
    ] {
        if let Some(text) = read(file) {
            toml_names(&text).iter().for_each(|n| add(n));
        }
    }
    if let Some(text) = read("setup.cfg") {
        if let Some(name) = setup_cfg_name(&text) {
            add(&name);
        }
    }
    if let Some(text) = read("setup.py") {
        if let Some(name) = setup_py_name(&text) {
            add(&name);
        }
    }
    for file in ["CMakeLists.txt", "meson.build"] {
        if let Some(text) = read(file) {
            if let Some(name) = project_call_name(&text) {
                add(&name);
            }
        }
    }
    for folder in python_packages(&root) {
        add(&folder);
    }
    out
}

/// A distribution or project name as a module: `foo-toolkit` -> `foo_toolkit`,
/// `Quantica` -> `quantica`.
fn module_name(name: &str) -> String {
    name.trim()
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

/// `[project] name`, `[tool.poetry] name` and its `packages = [{ include = "x" }]`,
/// `[tool.setuptools] packages = ["x"]`, and a top-level `name` (Project.toml, fpm.toml).
fn toml_names(text: &str) -> Vec<String> {
    let Ok(doc) = text.parse::<toml::Table>() else {
        return Vec::new();
    };
    let mut names = Vec::new();
    let string = |v: Option<&toml::Value>| v.and_then(|v| v.as_str()).map(str::to_string);
    names.extend(string(doc.get("name")));
    let project = doc.get("project").and_then(|p| p.as_table());
    names.extend(string(project.and_then(|p| p.get("name"))));
    let tool = doc.get("tool").and_then(|t| t.as_table());
    let poetry = tool
        .and_then(|t| t.get("poetry"))
        .and_then(|p| p.as_table());
    names.extend(string(poetry.and_then(|p| p.get("name"))));
    if let Some(packages) = poetry
        .and_then(|p| p.get("packages"))
        .and_then(|p| p.as_array())
    {
        for package in packages {
            names.extend(string(package.get("include")));
        }
    }
    if let Some(packages) = tool
        .and_then(|t| t.get("setuptools"))
        .and_then(|s| s.get("packages"))
        .and_then(|p| p.as_array())
    {
        // `ase.io` is a subpackage of `ase`: the top is the module.
        for package in packages.iter().filter_map(|p| p.as_str()) {
            names.push(package.split('.').next().unwrap_or(package).to_string());
        }
    }
    names
}

/// `name = foo` under `[metadata]`.
fn setup_cfg_name(text: &str) -> Option<String> {
    let mut in_metadata = false;
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_metadata = line == "[metadata]";
            continue;
        }
        if let (true, Some((key, value))) = (in_metadata, line.split_once('=')) {
            if key.trim() == "name" {
                return Some(value.trim().to_string());
            }
        }
    }
    None
}

/// The string literal after `name=` in a `setup(...)` call, as text.
fn setup_py_name(text: &str) -> Option<String> {
    let at = text.find("setup(")?;
    let call = &text[at..];
    let mut rest = call;
    while let Some(pos) = rest.find("name") {
        let before_ok = pos == 0
            || !rest[..pos]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_alphanumeric() || c == '_');
        let after = rest[pos + 4..].trim_start();
        if let (true, Some(value)) = (before_ok, after.strip_prefix('=')) {
            let value = value.trim_start();
            let quote = value.chars().next().filter(|c| *c == '"' || *c == '\'')?;
            let body = &value[1..];
            let end = body.find(quote)?;
            return Some(body[..end].to_string());
        }
        rest = &rest[pos + 4..];
    }
    None
}

/// The first argument of `project(` (CMake, Meson): `project(mfem NONE)`,
/// `project('dftd4', 'fortran')`.
fn project_call_name(text: &str) -> Option<String> {
    for line in text.lines() {
        let line = line.trim_start();
        if line.starts_with('#') {
            continue;
        }
        let lower = line.to_ascii_lowercase();
        let Some(at) = lower.find("project(") else {
            continue;
        };
        if at > 0 && lower[..at].ends_with(|c: char| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let args = &line[at + "project(".len()..];
        let name: String = args
            .trim_start()
            .trim_start_matches(['\'', '"'])
            .chars()
            .take_while(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))
            .collect();
        if !name.is_empty() && !name.starts_with("${") {
            return Some(name);
        }
    }
    None
}

/// Folders with an `__init__.py` directly in `root` or in `root/src`: the importable
/// packages of a flat or `src/` layout. Links are not followed.
fn python_packages(root: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for base in [root.to_path_buf(), root.join("src")] {
        let Ok(entries) = std::fs::read_dir(&base) else {
            continue;
        };
        let mut names: Vec<String> = entries
            .flatten()
            .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
            .filter(|e| {
                std::fs::symlink_metadata(e.path().join("__init__.py")).is_ok_and(|m| m.is_file())
            })
            .map(|e| e.file_name().to_string_lossy().to_string())
            .filter(|n| crate::keys::is_identifier(n) && !NOT_PACKAGES.contains(&n.as_str()))
            .collect();
        names.sort();
        out.extend(names);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packaging_files_name_the_modules() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(
            root.join("pyproject.toml"),
            "[project]\nname = \"foo-toolkit\"\n[tool.setuptools]\npackages = [\"foo\", \"foo.io\"]\n",
        )
        .unwrap();
        std::fs::write(root.join("Project.toml"), "name = \"Latx\"\nuuid = \"x\"\n").unwrap();
        std::fs::write(
            root.join("CMakeLists.txt"),
            "cmake_minimum_required(VERSION 3.1)\nproject(FemX CXX)\n",
        )
        .unwrap();
        std::fs::create_dir_all(root.join("src/foolib")).unwrap();
        std::fs::write(root.join("src/foolib/__init__.py"), "").unwrap();
        std::fs::create_dir_all(root.join("tests")).unwrap();
        std::fs::write(root.join("tests/__init__.py"), "").unwrap();
        assert_eq!(
            declared_modules(root),
            vec!["foo_toolkit", "foo", "latx", "femx", "foolib"]
        );
        assert_eq!(
            setup_py_name("setup(\n  version='1',\n  name=\"qux\",\n)").as_deref(),
            Some("qux")
        );
        assert_eq!(
            setup_cfg_name("[metadata]\nname = bar-baz\n").as_deref(),
            Some("bar-baz")
        );
        assert_eq!(
            project_call_name("project('dftd4', 'fortran')").as_deref(),
            Some("dftd4")
        );
        // Garbage is no name.
        std::fs::write(root.join("pyproject.toml"), "[project\nname = ").unwrap();
        assert!(!declared_modules(root).contains(&"foo_toolkit".to_string()));
    }
}
