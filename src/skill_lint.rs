//! Skill files as documents: the paths a SKILL.md or reference file cites, whether they
//! exist in the pack's repository, and what the doc map says of them. Gives skill authors
//! links, dead-path diagnostics and hovers.

use crate::catalog::Catalog;
use crate::model::{EntryKind, Pack};
use pulldown_cmark::{Event, Parser};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::SystemTime;

#[derive(Debug, Clone, PartialEq)]
pub struct CitedPath {
    /// Byte range of the path inside the buffer (without backticks).
    pub start: usize,
    pub end: usize,
    pub path: String,
    /// `Some(true)`: exists; `Some(false)`: missing from the repository; `None`: cannot tell.
    pub exists: Option<bool>,
    /// The file to open, when it is on disk.
    pub target: Option<PathBuf>,
    pub title: Option<String>,
    pub headings: Vec<String>,
}

/// The pack a skill file belongs to.
pub fn pack_of<'a>(catalog: &'a Catalog, file: &Path) -> Option<&'a Pack> {
    catalog
        .packs
        .iter()
        .map(|p| &**p)
        .filter(|p| !p.embedded)
        .find(|p| file.starts_with(&p.skills_dir))
}

/// Every path cited in inline code of `text` (a skill file's current buffer).
pub fn cited_paths(catalog: &Catalog, pack: &Pack, file: &Path, text: &str) -> Vec<CitedPath> {
    let inventory = repository_inventory(Path::new(&pack.root));
    let inventory = inventory.as_deref();
    let skill_dir = file.parent().map(|p| {
        if p.ends_with("references") {
            p.parent().unwrap_or(p)
        } else {
            p
        }
    });
    let root = Path::new(&pack.root).canonicalize().ok();
    let under = |dir: &Path, path: &str| -> Option<PathBuf> {
        crate::pack::resolve_from(dir, path, root.as_deref()?)
    };
    let mut out = Vec::new();
    for (event, range) in Parser::new(text).into_offset_iter() {
        let Event::Code(code) = event else { continue };
        let path = code.trim().trim_end_matches('/');
        if !crate::symbols::is_path(path) {
            continue;
        }
        let start = range.start + text[range.clone()].find(path).unwrap_or(0);
        let cited = path;
        let path = file_part(path);
        // Relative to the citing file (`doc_map.md` beside it, `../SKILL.md`), to the
        // skill's folder (`references/x.md`), else the repository's.
        let local = file
            .parent()
            .and_then(|d| under(d, path))
            .or_else(|| skill_dir.and_then(|d| under(d, path)))
            .or_else(|| crate::pack::resolve_in_pack(pack, path));
        let exists = if local.is_some() {
            Some(true)
        } else if !says_where(path) {
            None
        } else {
            match crate::pack::normalize_rel(path) {
                None => Some(false),
                Some(rel) => inventory.as_ref().and_then(|inv| inv.contains(&rel)),
            }
        };
        let map = catalog
            .packs
            .iter()
            .position(|p| std::ptr::eq(&**p, pack))
            .and_then(|p| {
                catalog
                    .with_key(&format!("path:{path}"))
                    .iter()
                    .map(|&id| catalog.entry(id))
                    .find(|(pk, _, e)| {
                        std::ptr::eq(*pk, &*catalog.packs[p]) && e.kind == EntryKind::DocMap
                    })
                    .map(|(_, _, e)| (e.title.clone(), e.headings.clone()))
            });
        let (title, headings) = map.unwrap_or_default();
        out.push(CitedPath {
            start,
            end: start + cited.len(),
            path: path.to_string(),
            exists,
            target: local,
            title,
            headings,
        });
    }
    out
}

/// Whether a cited path says where a file of the repository is: not a home or
/// environment path (`~/.maxwelllink/HPC_PROFILE.json`, `$HOME/x`), not a pattern or
/// placeholder (`*.dat`, `<run>/out`, `projects/YYYY-MM-DD-NAME`), not a bare file name
/// (`waveplot_in.hsd` names a file of some example folder, not of the root).
fn says_where(path: &str) -> bool {
    let placeholder = path.contains(['*', '<', '>', '{', '}', '?'])
        || path.contains("...")
        || path.contains("YYYY")
        || path.contains("NAME");
    // `-I/--input` is a flag, `//examples/acrobot:` a Bazel label, `./run.sh` a file of
    // wherever the command runs.
    // `1/size^1.5`, `#a/#b`, `git@host:x` are no file names. (An absolute path says
    // where: outside the repository, which a skill must not cite.)
    let elsewhere = path.starts_with(['~', '$', '-'])
        || path.starts_with("//")
        || path.contains(['^', '#', '@', '=', ',', ';', '(', ')']);
    // What a build makes (`main/wrf.exe`, `docs/_build/html/index.html`, `install/bin`)
    // is not in the repository until someone builds it.
    let generated = path.ends_with(".exe")
        || path
            .split('/')
            .any(|segment| matches!(segment, "_build" | "build" | "install" | "dist"));
    let bare = path.trim_start_matches("./");
    bare.contains('/') && !elsewhere && !placeholder && !generated
}

/// The file part of a citation: without a pytest node (`tests/t.py::test_x`) or a line
/// (`doc/CalculiX.tex:404`, `:454-460`).
fn file_part(path: &str) -> &str {
    let path = path.split("::").next().unwrap_or(path);
    match path.rsplit_once(':') {
        Some((file, line))
            if !line.is_empty() && line.chars().all(|c| c.is_ascii_digit() || c == '-') =>
        {
            file
        }
        _ => path,
    }
}

/// What the repository holds: its `FILES.txt` inventory when there is one (packs copied
/// without their code), else the tree itself when more than `skills/` is there.
struct Inventory {
    /// Every listed file, and every folder above one (so a cited folder is found too).
    listed: Option<HashSet<String>>,
    /// The ends of three parts or more of listed paths below deeper folders
    /// (`contact_solvers/icf/README.md` of `multibody/contact_solvers/icf/README.md`):
    /// a citation may leave out the folders above.
    tails: HashSet<String>,
    root: PathBuf,
}

/// Largest `FILES.txt` read: an inventory of a million paths; a larger one (or
/// `/dev/zero` behind a symlink) is not an inventory.
const MAX_INVENTORY_BYTES: u64 = 64 * 1024 * 1024;

impl Inventory {
    /// `Some(true)` listed or on disk inside the root; `None` when that cannot be told
    /// without leaving the root (a symlink out of it).
    fn contains(&self, path: &str) -> Option<bool> {
        match &self.listed {
            // A path below some folder (`contact_solvers/icf/README.md` under
            // `multibody/`) is found by its end too, when it has three parts or more
            // (`references/doc_map.md` is one skill's own, not any skill's).
            Some(listed) => Some(listed.contains(path) || self.tails.contains(path)),
            None => {
                let lexical = self.root.join(path);
                if std::fs::symlink_metadata(&lexical).is_err() {
                    return Some(false);
                }
                crate::pack::resolve_under(&self.root, path).map(|_| true)
            }
        }
    }

    fn from_listing(text: &str, root: &Path) -> Inventory {
        let mut listed = HashSet::new();
        let mut tails = HashSet::new();
        for line in text.lines() {
            let Some(path) = crate::pack::normalize_rel(line.trim()) else {
                continue;
            };
            let mut dir = path.as_str();
            while let Some((parent, _)) = dir.rsplit_once('/') {
                if !listed.insert(parent.to_string()) {
                    break;
                }
                dir = parent;
            }
            let parts: Vec<&str> = path.split('/').collect();
            for i in 1..parts.len().saturating_sub(2) {
                tails.insert(parts[i..].join("/"));
            }
            listed.insert(path);
        }
        Inventory {
            listed: Some(listed),
            tails,
            root: root.to_path_buf(),
        }
    }
}

/// Inventories read, by root, with the size and modification time of the `FILES.txt`
/// they came from: read once per version, not on every request.
type InventoryCache = HashMap<PathBuf, (u64, Option<SystemTime>, Arc<Inventory>)>;

fn repository_inventory(root: &Path) -> Option<Arc<Inventory>> {
    static CACHE: OnceLock<Mutex<InventoryCache>> = OnceLock::new();
    let listing = root.join("FILES.txt");
    if let Ok(meta) = std::fs::metadata(&listing) {
        let version = (meta.len(), meta.modified().ok());
        let cache = CACHE.get_or_init(Mutex::default);
        if let Some((len, modified, inv)) =
            cache.lock().unwrap_or_else(|p| p.into_inner()).get(root)
        {
            if (*len, *modified) == version {
                return Some(inv.clone());
            }
        }
        match crate::pack::read_in_root(&listing, root, MAX_INVENTORY_BYTES) {
            Ok(bytes) => {
                let inv = Arc::new(Inventory::from_listing(
                    &String::from_utf8_lossy(&bytes),
                    root,
                ));
                cache
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .insert(root.to_path_buf(), (version.0, version.1, inv.clone()));
                return Some(inv);
            }
            Err(why) => tracing::warn!("{}: {why}", listing.display()),
        }
    }
    // Only skills/ beside nothing else: the repository is not here, nothing can be told.
    let others = std::fs::read_dir(root).ok()?.flatten().any(|e| {
        let name = e.file_name();
        name != "skills" && name != "FILES.txt" && !name.to_string_lossy().starts_with('.')
    });
    others.then(|| {
        Arc::new(Inventory {
            listed: None,
            tails: HashSet::new(),
            root: root.to_path_buf(),
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_listing_knows_its_files_and_folders() {
        let inv = Inventory::from_listing("./doc/a.rst\nsrc/pkg/mod.py\n\n", Path::new("/r"));
        assert_eq!(inv.contains("doc/a.rst"), Some(true));
        assert_eq!(inv.contains("src/pkg"), Some(true));
        assert_eq!(inv.contains("src"), Some(true));
        assert_eq!(inv.contains("src/other.py"), Some(false));
    }

    #[test]
    fn only_a_path_that_says_where_can_be_dead() {
        assert!(says_where("doc/ase/parallel.rst"));
        assert!(!says_where("~/.maxwelllink/HPC_PROFILE.json"));
        assert!(!says_where("projects/YYYY-MM-DD-NAME"));
        assert!(!says_where("waveplot_in.hsd"));
        assert!(!says_where("examples/*/input.dat"));
        assert!(!says_where("-I/--input") && !says_where("//examples/acrobot:"));
        assert!(!says_where("./cavity2d"));
        assert!(says_where("/etc/passwd") && !says_where("1/size^1.5"));
        assert!(!says_where("docs/_build/html/index.html") && !says_where("main/wrf.exe"));
        assert_eq!(file_part("tests/t.py::test_x"), "tests/t.py");
        assert_eq!(file_part("doc/CalculiX.tex:454-460"), "doc/CalculiX.tex");
        let inv =
            Inventory::from_listing("multibody/contact_solvers/icf/README.md\n", Path::new("/r"));
        assert_eq!(inv.contains("contact_solvers/icf/README.md"), Some(true));
        assert_eq!(inv.contains("solvers/icf/README.md"), Some(false));
        assert_eq!(inv.contains("lvers/icf/README.md"), Some(false));
        assert_eq!(inv.contains("icf/README.md"), Some(false));
    }
}
