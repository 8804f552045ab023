//! The command line, run as a user would: the real binary, real packs, real exit codes.

mod common;

use std::path::Path;

fn first_result(json: &serde_json::Value) -> &serde_json::Value {
    &json["results"][0]
}

#[test]
fn search_ranks_the_mpi_read_pitfall_first_in_the_corpus() {
    let corpus = corpus_or_skip!();
    let cache = tempfile::tempdir().unwrap();
    let ase = corpus.join("ase");
    let out = common::run(
        &["search", "--json", "ase.io.read", ase.to_str().unwrap()],
        &corpus,
        cache.path(),
    );
    let json = common::json_of(&out);
    let top = first_result(&json);
    assert_eq!(top["skill"], "ase-parallel-hpc", "{json:#}");
    assert_eq!(top["kind"], "pitfall");
    assert!(top["text"].as_str().unwrap().contains("MPI"), "{top}");
    assert!(top["file"]
        .as_str()
        .unwrap()
        .ends_with("ase-parallel-hpc/SKILL.md"));
    assert_eq!(top["line"], 42);

    let oqupy = corpus.join("oqupy");
    let out = common::run(
        &[
            "search",
            "--json",
            "backend_config",
            oqupy.to_str().unwrap(),
        ],
        &corpus,
        cache.path(),
    );
    let json = common::json_of(&out);
    assert_eq!(
        first_result(&json)["skill"],
        "oqupy-parallel-hpc",
        "{json:#}"
    );
}

#[test]
fn with_no_dir_an_empty_directory_answers_from_the_embedded_default() {
    let cwd = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let out = common::run(
        &["search", "--json", "ase.io.read"],
        cwd.path(),
        cache.path(),
    );
    let json = common::json_of(&out);
    let top = first_result(&json);
    assert_eq!(top["skill"], "ase-parallel-hpc", "{json:#}");
    assert_eq!(top["kind"], "pitfall");
    assert!(top["file"].as_str().unwrap().starts_with("embedded:"));
    assert!(top["text"].as_str().unwrap().contains("MPI"), "{top}");

    let out = common::run(
        &["search", "--json", "backend_config"],
        cwd.path(),
        cache.path(),
    );
    let json = common::json_of(&out);
    assert_eq!(
        first_result(&json)["skill"],
        "oqupy-parallel-hpc",
        "{json:#}"
    );
    assert_eq!(first_result(&json)["kind"], "pitfall", "{json:#}");

    let out = common::run(&["skills", "--json"], cwd.path(), cache.path());
    let json = common::json_of(&out);
    let names = common::skill_names(&json);
    for want in [
        "ase-parallel-hpc",
        "ase-psi4-interface",
        "oqupy-parallel-hpc",
    ] {
        assert!(names.contains(&want), "{names:?}");
    }
}

#[test]
fn workspace_skills_folder_is_found_without_arguments() {
    let ws = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    common::write_skill(
        ws.path(),
        "mypkg-hpc",
        "### Pitfalls\n- `mypkg.solve` leaks threads (`doc/solve.rst`).\n",
    );
    let out = common::run(
        &["search", "--json", "mypkg.solve"],
        ws.path(),
        cache.path(),
    );
    let json = common::json_of(&out);
    assert_eq!(first_result(&json)["skill"], "mypkg-hpc", "{json:#}");
}

#[test]
fn bad_files_are_reported_and_the_rest_is_indexed() {
    let ws = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    common::write_skill(
        ws.path(),
        "good-skill",
        "### Pitfalls\n- `good.fn` is fine.\n",
    );
    let skills = ws.path().join("skills");
    for (name, bytes) in [
        ("empty", b"".to_vec()),
        ("binary", vec![0u8, 159, 146, 150, 0, 1]),
        ("latin1", b"---\nname: latin1\n---\n# caf\xe9\n".to_vec()),
        (
            "broken-yaml",
            b"---\nname: [unclosed\n  description: x: y: z\n---\n# t\n".to_vec(),
        ),
        ("unclosed", b"---\nname: x\n# t\n".to_vec()),
    ] {
        std::fs::create_dir_all(skills.join(name)).unwrap();
        std::fs::write(skills.join(name).join("SKILL.md"), bytes).unwrap();
    }
    std::fs::create_dir_all(skills.join("huge")).unwrap();
    std::fs::write(skills.join("huge/SKILL.md"), vec![b'a'; 3 * 1024 * 1024]).unwrap();
    // Kept alive until the end of the test: the link must point at a real file.
    let outside = tempfile::tempdir().unwrap();
    #[cfg(unix)]
    {
        std::fs::write(
            outside.path().join("SKILL.md"),
            "---\nname: secret\n---\n# secret\n",
        )
        .unwrap();
        std::fs::create_dir_all(skills.join("escape")).unwrap();
        std::os::unix::fs::symlink(
            outside.path().join("SKILL.md"),
            skills.join("escape/SKILL.md"),
        )
        .unwrap();
    }

    let out = common::run(
        &["skills", "--json", ws.path().to_str().unwrap()],
        ws.path(),
        cache.path(),
    );
    let json = common::json_of(&out);
    let names = common::skill_names(&json);
    assert_eq!(names, vec!["good-skill"], "{json:#}");
    let problems = json["problems"].as_array().unwrap();
    let reason_of = |folder: &str| {
        problems
            .iter()
            .find(|p| p["file"].as_str().unwrap().contains(&format!("/{folder}/")))
            .map(|p| p["message"].as_str().unwrap().to_string())
            .unwrap_or_else(|| panic!("no problem reported for {folder}: {problems:?}"))
    };
    assert!(reason_of("empty").contains("empty"));
    assert!(reason_of("binary").contains("UTF-8") || reason_of("binary").contains("binary"));
    assert!(reason_of("latin1").contains("UTF-8"));
    assert!(reason_of("broken-yaml").contains("YAML"));
    assert!(reason_of("unclosed").contains("not closed"));
    assert!(reason_of("huge").contains("limit"));
    #[cfg(unix)]
    assert!(
        reason_of("escape").contains("outside the pack root"),
        "{problems:?}"
    );
}

/// Every command that takes packs takes `--skills DIR`, as `explain` and `check` do.
#[test]
fn every_pack_command_takes_skills() {
    let cwd = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let ase = Path::new(env!("CARGO_MANIFEST_DIR")).join("index/ase");
    let ase = ase.to_str().unwrap();
    let out = common::run(
        &[
            "search",
            "--json",
            "-n",
            "1",
            "--skills",
            ase,
            "ase.io.read",
        ],
        cwd.path(),
        cache.path(),
    );
    assert!(out.status.success(), "{out:?}");
    assert_eq!(first_result(&common::json_of(&out))["pack"], "ase");
    let out = common::run(
        &["skills", "--json", "--skills", ase],
        cwd.path(),
        cache.path(),
    );
    assert!(out.status.success(), "{out:?}");
    assert!(common::skill_names(&common::json_of(&out)).contains(&"ase-parallel-hpc"));
    let out = common::run(&["index", "--skills", ase], cwd.path(), cache.path());
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("1 pack,"),
        "{out:?}"
    );
}

#[test]
fn clear_errors_and_exit_codes() {
    let cwd = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let out = common::run(&["search", "x", "/no/such/dir"], cwd.path(), cache.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/no/such/dir: no such directory"));

    let out = common::run(&["search", "  "], cwd.path(), cache.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("empty query"));

    let out = common::run(
        &["skills", cwd.path().to_str().unwrap()],
        cwd.path(),
        cache.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no */SKILL.md found"));

    let out = common::run(&["frobnicate"], cwd.path(), cache.path());
    assert_eq!(out.status.code(), Some(2));

    // A warning logged to a pipe (not a terminal): plain text, no colour codes.
    let notebook = cwd.path().join("cpp.ipynb");
    std::fs::write(
        &notebook,
        r#"{"metadata": {"kernelspec": {"language": "c++"}}, "nbformat": 4, "nbformat_minor": 5, "cells": []}"#,
    )
    .unwrap();
    let out = common::run(
        &["check", notebook.to_str().unwrap()],
        cwd.path(),
        cache.path(),
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("not Python"), "{stderr}");
    assert!(!stderr.contains('\u{1b}'), "no ANSI escapes: {stderr:?}");
}

#[test]
fn index_is_persisted_and_refreshed_per_pack() {
    let ws = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    common::write_skill(ws.path(), "pkg-a", "### Pitfalls\n- `pkg.alpha` first.\n");
    let dir = ws.path().to_str().unwrap();
    let stdout = |args: &[&str]| {
        let out = common::run(args, ws.path(), cache.path());
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).to_string()
    };
    assert!(stdout(&["index", dir]).contains("0 reused, 1 rebuilt"));
    assert!(stdout(&["index", dir]).contains("1 reused, 0 rebuilt"));
    // Edit the pack: it is re-read, and the index answers with the new text.
    std::thread::sleep(std::time::Duration::from_millis(20));
    common::write_skill(
        ws.path(),
        "pkg-a",
        "### Pitfalls\n- `pkg.beta` replaces alpha.\n",
    );
    assert!(stdout(&["index", dir]).contains("0 reused, 1 rebuilt"));
    let json: serde_json::Value =
        serde_json::from_str(&stdout(&["search", "--json", "pkg.beta", dir])).unwrap();
    assert!(json["results"][0]["text"]
        .as_str()
        .unwrap()
        .contains("pkg.beta"));
    let json: serde_json::Value =
        serde_json::from_str(&stdout(&["search", "--json", "pkg.alpha", dir])).unwrap();
    assert!(json["results"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| !r["text"].as_str().unwrap().contains("alpha` first")));
}
