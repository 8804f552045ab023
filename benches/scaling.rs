//! `cargo bench --bench scaling`: how the index and the hover grow with the corpus.
//! Generates synthetic packs shaped like ../shared/corpus (`support/synthetic.rs`) and,
//! for 2 to 1,000 packs (`SCALING_SIZES=2,10,100,1000` by default), measures in process:
//! full build (persisted), index size on disk, opening the up-to-date index, the
//! incremental refresh after one SKILL.md changes; and over stdio with the real server:
//! spawn to first hover (persisted and cold), hover round trip p50/p99 and peak RSS.
//! Prints a table; nothing asserts a duration.

#[path = "../tests/common/mod.rs"]
mod common;
#[path = "support/mod.rs"]
mod support;
#[path = "support/synthetic.rs"]
mod synthetic;

use common::lsp::{position_of, uri_of, Client};
use serde_json::json;
use skill_lsp::catalog::{Catalog, CatalogOptions, PackSource};
use skill_lsp::pack::PackLocation;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use support::{mb, ms, peak_rss_kb, percentile, script, HOVER_NEEDLES};

const HOVERS: usize = 1000;

fn dir_size(dir: &Path) -> u64 {
    ignore::WalkBuilder::new(dir)
        .standard_filters(false)
        .build()
        .flatten()
        .filter_map(|e| e.metadata().ok())
        .filter(|m| m.is_file())
        .map(|m| m.len())
        .sum()
}

fn sources(roots: &[PathBuf]) -> Vec<PackSource> {
    roots
        .iter()
        .map(|r| PackSource::Disk(PackLocation::from_dir(r).expect("synthetic pack")))
        .collect()
}

struct InProcess {
    entries: usize,
    keys: usize,
    build: Duration,
    open: Duration,
    refresh: Duration,
    index_bytes: u64,
}

fn in_process(roots: &[PathBuf], cache: &Path) -> InProcess {
    let sources = sources(roots);
    let options = CatalogOptions {
        cache_base: Some(cache.to_path_buf()),
        in_memory: false,
    };
    let t = Instant::now();
    let (catalog, report) = Catalog::load(&sources, &options, |_| {}).expect("build");
    let build = t.elapsed();
    let (entries, keys) = (catalog.entry_count(), catalog.symbol_count());
    drop(catalog);
    let index_bytes = report.cache_dir.as_deref().map(dir_size).unwrap_or(0);
    let t = Instant::now();
    let (catalog, report) = Catalog::load(&sources, &options, |_| {}).expect("open");
    let open = t.elapsed();
    assert_eq!(report.rebuilt, 0, "an up-to-date index is reused");
    // One SKILL.md of the middle pack gains a pitfall; only that pack is re-read.
    let middle = &roots[roots.len() / 2];
    let skill = std::fs::read_dir(middle.join("skills"))
        .expect("skills")
        .flatten()
        .map(|e| e.path().join("SKILL.md"))
        .min()
        .expect("a skill");
    let mut text = std::fs::read_to_string(&skill).expect("read skill");
    text = text.replacen(
        "- Pitfalls:\n",
        "- Pitfalls:\n  - `numpy.asarray` copies a list of frames; preallocate instead.\n",
        1,
    );
    std::fs::write(&skill, text).expect("edit skill");
    // As the server refreshes: the running catalog lends its unchanged packs.
    let t = Instant::now();
    let (_, report) = catalog
        .refresh(&sources, &options, |_| {})
        .expect("refresh");
    let refresh = t.elapsed();
    assert_eq!(report.rebuilt, 1, "only the edited pack is rebuilt");
    InProcess {
        entries,
        keys,
        build,
        open,
        refresh,
        index_bytes,
    }
}

struct Served {
    /// Spawn to the first hover answered on the first pack's call.
    first_pack_hover: Duration,
    /// Spawn to the first hover answered on the last pack's call (the whole corpus read).
    first_hover: Duration,
    hovers: Vec<Duration>,
    /// p50 and p99 of the server's own work per hover, in µs (`skill-lsp.stats`).
    server_hover: (f64, f64),
    rss_kb: Option<u64>,
}

fn served(roots: &[PathBuf], packs_dir: &Path, cache: &Path) -> Served {
    let ws = tempfile::tempdir().expect("ws");
    let mut text = script();
    let mut needles: Vec<String> = HOVER_NEEDLES.iter().map(|s| s.to_string()).collect();
    for index in [0, roots.len() - 1] {
        if let Some((code, needle)) = synthetic::usage(packs_dir, index) {
            text.push_str("\n\n");
            text.push_str(&code);
            needles.push(needle);
        }
    }
    let file = ws.path().join("bench.py");
    std::fs::write(&file, &text).expect("write script");
    let uri = uri_of(&file);
    let paths: Vec<String> = roots.iter().map(|r| r.display().to_string()).collect();
    let started = Instant::now();
    let mut client = Client::start_with_cache(ws.path(), cache);
    client.call(
        "initialize",
        json!({"processId": null, "rootUri": uri_of(ws.path()), "capabilities": {"textDocument": {"hover": {"contentFormat": ["markdown"]}}}, "initializationOptions": {"skillPaths": paths}}),
    );
    client.notify("initialized", json!({}));
    client.open(&uri, "python", &text);
    // The first pack's call answers as soon as that pack is read (partial catalogs);
    // the last pack's once the whole corpus is. Both are timed from spawn.
    let first_pack = needles[HOVER_NEEDLES.len()].clone();
    let last_pack = needles.last().expect("needles").clone();
    let mut answered = Vec::new();
    for needle in [first_pack, last_pack] {
        let (line, col) = position_of(&text, &needle, 0);
        loop {
            // Until a first catalog is in, the server may answer "not ready": retry.
            let response = client.request(
                "textDocument/hover",
                json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": col}}),
            );
            if response["result"]["contents"]["value"]
                .as_str()
                .is_some_and(|v| v.contains("synpkg"))
            {
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(600),
                "no synthetic hover: {response}"
            );
            std::thread::sleep(Duration::from_millis(1));
        }
        answered.push(started.elapsed());
    }
    let (first_pack_hover, first_hover) = (answered[0], answered[1]);
    let positions: Vec<(u32, u32)> = needles.iter().map(|n| position_of(&text, n, 0)).collect();
    let mut hovers = Vec::with_capacity(HOVERS);
    for i in 0..HOVERS {
        let (l, c) = positions[i % positions.len()];
        let t = Instant::now();
        let _ = client.hover(&uri, l, c);
        hovers.push(t.elapsed());
    }
    let rss_kb = peak_rss_kb(client.pid());
    let server_hover = client.server_time_us("hover");
    assert!(client.shutdown().success());
    Served {
        first_pack_hover,
        first_hover,
        hovers,
        server_hover,
        rss_kb,
    }
}

/// "first pack / all packs" for the table.
fn first_hovers(served: &Served) -> String {
    format!(
        "{} / {}",
        ms(served.first_pack_hover),
        ms(served.first_hover)
    )
}

fn main() {
    let sizes: Vec<usize> = std::env::var("SCALING_SIZES")
        .unwrap_or_else(|_| "2,10,100,1000".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .filter(|n| *n > 0)
        .collect();
    let largest = sizes.iter().copied().max().unwrap_or(0);
    let packs_dir = tempfile::tempdir().expect("packs dir");
    let t = Instant::now();
    let roots: Vec<PathBuf> = (0..largest)
        .map(|i| synthetic::write_pack(packs_dir.path(), i).expect("write synthetic pack"))
        .collect();
    println!(
        "generated {largest} synthetic packs ({:.1} MB) in {}",
        dir_size(packs_dir.path()) as f64 / 1e6,
        ms(t.elapsed())
    );
    println!("| packs | entries | keys | full build | index on disk | open index | refresh after 1 SKILL.md | first hover, persisted (first pack / all) | first hover, cold (first pack / all) | hover p50 | hover p99 | server p50/p99 | peak RSS persisted | peak RSS cold |");
    println!(
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
    );
    for n in sizes {
        let roots = &roots[..n];
        let local = in_process(roots, tempfile::tempdir().expect("cache").path());
        // The server's index is its own (its fingerprints carry the binary's identity):
        // the cold run persists it, the second run reuses it.
        let cache = tempfile::tempdir().expect("server cache");
        let cold = served(roots, packs_dir.path(), cache.path());
        let mut persisted = served(roots, packs_dir.path(), cache.path());
        println!(
            "| {n} | {} | {} | {} | {:.1} MB | {} | {} | {} | {} | {} | {} | {:.0}/{:.0} µs | {} | {} |",
            local.entries,
            local.keys,
            ms(local.build),
            local.index_bytes as f64 / 1e6,
            ms(local.open),
            ms(local.refresh),
            first_hovers(&persisted),
            first_hovers(&cold),
            ms(percentile(&mut persisted.hovers, 0.5)),
            ms(percentile(&mut persisted.hovers, 0.99)),
            persisted.server_hover.0,
            persisted.server_hover.1,
            mb(persisted.rss_kb),
            mb(cold.rss_kb),
        );
    }
}
