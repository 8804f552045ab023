//! The cache directory: a tantivy index plus a manifest of pack fingerprints and a
//! snapshot of each parsed pack, so an up-to-date catalog opens without re-reading a
//! single skill file. Files are written to a temporary name and renamed into place.

use super::schema::SCHEMA_VERSION;
use crate::model::{Pack, Problem};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Manifest {
    pub schema_version: u32,
    pub tool_version: String,
    /// Pack key -> fingerprint of the files it was built from.
    pub packs: BTreeMap<String, String>,
}

/// One source's parsed packs. Packs are shared (`Arc`) between a catalog and the next
/// refresh, which reuses the unchanged ones without reading anything.
#[derive(Clone, Serialize, Deserialize)]
pub struct Snapshot {
    pub packs: Vec<Arc<Pack>>,
    pub problems: Vec<Problem>,
    /// [`Snapshot::lookup_keys`], computed on first use and shared by the snapshot's
    /// clones: a refresh that lends this source's packs does not compute them again.
    #[serde(skip)]
    lookup_keys: Arc<OnceLock<LookupKeys>>,
}

/// The lookup keys of a snapshot's entries, each distinct key stored once (a pack names
/// its package's symbols in many entries).
#[derive(Default)]
pub struct LookupKeys {
    pub keys: Vec<Arc<str>>,
    /// (entry ordinal in the snapshot, index into `keys`), in entry order.
    pub uses: Vec<(u32, u32)>,
}

impl Snapshot {
    pub fn new(packs: Vec<Arc<Pack>>, problems: Vec<Problem>) -> Self {
        Snapshot {
            packs,
            problems,
            lookup_keys: Arc::default(),
        }
    }

    /// Every entry's lookup keys (`sym:ase.io.read`, `path:doc/x.rst`, ...).
    pub fn lookup_keys(&self) -> &LookupKeys {
        self.lookup_keys.get_or_init(|| {
            let entries = self
                .packs
                .iter()
                .flat_map(|pack| pack.skills.iter())
                .flat_map(|skill| skill.entries.iter());
            let mut found = LookupKeys::default();
            let mut seen: HashMap<String, u32> = HashMap::new();
            for (ordinal, entry) in (0u32..).zip(entries) {
                for key in super::entry_keys(entry) {
                    let next = found.keys.len() as u32;
                    let index = *seen.entry(key).or_insert_with_key(|key| {
                        found.keys.push(Arc::from(key.as_str()));
                        next
                    });
                    found.uses.push((ordinal, index));
                }
            }
            found
        })
    }
}

/// Where the catalog for this set of packs lives: one folder per set of pack roots.
pub fn cache_dir_for(base: &Path, keys: &[String]) -> PathBuf {
    let mut sorted = keys.to_vec();
    sorted.sort();
    let hash = blake3::hash(sorted.join("\n").as_bytes()).to_hex();
    base.join(format!("v{SCHEMA_VERSION}-{}", &hash[..16]))
}

/// `$SKILL_LSP_CACHE_DIR`, else the user's cache directory.
pub fn default_base() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("SKILL_LSP_CACHE_DIR").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(dir));
    }
    dirs::cache_dir().map(|d| d.join("skill-lsp"))
}

/// The identity of this build: version plus the executable's size and mtime, so a
/// rebuilt or upgraded binary (whose parsing may differ) never trusts old snapshots.
pub fn tool_identity() -> String {
    let exe = std::env::current_exe()
        .ok()
        .and_then(|p| p.metadata().ok())
        .map(|m| format!("{}-{}", m.len(), crate::pack::mtime_nanos(&m)))
        .unwrap_or_default();
    format!("{}+{exe}", env!("CARGO_PKG_VERSION"))
}

pub fn read_manifest(dir: &Path) -> Option<Manifest> {
    let text = std::fs::read_to_string(dir.join("manifest.json")).ok()?;
    let manifest: Manifest = serde_json::from_str(&text).ok()?;
    (manifest.schema_version == SCHEMA_VERSION && manifest.tool_version == tool_identity())
        .then_some(manifest)
}

pub fn write_manifest(dir: &Path, manifest: &Manifest) -> std::io::Result<()> {
    write_atomic(&dir.join("manifest.json"), &serde_json::to_vec(manifest)?)
}

fn snapshot_path(dir: &Path, key: &str) -> PathBuf {
    let hash = blake3::hash(key.as_bytes()).to_hex();
    dir.join("packs").join(format!("{}.json", &hash[..16]))
}

/// A snapshot on disk says whose it is: a file replaced by another pack's valid
/// snapshot is refused (and the pack read again), never served as this pack.
#[derive(Serialize)]
struct StoredRef<'a> {
    key: &'a str,
    snapshot: &'a Snapshot,
}

#[derive(Deserialize)]
struct Stored {
    key: String,
    snapshot: Snapshot,
}

pub fn read_snapshot(dir: &Path, key: &str) -> Option<Snapshot> {
    let path = snapshot_path(dir, key);
    let bytes = std::fs::read(&path).ok()?;
    let stored: Stored = serde_json::from_slice(&bytes).ok()?;
    if stored.key != key {
        tracing::warn!(
            "{} holds the snapshot of another pack ({}); reading {key} again",
            path.display(),
            stored.key
        );
        return None;
    }
    Some(stored.snapshot)
}

pub fn write_snapshot(dir: &Path, key: &str, snapshot: &Snapshot) -> std::io::Result<()> {
    let path = snapshot_path(dir, key);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    write_atomic(&path, &serde_json::to_vec(&StoredRef { key, snapshot })?)
}

fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)
}
