//! A pack's identity comes from what its repository and skills say, not from its folder's
//! name: the same pack under three folder names gives the same hovers.

mod common;

use serde_json::Value;
use std::path::Path;

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(entry.file_name());
        let kind = entry.file_type().unwrap();
        if kind.is_dir() {
            copy_dir(&entry.path(), &target);
        } else if kind.is_file() {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// What a user sees at each needle, without the folder-dependent parts (pack name, files).
fn answers(pack: &Path, script: &Path, source: &str, needles: &[&str]) -> Vec<Value> {
    let cache = tempfile::tempdir().unwrap();
    needles
        .iter()
        .map(|needle| {
            let offset = source.find(needle).expect("needle");
            let line = source[..offset].matches('\n').count() + 1;
            let col = offset - source[..offset].rfind('\n').map_or(0, |i| i + 1) + 1;
            let location = format!("{}:{line}:{col}", script.display());
            let out = common::run(
                &[
                    "explain",
                    "--json",
                    "--skills",
                    pack.to_str().unwrap(),
                    &location,
                ],
                pack,
                cache.path(),
            );
            let json = common::json_of(&out);
            let items: Vec<Value> = json["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| {
                    serde_json::json!([i["kind"], i["skill"], i["text"], i["reason"], i["path"]])
                })
                .collect();
            serde_json::json!({"symbol": json["symbol"], "items": items})
        })
        .collect()
}

fn same_under_three_names(pack: &Path, source: &str, needles: &[&str]) {
    let work = tempfile::tempdir().unwrap();
    let script = work.path().join("script.py");
    std::fs::write(&script, source).unwrap();
    let mut seen: Vec<(String, Vec<Value>)> = Vec::new();
    // The repository's own name, a project folder holding someone's skills, and an
    // `owner+name` download folder.
    for folder in ["as-published", "fluxonium-study", "someone+toolkit"] {
        let root = work.path().join(folder);
        copy_dir(&pack.join("skills"), &root.join("skills"));
        let got = answers(&root, &script, source, needles);
        assert!(
            got.iter().any(|a| a["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|i| i[0] == "pitfall")),
            "{folder}: no pitfall at all: {got:#?}"
        );
        seen.push((folder.to_string(), got));
    }
    for (folder, got) in &seen[1..] {
        assert_eq!(got, &seen[0].1, "{folder} differs from {}", seen[0].0);
    }
}

#[test]
fn the_embedded_ase_pack_under_three_folder_names() {
    let pack = Path::new(env!("CARGO_MANIFEST_DIR")).join("index/ase");
    same_under_three_names(
        &pack,
        "from ase.io import read, Trajectory\natoms = read('start.traj')\nt = Trajectory('a.traj')\n",
        &["read('start", "Trajectory('a"],
    );
}

#[test]
fn a_pack_whose_import_name_is_not_its_folder_name() {
    let corpus = corpus_or_skip!();
    same_under_three_names(
        &corpus.join("uproot5"),
        "import uproot\nbig = uproot.concatenate(\"f*.root:events\", [\"px1\"])\nfor batch in uproot.iterate(\"f.root:events\", step_size=100):\n    pass\n",
        &["concatenate(", "iterate(", "step_size"],
    );
}

/// A pack whose folder and skill names say nothing of its package: the repository's
/// packaging files do (`pyproject.toml`, Julia's `Project.toml`), and without them the
/// same hovers are silent.
#[test]
fn the_packaging_files_name_the_package() {
    let work = tempfile::tempdir().unwrap();
    let root = work.path().join("someone+study");
    common::write_skill(
        &root,
        "study-guide",
        "### Pitfalls and fixes\n- `solve()` ignores `tol` unless `method=\"newton\"` is given.\n- `lattice_sum()` needs a converged cutoff.\n",
    );
    let python = work.path().join("run.py");
    let python_source = "from fluxo import solve\nsolve(x, tol=1e-9)\n";
    std::fs::write(&python, python_source).unwrap();
    let julia = work.path().join("run.jl");
    let julia_source = "using Latx\nlattice_sum(h)\n";
    std::fs::write(&julia, julia_source).unwrap();
    let has_pitfall = |script: &Path, source: &str, needle: &str| {
        answers(&root, script, source, &[needle])[0]["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i[0] == "pitfall")
    };
    assert!(!has_pitfall(&python, python_source, "solve(x"));
    assert!(!has_pitfall(&julia, julia_source, "lattice_sum("));
    std::fs::write(root.join("pyproject.toml"), "[project]\nname = \"fluxo\"\n").unwrap();
    std::fs::write(root.join("Project.toml"), "name = \"Latx\"\n").unwrap();
    assert!(has_pitfall(&python, python_source, "solve(x"));
    assert!(has_pitfall(&julia, julia_source, "lattice_sum("));
}
