//! `cargo bench --bench peers`: our hover latency side by side with the Python language
//! servers users already run (jedi-language-server, pyright), in the same run, with the
//! same client (tests/common/lsp.rs), the same capabilities, the same script and the same
//! hover positions. Then the "find the pitfalls for this symbol" job: `rg` over the ase
//! pack versus `skill-lsp search` versus in-process `Catalog::search`.
//!
//! Peers come from `.bench-tools/` (run `benches/peers-setup.sh`) or PATH; a missing
//! one is reported loudly and skipped. Prints markdown tables; nothing asserts a duration.
//! Env: PEERS_HOVERS (default 1000), PEERS_JEDI_HOVERS (default 200: jedi is slow).

#[path = "../tests/common/mod.rs"]
mod common;
#[path = "support/mod.rs"]
mod support;

use common::lsp::{full_capabilities, position_of, uri_of, Client};
use serde_json::{json, Value};
use skill_lsp::catalog::{Catalog, CatalogOptions, PackSource};
use skill_lsp::pack::PackLocation;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};
use support::{mb, ms, peak_rss_kb, percentile, script, HOVER_NEEDLES};

/// Bound on the first-hover retries of lazily analysing servers.
const FIRST_HOVER_BOUND: Duration = Duration::from_secs(60);
const SEARCH_RUNS: usize = 20;
const SEARCH_CALLS: usize = 1000;
const RG_PATTERN: &str = r"ase\.io\.read|from ase\.io import read";

fn env_count(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&n| n > 0)
        .unwrap_or(default)
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `local` if it is executable, else `name` on PATH.
fn find_tool(local: &Path, name: &str) -> Option<PathBuf> {
    if local.is_file() {
        return Some(local.to_path_buf());
    }
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

/// A server to spawn: how, and what to tell it.
struct Server {
    name: String,
    cmd: Command,
    init_options: Value,
    /// `workspace/configuration` answers for sections other than `skillLsp`.
    sections: Vec<(&'static str, Value)>,
    hovers: usize,
    /// The version to show; `None` takes the initialize result's `serverInfo.version`.
    version: Option<String>,
}

struct Measured {
    label: String,
    first_hover: Duration,
    first_hover_tries: u32,
    first_text: String,
    hovers: Vec<Duration>,
    /// The first round over the positions (cold for lazily inferring servers).
    first_round: Duration,
    nulls: usize,
    errors: usize,
    rss_kb: Option<u64>,
    /// The process tree the RSS sums over, as `name (pid)`.
    processes: Vec<String>,
    /// Methods of the requests the server sent the client, deduplicated.
    asked: Vec<String>,
}

/// Pids of `pid` and its descendants, from /proc/<pid>/task/*/children (Linux).
fn process_tree(pid: u32) -> Vec<u32> {
    let mut all = vec![pid];
    let mut i = 0;
    while i < all.len() {
        let p = all[i];
        i += 1;
        let Ok(tasks) = std::fs::read_dir(format!("/proc/{p}/task")) else {
            continue;
        };
        for task in tasks.flatten() {
            if let Ok(children) = std::fs::read_to_string(task.path().join("children")) {
                all.extend(
                    children
                        .split_whitespace()
                        .filter_map(|c| c.parse::<u32>().ok()),
                );
            }
        }
    }
    all.sort_unstable();
    all.dedup();
    all
}

/// Sum of the peak RSS of the process tree (an upper bound of the tree's peak), and the
/// processes it sums over.
fn tree_rss_kb(pid: u32) -> (Option<u64>, Vec<String>) {
    let pids = process_tree(pid);
    let peaks: Vec<u64> = pids.iter().filter_map(|&p| peak_rss_kb(p)).collect();
    let sum = (!peaks.is_empty()).then(|| peaks.iter().sum());
    let names = pids
        .iter()
        .map(|p| {
            let comm = std::fs::read_to_string(format!("/proc/{p}/comm")).unwrap_or_default();
            format!("{} ({p})", comm.trim())
        })
        .collect();
    (sum, names)
}

/// Hover text of any shape (MarkupContent, MarkedString, or a list of them).
fn hover_text(result: &Value) -> String {
    fn text(v: &Value) -> String {
        match v {
            Value::String(s) => s.clone(),
            Value::Array(items) => items.iter().map(text).collect::<Vec<_>>().join("\n"),
            Value::Object(o) => o
                .get("value")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            _ => String::new(),
        }
    }
    text(&result["contents"])
}

fn hover_params(uri: &str, (line, character): (u32, u32)) -> Value {
    json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": character}})
}

fn measure(server: Server, ws: &Path) -> Measured {
    let text = script();
    let file = ws.join("bench.py");
    std::fs::write(&file, &text).expect("write bench.py");
    let uri = uri_of(&file);
    let first_pos = position_of(&text, "read('start", 0);
    let positions: Vec<(u32, u32)> = HOVER_NEEDLES
        .iter()
        .map(|n| position_of(&text, n, 0))
        .collect();

    let started = Instant::now();
    let mut client = Client::spawn(server.cmd);
    client.sections = server
        .sections
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    let init = client.call(
        "initialize",
        json!({
            "processId": std::process::id(),
            "rootUri": uri_of(ws),
            "rootPath": ws.display().to_string(),
            "workspaceFolders": [{"uri": uri_of(ws), "name": "ws"}],
            "capabilities": full_capabilities(),
            "initializationOptions": server.init_options,
        }),
    );
    client.notify("initialized", json!({}));
    client.open(&uri, "python", &text);
    // Lazily analysing servers may answer null at first: retry, bounded.
    let mut tries = 0;
    let first = loop {
        tries += 1;
        let r = client.request("textDocument/hover", hover_params(&uri, first_pos));
        if r.get("error").is_none() && !r["result"].is_null() {
            break r["result"].clone();
        }
        assert!(
            started.elapsed() < FIRST_HOVER_BOUND,
            "{}: no hover on `read('start` within {FIRST_HOVER_BOUND:?}; last answer {r}",
            server.name
        );
        std::thread::sleep(Duration::from_millis(10));
    };
    let first_hover = started.elapsed();

    let mut hovers = Vec::with_capacity(server.hovers);
    let (mut nulls, mut errors) = (0, 0);
    for i in 0..server.hovers {
        let pos = positions[i % positions.len()];
        let t = Instant::now();
        let r = client.request("textDocument/hover", hover_params(&uri, pos));
        hovers.push(t.elapsed());
        if r.get("error").is_some() {
            errors += 1;
        } else if r["result"].is_null() {
            nulls += 1;
        }
    }
    let first_round = hovers.iter().take(positions.len()).sum();
    let (rss_kb, processes) = tree_rss_kb(client.pid());
    let version = server
        .version
        .or_else(|| init["serverInfo"]["version"].as_str().map(str::to_string))
        .map(|v| format!(" {v}"))
        .unwrap_or_default();
    let mut asked = client.server_requests.clone();
    asked.sort();
    asked.dedup();
    if server.name.starts_with("skill-lsp") {
        // Our own share of the round trip, as the server measured it.
        let (p50, p99) = client.server_time_us("hover");
        println!(
            "{}: server-side hover work p50 {p50:.0} µs, p99 {p99:.0} µs",
            server.name
        );
    }
    let status = client.shutdown();
    if !status.success() {
        eprintln!("{}: exited with {status} after shutdown/exit", server.name);
    }
    Measured {
        label: format!("{}{version} ({} hovers)", server.name, server.hovers),
        first_hover,
        first_hover_tries: tries,
        first_text: hover_text(&first),
        hovers,
        first_round,
        nulls,
        errors,
        rss_kb,
        processes,
        asked,
    }
}

fn ours(cache: &Path, options: &Value, hovers: usize) -> Server {
    let mut cmd = Command::new(common::bin());
    cmd.arg("lsp")
        .env("SKILL_LSP_CACHE_DIR", cache)
        .env_remove("SKILL_LSP_SKILLS")
        .env_remove("SKILL_LSP_PYTHON");
    Server {
        name: "skill-lsp".into(),
        cmd,
        init_options: options.clone(),
        sections: Vec::new(),
        hovers,
        version: None,
    }
}

fn median(samples: &mut [Duration]) -> Duration {
    percentile(samples, 0.5)
}

fn ratio(d: Duration, base: Duration) -> String {
    if base.is_zero() {
        return "?".into();
    }
    let r = d.as_secs_f64() / base.as_secs_f64();
    match r {
        r if r < 0.1 => format!("{r:.4}x"),
        r if r < 1.0 => format!("{r:.2}x"),
        r => format!("{r:.1}x"),
    }
}

/// `jedi-language-server --version` (its `serverInfo.version` is jedi's version).
fn jedi_version(bin: &Path) -> Option<String> {
    let out = Command::new(bin).arg("--version").output().ok()?;
    let v = String::from_utf8_lossy(&out.stdout).trim().to_string();
    (out.status.success() && !v.is_empty()).then_some(v)
}

/// pyright's package.json version (pyright-langserver sends no `serverInfo`).
fn pyright_version(bin: &Path) -> Option<String> {
    let package = bin.canonicalize().ok()?.parent()?.join("package.json");
    let json: Value = serde_json::from_str(&std::fs::read_to_string(package).ok()?).ok()?;
    json["version"].as_str().map(str::to_string)
}

fn one_line(s: &str, max: usize) -> String {
    let flat = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() > max {
        format!("{}…", flat.chars().take(max).collect::<String>())
    } else {
        flat
    }
}

fn main() {
    let corpus = common::corpus();
    let packs: Vec<String> = corpus
        .as_ref()
        .and_then(|dir| std::fs::read_dir(dir).ok())
        .map(|d| {
            let mut v: Vec<String> = d
                .flatten()
                .filter(|e| e.path().join("skills").is_dir())
                .map(|e| e.path().display().to_string())
                .collect();
            v.sort();
            v
        })
        .unwrap_or_default();
    let hovers = env_count("PEERS_HOVERS", 1000);
    let jedi_hovers = env_count("PEERS_JEDI_HOVERS", 200).min(hovers);
    let tools = repo().join(".bench-tools");
    let venv_python = tools.join("venv/bin/python");
    let venv_python = venv_python.is_file().then_some(venv_python);
    // Every server gets the same interpreter: ours reads its sys.path for source links.
    let mut options = json!({});
    if !packs.is_empty() {
        options["skillPaths"] = json!(packs);
    }
    if let Some(p) = &venv_python {
        options["pythonPath"] = json!(p);
    }

    println!(
        "packs: {}; script of {} lines; hovers cycle over {} positions; {hovers} hovers per server, \
         {jedi_hovers} for jedi-language-server (slow; PEERS_HOVERS / PEERS_JEDI_HOVERS)",
        if packs.is_empty() {
            "embedded default (no ../shared/corpus)".to_string()
        } else {
            format!("../shared/corpus ({} packs)", packs.len())
        },
        script().lines().count(),
        HOVER_NEEDLES.len(),
    );
    match &venv_python {
        Some(p) => println!("python for every server: {} (has ase)", p.display()),
        None => println!(
            "!! python: no .bench-tools/venv, the peers will likely not resolve `ase`; \
             run benches/peers-setup.sh"
        ),
    }

    let mut results: Vec<Measured> = Vec::new();

    // Ours: one run to persist the index, then the measured run on the warm index.
    let cache = tempfile::tempdir().expect("cache dir");
    {
        let ws = tempfile::tempdir().expect("workspace");
        let _ = measure(ours(cache.path(), &options, 1), ws.path());
    }
    let ws = tempfile::tempdir().expect("workspace");
    let mine = measure(ours(cache.path(), &options, hovers), ws.path());
    assert!(
        mine.first_text.contains("ase.io.read"),
        "our first hover does not name ase.io.read: {}",
        mine.first_text
    );
    results.push(mine);

    // jedi-language-server.
    match find_tool(
        &tools.join("venv/bin/jedi-language-server"),
        "jedi-language-server",
    ) {
        None => {
            println!("!! jedi-language-server: not installed, run benches/peers-setup.sh (skipped)")
        }
        Some(bin) => {
            let ws = tempfile::tempdir().expect("workspace");
            let init_options = match &venv_python {
                Some(p) => json!({"workspace": {"environmentPath": p}}),
                None => json!({}),
            };
            let version = jedi_version(&bin);
            let mut cmd = Command::new(bin);
            cmd.current_dir(ws.path());
            results.push(measure(
                Server {
                    name: "jedi-language-server".into(),
                    cmd,
                    init_options,
                    sections: Vec::new(),
                    hovers: jedi_hovers,
                    version,
                },
                ws.path(),
            ));
        }
    }

    // pyright.
    match find_tool(
        &tools.join("npm/node_modules/.bin/pyright-langserver"),
        "pyright-langserver",
    ) {
        None => println!("!! pyright: not installed, run benches/peers-setup.sh (skipped)"),
        Some(bin) => {
            let ws = tempfile::tempdir().expect("workspace");
            let analysis = json!({
                "autoSearchPaths": true,
                "useLibraryCodeForTypes": true,
                "diagnosticMode": "openFilesOnly",
            });
            let python = match &venv_python {
                Some(p) => json!({"pythonPath": p, "analysis": analysis}),
                None => json!({"analysis": analysis}),
            };
            let version = pyright_version(&bin);
            let mut cmd = Command::new(bin);
            cmd.arg("--stdio").current_dir(ws.path());
            results.push(measure(
                Server {
                    name: "pyright".into(),
                    cmd,
                    init_options: Value::Null,
                    sections: vec![
                        ("python", python),
                        ("python.analysis", analysis),
                        ("pyright", json!({})),
                    ],
                    hovers,
                    version,
                },
                ws.path(),
            ));
        }
    }

    println!();
    println!(
        "| server | first hover after spawn | hover p50 | p99 | max | peak RSS | p50 vs ours |"
    );
    println!("| --- | --- | --- | --- | --- | --- | --- |");
    let mut ours_p50 = Duration::ZERO;
    for r in &mut results {
        let p50 = percentile(&mut r.hovers, 0.5);
        let p99 = percentile(&mut r.hovers, 0.99);
        let max = *r.hovers.last().unwrap_or(&Duration::ZERO);
        if ours_p50.is_zero() {
            ours_p50 = p50;
        }
        println!(
            "| {} | {} | {} | {} | {} | {} | {} |",
            r.label,
            ms(r.first_hover),
            ms(p50),
            ms(p99),
            ms(max),
            mb(r.rss_kb),
            ratio(p50, ours_p50),
        );
    }
    println!();
    for r in &results {
        println!(
            "{}: first hover after {} tr{}; first round over the {} positions took {}; \
             {} null and {} error answers of {}; RSS over {}; asked the client: [{}]; \
             first hover says: {}",
            r.label,
            r.first_hover_tries,
            if r.first_hover_tries == 1 { "y" } else { "ies" },
            HOVER_NEEDLES.len(),
            ms(r.first_round),
            r.nulls,
            r.errors,
            r.hovers.len(),
            r.processes.join(", "),
            r.asked.join(", "),
            one_line(&r.first_text, 160),
        );
    }

    search_job(corpus.as_deref());
}

/// Median wall time of `runs` spawns of `cmd`, and the last run's stdout.
fn time_spawned(mut make: impl FnMut() -> Command, runs: usize) -> (Duration, String) {
    let mut samples = Vec::with_capacity(runs);
    let mut stdout = String::new();
    for _ in 0..runs {
        let mut cmd = make();
        let t = Instant::now();
        let out = cmd.output().expect("spawn");
        samples.push(t.elapsed());
        assert!(
            out.status.success() || out.status.code() == Some(1),
            "{:?} failed: {}",
            cmd.get_program(),
            String::from_utf8_lossy(&out.stderr)
        );
        stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    }
    (median(&mut samples), stdout)
}

fn search_job(corpus: Option<&Path>) {
    println!();
    let Some(corpus) = corpus else {
        println!("!! search job: no ../shared/corpus, skipped");
        return;
    };
    let ase = corpus.join("ase");
    if !ase.join("skills").is_dir() {
        println!("!! search job: no ase pack at {}, skipped", ase.display());
        return;
    }
    println!(
        "search job: the pitfalls for `ase.io.read` in the ase pack ({})",
        ase.display()
    );
    let mut rows: Vec<(String, Duration)> = Vec::new();

    // Our CLI, on a persisted index warmed by one run; and without the cache.
    let cache = tempfile::tempdir().expect("cache dir");
    let cli = |no_cache: bool| {
        let mut cmd = Command::new(common::bin());
        cmd.arg("search");
        if no_cache {
            cmd.arg("--no-cache");
        }
        cmd.arg("ase.io.read")
            .arg(&ase)
            .env("SKILL_LSP_CACHE_DIR", cache.path())
            .env_remove("SKILL_LSP_SKILLS");
        cmd
    };
    let _ = time_spawned(|| cli(false), 1);
    let (ours_cli, ours_out) = time_spawned(|| cli(false), SEARCH_RUNS);
    let first_hit = ours_out.lines().next().unwrap_or_default().to_string();
    assert!(
        first_hit.contains("ase.io.read"),
        "our first search hit does not name ase.io.read: {first_hit}"
    );
    rows.push((
        format!(
            "`skill-lsp search ase.io.read <ase>` (spawned, persisted index, \
             median of {SEARCH_RUNS})"
        ),
        ours_cli,
    ));
    let (ours_nocache, _) = time_spawned(|| cli(true), SEARCH_RUNS);
    rows.push((
        format!(
            "`skill-lsp search --no-cache ase.io.read <ase>` (spawned, index built in \
             memory, median of {SEARCH_RUNS})"
        ),
        ours_nocache,
    ));

    // In process.
    let location = PackLocation::from_dir(&ase).expect("ase pack");
    let (catalog, _) = Catalog::load(
        &[PackSource::Disk(location)],
        &CatalogOptions {
            in_memory: true,
            ..Default::default()
        },
        |_| {},
    )
    .expect("load the ase pack");
    let mut calls = Vec::with_capacity(SEARCH_CALLS);
    for _ in 0..SEARCH_CALLS {
        let t = Instant::now();
        let hits = catalog.search("ase.io.read", 10).expect("search");
        calls.push(t.elapsed());
        std::hint::black_box(hits);
    }
    let hits = catalog.search("ase.io.read", 10).expect("search");
    let (_, _, top) = catalog.entry(hits.first().expect("a hit").id);
    assert!(top.text.contains("ase.io.read"), "{}", top.text);
    rows.push((
        format!("`Catalog::search(\"ase.io.read\", 10)` (in process, median of {SEARCH_CALLS})"),
        median(&mut calls),
    ));

    // rg.
    let rg_lines = match find_tool(Path::new("/nonexistent"), "rg") {
        None => {
            println!("!! rg: not installed (skipped)");
            None
        }
        Some(rg) => {
            let (rg_time, rg_out) = time_spawned(
                || {
                    let mut cmd = Command::new(&rg);
                    cmd.args(["-n", "--no-heading", RG_PATTERN]).arg(&ase);
                    cmd
                },
                SEARCH_RUNS,
            );
            rows.push((
                format!(
                    "`rg -n --no-heading '{RG_PATTERN}' <ase>` (spawned, median of {SEARCH_RUNS})"
                ),
                rg_time,
            ));
            Some(rg_out)
        }
    };

    println!("| job | median | vs `skill-lsp search` |");
    println!("| --- | --- | --- |");
    for (name, d) in &rows {
        println!("| {name} | {} | {} |", ms(*d), ratio(*d, ours_cli));
    }
    println!();
    if let Some(out) = rg_lines {
        let skills = format!("{}/skills/", ase.display());
        let in_skills = out.lines().filter(|l| l.starts_with(&skills)).count();
        // Our first hit ends with `path:line`: where is that line in rg's output?
        let located = first_hit.split_whitespace().last().unwrap_or_default();
        let at = out
            .lines()
            .position(|l| l.starts_with(&format!("{located}:")))
            .map(|i| format!("line {} of rg's output", i + 1))
            .unwrap_or_else(|| "not in rg's output".into());
        println!(
            "what the reader must read: rg prints {} lines ({} bytes), unranked, in directory-walk \
             order: {in_skills} from skills/, {} from the docs (release notes, examples); our first \
             hit is {at}",
            out.lines().count(),
            out.len(),
            out.lines().count() - in_skills,
        );
    }
    println!(
        "skill-lsp search prints {} ranked lines; first hit: {}",
        ours_out.lines().count(),
        one_line(&first_hit, 200)
    );
}
