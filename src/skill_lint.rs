//! Skill files as documents: the paths a SKILL.md or reference file cites, whether they
//! exist in the pack's repository, and what the doc map says of them. Gives skill authors
//! links, dead-path diagnostics and hovers.

use crate::catalog::Catalog;
use crate::model::{EntryKind, Pack};
use pulldown_cmark::{Event, Parser};
use std::path::{Path, PathBuf};

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
        let local = skill_dir
            .map(|d| d.join(path))
            .filter(|p| path.starts_with("references/") && p.is_file())
            .or_else(|| crate::pack::resolve_in_pack(pack, path));
        let exists = if local.is_some() {
            Some(true)
        } else if path.starts_with('/') || path.split('/').any(|c| c == "..") {
            Some(false)
        } else {
            inventory.as_ref().map(|inv| inv.contains(path))
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
    files: Option<std::collections::HashSet<String>>,
    root: PathBuf,
}

impl Inventory {
    fn contains(&self, path: &str) -> bool {
        match &self.files {
            Some(files) => {
                files.contains(path) || {
                    let dir = format!("{path}/");
                    files.iter().any(|f| f.starts_with(&dir))
                }
            }
            None => self.root.join(path).exists(),
        }
    }
}

fn repository_inventory(root: &Path) -> Option<Inventory> {
    let listing = root.join("FILES.txt");
    if let Ok(text) = std::fs::read_to_string(&listing) {
        let files = text
            .lines()
            .map(|l| l.trim().trim_start_matches("./").to_string())
            .filter(|l| !l.is_empty())
            .collect();
        return Some(Inventory {
            files: Some(files),
            root: root.to_path_buf(),
        });
    }
    // Only skills/ beside nothing else: the repository is not here, nothing can be told.
    let others = std::fs::read_dir(root).ok()?.flatten().any(|e| {
        let name = e.file_name();
        name != "skills" && !name.to_string_lossy().starts_with('.')
    });
    others.then(|| Inventory {
        files: None,
        root: root.to_path_buf(),
    })
}
