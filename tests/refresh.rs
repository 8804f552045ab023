//! A running catalog's refresh: the changed pack is re-read, the others are lent as they
//! are (the same allocation), and the persisted index follows.

use skill_lsp::catalog::{Catalog, CatalogOptions, PackSource};
use skill_lsp::pack::PackLocation;
use std::path::Path;
use std::sync::Arc;

fn write_pack(root: &Path, name: &str, pitfall: &str) {
    let dir = root.join(name).join("skills").join(format!("{name}-hpc"));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("SKILL.md"),
        format!("---\nname: {name}-hpc\ndescription: HPC with {name}.\n---\n\n# {name}\n\n- Pitfalls:\n  - {pitfall}\n"),
    )
    .unwrap();
}

/// The packs `names` under `root`, persisted in `cache`.
fn sources_and_options(
    root: &Path,
    names: &[&str],
    cache: &Path,
) -> (Vec<PackSource>, CatalogOptions) {
    let sources = names
        .iter()
        .map(|n| PackSource::Disk(PackLocation::from_dir(&root.join(n)).unwrap()))
        .collect();
    let options = CatalogOptions {
        cache_base: Some(cache.to_path_buf()),
        in_memory: false,
    };
    (sources, options)
}

/// Packs alpha (with `alpha_pitfall`) and beta, persisted in a cache of their own.
struct TwoPacks {
    packs: tempfile::TempDir,
    _cache: tempfile::TempDir,
    sources: Vec<PackSource>,
    options: CatalogOptions,
}

fn alpha_and_beta(alpha_pitfall: &str) -> TwoPacks {
    let packs = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    write_pack(packs.path(), "alpha", alpha_pitfall);
    write_pack(packs.path(), "beta", "`beta.read` reads on every rank.");
    let (sources, options) = sources_and_options(packs.path(), &["alpha", "beta"], cache.path());
    TwoPacks {
        packs,
        _cache: cache,
        sources,
        options,
    }
}

#[test]
fn refresh_rereads_only_the_changed_pack() {
    let TwoPacks {
        packs,
        _cache,
        sources,
        options,
    } = alpha_and_beta("`alpha.run` with `nthreads=8` oversubscribes.");
    let (first, _) = Catalog::load(&sources, &options, |_| {}).unwrap();
    assert!(!first.with_key("sym:beta.read").is_empty());

    // Another mtime for sure, then a new pitfall in beta.
    std::thread::sleep(std::time::Duration::from_millis(20));
    write_pack(
        packs.path(),
        "beta",
        "`beta.write` truncates unless `append=True`.",
    );
    let (second, report) = first.refresh(&sources, &options, |_| {}).unwrap();
    assert_eq!((report.rebuilt, report.reused), (1, 1));
    assert!(
        second.with_key("sym:beta.read").is_empty(),
        "the old text is gone"
    );
    assert!(
        !second.with_key("sym:beta.write").is_empty(),
        "the new text answers"
    );
    let alpha = |c: &Catalog| c.packs.iter().find(|p| p.name == "alpha").cloned().unwrap();
    assert!(
        Arc::ptr_eq(&alpha(&first), &alpha(&second)),
        "alpha is lent, not re-read"
    );
    assert_eq!(
        second.search("truncates", 5).unwrap().len(),
        1,
        "the index follows"
    );

    // A fresh load from the persisted index agrees.
    let (reopened, report) = Catalog::load(&sources, &options, |_| {}).unwrap();
    assert_eq!(report.rebuilt, 0);
    assert!(!reopened.with_key("sym:beta.write").is_empty());
}

/// A starting server gets catalogs of the packs read so far (1, 2, 4, ... of them), in
/// source order, before the complete one.
#[test]
fn progressive_load_hands_out_partial_catalogs() {
    let packs = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let names = ["p1", "p2", "p3", "p4", "p5"];
    for name in names {
        write_pack(
            packs.path(),
            name,
            &format!("`{name}.run` needs `nthreads`."),
        );
    }
    let (sources, options) = sources_and_options(packs.path(), &names, cache.path());
    let seen = std::sync::Mutex::new(Vec::new());
    let (complete, _) = Catalog::load_progressively(&sources, &options, &|partial| {
        let mut names: Vec<String> = partial.packs.iter().map(|p| p.name.clone()).collect();
        let sorted = {
            let mut s = names.clone();
            s.sort();
            s
        };
        assert_eq!(names, sorted, "source order");
        assert!(
            partial.with_key(&format!("sym:{}.run", names[0])).len() == 1,
            "a partial catalog answers lookups"
        );
        seen.lock().unwrap().push(names.len());
        names.clear();
    })
    .unwrap();
    assert_eq!(*seen.lock().unwrap(), [1, 2, 4]);
    assert_eq!(complete.packs.len(), 5);
    assert_eq!(complete.search("nthreads", 10).unwrap().len(), 5);
}

/// The segment ids in a persisted index folder (tantivy names segment files `<id>.<ext>`).
fn segments_in(index_dir: &Path) -> std::collections::BTreeSet<String> {
    std::fs::read_dir(index_dir)
        .unwrap()
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().to_string();
            let (stem, _) = name.split_once('.')?;
            (stem.len() == 32 && stem.bytes().all(|b| b.is_ascii_hexdigit()))
                .then(|| stem.to_string())
        })
        .collect()
}

/// An index nothing of which can be kept (here: its manifest is gone, as after an
/// upgrade) is rebuilt whole, in place: one segment, the old documents gone, and the
/// persisted index used, not an in-memory fallback.
#[test]
fn full_rebuild_replaces_the_persisted_index() {
    let TwoPacks {
        packs,
        _cache,
        sources,
        options,
    } = alpha_and_beta("`alpha.run` oversubscribes the cores.");
    let (first, report) = Catalog::load(&sources, &options, |_| {}).unwrap();
    let dir = report.cache_dir.clone().expect("persisted");
    assert_eq!(report.fallback, None);
    assert_eq!(first.search("oversubscribes", 5).unwrap().len(), 1);
    let index_dir = dir.join("tantivy");
    let before = segments_in(&index_dir);
    assert_eq!(before.len(), 1, "a cold build writes one segment");
    drop(first);

    std::fs::remove_file(dir.join("manifest.json")).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    write_pack(packs.path(), "alpha", "`alpha.run` leaks file handles.");
    let (second, report) = Catalog::load(&sources, &options, |_| {}).unwrap();
    assert_eq!((report.rebuilt, report.fallback.clone()), (2, None));
    assert_eq!(report.cache_dir.as_deref(), Some(dir.as_path()));
    assert!(
        second.search("oversubscribes", 5).unwrap().is_empty(),
        "old text gone"
    );
    assert_eq!(second.search("leaks", 5).unwrap().len(), 1);
    assert_eq!(second.search("rank", 5).unwrap().len(), 1, "no duplicates");
    let after = segments_in(&index_dir);
    assert_eq!(after.len(), 1, "one segment: {after:?}");
    assert!(
        before.is_disjoint(&after),
        "the old segment's files are gone"
    );
    assert!(
        index_dir.join(".tantivy-writer.lock").exists(),
        "lock files stay"
    );
    drop(second);

    let (reopened, report) = Catalog::load(&sources, &options, |_| {}).unwrap();
    assert_eq!(report.rebuilt, 0);
    assert_eq!(reopened.search("leaks", 5).unwrap().len(), 1);
}

/// A full rebuild while another process holds tantivy's writer lock (a second server
/// refreshing the same packs) leaves that index alone and serves from memory, saying so.
#[test]
fn full_rebuild_under_a_busy_lock_falls_back_to_memory() {
    use tantivy::directory::{Directory, MmapDirectory, INDEX_WRITER_LOCK};
    let packs = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    write_pack(
        packs.path(),
        "alpha",
        "`alpha.run` oversubscribes the cores.",
    );
    let (sources, options) = sources_and_options(packs.path(), &["alpha"], cache.path());
    let (_, report) = Catalog::load(&sources, &options, |_| {}).unwrap();
    let dir = report.cache_dir.expect("persisted");
    let index_dir = dir.join("tantivy");
    let segments = segments_in(&index_dir);

    // Another writer (flock is per open file, so this holds it against the loader too).
    let other = MmapDirectory::open(&index_dir).unwrap();
    let _held = other.acquire_lock(&INDEX_WRITER_LOCK).unwrap();
    std::fs::remove_file(dir.join("manifest.json")).unwrap();
    let (catalog, report) = Catalog::load(&sources, &options, |_| {}).unwrap();
    let why = report.fallback.expect("an in-memory fallback");
    assert!(why.contains("another build"), "{why}");
    assert_eq!(catalog.search("oversubscribes", 5).unwrap().len(), 1);
    assert_eq!(
        segments_in(&index_dir),
        segments,
        "the held index is untouched"
    );
}
