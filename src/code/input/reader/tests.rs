use super::*;

/// `(group path, name, value)` of every setting.
fn settings(src: &str) -> Vec<(String, String, Option<String>)> {
    let read = read(src);
    read.settings
        .iter()
        .map(|s| {
            assert_eq!(&src[s.start..s.end], s.name, "name range");
            if let Some(v) = &s.value {
                assert_eq!(&src[v.start..v.end], v.text, "value range");
            }
            (
                read.groups[s.group].path.clone(),
                s.name.clone(),
                s.value.as_ref().map(|v| v.text.clone()),
            )
        })
        .collect()
}

fn has(found: &[(String, String, Option<String>)], path: &str, name: &str, value: Option<&str>) {
    assert!(
        found
            .iter()
            .any(|(p, n, v)| p == path && n == name && v.as_deref() == value),
        "no {path}/{name} = {value:?} in {found:?}"
    );
}

#[test]
fn namelists_with_several_settings_on_a_line() {
    let src = "&time_control\n run_hours = 12, run_minutes = 0,\n start_year = 2019, 2019,\n auxinput4_inname = \"wrflowinp_d<domain>\" ! comment\n/\n&domains time_step = 60 /\n";
    let found = settings(src);
    has(&found, "", "time_control", None);
    has(&found, "time_control", "run_hours", Some("12"));
    has(&found, "time_control", "run_minutes", Some("0"));
    has(&found, "time_control", "start_year", Some("2019"));
    has(
        &found,
        "time_control",
        "auxinput4_inname",
        Some("wrflowinp_d<domain>"),
    );
    has(&found, "domains", "time_step", Some("60"));
    assert_eq!(read(src).comment, "!");
}

#[test]
fn hsd_blocks_take_their_type_into_the_path() {
    let src = "Hamiltonian = DFTB {\n  SCC = Yes\n  SlaterKosterFiles = Type2FileNames {\n    Prefix = \"slakos/\"\n  }\n  MaxAngularMomentum = {\n    C = \"p\"\n  }\n  Filling = Fermi { Temperature [K] = 300 }\n}\nDriver = VelocityVerlet {}\nAnalysis { WriteBandOut = No }\n";
    let found = settings(src);
    has(&found, "", "Hamiltonian", Some("DFTB"));
    has(&found, "hamiltonian/dftb", "SCC", Some("Yes"));
    has(
        &found,
        "hamiltonian/dftb",
        "SlaterKosterFiles",
        Some("Type2FileNames"),
    );
    has(
        &found,
        "hamiltonian/dftb/slaterkosterfiles/type2filenames",
        "Prefix",
        Some("slakos/"),
    );
    has(
        &found,
        "hamiltonian/dftb/maxangularmomentum",
        "C",
        Some("p"),
    );
    has(
        &found,
        "hamiltonian/dftb/filling/fermi",
        "Temperature",
        Some("300"),
    );
    has(&found, "", "Driver", Some("VelocityVerlet"));
    has(&found, "analysis", "WriteBandOut", Some("No"));
}

#[test]
fn key_value_decks_sections_dollar_groups_commands_and_cards() {
    let openmx = "System.Name  met   # name\nscf.SpinPolarization   off\n<Atoms.Unit.Vectors\n 1.0 0.0 0.0\n H  H5.0-s1  H_PBE19\nAtoms.Unit.Vectors>\nMD.Type  Nomd\n";
    let found = settings(openmx);
    has(&found, "", "System.Name", Some("met"));
    has(&found, "", "scf.SpinPolarization", Some("off"));
    has(&found, "", "Atoms.Unit.Vectors", None);
    has(&found, "", "MD.Type", Some("Nomd"));
    assert!(
        !found.iter().any(|(_, n, _)| n == "H"),
        "section lines are data"
    );

    let xtb = "$chrg 0\n$scc\n   temp=300\n   maxiterations=250\n$end\n";
    let found = settings(xtb);
    has(&found, "", "chrg", Some("0"));
    has(&found, "scc", "temp", Some("300"));
    has(&found, "scc", "maxiterations", Some("250"));

    let gprmax = "#title: A-scan\nSome prose line\n#domain: 0.240 0.210 0.002\n## a comment\n#time_window: 3e-9\n";
    let found = settings(gprmax);
    has(&found, "", "domain", Some("0.240"));
    has(&found, "", "time_window", Some("3e-9"));
    assert_eq!(read(gprmax).comment, "");

    let calculix = "** a comment\n*NODE, NSET=Nall\n1, 0, 0, 0\n*STEP, NLGEOM\n*STATIC\n*NODE FILE\nU\n*END STEP\n";
    let found = settings(calculix);
    has(&found, "", "NODE", None);
    has(&found, "node", "NSET", Some("Nall"));
    has(&found, "", "STEP", None);
    has(&found, "step", "NLGEOM", None);
    has(&found, "", "NODE FILE", None);
    assert!(
        !found.iter().any(|(_, n, _)| n == "U"),
        "card data lines are data"
    );
    assert_eq!(read(calculix).comment, "**");
}

#[test]
fn parameter_files_percent_blocks_and_name_end_blocks() {
    let mom = "DT = 3600.  ! [s] time step\nKPP%\nN_SMOOTH = 4\n%KPP\nEQN_OF_STATE = \"WRIGHT\"\n";
    let found = settings(mom);
    has(&found, "", "DT", Some("3600."));
    has(&found, "kpp", "N_SMOOTH", Some("4"));
    has(&found, "", "EQN_OF_STATE", Some("WRIGHT"));

    let generic = "geometry\n  units angstrom\nend\nbasis: def2-svp\n";
    let found = settings(generic);
    has(&found, "geometry", "units", Some("angstrom"));
    has(&found, "", "basis", Some("def2-svp"));
}

#[test]
fn malformed_input_is_read_as_far_as_it_goes() {
    // Unbalanced braces, a namelist never closed, binary-looking text.
    let found = settings("A = B {\n  x = 1\n}}}\ny = 2\n&grp\n z = 3\n\u{0}\u{1}==\n{{{\n");
    has(&found, "a/b", "x", Some("1"));
    has(&found, "", "y", Some("2"));
    has(&found, "grp", "z", Some("3"));
}

#[test]
fn skill_blocks_read_as_input_or_not() {
    assert!(looks_like_input(
        "scf.Hubbard.U   on\nscf.SpinPolarization  on\n"
    ));
    assert!(looks_like_input(
        "&equations\nMaterialFileName = 'x.yaml'\n/\n"
    ));
    assert!(looks_like_input(
        "#domain: 0.2 0.2 0.002\n#dx_dy_dz: 0.002 0.002 0.002\n"
    ));
    assert!(!looks_like_input(
        "cd work\nmpirun -np 1 ./openmx Methane.dat > met.std\n"
    ));
    assert!(!looks_like_input("make install\ncd ../work\n"));
    assert!(!looks_like_input(
        "export OMP_NUM_THREADS=1\nsrun ./a.out\n"
    ));
}
