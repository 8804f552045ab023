//! Loading a catalog: each source's fingerprint, its packs from the running catalog, the
//! persisted snapshot or a fresh read (on all cores; in waves for a starting server), and
//! the tantivy side (open, incremental writes, in-memory builds).

use super::*;
use crate::model::SymbolKind;

impl Catalog {
    /// The one loader behind [`Catalog::load`], [`Catalog::refresh`] and
    /// [`Catalog::load_progressively`].
    pub(super) fn load_reusing(
        previous: Option<&Catalog>,
        sources: &[PackSource],
        options: &CatalogOptions,
        progress: impl FnMut(&str) + Send,
        partial: Option<&(dyn Fn(Catalog) + Sync)>,
    ) -> Result<(Catalog, LoadReport), CatalogError> {
        let started = Instant::now();
        let keys: Vec<String> = sources.iter().map(PackSource::key).collect();
        let mut report = LoadReport {
            sources: sources.len(),
            ..LoadReport::default()
        };
        let base = if options.in_memory {
            None
        } else {
            options.cache_base.clone().or_else(store::default_base)
        };
        let dir = base.map(|b| store::cache_dir_for(&b, &keys));
        let (schema, _) = schema::build();

        let persisted = dir.as_ref().and_then(|dir| match open_dir(dir, &schema) {
            Ok(index) => Some((dir.clone(), index)),
            Err(reason) => {
                report.fallback = Some(reason);
                None
            }
        });
        let manifest = persisted
            .as_ref()
            .and_then(|(dir, _)| store::read_manifest(dir))
            .unwrap_or_default();

        // Packs are independent: read (or reuse) them on all cores, in source order.
        let progress = std::sync::Mutex::new(progress);
        let load_one = |(source, key): (&PackSource, &String)| -> Loaded {
            let fingerprint = source.fingerprint();
            // Unchanged since the running catalog: its packs, as they are.
            let in_memory = previous
                .and_then(|p| p.reusable.get(key))
                .filter(|(f, _)| *f == fingerprint)
                .map(|(_, snapshot)| snapshot.clone());
            let indexed = manifest.packs.get(key) == Some(&fingerprint);
            let done = match (indexed, in_memory) {
                (true, Some(snapshot)) => (snapshot, fingerprint, false),
                (true, None) => match persisted
                    .as_ref()
                    .and_then(|(dir, _)| store::read_snapshot(dir, key))
                {
                    Some(snapshot) => (snapshot, fingerprint, false),
                    None => (source.read(), fingerprint, true),
                },
                // Not in this index yet: to be added, from memory when possible.
                (false, Some(snapshot)) => (snapshot, fingerprint, true),
                (false, None) => (source.read(), fingerprint, true),
            };
            (progress.lock().unwrap_or_else(|p| p.into_inner()))(key);
            done
        };
        let loaded: Vec<Loaded> = match partial {
            None => sources
                .par_iter()
                .zip(keys.par_iter())
                .map(load_one)
                .collect(),
            Some(partial) => load_in_waves(sources, &keys, &load_one, partial),
        };
        let mut snapshots = Vec::with_capacity(loaded.len());
        let mut fingerprints = Vec::with_capacity(loaded.len());
        let mut changed = Vec::new();
        for (snapshot, fingerprint, to_index) in loaded {
            if to_index {
                changed.push((snapshots.len(), fingerprint.clone()));
            }
            snapshots.push(snapshot);
            fingerprints.push(fingerprint);
        }
        report.rebuilt = changed.len();
        report.reused = snapshots.len() - changed.len();
        let stale: Vec<&String> = manifest
            .packs
            .keys()
            .filter(|k| !keys.contains(k))
            .collect();

        let (index, fields) = match persisted {
            Some((dir, index))
                if changed.is_empty() && stale.is_empty() && !manifest.packs.is_empty() =>
            {
                report.cache_dir = Some(dir);
                let fields = schema::fields_of(&index.schema()).ok_or_else(|| {
                    tantivy::TantivyError::SchemaError("persisted schema lacks fields".into())
                })?;
                (index, fields)
            }
            Some((dir, index)) => {
                let fields = schema::fields_of(&index.schema()).ok_or_else(|| {
                    tantivy::TantivyError::SchemaError("persisted schema lacks fields".into())
                })?;
                let full_rebuild = manifest.packs.is_empty();
                match write_changes(
                    index,
                    &dir,
                    fields,
                    &keys,
                    &snapshots,
                    &changed,
                    &stale,
                    full_rebuild,
                ) {
                    Ok(index) => {
                        let mut new_manifest = store::Manifest {
                            schema_version: schema::SCHEMA_VERSION,
                            tool_version: store::tool_identity(),
                            packs: manifest.packs.clone(),
                        };
                        for k in &stale {
                            new_manifest.packs.remove(*k);
                        }
                        let mut saved = true;
                        for (i, fingerprint) in &changed {
                            saved &= store::write_snapshot(&dir, &keys[*i], &snapshots[*i]).is_ok();
                            new_manifest
                                .packs
                                .insert(keys[*i].clone(), fingerprint.clone());
                        }
                        if saved && store::write_manifest(&dir, &new_manifest).is_ok() {
                            report.cache_dir = Some(dir);
                        } else {
                            report.fallback =
                                Some(format!("cannot write the manifest in {}", dir.display()));
                        }
                        (index, fields)
                    }
                    Err(reason) => {
                        report.fallback = Some(reason);
                        in_memory(&keys, &snapshots)?
                    }
                }
            }
            None => in_memory(&keys, &snapshots)?,
        };
        let catalog = Catalog::assemble(keys, fingerprints, snapshots, index, fields)?;
        report.elapsed = started.elapsed();
        Ok((catalog, report))
    }
}

/// One source, loaded: its packs, its fingerprint, and whether the index must add it.
type Loaded = (store::Snapshot, String, bool);

/// The parallel load of every source, handing `partial` a catalog of those ready so far
/// (in source order, with an empty text index) when their number reaches 1, 2, 4, ...
fn load_in_waves(
    sources: &[PackSource],
    keys: &[String],
    load_one: &(dyn Fn((&PackSource, &String)) -> Loaded + Sync),
    partial: &(dyn Fn(Catalog) + Sync),
) -> Vec<Loaded> {
    let (tx, rx) = std::sync::mpsc::channel();
    let mut slots: Vec<Option<Loaded>> = (0..sources.len()).map(|_| None).collect();
    std::thread::scope(|scope| {
        scope.spawn(move || {
            sources
                .par_iter()
                .zip(keys.par_iter())
                .enumerate()
                .for_each_with(tx, |tx, (i, pair)| {
                    let _ = tx.send((i, load_one(pair)));
                });
        });
        let (mut ready, mut wave) = (0, 1);
        for (i, loaded) in rx {
            slots[i] = Some(loaded);
            ready += 1;
            if ready == wave && ready < sources.len() {
                wave *= 2;
                let done: Vec<(String, String, store::Snapshot)> = slots
                    .iter()
                    .zip(keys)
                    .filter_map(|(slot, key)| {
                        slot.as_ref()
                            .map(|(snapshot, f, _)| (key.clone(), f.clone(), snapshot.clone()))
                    })
                    .collect();
                let (schema, fields) = schema::build();
                let index = Index::create_in_ram(schema);
                let (k, rest): (Vec<String>, Vec<(String, store::Snapshot)>) =
                    done.into_iter().map(|(k, f, s)| (k, (f, s))).unzip();
                let (f, snaps): (Vec<String>, Vec<store::Snapshot>) = rest.into_iter().unzip();
                if let Ok(catalog) = Catalog::assemble(k, f, snaps, index, fields) {
                    partial(catalog);
                }
            }
        }
    });
    // A worker's panic would have ended the scope above; each slot is filled. Should one
    // not be, it is loaded here rather than dropped.
    slots
        .into_iter()
        .enumerate()
        .map(|(i, slot)| slot.unwrap_or_else(|| load_one((&sources[i], &keys[i]))))
        .collect()
}

fn names_of(entry: &Entry) -> Vec<String> {
    let mut names: Vec<String> = entry
        .symbols
        .iter()
        .map(|s| crate::keys::last_component(&s.name).to_string())
        .collect();
    names.sort();
    names.dedup();
    names
}

fn document<'a>(
    fields: Fields,
    key: &str,
    ordinal: u64,
    skill: &Skill,
    entry: &Entry,
    lookup_keys: impl Iterator<Item = &'a str>,
) -> TantivyDocument {
    let mut d = doc!(
        fields.pack => key,
        fields.ordinal => ordinal,
        fields.kind => entry.kind.as_str(),
        fields.skill => skill.name.as_str(),
    );
    for k in lookup_keys {
        d.add_text(fields.keys, k);
    }
    for n in names_of(entry) {
        d.add_text(fields.names, n);
    }
    let mut text = entry.text.replace('`', " ");
    for extra in [&entry.section, entry.title.as_deref().unwrap_or("")] {
        text.push('\n');
        text.push_str(extra);
    }
    for h in &entry.headings {
        text.push('\n');
        text.push_str(h);
    }
    d.add_text(fields.text, text);
    // An input file's keywords repeat the entry's own words, lowercased: searched as
    // text already, they would only weigh those words twice.
    let symbols: Vec<&str> = entry
        .symbols
        .iter()
        .filter(|s| !matches!(s.kind, SymbolKind::Setting | SymbolKind::SettingValue))
        .map(|s| s.name.as_str())
        .chain(entry.cited_paths.iter().map(String::as_str))
        .collect();
    d.add_text(fields.symbols, symbols.join(" "));
    d
}

/// The documents of one source's entries, numbered in pack order (`Pack::entries`), with
/// the lookup keys the snapshot computed once (the catalog's key map uses the same).
fn snapshot_documents<'a>(
    fields: Fields,
    key: &'a str,
    snapshot: &'a store::Snapshot,
) -> impl Iterator<Item = TantivyDocument> + 'a {
    let lookup = snapshot.lookup_keys();
    // Uses are in entry order: each entry takes the run carrying its ordinal.
    let mut uses = lookup.uses.as_slice();
    snapshot
        .packs
        .iter()
        .flat_map(|pack| pack.skills.iter())
        .flat_map(|skill| skill.entries.iter().map(move |entry| (skill, entry)))
        .zip(0u32..)
        .map(move |((skill, entry), ordinal)| {
            let run = uses.iter().take_while(|(o, _)| *o == ordinal).count();
            let (own, rest) = uses.split_at(run);
            uses = rest;
            let keys = own.iter().map(|&(_, k)| &*lookup.keys[k as usize]);
            document(fields, key, u64::from(ordinal), skill, entry, keys)
        })
}

fn add_snapshot(
    writer: &IndexWriter,
    fields: Fields,
    key: &str,
    snapshot: &store::Snapshot,
) -> tantivy::Result<()> {
    for document in snapshot_documents(fields, key, snapshot) {
        writer.add_document(document)?;
    }
    Ok(())
}

/// A whole index as one segment, indexed on the calling thread as each document is made.
///
/// tantivy's `IndexWriter` queues up to 10,000 documents for its indexing thread, and a
/// build makes them faster than that thread takes them: a cold build of the corpus held
/// all ~7,700 in the queue, about 10 MB of its 40 MB peak. The single-segment writer has
/// no queue and no thread. It expects an empty directory that no one else writes to:
/// callers hand it a fresh `RamDirectory` or an index directory they emptied under
/// tantivy's writer lock ([`rebuild_dir`]).
fn single_segment(
    directory: Box<dyn tantivy::Directory>,
    schema: tantivy::schema::Schema,
    fields: Fields,
    keys: &[String],
    snapshots: &[store::Snapshot],
) -> tantivy::Result<Index> {
    let mut writer = Index::builder()
        .schema(schema)
        .single_segment_index_writer(directory, WRITER_BUDGET)?;
    for (key, snapshot) in keys.iter().zip(snapshots) {
        for document in snapshot_documents(fields, key, snapshot) {
            writer.add_document(document)?;
        }
    }
    writer.finalize()
}

/// Replaces the on-disk index in `index_dir` by a new one holding every snapshot.
/// Holds tantivy's writer lock throughout, so no other process's writer (a refresh of the
/// same packs) interleaves; readers elsewhere keep the files they mapped.
fn rebuild_dir(
    index_dir: &Path,
    schema: tantivy::schema::Schema,
    fields: Fields,
    keys: &[String],
    snapshots: &[store::Snapshot],
) -> Result<Index, String> {
    use tantivy::directory::{Directory, MmapDirectory, INDEX_WRITER_LOCK};
    let directory = MmapDirectory::open(index_dir)
        .map_err(|e| format!("cannot open {}: {e}", index_dir.display()))?;
    let _writing = directory
        .acquire_lock(&INDEX_WRITER_LOCK)
        .map_err(|e| format!("index writer unavailable (another build holds it?): {e}"))?;
    let entries = std::fs::read_dir(index_dir)
        .map_err(|e| format!("cannot list {}: {e}", index_dir.display()))?;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        // The lock files stay: another process may be waiting on them.
        if name.starts_with(".tantivy-") && name.ends_with(".lock") {
            continue;
        }
        let path = entry.path();
        // A link is removed as a link, never followed into what it points at.
        let is_real_dir = std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_dir());
        let removed = if is_real_dir {
            std::fs::remove_dir_all(&path)
        } else {
            std::fs::remove_file(&path)
        };
        removed.map_err(|e| format!("cannot clear {}: {e}", path.display()))?;
    }
    single_segment(Box::new(directory), schema, fields, keys, snapshots)
        .map_err(|e| format!("index write failed: {e}"))
}

/// Opens (or creates) the index in `dir`; an index of another schema is wiped.
fn open_dir(dir: &Path, schema: &tantivy::schema::Schema) -> Result<Index, String> {
    let index_dir = dir.join("tantivy");
    // The cache never follows a link out of itself: rebuilding clears these folders.
    for own in [dir.to_path_buf(), index_dir.clone(), dir.join("packs")] {
        if std::fs::symlink_metadata(&own).is_ok_and(|m| m.file_type().is_symlink()) {
            return Err(format!(
                "{} is a symbolic link; the cache does not follow links out of itself",
                own.display()
            ));
        }
    }
    if index_dir.is_dir() && !writable(&index_dir) {
        return read_only_copy(&index_dir);
    }
    std::fs::create_dir_all(&index_dir)
        .map_err(|e| format!("cannot create {}: {e}", index_dir.display()))?;
    let usable =
        |index: &Index| schema::fields_of(&index.schema()).is_some() && index.schema() == *schema;
    match Index::open_in_dir(&index_dir) {
        Ok(index) if usable(&index) && intact(&index) => return Ok(index),
        Ok(index) if usable(&index) => {
            // A truncated or garbled segment file: set aside (kept for a bug report, never
            // deleted through a link), then rebuilt from the skill files.
            let aside = dir.join(format!("tantivy.corrupt-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&aside);
            let moved = std::fs::rename(&index_dir, &aside).is_ok();
            tracing::warn!(
                "the index in {} is corrupt; {}rebuilding it from the skill files",
                index_dir.display(),
                if moved {
                    format!("set aside as {}; ", aside.display())
                } else {
                    String::new()
                }
            );
            if !moved {
                let _ = std::fs::remove_dir_all(&index_dir);
            }
            let _ = std::fs::remove_file(dir.join("manifest.json"));
            std::fs::create_dir_all(&index_dir)
                .map_err(|e| format!("cannot create {}: {e}", index_dir.display()))?;
        }
        Ok(_)
        | Err(tantivy::TantivyError::OpenReadError(_))
        | Err(tantivy::TantivyError::DataCorruption(_))
        | Err(tantivy::TantivyError::IncompatibleIndex(_)) => {
            // Another version, or unreadable: rebuilt from the skill files.
            let _ = std::fs::remove_dir_all(&index_dir);
            let _ = std::fs::remove_file(dir.join("manifest.json"));
            std::fs::create_dir_all(&index_dir)
                .map_err(|e| format!("cannot create {}: {e}", index_dir.display()))?;
        }
        Err(_) => {}
    }
    let directory = tantivy::directory::MmapDirectory::open(&index_dir)
        .map_err(|e| format!("cannot open {}: {e}", index_dir.display()))?;
    Index::open_or_create(directory, schema.clone())
        .map_err(|e| format!("cannot open index in {}: {e}", index_dir.display()))
}

/// Whether this process may create files in `dir` (permissions alone do not say: root,
/// ACLs, read-only mounts), by creating and removing a probe file.
fn writable(dir: &Path) -> bool {
    let probe = dir.join(format!(".write-probe-{}", std::process::id()));
    let created = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&probe)
        .is_ok();
    if created {
        let _ = std::fs::remove_file(&probe);
    }
    created
}

/// Largest index file copied from a read-only cache (the index of 1,000 packs is tens
/// of megabytes).
const MAX_READ_ONLY_INDEX_FILE_BYTES: u64 = 512 * 1024 * 1024;

/// An index in a folder this process cannot write (a shared or read-only cache), copied
/// into memory: tantivy's readers take a lock file beside the index, which a read-only
/// folder refuses. Changes to it are then made in memory and not persisted.
fn read_only_copy(index_dir: &Path) -> Result<Index, String> {
    use tantivy::Directory;
    let ram = tantivy::directory::RamDirectory::create();
    let entries = std::fs::read_dir(index_dir)
        .map_err(|e| format!("cannot list {}: {e}", index_dir.display()))?;
    for entry in entries.flatten() {
        let name = entry.file_name();
        if name.to_string_lossy().ends_with(".lock") {
            continue;
        }
        let bytes = crate::pack::read_capped(&entry.path(), MAX_READ_ONLY_INDEX_FILE_BYTES)
            .map_err(|why| format!("{}: {why}", entry.path().display()))?;
        ram.atomic_write(Path::new(&name), &bytes)
            .map_err(|e| format!("cannot copy {}: {e}", entry.path().display()))?;
    }
    let index = Index::open(ram).map_err(|e| format!("cannot open the read-only index: {e}"))?;
    if !intact(&index) {
        return Err(format!(
            "the read-only index in {} is corrupt",
            index_dir.display()
        ));
    }
    tracing::info!(
        "the cache in {} is read-only: serving a copy in memory",
        index_dir.display()
    );
    Ok(index)
}

/// Every file of the index's segments has its checksum: one truncated or garbled segment
/// file would otherwise fail every search until the cache is deleted by hand. Reading
/// the files costs milliseconds (the index of 100 packs is a few megabytes).
fn intact(index: &Index) -> bool {
    index.validate_checksum().is_ok_and(|bad| bad.is_empty())
        && index.reader().is_ok_and(|reader| {
            reader.searcher().segment_readers().iter().all(|segment| {
                index.schema().fields().all(|(field, entry)| {
                    !entry.is_indexed() || segment.inverted_index(field).is_ok()
                })
            })
        })
}

/// Brings the persisted index of `dir` up to date: rebuilt whole when nothing of it can be
/// kept, else the stale and changed packs deleted and the changed ones added.
#[allow(clippy::too_many_arguments)]
fn write_changes(
    index: Index,
    dir: &Path,
    fields: Fields,
    keys: &[String],
    snapshots: &[store::Snapshot],
    changed: &[(usize, String)],
    stale: &[&String],
    full_rebuild: bool,
) -> Result<Index, String> {
    if full_rebuild {
        return rebuild_dir(
            &dir.join("tantivy"),
            index.schema(),
            fields,
            keys,
            snapshots,
        );
    }
    let mut writer: IndexWriter = index
        .writer_with_num_threads(1, WRITER_BUDGET)
        .map_err(|e| format!("index writer unavailable (another build holds it?): {e}"))?;
    let run = |writer: &mut IndexWriter| -> tantivy::Result<()> {
        for key in stale {
            writer.delete_term(Term::from_field_text(fields.pack, key));
        }
        for (i, _) in changed {
            writer.delete_term(Term::from_field_text(fields.pack, &keys[*i]));
            add_snapshot(writer, fields, &keys[*i], &snapshots[*i])?;
        }
        writer.commit()?;
        Ok(())
    };
    let result = run(&mut writer).map_err(|e| format!("index write failed: {e}"));
    if result.is_err() {
        let _ = writer.rollback();
    }
    let _ = writer.wait_merging_threads();
    result.map(|()| index)
}

fn in_memory(
    keys: &[String],
    snapshots: &[store::Snapshot],
) -> Result<(Index, Fields), CatalogError> {
    let (schema, fields) = schema::build();
    let directory = Box::new(tantivy::directory::RamDirectory::create());
    let index = single_segment(directory, schema, fields, keys, snapshots)?;
    Ok((index, fields))
}
