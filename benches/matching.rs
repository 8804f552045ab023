//! `cargo bench --bench matching`: explain latency (resolve + match + render, warm, in
//! process) and `check` throughput over a generated tree of Python files. Prints a table.

#[path = "../tests/common/mod.rs"]
mod common;
#[path = "support/mod.rs"]
mod support;

use skill_lsp::analysis;
use skill_lsp::catalog::{Catalog, CatalogOptions, PackSource};
use skill_lsp::code::{Code, FileKind};
use skill_lsp::pack::PackLocation;
use skill_lsp::render::{hover_markdown, HoverOptions};
use skill_lsp::source::SourceRoots;
use std::path::Path;
use std::time::{Duration, Instant};
use support::percentile;

const SCRIPT: &str = include_str!("../examples/parallel_md.py");

fn us(d: Duration) -> String {
    format!("{:.1} µs", d.as_secs_f64() * 1e6)
}

/// A typical scientific script of ~60 lines, varied per file.
fn generated_script(i: usize) -> String {
    format!(
        "import numpy as np\nimport os\nfrom ase.io import read, write\nfrom ase.calculators.psi4 import Psi4\nimport oqupy\n\n\
def setup_{i}(path):\n    atoms = read(path)\n    atoms.calc = Psi4(method='b3lyp', basis='cc-pvdz')\n    return atoms\n\n\
def analyse_{i}(atoms):\n    data = np.zeros((10, 3))\n    for k in range(10):\n        data[k] = atoms.get_positions()[0] * k\n    write('out_{i}.xyz', atoms)\n    return data.mean()\n\n\
def chain_{i}(mps, system_chain, pts, params):\n    os.environ['OMP_NUM_THREADS'] = '1'\n    return oqupy.PtTebd(initial_augmented_mps=mps, system_chain=system_chain,\n        process_tensors=pts, parameters=params, backend_config={{'parallel': 'multithread'}})\n\n\
if __name__ == '__main__':\n    atoms = setup_{i}('start_{i}.traj')\n    print(analyse_{i}(atoms))\n{}",
        (0..30).map(|k| format!("value_{k} = np.sqrt({k}) * {i}\n")).collect::<String>()
    )
}

fn main() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    let mut sources: Vec<PackSource> = std::fs::read_dir(&corpus)
        .map(|d| {
            d.flatten()
                .filter_map(|e| PackLocation::from_dir(&e.path()).ok())
                .map(PackSource::Disk)
                .collect()
        })
        .unwrap_or_default();
    let what = if sources.is_empty() {
        "embedded default"
    } else {
        "../shared/corpus"
    };
    if sources.is_empty() {
        sources.push(PackSource::Embedded);
    }
    let options = CatalogOptions {
        in_memory: true,
        ..Default::default()
    };
    let (catalog, _) = Catalog::load(&sources, &options, |_| {}).expect("catalog");
    let roots = SourceRoots::new(Vec::new());
    let doc = Code::parse(FileKind::Python, SCRIPT.to_string()).expect("parse");
    let needles = [
        "read('start",
        "Trajectory(f",
        "Psi4(method",
        "backend_config",
        "OMP_NUM",
        "world.rank",
        "energy =",
        "\n\n",
    ];
    let positions: Vec<usize> = needles
        .iter()
        .map(|n| SCRIPT.find(n).expect("position"))
        .collect();
    println!(
        "packs: {what}; {} positions (matched calls, unmatched names, whitespace)",
        positions.len()
    );
    let mut samples = Vec::new();
    let mut by_position = vec![Vec::new(); positions.len()];
    for _ in 0..500 {
        for (i, &offset) in positions.iter().enumerate() {
            let t = Instant::now();
            let md = analysis::explain_at(&catalog, &doc, offset, &roots)
                .and_then(|e| hover_markdown(&e, &HoverOptions::default()));
            samples.push(t.elapsed());
            by_position[i].push(t.elapsed());
            std::hint::black_box(md);
        }
    }
    for (needle, mut times) in needles.iter().zip(by_position) {
        println!(
            "  at {:?}: p50 {}, p99 {}",
            needle,
            us(percentile(&mut times, 0.5)),
            us(percentile(&mut times, 0.99))
        );
    }
    // Calls of a covered package that no key or mention links: each runs the retrieval
    // query (link 2b) over the package's pitfalls.
    let unlinked = "import uproot\nf = uproot.recreate('out.root')\nf.mktree('t', {'x': 'f8'})\nuproot.num_entries_for('100 MB', f, 't')\n";
    let unlinked_doc = Code::parse(FileKind::Python, unlinked.to_string()).expect("parse");
    for needle in ["recreate(", "mktree(", "num_entries_for("] {
        let offset = unlinked.find(needle).expect("position");
        let mut times = Vec::new();
        for _ in 0..500 {
            let t = Instant::now();
            let md = analysis::explain_at(&catalog, &unlinked_doc, offset, &roots)
                .and_then(|e| hover_markdown(&e, &HoverOptions::default()));
            times.push(t.elapsed());
            std::hint::black_box(md);
        }
        println!(
            "  retrieval path at {:?}: p50 {}, p99 {}",
            needle,
            us(percentile(&mut times, 0.5)),
            us(percentile(&mut times, 0.99))
        );
    }
    let p50 = percentile(&mut samples, 0.5);
    let p99 = percentile(&mut samples, 0.99);
    let max = *samples.last().unwrap_or(&Duration::ZERO);
    println!("| measure | value |");
    println!("| --- | --- |");
    println!("| explain (resolve+match+render), p50 | {} |", us(p50));
    println!("| explain, p99 | {} |", us(p99));
    println!("| explain, max | {} |", us(max));

    let files = 2000;
    let scripts: Vec<String> = (0..files).map(generated_script).collect();
    let lines: usize = scripts.iter().map(|s| s.lines().count()).sum();
    let t = Instant::now();
    let mut findings = 0;
    for script in &scripts {
        let doc = Code::parse(FileKind::Python, script.clone()).expect("parse");
        findings += analysis::check_document(&catalog, &doc).len();
    }
    let elapsed = t.elapsed();
    println!(
        "| check: {files} files ({lines} lines, parse + match, in memory) | {:.0} files/s ({findings} sites with findings) |",
        files as f64 / elapsed.as_secs_f64()
    );

    check_cli_on_disk(&scripts);
}

/// `skill-lsp check DIR` as a user runs it: the release binary, the files on disk, the
/// embedded default packs, as many threads as cores. Median of 5 runs.
fn check_cli_on_disk(scripts: &[String]) {
    let tree = tempfile::tempdir().expect("temp dir");
    let cache = tempfile::tempdir().expect("temp dir");
    for (i, script) in scripts.iter().enumerate() {
        // 20 files per folder, as a project's analysis scripts sit in a few folders.
        let dir = tree.path().join(format!("study_{:03}", i / 20));
        std::fs::create_dir_all(&dir).expect("mkdir");
        std::fs::write(dir.join(format!("run_{i:04}.py")), script).expect("write");
    }
    let run = || {
        let t = Instant::now();
        let mut child = std::process::Command::new(common::bin())
            .arg("check")
            .arg(tree.path())
            .env("SKILL_LSP_CACHE_DIR", cache.path())
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("spawn skill-lsp check");
        let mut peak = None;
        while child.try_wait().expect("wait").is_none() {
            peak = support::peak_rss_kb(child.id()).or(peak);
            std::thread::sleep(Duration::from_millis(2));
        }
        (t.elapsed(), peak)
    };
    run(); // persists the index of the embedded packs
    let mut times = Vec::new();
    let mut peaks = Vec::new();
    for _ in 0..5 {
        let (elapsed, peak) = run();
        times.push(elapsed);
        peaks.extend(peak);
    }
    let median = percentile(&mut times, 0.5);
    println!(
        "| check CLI: {} files on disk, `skill-lsp check DIR` ({} cores), median of 5 | {:.0} files/s ({:.3} s wall, {:.3}-{:.3} s; peak RSS {}) |",
        scripts.len(),
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        scripts.len() as f64 / median.as_secs_f64(),
        median.as_secs_f64(),
        times[0].as_secs_f64(),
        times[times.len() - 1].as_secs_f64(),
        support::mb(peaks.iter().copied().max()),
    );
}
