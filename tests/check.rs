//! `skill-lsp check`: findings, formats, exit codes, the ignore comment, SARIF 2.1.0.

mod common;

use std::path::Path;

fn examples() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples")
}

use common::check;

#[test]
fn examples_give_the_expected_findings_and_exit_codes() {
    let dir = examples();
    let out = check(&[dir.to_str().unwrap()]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let has = |file: &str, line: u32, skill: &str, words: &str| {
        text.lines().any(|l| {
            l.contains(&format!("{file}:{line}:"))
                && l.contains(&format!(": {skill}: "))
                && l.to_lowercase().contains(words)
        })
    };
    assert!(
        has("parallel_md.py", 9, "oqupy-parallel-hpc", "omp_num_threads"),
        "{text}"
    );
    assert!(
        has("parallel_md.py", 11, "ase-parallel-hpc", "same order"),
        "{text}"
    );
    assert!(
        has("parallel_md.py", 12, "ase-parallel-hpc", "trajectory"),
        "{text}"
    );
    assert!(
        has("parallel_md.py", 14, "ase-parallel-hpc", "num_threads"),
        "{text}"
    );
    assert!(
        has("parallel_md.py", 17, "oqupy-parallel-hpc", "oversubscribes"),
        "{text}"
    );
    assert!(
        has("psi4_settings.py", 8, "ase-psi4-interface", "xc"),
        "{text}"
    );
    assert!(
        has("psi4_settings.py", 9, "ase-psi4-interface", "kpts"),
        "{text}"
    );
    assert!(
        has("oqupy_tempo.py", 14, "oqupy-parallel-hpc", "picklable"),
        "{text}"
    );
    // Not presented as applying: the PT-TEBD knob on Tempo, Psi4 with num_threads, and
    // anything in unrelated.py.
    assert!(
        !text.lines().any(|l| l.contains("oqupy_tempo.py:4:")),
        "{text}"
    );
    assert!(
        !text.lines().any(|l| l.contains("psi4_settings.py:11:")),
        "{text}"
    );
    assert!(!text.contains("unrelated.py"), "{text}");
    // Columns are 1-based, at the callee.
    assert!(text.contains("parallel_md.py:11:9: "), "{text}");

    let out = check(&[dir.join("unrelated.py").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty());

    let out = check(&["/no/such/path.py"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no such file"));
}

#[test]
fn ignore_comment_and_gitignore() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("run.py"),
        "from ase.io import read\na = read('x')  # skill-lsp: ignore\nb = read('y')\n",
    )
    .unwrap();
    std::fs::create_dir_all(dir.path().join("build")).unwrap();
    std::fs::write(
        dir.path().join("build/gen.py"),
        "from ase.io import read\nread('z')\n",
    )
    .unwrap();
    std::fs::write(dir.path().join(".gitignore"), "build/\n").unwrap();
    std::fs::create_dir_all(dir.path().join(".git")).unwrap();
    let out = check(&[dir.path().to_str().unwrap()]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1));
    assert!(!text.contains("run.py:2:"), "{text}");
    assert!(text.contains("run.py:3:5: ase-parallel-hpc"), "{text}");
    assert!(!text.contains("gen.py"), "{text}");
}

#[test]
fn json_and_sarif_formats() {
    let file = examples().join("psi4_settings.py");
    let out = check(&["--format", "json", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let findings = json["findings"].as_array().unwrap();
    assert!(findings
        .iter()
        .any(|f| f["line"] == 8 && f["skill"] == "ase-psi4-interface"));

    let out = check(&["--format", "sarif", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // The SARIF 2.1.0 object model (generated from the official schema) accepts it...
    let sarif: serde_sarif::sarif::Sarif =
        serde_json::from_value(value.clone()).expect("valid SARIF 2.1.0");
    assert_eq!(serde_json::to_value(&sarif.version).unwrap(), "2.1.0");
    // ...and the schema's required properties and constraints hold.
    let run = &value["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "skill-lsp");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    for result in run["results"].as_array().unwrap() {
        assert!(result["message"]["text"]
            .as_str()
            .is_some_and(|t| !t.is_empty()));
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], result["ruleId"]);
        let region = &result["locations"][0]["physicalLocation"]["region"];
        assert!(region["startLine"].as_u64().unwrap() >= 1);
        assert!(region["startColumn"].as_u64().unwrap() >= 1);
        assert!(["none", "note", "warning", "error"].contains(&result["level"].as_str().unwrap()));
        let uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap();
        assert!(uri.starts_with("file:///"), "{uri}");
    }
}

/// `skill-lsp check . | head -1`: the reader closing the pipe early is not an error.
#[test]
fn a_closed_stdout_ends_quietly() {
    use std::process::{Command, Stdio};
    let cache = tempfile::tempdir().unwrap();
    let mut child = Command::new(common::bin())
        .args(["check", examples().to_str().unwrap()])
        .env("SKILL_LSP_CACHE_DIR", cache.path())
        .env_remove("SKILL_LSP_SKILLS")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn skill-lsp");
    // The read end closes before the findings are written.
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("error"), "stderr: {stderr}");
    assert!(out.status.success(), "{:?}, stderr: {stderr}", out.status);
}

/// `check` prints the column at which `explain` answers: each finding's pitfall is among
/// the pitfalls `explain` gives at its FILE:LINE:COL (the called name, not its owner:
/// `n.continuerun` is reported at `continuerun`).
#[test]
fn explain_at_each_finding_shows_its_pitfall() {
    let dir = examples();
    let out = check(&["--format", "json", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let found: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let findings = found["findings"].as_array().expect("findings");
    assert!(findings.len() >= 10, "{found}");
    for finding in findings {
        let file = finding["file"].as_str().unwrap();
        let location = match finding["cell"].as_u64() {
            Some(cell) => format!("{file}:{cell}:{}:{}", finding["line"], finding["column"]),
            None => format!("{file}:{}:{}", finding["line"], finding["column"]),
        };
        let out = common::run_fresh(&["explain", "--json", &location]);
        let explained = common::json_of(&out);
        let pitfalls: Vec<&str> = explained["items"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|i| i["kind"] == "pitfall")
            .filter_map(|i| i["text"].as_str())
            .collect();
        assert!(
            pitfalls.contains(&finding["text"].as_str().unwrap()),
            "explain {location} does not show the finding {}\n{explained:#}",
            finding["text"]
        );
    }
}
