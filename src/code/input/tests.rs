use super::*;

fn at(doc: &InputDocument, needle: &str) -> Resolved {
    let offset = doc.source.find(needle).expect("needle") + 1;
    doc.keys_at(offset).expect("resolved")
}

#[test]
fn keys_of_keywords_and_values_under_their_groups() {
    let doc = InputDocument::parse(
        "Hamiltonian = DFTB {\n  SCC = Yes\n}\nscf.SpinPolarization  off\n".into(),
        "dftb_in.hsd",
    );
    let scc = at(&doc, "SCC");
    assert_eq!(
        scc.keys,
        vec!["set:hamiltonian/dftb/scc", "set:scc", "setval:scc:yes"]
    );
    let value = at(&doc, "Yes");
    assert_eq!(value.keys[..2], ["setval:scc:yes", "setval:*:yes"]);
    assert!(value.keys.contains(&"set:scc".to_string()));
    let spin = at(&doc, "scf.Spin");
    assert_eq!(spin.symbol, "scf.SpinPolarization");
    let call = spin.call.expect("a site");
    assert_eq!(call.callee, "scf.spinpolarization");
    assert!(call
        .keywords
        .iter()
        .any(|k| k.name == "scf.spinpolarization" && k.values.iter().any(|v| v.value == "off")));
    assert_eq!(spin.imported[0], "file:dftb_in.hsd");
    assert!(spin.imported.contains(&"set:scc".to_string()));
    assert!(doc.keys_at(doc.source.len()).is_none() || doc.call_sites().len() == 3);
}

#[test]
fn an_edit_is_read_at_refresh() {
    let mut doc = InputDocument::parse("a = 1\n".into(), "x.in");
    assert!(doc.edit_deferred(6, 6, "b = 2\n"));
    assert!(doc.is_stale());
    assert!(doc.refresh());
    assert_eq!(doc.call_sites().len(), 2);
}
