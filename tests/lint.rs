//! `skill-lsp lint DIR`: what a skill author should fix, through the real binary, with no
//! false alarm on paths relative to the citing file, home paths, patterns or bare names.

mod common;

use std::path::Path;

fn pack() -> tempfile::TempDir {
    let work = tempfile::tempdir().unwrap();
    let root = work.path();
    std::fs::create_dir_all(root.join("doc")).unwrap();
    std::fs::write(root.join("doc/real.rst"), "Real\n====\n").unwrap();
    std::fs::write(root.join("README.md"), "# repo\n").unwrap();
    common::write_skill(
        root,
        "fluxo-guide",
        "## Reading\n- See `doc/real.rst` and `doc/missing.rst`; settings in `~/.fluxo/profile.json`.\n\
         - Inputs match `examples/*/input.dat`; `waveplot_in.hsd` is any example's.\n\
         - Maps: `references/doc_map.md`, [the map](references/doc_map.md), [gone](references/gone.md),\n\
           [a page](https://example.org/x.md), [above](#pitfalls).\n",
    );
    let refs = root.join("skills/fluxo-guide/references");
    std::fs::create_dir_all(&refs).unwrap();
    std::fs::write(
        refs.join("doc_map.md"),
        "# Doc map\n- `doc/real.rst` | Real\n- `source_map.md` is beside this file; `../SKILL.md` above it.\n",
    )
    .unwrap();
    std::fs::write(refs.join("source_map.md"), "# Source map\n").unwrap();
    work
}

fn lint(root: &Path, format: &str) -> std::process::Output {
    let root = root.display().to_string();
    common::run_fresh(&["lint", "--format", format, &root])
}

#[test]
fn lint_finds_dead_paths_and_broken_links_and_nothing_else() {
    let work = pack();
    let out = lint(work.path(), "text");
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert!(
        lines[0].contains("SKILL.md:8:")
            && lines[0].contains("dead-path")
            && lines[0].contains("doc/missing.rst"),
        "{text}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains("broken-link") && l.contains("references/gone.md")),
        "{text}"
    );

    let out = lint(work.path(), "json");
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rules: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["rule"].as_str())
        .collect();
    assert_eq!(rules, vec!["dead-path", "broken-link"], "{json:#}");

    let out = lint(work.path(), "sarif");
    let sarif: serde_sarif::sarif::Sarif =
        serde_json::from_slice(&out.stdout).expect("lint --format sarif is SARIF 2.1.0");
    assert_eq!(sarif.runs[0].results.as_ref().map(Vec::len), Some(2));

    // Fixed, the pack lints clean (exit 0).
    let skill = work.path().join("skills/fluxo-guide/SKILL.md");
    let fixed = std::fs::read_to_string(&skill)
        .unwrap()
        .replace(" and `doc/missing.rst`", "")
        .replace(", [gone](references/gone.md)", "");
    std::fs::write(&skill, fixed).unwrap();
    let out = lint(work.path(), "text");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

/// A pitfall that names no API in inline code is reported (hovers reach it only by its
/// words); one that names its call, keyword or variable is not.
#[test]
fn lint_reports_pitfalls_that_name_no_api() {
    let work = tempfile::tempdir().unwrap();
    common::write_skill(
        work.path(),
        "fluxo-guide",
        "## Pitfalls\n\
         - Downloading too much data makes every later step slow.\n\
         - `fluxo.run(...)` with a loose `tol` diverges silently.\n\
         - Set `OMP_NUM_THREADS=1` before a threaded solve (`doc/threads.rst`).\n\
         - Everything is explained in `doc/threads.rst`.\n",
    );
    let out = lint(work.path(), "json");
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let unlinked: Vec<u64> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "unlinked-pitfall")
        .filter_map(|f| f["line"].as_u64())
        .collect();
    assert_eq!(unlinked, vec![8, 11], "{json:#}");
}
