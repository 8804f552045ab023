//! `cargo bench --bench lsp`: the whole path over stdio, as an editor sees it. Spawns
//! `skill-lsp lsp`, initializes, opens a ~300-line script using ase and oqupy, hovers
//! N times over fixed positions (matched calls, unmatched calls, whitespace), measures an
//! edit-to-diagnostics round, and reads the server's peak RSS. Once with a persisted
//! index, once cold. Prints a table; nothing asserts a duration.

#[path = "../tests/common/mod.rs"]
mod common;

use common::lsp::{position_of, uri_of, Client};
use serde_json::{json, Value};
use std::path::Path;
use std::time::{Duration, Instant};

const HOVERS: usize = 2000;

fn script() -> String {
    let block = include_str!("../examples/parallel_md.py");
    let mut s = String::from(block);
    for i in 0..30 {
        s.push_str(&format!(
            "\n\ndef analyse_{i}(path):\n    frames = read(path, index=':')\n    energies = [f.get_potential_energy() for f in frames]\n    data = np.asarray(energies)\n    \
             mean = data.mean()\n    spread = data.std()\n    write('summary_{i}.xyz', frames[-1])\n    return mean, spread\n"
        ));
    }
    s.insert_str(0, "import numpy as np\nfrom ase.io import write\n");
    s
}

fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort();
    samples[((samples.len() as f64 - 1.0) * p).round() as usize]
}

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1e3)
}

fn peak_rss_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
}

struct Run {
    spawn_to_initialize: Duration,
    open_to_first_hover: Duration,
    hovers: Vec<Duration>,
    edit_to_diagnostics: Duration,
    rss_kb: Option<u64>,
}

fn run(cache: &Path, options: &Value) -> Run {
    let ws = tempfile::tempdir().expect("ws");
    let text = script();
    let file = ws.path().join("bench.py");
    std::fs::write(&file, &text).expect("write");
    let uri = uri_of(&file);
    let started = Instant::now();
    let mut client = Client::start_with_cache(ws.path(), cache);
    client.call(
        "initialize",
        json!({"processId": null, "rootUri": uri_of(ws.path()), "capabilities": {"textDocument": {"hover": {"contentFormat": ["markdown"]}}}, "initializationOptions": options}),
    );
    let spawn_to_initialize = started.elapsed();
    client.notify("initialized", json!({}));
    let opened = Instant::now();
    client.open(&uri, "python", &text);
    let (line, col) = position_of(&text, "read('start", 0);
    let first = client.hover(&uri, line, col);
    assert!(
        first["contents"]["value"]
            .as_str()
            .is_some_and(|v| v.contains("ase.io.read")),
        "{first}"
    );
    let open_to_first_hover = opened.elapsed();

    let positions: Vec<(u32, u32)> = [
        "read('start",
        "Trajectory(f",
        "backend_config",
        "OMP_NUM",
        "np.asarray",
        "energies = [",
        "mean()",
        "\n\n",
    ]
    .iter()
    .map(|n| position_of(&text, n, 0))
    .collect();
    let mut hovers = Vec::with_capacity(HOVERS);
    for i in 0..HOVERS {
        let (l, c) = positions[i % positions.len()];
        let t = Instant::now();
        let _ = client.hover(&uri, l, c);
        hovers.push(t.elapsed());
    }
    // Edit, then wait for the diagnostics of the new version (includes the 150 ms debounce).
    let t = Instant::now();
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}, "text": "# edited\n"}]}),
    );
    client.wait_for("diagnostics v2", |n| {
        n["method"] == "textDocument/publishDiagnostics" && n["params"]["version"] == 2
    });
    let edit_to_diagnostics = t.elapsed();
    let rss_kb = peak_rss_kb(client.pid());
    assert!(client.shutdown().success());
    Run {
        spawn_to_initialize,
        open_to_first_hover,
        hovers,
        edit_to_diagnostics,
        rss_kb,
    }
}

fn report(name: &str, mut r: Run) {
    let p50 = percentile(&mut r.hovers, 0.5);
    let p99 = percentile(&mut r.hovers, 0.99);
    let max = *r.hovers.last().unwrap_or(&Duration::ZERO);
    println!(
        "| {name} | {} | {} | {} | {} | {} | {} | {} MB |",
        ms(r.spawn_to_initialize),
        ms(r.open_to_first_hover),
        ms(p50),
        ms(p99),
        ms(max),
        ms(r.edit_to_diagnostics),
        r.rss_kb
            .map(|k| format!("{:.1}", k as f64 / 1024.0))
            .unwrap_or_else(|| "?".into()),
    );
}

fn main() {
    let corpus = common::corpus();
    let (what, options) = match &corpus {
        Some(dir) => {
            let packs: Vec<String> = std::fs::read_dir(dir)
                .map(|d| {
                    d.flatten()
                        .filter(|e| e.path().join("skills").is_dir())
                        .map(|e| e.path().display().to_string())
                        .collect()
                })
                .unwrap_or_default();
            ("../shared/corpus (9 packs)", json!({"skillPaths": packs}))
        }
        None => ("embedded default", Value::Null),
    };
    println!(
        "packs: {what}; {HOVERS} hovers over 8 positions; script of {} lines",
        script().lines().count()
    );
    println!("| index | spawn to initialize | open to first hover | hover p50 | hover p99 | hover max | edit to diagnostics | peak RSS |");
    println!("| --- | --- | --- | --- | --- | --- | --- | --- |");
    let cache = tempfile::tempdir().expect("cache");
    report("cold (no index)", run(cache.path(), &options));
    report("persisted, up to date", run(cache.path(), &options));
}
