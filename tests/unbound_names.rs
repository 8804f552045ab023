//! Names a file uses but never binds: star imports in a row resolve against what the
//! pack says each module holds (the last that holds it wins, as in Python); a name whose
//! import the file does not show is named through the pack's own example imports, for
//! hovers only; parameters, loop variables and builtins stay the user's.

mod common;

use serde_json::Value;
use std::path::Path;

const SKILL: &str = "## Minimal example\n\n```python\nfrom fluxo.core.solvers import Solver\n\
    s = Solver(grid, tol=1e-6)\n```\n\n## Pitfalls\n\
    - `fluxo.core.lattice.solve` diverges without a converged `cutoff`.\n\
    - `Solver` silently ignores `tol` unless `method=\"newton\"` is given.\n\
    - `fluxo.units.solve` takes angstrom, not bohr.\n";

fn explain(root: &Path, file: &Path, source: &str, needle: &str) -> Value {
    let offset = source.find(needle).expect("needle in source");
    let line = source[..offset].matches('\n').count() + 1;
    let col = offset - source[..offset].rfind('\n').map_or(0, |i| i + 1) + 1;
    let location = format!("{}:{line}:{col}", file.display());
    let cache = tempfile::tempdir().unwrap();
    let root = root.display().to_string();
    common::json_of(&common::run(
        &["explain", "--json", "--skills", &root, &location],
        file.parent().unwrap(),
        cache.path(),
    ))
}

fn pitfalls(json: &Value) -> Vec<String> {
    json["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|i| i["kind"] == "pitfall")
        .filter_map(|i| i["text"].as_str().map(str::to_string))
        .collect()
}

#[test]
fn star_imports_resolve_to_the_module_that_holds_the_name() {
    let work = tempfile::tempdir().unwrap();
    let root = work.path().join("fluxo");
    common::write_skill(&root, "fluxo-guide", SKILL);
    let script = work.path().join("run.py");
    // Python takes `solve` from the last star import that defines it: the pack says
    // `fluxo.units` does, `fluxo` (in the middle) is not known to.
    let source =
        "from fluxo.core.lattice import *\nfrom fluxo import *\nfrom fluxo.units import *\n\
                  solve(h)\n";
    std::fs::write(&script, source).unwrap();
    let json = explain(&root, &script, source, "solve(h)");
    assert_eq!(json["symbol"], "fluxo.units.solve", "{json:#}");
    let shown = pitfalls(&json);
    assert!(shown.iter().any(|t| t.contains("angstrom")), "{shown:?}");
    assert!(!shown.iter().any(|t| t.contains("cutoff")), "{shown:?}");

    // Reordered, the lattice module is the last to hold it, though not the last import.
    let source =
        "from fluxo.units import *\nfrom fluxo.core.lattice import *\nfrom fluxo import *\n\
                  solve(h)\n";
    std::fs::write(&script, source).unwrap();
    let json = explain(&root, &script, source, "solve(h)");
    assert_eq!(json["symbol"], "fluxo.core.lattice.solve", "{json:#}");
}

#[test]
fn an_import_the_file_does_not_show_is_named_by_the_packs_examples() {
    let work = tempfile::tempdir().unwrap();
    let root = work.path().join("fluxo");
    common::write_skill(&root, "fluxo-guide", SKILL);
    let script = work.path().join("snippet.py");
    // A snippet (a doc block, a notebook whose import cell is gone) that imports the
    // package but not `Solver`; `grid` is a parameter, `Solver` inside is the class.
    let source = "import fluxo\n\ns = Solver(grid, tol=1e-8)\ns.run()\n\n\
                  def build(Solver):\n    return Solver(grid, tol=1)\n";
    std::fs::write(&script, source).unwrap();
    let json = explain(&root, &script, source, "tol=1e-8");
    assert_eq!(
        json["symbol"], "fluxo.core.solvers.Solver(tol=...)",
        "{json:#}"
    );
    let shown = pitfalls(&json);
    assert!(shown.iter().any(|t| t.contains("newton")), "{shown:?}");
    // A parameter that shadows the name is the user's.
    let json = explain(&root, &script, source, "Solver(grid, tol=1)");
    assert!(pitfalls(&json).is_empty(), "{json:#}");
    // A guess is for hovers: `check` says nothing about it.
    let out = common::check(&[
        "--json",
        "--skills",
        &root.display().to_string(),
        &script.display().to_string(),
    ]);
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(!report.contains("newton"), "{report}");

    // A keyword of a call nothing names is looked up by its name, and a pitfall about
    // another callee's keyword of that name (the examples pass `tol` to `Solver`) is not
    // this call's.
    let source = "import fluxo\nIntegrator(h, tol=1e-8, cutoff=3)\n";
    std::fs::write(&script, source).unwrap();
    let json = explain(&root, &script, source, "tol=1e-8");
    assert!(pitfalls(&json).is_empty(), "{json:#}");
    let json = explain(&root, &script, source, "cutoff=3");
    assert_eq!(json["keys"][0], "member:cutoff", "{json:#}");
    assert!(
        pitfalls(&json)
            .iter()
            .any(|t| t.contains("converged `cutoff`")),
        "{json:#}"
    );

    // Without an import of the package, the name is nobody's.
    let source = "s = Solver(grid, tol=1e-8)\n";
    std::fs::write(&script, source).unwrap();
    let json = explain(&root, &script, source, "tol=1e-8");
    assert!(pitfalls(&json).is_empty(), "{json:#}");
}
