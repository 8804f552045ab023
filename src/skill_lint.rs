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
    let mut out = Vec::new();
    for (event, range) in Parser::new(text).into_offset_iter() {
        let Event::Code(code) = event else { continue };
        let path = code.trim().trim_end_matches('/');
        if !crate::symbols::is_path(path) {
            continue;
        }
        let start = range.start + text[range.clone()].find(path).unwrap_or(0);
        // `references/x.md` is the skill's own file; every other path is the repository's.
        // Both resolve through the one resolver: canonical, and inside the pack's root.
        let local = skill_dir
            .filter(|_| path.starts_with("references/"))
            .and_then(|d| crate::pack::resolve_under(d, path))
            .filter(|p| p.starts_with(&pack.root) && p.is_file())
            .or_else(|| crate::pack::resolve_in_pack(pack, path));
        let exists = if local.is_some() {
            Some(true)
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
            end: start + path.len(),
            path: path.to_string(),
            exists,
            target: local,
            title,
            headings,
        });
    }
    out
}

/// What the repository holds: its `FILES.txt` inventory when there is one (packs copied
/// without their code), else the tree itself when more than `skills/` is there.
struct Inventory {
    /// Every listed file, and every folder above one (so a cited folder is found too).
    listed: Option<HashSet<String>>,
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
            Some(listed) => Some(listed.contains(path)),
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
            listed.insert(path);
        }
        Inventory {
            listed: Some(listed),
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
}
