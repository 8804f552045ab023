//! `cargo bench --bench lsp`: the whole path over stdio, as an editor sees it. Spawns
//! `skill-lsp lsp`, initializes, opens a ~300-line script using ase and oqupy, hovers
//! N times over fixed positions (matched calls, unmatched calls, whitespace), measures an
//! edit-to-diagnostics round, and reads the server's peak RSS. Once with a persisted
//! index, once cold. Then a 200-cell notebook over notebook sync: hovers in its last cell,
//! and hovers after each keystroke in a middle cell (the incremental re-parse of the
//! program). Prints a table; nothing asserts a duration.

#[path = "../tests/common/mod.rs"]
mod common;
#[path = "support/mod.rs"]
mod support;

use common::lsp::{position_of, uri_of, Client};
use serde_json::{json, Value};
use std::path::Path;
use std::time::{Duration, Instant};
use support::{mb, ms, peak_rss_kb, percentile, script, HOVER_NEEDLES};

const HOVERS: usize = 2000;

struct Run {
    spawn_to_initialize: Duration,
    open_to_first_hover: Duration,
    hovers: Vec<Duration>,
    /// p50 and p99 of the server's own work per hover, in µs (`skill-lsp.stats`).
    server_hover: (f64, f64),
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
    // The first hover that shows the ase pitfall: while packs are still being read the
    // server answers from those ready (maybe not ase yet), so ask until it does.
    loop {
        let first = client.hover(&uri, line, col);
        if first["contents"]["value"]
            .as_str()
            .is_some_and(|v| v.contains("ase.io.read"))
        {
            break;
        }
        assert!(opened.elapsed() < Duration::from_secs(30), "{first}");
        std::thread::sleep(Duration::from_millis(1));
    }
    let open_to_first_hover = opened.elapsed();

    let positions: Vec<(u32, u32)> = HOVER_NEEDLES
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
    // Per position: the blank line costs the server nothing, so its round trip is the
    // transport's floor (client, pipes, framing, dispatch).
    let per_position: Vec<String> = HOVER_NEEDLES
        .iter()
        .enumerate()
        .map(|(p, needle)| {
            let mut times: Vec<Duration> = hovers
                .iter()
                .skip(p)
                .step_by(positions.len())
                .copied()
                .collect();
            format!("{needle:?} {}", ms(percentile(&mut times, 0.5)))
        })
        .collect();
    println!("  round trip p50 by position: {}", per_position.join(", "));
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
    let server_hover = client.server_time_us("hover");
    assert!(client.shutdown().success());
    Run {
        server_hover,
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
        "| {name} | {} | {} | {} | {} | {} | {:.0}/{:.0} µs | {} | {} |",
        ms(r.spawn_to_initialize),
        ms(r.open_to_first_hover),
        ms(p50),
        ms(p99),
        ms(max),
        r.server_hover.0,
        r.server_hover.1,
        ms(r.edit_to_diagnostics),
        mb(r.rss_kb),
    );
}

const EDITS: usize = 10_000;

/// Types `EDITS` characters one didChange at a time (as an editor sends them), then
/// measures: sending them all, the last edit to a hover answered on the final text, and
/// the first edit to the diagnostics of the final version (debounced). The state must be
/// exact: the edited document's diagnostics equal those of the final text opened fresh.
fn edit_storm(cache: &Path, options: &Value) {
    let ws = tempfile::tempdir().expect("ws");
    let text = script();
    let uri = uri_of(&ws.path().join("storm.py"));
    let mut client = Client::start_with_cache(ws.path(), cache);
    client.initialize(ws.path(), json!({}), options.clone());
    client.open(&uri, "python", &text);
    client.diagnostics(&uri);
    let typed_line = "frames = read('out.traj', index=':')\n";
    let mut final_text = text.clone();
    let (mut line, mut col) = (text.matches('\n').count() as u32, 0u32);
    let started = Instant::now();
    for (i, ch) in typed_line.chars().cycle().take(EDITS).enumerate() {
        client.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": i + 2}, "contentChanges": [{"range": {"start": {"line": line, "character": col}, "end": {"line": line, "character": col}}, "text": ch.to_string()}]}),
        );
        final_text.push(ch);
        if ch == '\n' {
            (line, col) = (line + 1, 0);
        } else {
            col += ch.len_utf16() as u32;
        }
    }
    let sent = started.elapsed();
    let last_read = final_text.rfind("read('out").expect("typed read");
    let (l, c) = position_of(
        &final_text,
        "read('out",
        final_text[..last_read].matches("read('out").count(),
    );
    let hover = client.hover(&uri, l, c + 1);
    let applied = started.elapsed();
    assert!(
        hover["contents"]["value"]
            .as_str()
            .is_some_and(|v| v.contains("ase.io.read")),
        "the last typed call resolves: {hover}"
    );
    let final_version = EDITS + 1;
    let storm = client.wait_for("diagnostics of the final version", |n| {
        n["method"] == "textDocument/publishDiagnostics" && n["params"]["version"] == final_version
    });
    let diagnosed = started.elapsed();
    let fresh_uri = uri_of(&ws.path().join("fresh.py"));
    client.open(&fresh_uri, "python", &final_text);
    let fresh = client.diagnostics(&fresh_uri);
    let edited = storm["params"]["diagnostics"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        edited.len(),
        fresh.len(),
        "the edited text is the final text"
    );
    assert_eq!(
        edited, fresh,
        "same diagnostics as the final text opened fresh"
    );
    assert!(client.shutdown().success());
    println!(
        "\n{EDITS} one-character edits ({} diagnostics at the end): sent in {}, last edit to hover on the final text {}, first edit to final diagnostics {} (150 ms debounce included)",
        edited.len(),
        ms(sent),
        ms(applied),
        ms(diagnosed)
    );
}

/// A long file (the script 30 times, ~9,800 lines): hovers while idle, then hovers sent
/// 160 ms after an edit, when the debounced diagnostics of that edit are being computed.
/// A hover must not wait for them.
fn large_file(cache: &Path, options: &Value) {
    let ws = tempfile::tempdir().expect("ws");
    let text = script().repeat(30);
    let uri = uri_of(&ws.path().join("long.py"));
    let mut client = Client::start_with_cache(ws.path(), cache);
    client.initialize(ws.path(), json!({}), options.clone());
    client.open(&uri, "python", &text);
    let t = Instant::now();
    client.diagnostics(&uri);
    let open_to_diagnostics = t.elapsed();
    let (line, col) = position_of(&text, "read('start", 0);
    let mut idle: Vec<Duration> = (0..200)
        .map(|_| {
            let t = Instant::now();
            let _ = client.hover(&uri, line, col);
            t.elapsed()
        })
        .collect();
    let mut busy = Vec::new();
    let mut compute = Vec::new();
    let first_line = text.matches('\n').count() as u32;
    for (last_line, version) in (first_line..).zip(2..42) {
        let edited = Instant::now();
        client.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"range": {"start": {"line": last_line, "character": 0}, "end": {"line": last_line, "character": 0}}, "text": "#\n"}]}),
        );
        std::thread::sleep(Duration::from_millis(160));
        let t = Instant::now();
        let hover = client.hover(&uri, line, col);
        busy.push(t.elapsed());
        assert!(
            hover["contents"]["value"]
                .as_str()
                .is_some_and(|v| v.contains("ase.io.read")),
            "{hover}"
        );
        client.wait_for("diagnostics of the edit", |n| {
            n["method"] == "textDocument/publishDiagnostics" && n["params"]["version"] == version
        });
        compute.push(edited.elapsed().saturating_sub(Duration::from_millis(150)));
    }
    assert!(client.shutdown().success());
    println!(
        "\nlong file ({} lines): open to diagnostics {}; hover idle p50 {} max {}; hover 160 ms after an edit (diagnostics computing) p50 {} max {}; edit to diagnostics minus the debounce p50 {}",
        text.lines().count(),
        ms(open_to_diagnostics),
        ms(percentile(&mut idle, 0.5)),
        ms(*idle.last().unwrap_or(&Duration::ZERO)),
        ms(percentile(&mut busy, 0.5)),
        ms(*busy.last().unwrap_or(&Duration::ZERO)),
        ms(percentile(&mut compute, 0.5)),
    );
}

/// A notebook of `CELLS` cells: the import in the first, a call in each of the others.
const CELLS: usize = 200;

fn notebook_client(cache: &Path, options: &Value) -> (Client, tempfile::TempDir, Vec<String>) {
    let ws = tempfile::tempdir().expect("ws");
    let mut client = Client::start_with_cache(ws.path(), cache);
    client.initialize(ws.path(), json!({}), options.clone());
    let cell_uri = |i: usize| format!("vscode-notebook-cell:/bench/nb.ipynb#c{i}");
    let text = |i: usize| {
        if i == 0 {
            "from ase.io import read\nimport numpy as np\n".to_string()
        } else {
            format!(
                "# step {i}\natoms{i} = read('frame{i}.traj')\nnp.mean(atoms{i}.get_positions())\n"
            )
        }
    };
    let uris: Vec<String> = (0..CELLS).map(cell_uri).collect();
    client.notify(
        "notebookDocument/didOpen",
        json!({
            "notebookDocument": {"uri": "file:///bench/nb.ipynb", "notebookType": "jupyter-notebook", "version": 1,
                "cells": (0..CELLS).map(|i| json!({"kind": 2, "document": uris[i]})).collect::<Vec<_>>()},
            "cellTextDocuments": (0..CELLS).map(|i| json!({"uri": uris[i], "languageId": "python", "version": 1, "text": text(i)})).collect::<Vec<_>>(),
        }),
    );
    (client, ws, uris)
}

fn notebook(cache: &Path, options: &Value) {
    let (mut client, _ws, uris) = notebook_client(cache, options);
    let last = &uris[CELLS - 1];
    let hover = client.hover(last, 1, 12);
    assert!(
        hover["contents"]["value"]
            .as_str()
            .is_some_and(|v| v.contains("ase.io.read")),
        "the last cell's read resolves through the first cell's import: {hover}"
    );
    for _ in 0..500 {
        let _ = client.hover(last, 1, 12);
    }
    let idle = client.server_time_us("hover");
    assert!(client.shutdown().success());

    let (mut client, _ws, uris) = notebook_client(cache, options);
    let middle = &uris[CELLS / 2];
    let last = &uris[CELLS - 1];
    let _ = client.hover(last, 1, 12);
    for version in 2..202 {
        // One character typed into the middle cell's comment, then a hover elsewhere: the
        // hover parses the edit (incrementally) before it answers.
        let col = 7 + version - 2;
        client.notify(
            "notebookDocument/didChange",
            json!({"notebookDocument": {"uri": "file:///bench/nb.ipynb", "version": version},
                "change": {"cells": {"textContent": [{"document": {"uri": middle, "version": version},
                    "changes": [{"range": {"start": {"line": 0, "character": col}, "end": {"line": 0, "character": col}}, "text": "x"}]}]}}}),
        );
        let hover = client.hover(last, 1, 12);
        assert!(hover["contents"]["value"]
            .as_str()
            .is_some_and(|v| v.contains("ase.io.read")));
    }
    let typing = client.server_time_us("hover");
    assert!(client.shutdown().success());
    println!(
        "\nnotebook of {CELLS} cells: hover in the last cell, server p50/p99 {:.0}/{:.0} µs; hover after each keystroke in the middle cell (re-parse included) p50/p99 {:.0}/{:.0} µs",
        idle.0, idle.1, typing.0, typing.1
    );
}

/// A 5,000-line namelist (WRF's own, repeated; a synthetic one without the corpus):
/// hovers on a keyword in its middle, idle and after each keystroke.
fn input_file(cache: &Path, options: &Value) {
    let seed = common::corpus()
        .and_then(|c| std::fs::read_to_string(c.join("wrf/test/em_real/namelist.input")).ok())
        .unwrap_or_else(|| {
            "&time_control\n run_hours = 12,\n interval_seconds = 10800,\n history_interval = 180,\n/\n".into()
        });
    let mut text = String::new();
    while text.lines().count() < 5000 {
        text.push_str(&seed);
    }
    let ws = tempfile::tempdir().expect("ws");
    let uri = uri_of(&ws.path().join("namelist.input"));
    let mut client = Client::start_with_cache(ws.path(), cache);
    client.initialize(ws.path(), json!({}), options.clone());
    client.open(&uri, "plaintext", &text);
    let middle = text.len() / 2;
    let at = middle + text[middle..].find("interval_seconds").unwrap_or(0);
    let line = text[..at].matches('\n').count() as u32;
    let col = (at - text[..at].rfind('\n').map_or(0, |i| i + 1)) as u32;
    let hover = client.hover(&uri, line, col + 2);
    let answered = hover["contents"]["value"].as_str().is_some();
    for _ in 0..500 {
        let _ = client.hover(&uri, line, col + 2);
    }
    let idle = client.server_time_us("hover");
    assert!(client.shutdown().success());
    let mut client = Client::start_with_cache(ws.path(), cache);
    client.initialize(ws.path(), json!({}), options.clone());
    client.open(&uri, "plaintext", &text);
    for version in 2..102 {
        client.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}, "text": "!"}]}),
        );
        let _ = client.hover(&uri, line, col + 2);
    }
    let typing = client.server_time_us("hover");
    assert!(client.shutdown().success());
    println!(
        "\nnamelist of {} lines (hover {}): server p50/p99 {:.0}/{:.0} µs; hover after each keystroke (re-read included) p50/p99 {:.0}/{:.0} µs",
        text.lines().count(),
        if answered { "answered" } else { "silent" },
        idle.0, idle.1, typing.0, typing.1
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
            let what = format!("../shared/corpus ({} packs)", packs.len());
            (what, json!({"skillPaths": packs}))
        }
        None => ("embedded default".to_string(), Value::Null),
    };
    println!(
        "packs: {what}; {HOVERS} hovers over 8 positions; script of {} lines",
        script().lines().count()
    );
    println!("| index | spawn to initialize | open to first hover | hover p50 | hover p99 | hover max | server p50/p99 | edit to diagnostics | peak RSS |");
    println!("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    let cache = tempfile::tempdir().expect("cache");
    report("cold (no index)", run(cache.path(), &options));
    report("persisted, up to date", run(cache.path(), &options));
    edit_storm(cache.path(), &options);
    large_file(cache.path(), &options);
    notebook(cache.path(), &options);
    input_file(cache.path(), &options);
}
