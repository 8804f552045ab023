//! `cargo bench --bench catalog`: index build, open, and search latency over
//! ../shared/corpus (or the embedded default when the corpus is absent). Prints a table;
//! numbers go to docs/BENCHMARKS.md. Timing only: nothing here asserts a duration.

use skill_lsp::catalog::{Catalog, CatalogOptions, PackSource};
use skill_lsp::pack::PackLocation;
use std::path::Path;
use std::time::{Duration, Instant};

fn sources() -> (Vec<PackSource>, &'static str) {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    let Ok(dirs) = std::fs::read_dir(&corpus) else {
        return (
            vec![PackSource::Embedded],
            "embedded default (no ../shared/corpus)",
        );
    };
    let mut sources: Vec<PackSource> = dirs
        .flatten()
        .filter_map(|d| PackLocation::from_dir(&d.path()).ok())
        .map(PackSource::Disk)
        .collect();
    sources.sort_by_key(|s| s.key());
    (
        sources,
        "../shared/corpus (every pack: skills + maps + doc trees)",
    )
}

fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort();
    let idx = ((samples.len() as f64 - 1.0) * p).round() as usize;
    samples[idx]
}

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1e3)
}

fn main() {
    let (sources, what) = sources();
    println!("corpus: {what}");
    let runs = 10;

    let mut build_mem = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        let options = CatalogOptions {
            in_memory: true,
            ..Default::default()
        };
        let _ = Catalog::load(&sources, &options, |_| {}).expect("build");
        build_mem.push(t.elapsed());
    }
    let mut build_cold = Vec::new();
    let mut open_warm = Vec::new();
    for _ in 0..runs {
        let cache = tempfile::tempdir().expect("tempdir");
        let options = CatalogOptions {
            cache_base: Some(cache.path().to_path_buf()),
            in_memory: false,
        };
        let t = Instant::now();
        let (_, report) = Catalog::load(&sources, &options, |_| {}).expect("cold build");
        build_cold.push(t.elapsed());
        assert!(
            report.cache_dir.is_some(),
            "persisted: {:?}",
            report.fallback
        );
        let t = Instant::now();
        let (_, report) = Catalog::load(&sources, &options, |_| {}).expect("open");
        open_warm.push(t.elapsed());
        assert_eq!(report.rebuilt, 0);
    }
    let options = CatalogOptions {
        in_memory: true,
        ..Default::default()
    };
    let (catalog, _) = Catalog::load(&sources, &options, |_| {}).expect("build");
    let queries = [
        "ase.io.read",
        "backend_config",
        "OMP_NUM_THREADS",
        "num_threads",
        "kpts",
        "mpi deadlock",
        "Trajectory",
        "sisl.get_sile",
    ];
    let mut search = Vec::new();
    for _ in 0..200 {
        for q in queries {
            let t = Instant::now();
            let hits = catalog.search(q, 10).expect("search");
            search.push(t.elapsed());
            std::hint::black_box(hits);
        }
    }
    println!(
        "entries: {}, symbol keys: {}",
        catalog.entry_count(),
        catalog.symbol_count()
    );
    println!("| measure | p50 | max |");
    println!("| --- | --- | --- |");
    for (name, samples) in [
        ("full build, in memory", &mut build_mem),
        ("full build, persisted (cold cache)", &mut build_cold),
        ("open up-to-date persisted index", &mut open_warm),
    ] {
        let max = *samples.iter().max().unwrap_or(&Duration::ZERO);
        println!(
            "| {name} | {} | {} |",
            ms(percentile(samples, 0.5)),
            ms(max)
        );
    }
    let p99 = percentile(&mut search, 0.99);
    println!(
        "| search (8 queries x 200), p50 / p99 | {} | {} (p99) |",
        ms(percentile(&mut search, 0.5)),
        ms(p99)
    );
}
