use super::*;
use crate::model::Skill;

fn pack_with(skill_md_entries: Vec<Entry>) -> Pack {
    Pack {
        name: "oqupy".into(),
        root: "/r".into(),
        skills_dir: "/r/skills".into(),
        modules: vec!["oqupy".into(), "ase".into()],
        skills: vec![Skill {
            name: "s".into(),
            description: String::new(),
            title: "s".into(),
            file: "f".into(),
            extra_front_matter: vec![],
            entries: skill_md_entries,
        }],
        doc_symbols: vec![],
        embedded: false,
    }
}

fn example(code: &str) -> Entry {
    let mut e = Entry::new(EntryKind::Example, "ex", code.into(), "f", 1);
    e.lang = Some("python".into());
    e
}

fn keys_of(pack: &Pack, idx: usize) -> Vec<String> {
    pack.skills[0].entries[idx]
        .symbols
        .iter()
        .map(Symbol::key)
        .collect()
}

#[test]
fn values_and_keywords_take_their_owner_from_examples() {
    let mut pack = pack_with(vec![
        example("import oqupy\npt = oqupy.PtTebd(parameters=p, backend_config={\"parallel\": \"multithread\"})\n"),
        Entry::new(
            EntryKind::Pitfall,
            "Pitfalls",
            "If you use `\"multithread\"` with BLAS, set `OMP_NUM_THREADS=1` (`docs/pages/tutorials/pt_tebd.rst`).".into(),
            "f",
            2,
        ),
        Entry::new(EntryKind::Pitfall, "Pitfalls", "`backend_config` is the knob.".into(), "f", 3),
    ]);
    annotate_pack(&mut pack);
    let k = keys_of(&pack, 1);
    assert!(
        k.contains(&"val:oqupy.PtTebd:backend_config:multithread".to_string()),
        "{k:?}"
    );
    assert!(k.contains(&"env:OMP_NUM_THREADS".to_string()));
    assert!(k.contains(&"path:docs/pages/tutorials/pt_tebd.rst".to_string()));
    assert_eq!(
        pack.skills[0].entries[1].cited_paths,
        vec!["docs/pages/tutorials/pt_tebd.rst"]
    );
    // The keyword, and the flag a Python CLI would take for it.
    let (settings, others): (Vec<String>, Vec<String>) = keys_of(&pack, 2)
        .into_iter()
        .partition(|k| skill_lsp_keys_is_setting(k));
    assert_eq!(
        others,
        vec!["kw:oqupy.PtTebd:backend_config", "flag:*:--backend-config"]
    );
    // And as an input file's keyword would be keyed (looked up only in input files).
    assert_eq!(
        settings,
        vec!["set:backend_config", "setval:*:backend_config"]
    );
}

fn skill_lsp_keys_is_setting(key: &str) -> bool {
    crate::keys::is_setting_key(key)
}

#[test]
fn bare_names_are_qualified_through_example_imports() {
    let mut pack = pack_with(vec![
        example("from ase.io import Trajectory\nfrom ase.calculators.psi4 import Psi4\ncalc = Psi4(method='b3lyp')\n"),
        Entry::new(EntryKind::Pitfall, "P", "Per-rank files should use `Trajectory`, not `ase.io.read`.".into(), "f", 2),
        Entry::new(EntryKind::Pitfall, "P", "Psi4 defaults to a single thread unless `num_threads` is set.".into(), "f", 3),
        Entry::new(EntryKind::Pitfall, "P", "`xc` is rejected; use `method` instead.".into(), "f", 4),
    ]);
    annotate_pack(&mut pack);
    let k = keys_of(&pack, 1);
    assert!(k.contains(&"sym:ase.io.Trajectory".to_string()), "{k:?}");
    assert!(k.contains(&"sym:ase.io.read".to_string()));
    let k = keys_of(&pack, 2);
    assert!(
        k.contains(&"sym:ase.calculators.psi4.Psi4".to_string()),
        "{k:?}"
    );
    assert!(k.contains(&"kw:ase.calculators.psi4.Psi4:num_threads".to_string()));
    let k = keys_of(&pack, 3);
    assert!(
        k.contains(&"kw:ase.calculators.psi4.Psi4:xc".to_string()),
        "{k:?}"
    );
    assert!(k.contains(&"kw:ase.calculators.psi4.Psi4:method".to_string()));
}

#[test]
fn classifies_paths_env_and_commands() {
    assert!(is_path("doc/ase/parallel.rst"));
    assert!(is_path("parallel.rst"));
    assert!(!is_path("ase.io.read"));
    assert!(!is_path("https://x.org/a"));
    assert!(is_env_var("OMP_NUM_THREADS"));
    assert!(!is_env_var("MPI"));
    let mut out = BTreeSet::new();
    let mut paths = Vec::new();
    shell_symbols(
        "mpiexec -np 3 gpaw-python diffusion3.py",
        true,
        &mut out,
        &mut paths,
    );
    assert!(out.contains(&Symbol::new(SymbolKind::Command, "mpiexec")));
    // The command the launcher runs, and the launcher's flag, keyed as a job script's.
    assert!(out.contains(&Symbol::new(SymbolKind::Command, "gpaw-python")));
    assert!(out.contains(&Symbol::owned(SymbolKind::Flag, "-np", "mpiexec")));
    assert_eq!(paths, vec!["diffusion3.py"]);
    // Prose in backticks is not a command line.
    let mut prose = BTreeSet::new();
    shell_symbols("the quick fox", true, &mut prose, &mut paths);
    assert!(prose.is_empty(), "{prose:?}");
}

#[test]
fn bare_method_prefers_the_skills_own_example_call() {
    let mut pack = pack_with(vec![
        example("from ase.calculators.psi4 import Psi4\ncalc = Psi4()\ncalc.read('psi4-calc')\n"),
        Entry::new(
            EntryKind::Pitfall,
            "P",
            "`read()` fails for Psi4 output files without the block.".into(),
            "f",
            2,
        ),
    ]);
    // Another skill of the pack imports `read` from ase.io.
    pack.skills.push(Skill {
        name: "t".into(),
        description: String::new(),
        title: "t".into(),
        file: "g".into(),
        extra_front_matter: vec![],
        entries: vec![example("from ase.io import read\natoms = read('x')\n")],
    });
    annotate_pack(&mut pack);
    let k = keys_of(&pack, 1);
    assert!(
        k.contains(&"sym:ase.calculators.psi4.Psi4.read".to_string()),
        "{k:?}"
    );
    assert!(!k.contains(&"sym:ase.io.read".to_string()), "{k:?}");
}
