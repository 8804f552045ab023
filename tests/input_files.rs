//! Input files of simulation codes, and C++, Julia and Fortran programs: a deck the
//! workspace's pack cites gets its pitfalls on hover, in diagnostics and in `check`, at
//! the keyword's line and column; a deck no pack owns stays silent; a malformed deck
//! still answers where it can be read.

mod common;

use common::lsp::{full_capabilities, position_of, uri_of, Client};
use serde_json::Value;
use std::path::Path;

const SKILL: &str = "---\nname: spinx-inputs\ndescription: Writing input decks for the spinx code.\n---\n# spinx inputs\n\n## Workflow\n1. Start from `runs/water.in` and change one block at a time.\n\n### Pitfalls and fixes\n- `mixing.scheme broyden` diverges for magnetic cells; use `pulay` there.\n- `scf.maxiter` below 50 stops before convergence on slabs.\n";

/// A workspace with the spinx pack and a deck it cites.
fn workspace(deck: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let skill = dir.path().join("skills/spinx-inputs");
    std::fs::create_dir_all(&skill).unwrap();
    std::fs::write(skill.join("SKILL.md"), SKILL).unwrap();
    std::fs::create_dir_all(dir.path().join("runs")).unwrap();
    std::fs::write(dir.path().join("runs/water.in"), deck).unwrap();
    dir
}

const DECK: &str = "# water\nsystem.name     water\nmixing.scheme   broyden\nscf.maxiter     40\n<coordinates\n O 0.0 0.0 0.0\ncoordinates>\n";

fn check(ws: &Path, file: &Path) -> (Option<i32>, String) {
    let cache = tempfile::tempdir().unwrap();
    let out = common::run(&["check", file.to_str().unwrap()], ws, cache.path());
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn check_reports_a_warned_value_at_its_keyword() {
    let ws = workspace(DECK);
    let (code, text) = check(ws.path(), &ws.path().join("runs/water.in"));
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("water.in:3:1: spinx-inputs:"), "{text}");
    assert!(text.contains("diverges for magnetic cells"), "{text}");
    // `scf.maxiter` names no value the pitfall warns about: hover only.
    assert!(!text.contains("water.in:4:"), "{text}");

    // The advice followed: nothing to say.
    let followed = workspace(&DECK.replace("broyden", "pulay"));
    let (code, text) = check(followed.path(), &followed.path().join("runs/water.in"));
    assert_eq!((code, text.as_str()), (Some(0), ""));

    // A deck of another code, sharing no keywords and cited by no skill: silent.
    let other = workspace(DECK);
    let stranger = other.path().join("runs/other.in");
    std::fs::write(&stranger, "&control\n calculation = 'scf'\n/\n").unwrap();
    let (code, text) = check(other.path(), &stranger);
    assert_eq!((code, text.as_str()), (Some(0), ""));
}

#[test]
fn hover_and_diagnostics_on_an_input_file_over_lsp() {
    let folder = workspace(DECK);
    let ws = folder.path();
    let mut client = Client::start(ws, &[]);
    client.initialize(ws, full_capabilities(), Value::Null);
    let path = ws.join("runs/water.in");
    let uri = uri_of(&path);
    client.open(&uri, "plaintext", DECK);

    let (line, col) = position_of(DECK, "mixing.scheme", 0);
    let md = client.hover(&uri, line, col + 3)["contents"]["value"]
        .as_str()
        .unwrap_or("")
        .to_string();
    assert!(md.contains("**`mixing.scheme`**"), "{md}");
    assert!(md.contains("diverges for magnetic cells"), "{md}");
    let (line, col) = position_of(DECK, "scf.maxiter", 0);
    let md = client.hover(&uri, line, col)["contents"]["value"]
        .as_str()
        .unwrap_or("")
        .to_string();
    assert!(md.contains("stops before convergence"), "{md}");
    let diagnostics = client.diagnostics(&uri);
    assert!(
        diagnostics
            .iter()
            .any(|d| d["code"] == "spinx-inputs" && d["range"]["start"]["line"] == 2),
        "{diagnostics:?}"
    );
    // A comment and a section's data lines say nothing.
    assert_eq!(client.hover(&uri, 0, 3), Value::Null);
    assert_eq!(client.hover(&uri, 5, 1), Value::Null);

    // Mid-edit: an unclosed section and a stray brace; what can be read still answers.
    let broken = format!("{DECK}<basis\n }}}}\n");
    client.notify(
        "textDocument/didChange",
        serde_json::json!({"textDocument": {"uri": uri, "version": 2},
                           "contentChanges": [{"text": broken}]}),
    );
    let (line, col) = position_of(&broken, "mixing.scheme", 0);
    let md = client.hover(&uri, line, col)["contents"]["value"]
        .as_str()
        .unwrap_or("")
        .to_string();
    assert!(md.contains("diverges for magnetic cells"), "{md}");
    assert!(client.shutdown().success());
}

/// A C++ program against the workspace's pack: the option string a pitfall names, and
/// a class under the package's header, answer on hover; `std::` names stay silent.
#[test]
fn hover_on_a_cpp_program_over_lsp() {
    let tmp = tempfile::tempdir().unwrap();
    // The repository of the package, named after it (the pack's identity).
    let root = tmp.path().join("femx");
    common::write_skill(
        &root,
        "femx-examples",
        "### Pitfalls and fixes\n- Headless runs hang on the visualization socket: pass `-no-vis`.\n- `ParMesh` needs a build with MPI enabled (`FEMX_USE_MPI=YES`).\n",
    );
    let program = "#include \"femx.hpp\"\n#include <vector>\nusing namespace femx;\nint main(int argc, char *argv[]) {\n  OptionsParser args(argc, argv);\n  args.AddOption(&vis, \"-vis\", \"--visualization\", \"-no-vis\", \"--no-visualization\", \"Enable.\");\n  ParMesh pmesh(MPI_COMM_WORLD, mesh);\n  std::vector<int> sizes;\n}\n";
    let path = root.join("ex1p.cpp");
    std::fs::write(&path, program).unwrap();
    let ws = root.as_path();
    let mut client = Client::start(ws, &[]);
    client.initialize(ws, full_capabilities(), Value::Null);
    let uri = uri_of(&path);
    client.open(&uri, "cpp", program);
    let md = client.hover_text(&uri, program, "-no-vis", 1);
    assert!(md.contains("visualization socket"), "{md}");
    let md = client.hover_text(&uri, program, "ParMesh pmesh", 2);
    assert!(md.contains("needs a build with MPI"), "{md}");
    assert_eq!(client.hover_text(&uri, program, "vector<int>", 2), "");
    assert!(client.shutdown().success());
}

/// After a keyword with no value yet, completion offers the values the skills write for
/// it, spelled as they spell them.
#[test]
fn a_keyword_completes_to_the_values_the_skills_write() {
    let deck = "system.name     water\nmixing.scheme   \n";
    let folder = workspace(deck);
    let ws = folder.path();
    let mut client = Client::start(ws, &[]);
    client.initialize(ws, full_capabilities(), Value::Null);
    let uri = uri_of(&ws.join("runs/water.in"));
    client.open(&uri, "plaintext", deck);
    let items = client.call(
        "textDocument/completion",
        serde_json::json!({"textDocument": {"uri": uri}, "position": {"line": 1, "character": 16}}),
    );
    let labels: Vec<String> = items
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|i| i["label"].as_str().map(String::from))
        .collect();
    assert!(labels.contains(&"broyden".to_string()), "{items}");
    assert!(client.shutdown().success());
}

/// A Julia script using the workspace's package: a call, and a macro, answer on hover
/// with the pitfalls naming them; a name of another module stays silent.
#[test]
fn hover_on_a_julia_script_over_lsp() {
    let tmp = tempfile::tempdir().unwrap();
    // The repository of the package, named after it (the pack's identity).
    let root = tmp.path().join("latx");
    common::write_skill(
        &root,
        "latx-models",
        "### Pitfalls and fixes\n- `hamiltonian(...)` is built lazily: call it with concrete parameters before `spectrum`.\n- `@hopping` without `range` connects only nearest neighbours.\n",
    );
    // `range` left out: the pitfall about leaving it out applies.
    let script = "using Latx\nusing Plots\nh = hamiltonian(lat, @hopping((r, dr) -> 1))\nplot(h)\n";
    let path = root.join("model.jl");
    std::fs::write(&path, script).unwrap();
    let ws = root.as_path();
    let mut client = Client::start(ws, &[]);
    client.initialize(ws, full_capabilities(), Value::Null);
    let uri = uri_of(&path);
    client.open(&uri, "julia", script);
    let md = client.hover_text(&uri, script, "hamiltonian", 2);
    assert!(md.contains("built lazily"), "{md}");
    let md = client.hover_text(&uri, script, "@hopping", 2);
    assert!(md.contains("nearest neighbours"), "{md}");
    assert_eq!(client.hover_text(&uri, script, "plot(h)", 1), "");
    assert!(client.shutdown().success());
}

/// A Fortran program using the workspace's package: a subroutine it imports with `only`,
/// and a type-bound call through the declared type, answer on hover; a local array
/// indexed like a call stays silent; `check` finds a warned keyword value in `.f90`.
#[test]
fn hover_and_check_on_a_fortran_program() {
    let tmp = tempfile::tempdir().unwrap();
    // The repository of the package, named after it (the pack's identity).
    let root = tmp.path().join("dispx");
    common::write_skill(
        &root,
        "dispx-api",
        "## Example\n```fortran\nuse dispx, only : new_d4_model, get_dispersion\ncall new_d4_model(error, model, mol, ref=\"d4\")\ncall get_dispersion(mol, model, energy)\n```\n\n### Pitfalls and fixes\n- `get_dispersion` returns Hartree: convert before comparing with eV energies.\n- `model%get_weights` needs the model rebuilt after the structure changes.\n- `ref=\"d3\"` in `new_d4_model` mixes reference sets: keep `ref=\"d4\"`.\n",
    );
    let program = "program p\n  use dispx, only : dispx_model, get_dispersion, new_d4_model\n  implicit none\n  type(dispx_model) :: model\n  real :: xyz(3, 2), e\n  call get_dispersion(mol, model, e)\n  call model%get_weights(mol)\n  e = xyz(1, 2)\n  call new_d4_model(error, model, mol, ref=\"d3\")\nend program p\n";
    let path = root.join("app/main.f90");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, program).unwrap();
    let ws = root.as_path();
    let mut client = Client::start(ws, &[]);
    client.initialize(ws, full_capabilities(), Value::Null);
    let uri = uri_of(&path);
    client.open(&uri, "fortran", program);
    let md = client.hover_text(&uri, program, "get_dispersion(mol", 2);
    assert!(md.contains("returns Hartree"), "{md}");
    let md = client.hover_text(&uri, program, "get_weights", 2);
    assert!(md.contains("model rebuilt"), "{md}");
    assert_eq!(client.hover_text(&uri, program, "xyz(1", 1), "");
    assert!(client.shutdown().success());
    // `check` reads `.f90` files: the warned value, at the call's line and column; the
    // advice the skill's own example follows is no finding.
    let (_, report) = check(ws, &path);
    assert!(report.contains("main.f90:9:8: dispx-api"), "{report}");
    assert_eq!(report.lines().count(), 1, "{report}");
}
