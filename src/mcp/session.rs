//! What an MCP session keeps between tool calls: the roots it may read under, the
//! catalogs it has loaded (one per set of packs, refreshed when their files change) and
//! where package sources are for each workspace.

use crate::catalog::{Catalog, CatalogOptions, PackSource};
use crate::source::SourceRoots;
use anyhow::{Context, Result};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a loaded catalog is trusted before its packs' files are stat'ed again: the
/// language server polls at the same pace, and an agent's burst of calls costs one walk.
const PACK_RECHECK: Duration = Duration::from_secs(2);

/// A loaded catalog and what its packs' files looked like when it was checked.
struct Loaded {
    catalog: Arc<Catalog>,
    fingerprints: Vec<String>,
    checked: Instant,
}

pub struct Session {
    /// Canonical folders whose files the tools may read (the server's working directory
    /// unless `--root` says otherwise); packs named in `$SKILL_LSP_SKILLS` are allowed too.
    roots: Vec<PathBuf>,
    options: CatalogOptions,
    catalogs: Mutex<HashMap<String, Loaded>>,
    sources: Mutex<HashMap<PathBuf, SourceRoots>>,
}

impl Session {
    pub fn new(roots: &[PathBuf], options: CatalogOptions) -> Result<Session> {
        let mut canonical = Vec::new();
        for root in roots {
            canonical.push(
                root.canonicalize()
                    .with_context(|| format!("root {}", root.display()))?,
            );
        }
        for dir in crate::catalog::env_skill_dirs() {
            if let Ok(dir) = dir.canonicalize() {
                canonical.push(dir);
            }
        }
        Ok(Session {
            roots: canonical,
            options,
            catalogs: Mutex::new(HashMap::new()),
            sources: Mutex::new(HashMap::new()),
        })
    }

    pub fn roots(&self) -> &[PathBuf] {
        &self.roots
    }

    /// `path` made absolute (from the server's working directory) and canonical, if it
    /// exists under one of the roots; otherwise a message that says which rule it broke.
    pub fn allowed(&self, path: &Path) -> Result<PathBuf> {
        let canonical = path
            .canonicalize()
            .map_err(|why| anyhow::anyhow!("{}: {why}", path.display()))?;
        if self.roots.iter().any(|root| canonical.starts_with(root)) {
            Ok(canonical)
        } else {
            let roots: Vec<String> = self.roots.iter().map(|r| r.display().to_string()).collect();
            anyhow::bail!(
                "{}: outside the folders this server may read ({}); start it with --root to add one",
                path.display(),
                roots.join(", ")
            )
        }
    }

    /// The catalog of `sources`, loaded once and refreshed when their files changed.
    pub fn catalog(&self, sources: &[PackSource]) -> Result<Arc<Catalog>> {
        let key: Vec<String> = sources.iter().map(PackSource::key).collect();
        let key = key.join("\n");
        let mut catalogs = self
            .catalogs
            .lock()
            .map_err(|_| anyhow::anyhow!("a previous call failed while loading packs"))?;
        if let Some(loaded) = catalogs.get_mut(&key) {
            if loaded.checked.elapsed() < PACK_RECHECK {
                return Ok(loaded.catalog.clone());
            }
            let now: Vec<String> = sources.iter().map(PackSource::fingerprint).collect();
            if now == loaded.fingerprints {
                loaded.checked = Instant::now();
                return Ok(loaded.catalog.clone());
            }
            let (catalog, _) = loaded
                .catalog
                .refresh(sources, &self.options, |_| {})
                .context("reloading skill packs")?;
            *loaded = Loaded {
                catalog: Arc::new(catalog),
                fingerprints: now,
                checked: Instant::now(),
            };
            return Ok(loaded.catalog.clone());
        }
        let fingerprints = sources.iter().map(PackSource::fingerprint).collect();
        let (catalog, report) =
            Catalog::load(sources, &self.options, |_| {}).context("loading skill packs")?;
        if let Some(reason) = &report.fallback {
            tracing::warn!("index kept in memory only: {reason}");
        }
        let catalog = Arc::new(catalog);
        catalogs.insert(
            key,
            Loaded {
                catalog: catalog.clone(),
                fingerprints,
                checked: Instant::now(),
            },
        );
        Ok(catalog)
    }

    /// Where package sources are for `workspace`, found once: on disk, or by asking the
    /// interpreter named in `$SKILL_LSP_PYTHON` (nothing else is ever run).
    pub fn source_roots(&self, workspace: &Path) -> SourceRoots {
        let mut known = match self.sources.lock() {
            Ok(known) => known,
            Err(poisoned) => poisoned.into_inner(),
        };
        known
            .entry(workspace.to_path_buf())
            .or_insert_with(|| {
                let python = crate::source::configured_python(None);
                SourceRoots::discover(Some(workspace), python.as_deref())
            })
            .clone()
    }
}
