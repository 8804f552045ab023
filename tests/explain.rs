//! The matching cases, through `skill-lsp explain --json` on this project's example
//! scripts, once with the embedded default packs and once with ../shared/corpus.

mod common;

use serde_json::Value;
use std::path::{Path, PathBuf};

fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(name)
}

/// 1-based line:col of the `nth` occurrence of `needle` in the file.
fn locate(file: &Path, needle: &str, nth: usize) -> (usize, usize) {
    let text = std::fs::read_to_string(file).unwrap();
    let offset = text
        .match_indices(needle)
        .nth(nth)
        .unwrap_or_else(|| panic!("{needle} in {}", file.display()))
        .0;
    let line = text[..offset].matches('\n').count() + 1;
    let col = offset - text[..offset].rfind('\n').map(|i| i + 1).unwrap_or(0) + 1;
    (line, col)
}

/// Which packs to explain with: embedded (no --skills, from an empty cwd) or the corpus.
#[derive(Clone, Copy)]
enum Packs {
    Embedded,
    Corpus,
}

fn explain(packs: Packs, file: &str, needle: &str, nth: usize) -> Value {
    let path = example(file);
    let (line, col) = locate(&path, needle, nth);
    let location = format!("{}:{line}:{col}", path.display());
    let cache = tempfile::tempdir().unwrap();
    let cwd = tempfile::tempdir().unwrap();
    let mut args = vec!["explain", "--json"];
    let corpus_dirs: Vec<String>;
    if let Packs::Corpus = packs {
        let corpus = common::corpus().unwrap();
        corpus_dirs = ["ase", "oqupy"]
            .iter()
            .map(|p| corpus.join(p).display().to_string())
            .collect();
        for d in &corpus_dirs {
            args.push("--skills");
            args.push(d);
        }
    }
    args.push(&location);
    common::json_of(&common::run(&args, cwd.path(), cache.path()))
}

fn items<'a>(json: &'a Value, kind: &str) -> Vec<&'a Value> {
    json["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["kind"] == kind)
        .collect()
}

fn texts(json: &Value, kind: &str) -> String {
    items(json, kind)
        .iter()
        .map(|i| i["text"].as_str().unwrap_or("").to_lowercase())
        .collect::<Vec<_>>()
        .join("\n")
}

fn paths(json: &Value, kind: &str) -> Vec<String> {
    items(json, kind)
        .iter()
        .filter_map(|i| i["path"].as_str().map(str::to_string))
        .collect()
}

fn each_packs(test: impl Fn(Packs)) {
    test(Packs::Embedded);
    if common::corpus().is_some() {
        test(Packs::Corpus);
    } else {
        common::say_skipped("explain (corpus packs)", "no corpus at ../shared/corpus");
    }
}

fn first_pitfall(json: &Value) -> String {
    items(json, "pitfall")
        .first()
        .map(|i| i["text"].as_str().unwrap().to_lowercase())
        .unwrap_or_default()
}

#[test]
fn ase_read_from_import_and_module_alias() {
    each_packs(|packs| {
        for (file, needle) in [
            ("parallel_md.py", "read('start"),
            ("aliases.py", "read('start"),
        ] {
            let json = explain(packs, file, needle, 0);
            assert_eq!(json["symbol"], "ase.io.read", "{json:#}");
            let first = first_pitfall(&json);
            assert!(
                first.contains("mpi") && first.contains("same order"),
                "{file}: {first}"
            );
            assert!(items(&json, "pitfall")[0]["skill"] == "ase-parallel-hpc");
            assert!(
                paths(&json, "doc").contains(&"doc/ase/parallel.rst".to_string()),
                "{json:#}"
            );
            assert!(
                paths(&json, "source").contains(&"ase/parallel.py".to_string()),
                "{json:#}"
            );
            assert!(items(&json, "pitfall")[0]["reason"]
                .as_str()
                .unwrap()
                .contains("ase.io.read"));
            // Triage questions are for an agent choosing a skill, not for the hover.
            assert!(
                !texts(&json, "note").contains("should every rank"),
                "{json:#}"
            );
        }
    });
}

#[test]
fn per_rank_trajectory() {
    each_packs(|packs| {
        let json = explain(packs, "parallel_md.py", "Trajectory(f'", 0);
        assert_eq!(json["symbol"], "ase.io.Trajectory");
        let first = first_pitfall(&json);
        assert!(
            first.contains("trajectory") && first.contains("rank"),
            "{first}"
        );
    });
}

#[test]
fn psi4_keywords() {
    each_packs(|packs| {
        let json = explain(packs, "psi4_settings.py", "xc=", 0);
        let first = first_pitfall(&json);
        assert!(first.contains("xc") && first.contains("method"), "{json:#}");
        let json = explain(packs, "psi4_settings.py", "kpts=", 0);
        let first = first_pitfall(&json);
        assert!(
            first.contains("kpts") && first.contains("periodic"),
            "{json:#}"
        );
        // Hovering the class in a call without num_threads: the single-thread default.
        let json = explain(packs, "parallel_md.py", "Psi4(method", 0);
        assert!(texts(&json, "pitfall").contains("thread"), "{json:#}");
        assert!(
            !texts(&json, "pitfall").contains("kpts"),
            "kpts does not apply: {json:#}"
        );
        // With num_threads passed, that pitfall is not presented as applying to the call.
        let json = explain(
            packs,
            "psi4_settings.py",
            "Psi4(method='b3lyp', basis='6-31g'",
            0,
        );
        assert!(
            !texts(&json, "pitfall").contains("single thread")
                && !texts(&json, "pitfall").contains("one thread"),
            "{json:#}"
        );
    });
}

#[test]
fn pt_tebd_backend_config_values() {
    each_packs(|packs| {
        let json = explain(packs, "parallel_md.py", "backend_config", 0);
        assert_eq!(json["symbol"], "oqupy.PtTebd(backend_config=...)");
        let first = first_pitfall(&json);
        assert!(
            first.contains("multithread") && first.contains("omp_num_threads"),
            "{json:#}"
        );
        assert!(
            paths(&json, "doc").contains(&"docs/pages/tutorials/pt_tebd.rst".to_string()),
            "{json:#}"
        );
        assert!(
            paths(&json, "source").contains(&"oqupy/backends/pt_tebd_backend.py".to_string()),
            "{json:#}"
        );

        let json = explain(packs, "oqupy_tempo.py", "multiprocess", 0);
        let first = first_pitfall(&json);
        assert!(
            first.contains("multiprocess") && first.contains("pickl"),
            "{json:#}"
        );
    });
}

#[test]
fn tempo_backend_config_is_not_the_pt_tebd_knob() {
    each_packs(|packs| {
        let json = explain(packs, "oqupy_tempo.py", "backend_config={", 0);
        assert_eq!(json["symbol"], "oqupy.Tempo(backend_config=...)");
        assert!(!texts(&json, "pitfall").contains("oversubscri"), "{json:#}");
        for related in items(&json, "related") {
            assert!(
                related["reason"]
                    .as_str()
                    .unwrap()
                    .contains("does not apply"),
                "{related}"
            );
        }
    });
}

#[test]
fn omp_num_threads_environment() {
    each_packs(|packs| {
        let json = explain(packs, "parallel_md.py", "OMP_NUM_THREADS", 0);
        assert_eq!(json["keys"][0], "env:OMP_NUM_THREADS");
        assert!(
            first_pitfall(&json).contains("oversubscri") || first_pitfall(&json).contains("thread"),
            "{json:#}"
        );
        // The file runs oqupy's threaded backend: its thread pitfall is among those shown
        // (the ase pack's, about `gpaw-python` ranks, names the variable too).
        assert!(
            items(&json, "pitfall")
                .iter()
                .any(|p| p["skill"] == "oqupy-parallel-hpc"),
            "{json:#}"
        );
    });
}

#[test]
fn nothing_for_other_packages_and_own_code() {
    each_packs(|packs| {
        for needle in [
            "load('data",
            "read_csv",
            "load(open",
            "read('notes",
            "open('config",
            "open(path",
        ] {
            let json = explain(packs, "unrelated.py", needle, 0);
            assert_eq!(
                json["items"].as_array().unwrap().len(),
                0,
                "{needle}: {json:#}"
            );
        }
    });
}

/// A key of no package (an environment variable) speaks first for the packages the file
/// imports; with none of them imported, every pack may speak.
#[test]
fn environment_keys_follow_the_imports() {
    let corpus = corpus_or_skip!();
    let dir = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let packs: Vec<String> = ["sisl", "oqupy", "tkwant"]
        .iter()
        .map(|p| corpus.join(p).display().to_string())
        .collect();
    let packs_of = |imports: &str| {
        let file = dir.path().join("env.py");
        std::fs::write(
            &file,
            format!("import os\n{imports}os.environ[\"OMP_NUM_THREADS\"] = \"1\"\n"),
        )
        .unwrap();
        let line = 2 + imports.lines().count();
        let location = format!("{}:{line}:14", file.display());
        let mut args = vec!["explain", "--json"];
        for p in &packs {
            args.extend(["--skills", p.as_str()]);
        }
        args.push(&location);
        let json = common::json_of(&common::run(&args, dir.path(), cache.path()));
        assert_eq!(json["keys"][0], "env:OMP_NUM_THREADS", "{json:#}");
        let mut from: Vec<String> = json["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["pack"].as_str().unwrap().to_string())
            .collect();
        from.sort();
        from.dedup();
        from
    };
    assert_eq!(packs_of("import sisl\n"), ["sisl"]);
    assert_eq!(packs_of("import oqupy\n"), ["oqupy"]);
    let everyone = packs_of("");
    assert!(
        everyone.len() >= 2 && everyone.iter().any(|p| p == "tkwant"),
        "{everyone:?}"
    );
}

/// The hover sample in README.md is what `explain` prints today.
#[test]
fn readme_hover_sample_is_current() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let sample: Vec<&str> = readme
        .lines()
        .skip_while(|l| !l.starts_with("> **`ase.io.read`**"))
        .take_while(|l| l.starts_with('>'))
        .map(|l| l.strip_prefix("> ").unwrap_or(l.trim_start_matches('>')))
        .collect();
    assert!(!sample.is_empty(), "README has no hover sample");
    let cache = tempfile::tempdir().unwrap();
    let out = common::run(
        &["explain", "examples/parallel_md.py:11:9"],
        Path::new(env!("CARGO_MANIFEST_DIR")),
        cache.path(),
    );
    assert!(out.status.success(), "{out:?}");
    let printed = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        sample.join("\n").trim(),
        printed.trim(),
        "README.md's hover sample is stale"
    );
}
