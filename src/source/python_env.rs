//! Where a Python environment keeps its packages, found by reading the file system only.
//!
//! A workspace is someone else's repository: its `.venv/bin/python` may be any program.
//! So no interpreter is started here; `site-packages` folders are found from the layout
//! every environment shares (`pyvenv.cfg`, `lib/python3.*/site-packages`), the active
//! environment's variables, and the prefix of the `python3` on PATH. An interpreter runs
//! only when the user names it (see [`super::SourceRoots::discover`]).

use std::path::{Path, PathBuf};

/// Folders a workspace keeps its virtual environment in, by common convention.
const WORKSPACE_VENV_DIRS: [&str; 3] = [".venv", "venv", "env"];

/// The package folders of the environment that would run the user's code: the active
/// one (`$VIRTUAL_ENV`, `$CONDA_PREFIX`), else the workspace's own virtual environment,
/// else the `python3` on PATH (with the user's site folder).
pub fn package_dirs(workspace: Option<&Path>) -> Vec<PathBuf> {
    let active = ["VIRTUAL_ENV", "CONDA_PREFIX"]
        .iter()
        .filter_map(std::env::var_os)
        .map(PathBuf::from);
    let local = workspace
        .into_iter()
        .flat_map(|w| WORKSPACE_VENV_DIRS.iter().map(move |d| w.join(d)))
        .filter(|d| d.join("pyvenv.cfg").is_file());
    for prefix in active.chain(local) {
        let dirs = site_packages(&prefix);
        if !dirs.is_empty() {
            return dirs;
        }
    }
    let Some(python) = on_path("python3") else {
        return Vec::new();
    };
    let mut dirs = Vec::new();
    // `/usr/bin/python3` -> prefix `/usr`; a symlinked interpreter counts where it lives.
    for exe in [python.clone(), python.canonicalize().unwrap_or(python)] {
        if let Some(prefix) = exe.parent().and_then(Path::parent) {
            for dir in site_packages(prefix) {
                if !dirs.contains(&dir) {
                    dirs.push(dir);
                }
            }
        }
    }
    if let Some(home) = std::env::var_os("HOME") {
        dirs.extend(site_packages(&Path::new(&home).join(".local")));
    }
    dirs
}

/// `prefix/lib/python3.X/{site,dist}-packages` (newest version first) and Debian's
/// `prefix/lib/python3/dist-packages`.
fn site_packages(prefix: &Path) -> Vec<PathBuf> {
    let lib = prefix.join("lib");
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir(&lib)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let minor = name.strip_prefix("python3.")?.parse().ok()?;
            Some((minor, e.path()))
        })
        .collect();
    versions.sort_by_key(|v| std::cmp::Reverse(v.0));
    versions
        .into_iter()
        .map(|(_, dir)| dir)
        .chain(std::iter::once(lib.join("python3")))
        .flat_map(|dir| [dir.join("site-packages"), dir.join("dist-packages")])
        .filter(|dir| dir.is_dir())
        .collect()
}

/// The first `name` in `$PATH` that is a file.
fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn site_packages_newest_first_and_debian_layout() {
        let dir = tempfile::tempdir().unwrap();
        let prefix = dir.path();
        for sub in [
            "lib/python3.9/site-packages",
            "lib/python3.12/site-packages",
            "lib/python3/dist-packages",
            "lib/python3.11",
        ] {
            std::fs::create_dir_all(prefix.join(sub)).unwrap();
        }
        let found = site_packages(prefix);
        assert_eq!(
            found,
            vec![
                prefix.join("lib/python3.12/site-packages"),
                prefix.join("lib/python3.9/site-packages"),
                prefix.join("lib/python3/dist-packages"),
            ]
        );
    }
}
