//! `cargo bench --bench mcp`: `explain` round trips over MCP, as an agent's host makes
//! them. Drives `skill-lsp mcp` with the official Python SDK (`tests/mcp/client.py
//! bench`): one warm-up call (it loads the packs), then N `explain` calls on a matched
//! call in examples/ and N tools/list requests, the client's own floor. Prints p50/p90/p99 in ms;
//! nothing asserts a duration.

#[path = "../tests/common/mod.rs"]
mod common;

use std::path::Path;
use std::process::Command;

const CALLS: usize = 50;

fn quantile(samples: &mut [f64], q: f64) -> f64 {
    samples.sort_by(f64::total_cmp);
    let i = ((samples.len() as f64 - 1.0) * q).round() as usize;
    samples[i]
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let file = root.join("examples/aliases.py");
    let out = Command::new(common::mcp_python())
        .arg(root.join("tests/mcp/client.py"))
        .args(["bench", common::bin()])
        .arg(root)
        .arg(CALLS.to_string())
        .arg(&file)
        .args(["5", "13"])
        .output()
        .expect("run the MCP client");
    assert!(
        out.status.success(),
        "client failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let result: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let last = &result["last"];
    assert!(
        last["text"]
            .as_str()
            .unwrap_or_default()
            .contains("master rank"),
        "the benchmarked call must be a matched one: {last:#}"
    );
    let samples = |key: &str| -> Vec<f64> {
        result[key]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(serde_json::Value::as_f64)
            .collect()
    };
    println!("MCP round trips from the official Python SDK (mcp 2.3), {CALLS} calls each:");
    println!(
        "first explain (loads the packs): {:.1} ms",
        result["first_ms"].as_f64().unwrap_or(f64::NAN)
    );
    println!("{:<28} {:>8} {:>8} {:>8}", "", "p50 ms", "p90 ms", "p99 ms");
    for (label, key) in [
        ("explain (matched call)", "explain_ms"),
        ("tools/list (client floor)", "floor_ms"),
    ] {
        let mut s = samples(key);
        println!(
            "{label:<28} {:>8.2} {:>8.2} {:>8.2}",
            quantile(&mut s, 0.5),
            quantile(&mut s, 0.9),
            quantile(&mut s, 0.99)
        );
    }
}
