//! Job scripts: a SLURM script next to the Python it runs gets the pitfalls of the
//! packages that Python imports, in `check` and over LSP; advice it follows is not
//! repeated; scripts outside its folder are never read.

mod common;

use common::lsp::{full_capabilities, position_of, uri_of, Client};
use serde_json::Value;
use std::path::Path;

fn examples() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples")
}

fn check(path: &Path) -> (Option<i32>, String, String) {
    let cwd = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let out = common::run(&["check", path.to_str().unwrap()], cwd.path(), cache.path());
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A job folder: `job.slurm` with the given thread count, and the ase script it runs.
fn job_folder(threads: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        examples().join("diffusion3.py"),
        dir.path().join("diffusion3.py"),
    )
    .unwrap();
    let job = std::fs::read_to_string(examples().join("job.slurm"))
        .unwrap()
        .replace("OMP_NUM_THREADS=8", &format!("OMP_NUM_THREADS={threads}"));
    std::fs::write(dir.path().join("job.slurm"), job).unwrap();
    dir
}

#[test]
fn check_reports_the_pitfalls_of_what_the_job_runs_and_not_advice_it_follows() {
    let (code, text, stderr) = check(&examples().join("job.slurm"));
    assert_eq!(code, Some(1), "{stderr}");
    // The export of 8 threads, and the launch line (once, not for both commands on it).
    assert!(text.contains("job.slurm:7:8: ase-parallel-hpc:"), "{text}");
    assert_eq!(text.matches("job.slurm:8:").count(), 1, "{text}");

    let followed = job_folder("1");
    let (code, text, _) = check(&followed.path().join("job.slurm"));
    assert_eq!(
        (code, text.as_str()),
        (Some(0), ""),
        "OMP_NUM_THREADS=1 is already set"
    );

    // Without the script the job runs, nothing says the job is about ase: the launch
    // line alone still names `gpaw-python`, which the ase pack speaks for.
    let alone = job_folder("8");
    std::fs::remove_file(alone.path().join("diffusion3.py")).unwrap();
    let (_, text, _) = check(&alone.path().join("job.slurm"));
    assert!(text.contains("job.slurm:8:"), "{text}");
}

#[test]
fn scripts_outside_the_job_folder_are_not_read() {
    let outer = tempfile::tempdir().unwrap();
    let inner = outer.path().join("job");
    std::fs::create_dir(&inner).unwrap();
    std::fs::write(outer.path().join("secret.py"), "import ase\n").unwrap();
    std::fs::write(
        inner.join("run.sh"),
        "#!/bin/sh\nexport OMP_NUM_THREADS=8\npython ../secret.py\n",
    )
    .unwrap();
    // With no script read, every pack naming the variable speaks (oqupy's too); were
    // `../secret.py` read, the job would be about ase alone.
    let (_, text, _) = check(&inner.join("run.sh"));
    assert!(text.contains("oqupy-parallel-hpc"), "{text}");
    // The same script beside the job is read: ase alone speaks.
    std::fs::copy(outer.path().join("secret.py"), inner.join("secret.py")).unwrap();
    std::fs::write(
        inner.join("run.sh"),
        "#!/bin/sh\nexport OMP_NUM_THREADS=8\npython secret.py\n",
    )
    .unwrap();
    let (_, text, _) = check(&inner.join("run.sh"));
    assert!(
        text.contains("ase-parallel-hpc") && !text.contains("oqupy"),
        "{text}"
    );
}

#[test]
fn hover_on_a_job_script_over_lsp() {
    let folder = job_folder("8");
    let ws = folder.path();
    let mut client = Client::start(ws, &[]);
    client.initialize(ws, full_capabilities(), Value::Null);
    let path = ws.join("job.slurm");
    let text = std::fs::read_to_string(&path).unwrap();
    let uri = uri_of(&path);
    client.open(&uri, "shellscript", &text);

    let (line, col) = position_of(&text, "gpaw-python", 0);
    let hover = client.hover(&uri, line, col + 2);
    let md = hover["contents"]["value"].as_str().unwrap_or("");
    assert!(md.contains("**`gpaw-python`**"), "{hover}");
    assert!(
        md.contains("OMP_NUM_THREADS=1") && md.contains("NEB"),
        "{md}"
    );
    let (line, col) = position_of(&text, "OMP_NUM_THREADS", 0);
    let md = client.hover(&uri, line, col)["contents"]["value"]
        .as_str()
        .unwrap_or("")
        .to_string();
    assert!(md.contains("oversubscribe"), "{md}");
    let diagnostics = client.diagnostics(&uri);
    assert!(
        diagnostics
            .iter()
            .any(|d| d["code"] == "ase-parallel-hpc" && d["range"]["start"]["line"] == 6),
        "{diagnostics:?}"
    );
    // A comment and a plain `echo` say nothing.
    assert_eq!(client.hover(&uri, 5, 3), Value::Null);
    assert!(client.shutdown().success());
}

#[test]
fn an_assignment_completes_to_the_values_the_skills_assign() {
    let folder = job_folder("8");
    let ws = folder.path();
    let mut client = Client::start(ws, &[]);
    client.initialize(ws, full_capabilities(), Value::Null);
    let path = ws.join("typing.slurm");
    let text = "#!/bin/bash\nexport OMP_NUM_THREADS=\nmpiexec -np 3 gpaw-python diffusion3.py\n";
    std::fs::write(&path, text).unwrap();
    let uri = uri_of(&path);
    client.open(&uri, "shellscript", text);
    let items = client.call(
        "textDocument/completion",
        serde_json::json!({"textDocument": {"uri": uri}, "position": {"line": 1, "character": 23}}),
    );
    let items = items.as_array().cloned().unwrap_or_default();
    let one = items.iter().find(|i| i["label"] == "1");
    assert!(one.is_some(), "{items:?}");
    let one = one.unwrap();
    assert!(
        one["detail"]
            .as_str()
            .unwrap_or("")
            .contains("OMP_NUM_THREADS=..."),
        "{one}"
    );
    assert_eq!(
        one["textEdit"]["range"]["start"],
        serde_json::json!({"line": 1, "character": 23})
    );
    // Nothing to complete on the command word.
    let none = client.call(
        "textDocument/completion",
        serde_json::json!({"textDocument": {"uri": uri}, "position": {"line": 2, "character": 2}}),
    );
    assert!(
        none.is_null() || none.as_array().is_some_and(|a| a.is_empty()),
        "{none}"
    );
    assert!(client.shutdown().success());
}

#[test]
fn a_flag_being_typed_completes_to_the_flags_the_skills_name() {
    let folder = job_folder("1");
    let ws = folder.path();
    let mut client = Client::start(ws, &[]);
    client.initialize(ws, full_capabilities(), Value::Null);
    let path = ws.join("flags.sh");
    let text = "#!/bin/bash\nmpiexec -\n";
    std::fs::write(&path, text).unwrap();
    let uri = uri_of(&path);
    client.open(&uri, "shellscript", text);
    let items = client.call(
        "textDocument/completion",
        serde_json::json!({"textDocument": {"uri": uri}, "position": {"line": 1, "character": 9}}),
    );
    let labels: Vec<&str> = items
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|i| i["label"].as_str())
        .collect();
    // The embedded ase skill's example runs `mpiexec -np 3 gpaw-python diffusion3.py`.
    assert!(labels.contains(&"-np"), "{items}");
    assert!(client.shutdown().success());
}
