use super::*;

fn keys_at(src: &str, marker: &str) -> Option<Resolved> {
    let offset = src.find(marker).expect("marker in source");
    PyDocument::parse(src.to_string())?.keys_at(offset)
}

#[test]
fn from_import_and_call() {
    let src = "from ase.io import read\natoms = read('x.traj')\n";
    let r = keys_at(src, "read('").unwrap();
    assert_eq!(r.symbol, "ase.io.read");
    assert_eq!(r.keys[0], "sym:ase.io.read");
    let r = keys_at(src, "read\n").unwrap();
    assert_eq!(r.symbol, "ase.io.read");
}

#[test]
fn module_alias_and_attribute_chain() {
    let src = "import ase.io as aio\nimport ase\naio.read('a')\nase.io.write('b', x)\n";
    assert_eq!(keys_at(src, "read(").unwrap().symbol, "ase.io.read");
    assert_eq!(keys_at(src, "write(").unwrap().symbol, "ase.io.write");
}

#[test]
fn aliased_from_import() {
    let src = "from ase.io import read as r\nr('a')\n";
    assert_eq!(keys_at(src, "r('a')").unwrap().symbol, "ase.io.read");
}

#[test]
fn keyword_and_dict_value_keep_their_callee() {
    let src = "import oqupy\npt = oqupy.PtTebd(parameters=p, backend_config={\"parallel\": \"multithread\"})\n";
    let r = keys_at(src, "backend_config").unwrap();
    assert_eq!(r.keys[0], "kw:oqupy.PtTebd:backend_config");
    assert!(r
        .keys
        .contains(&"val:oqupy.PtTebd:backend_config:multithread".to_string()));
    let r = keys_at(src, "multithread").unwrap();
    assert_eq!(r.keys[0], "val:oqupy.PtTebd:backend_config:multithread");
    let r = keys_at(src, "PtTebd").unwrap();
    assert_eq!(r.keys[0], "sym:oqupy.PtTebd");
    assert!(r
        .keys
        .contains(&"kw:oqupy.PtTebd:backend_config".to_string()));
}

#[test]
fn local_flow_from_constructor() {
    let src = "from ase.calculators.psi4 import Psi4\ncalc = Psi4()\ncalc.read('psi4-calc')\n";
    assert_eq!(
        keys_at(src, "read(").unwrap().symbol,
        "ase.calculators.psi4.Psi4.read"
    );
}

#[test]
fn environment_variables() {
    let src = "import os\nos.environ[\"OMP_NUM_THREADS\"] = \"1\"\nos.environ.setdefault(\"MKL_NUM_THREADS\", \"1\")\nos.getenv('X_Y')\n";
    assert_eq!(
        keys_at(src, "OMP").unwrap().keys,
        vec!["env:OMP_NUM_THREADS"]
    );
    assert_eq!(
        keys_at(src, "MKL").unwrap().keys,
        vec!["env:MKL_NUM_THREADS"]
    );
    assert_eq!(keys_at(src, "X_Y").unwrap().keys, vec!["env:X_Y"]);
    let doc = PyDocument::parse(src.to_string()).unwrap();
    let env: Vec<_> = doc
        .call_sites()
        .into_iter()
        .flat_map(|s| s.keys)
        .filter(|k| k.starts_with("env:"))
        .collect();
    assert_eq!(
        env,
        vec!["env:OMP_NUM_THREADS", "env:MKL_NUM_THREADS", "env:X_Y"]
    );
}

#[test]
fn own_definitions_and_builtins_are_not_packages() {
    let src = "from ase.io import read\ndef read(x):\n    pass\nread('a')\nopen('f')\n";
    assert!(keys_at(src, "read('a')").is_none());
    assert!(keys_at(src, "open(").is_none());
}

#[test]
fn star_import() {
    // Which star-imported module holds `read` is for matching to say (it knows what the
    // packs say each module defines): the resolver keeps the name unbound, with the
    // star imports in order.
    let src = "from ase.io import *\nfrom ase import *\nread('a')\n";
    let resolved = keys_at(src, "read(").unwrap();
    assert_eq!(resolved.symbol, "?.read");
    assert_eq!(resolved.star_modules, vec!["ase.io", "ase"]);
}

#[test]
fn unbound_names_but_not_builtins_parameters_or_loop_variables() {
    let src = "import ase\ndyn = VelocityVerlet(atoms, dt=1)\ndyn.run(5)\nprint(len([]))\n\
               def f(calc, *rest, n=2):\n    calc.get_forces()\n\
               for traj in trajs:\n    traj.write()\n\
               with open('x') as fh:\n    fh.read()\n\
               try:\n    pass\nexcept OSError as err:\n    err.strerror\n\
               ys = [y.norm() for y in xs]\nraise ValueError()\n";
    assert_eq!(
        keys_at(src, "VelocityVerlet(").unwrap().symbol,
        "?.VelocityVerlet"
    );
    assert_eq!(
        keys_at(src, "run(5)").unwrap().symbol,
        "?.VelocityVerlet.run",
        "an instance of an unbound class keeps its root"
    );
    assert!(keys_at(src, "print(").is_none());
    assert!(keys_at(src, "len(").is_none());
    assert!(keys_at(src, "ValueError").is_none());
    for member in ["get_forces", "write()", "read()", "strerror", "norm()"] {
        let resolved = keys_at(src, member);
        assert!(
            resolved.as_ref().is_none_or(|r| !r.symbol.starts_with('?')),
            "{member}: {resolved:?}"
        );
    }
}

#[test]
fn syntax_error_elsewhere_still_resolves() {
    let src = "from ase.io import read\ndef broken(:\n    x = (\nread('a')\n";
    let r = keys_at(src, "read('a')");
    assert_eq!(r.map(|r| r.symbol).as_deref(), Some("ase.io.read"));
}

#[test]
fn incremental_edit_reparses() {
    let mut doc = PyDocument::parse("from ase.io import read\nx = 1\n".to_string()).unwrap();
    let at = doc.source.len();
    assert!(doc.edit(at, at, "read('a')\n"));
    assert_eq!(doc.call_sites()[0].callee, "ase.io.read");
    assert!(!doc.edit(5, 2, "x"));
}

#[test]
fn call_sites_enumerate_keys() {
    let src = "from ase.calculators.psi4 import Psi4\nimport numpy as np\ncalc = Psi4(xc='b3lyp', kpts=(2, 2, 2))\nnp.load('a')\n";
    let doc = PyDocument::parse(src.to_string()).unwrap();
    let sites = doc.call_sites();
    assert_eq!(sites.len(), 2);
    assert_eq!(sites[0].callee, "ase.calculators.psi4.Psi4");
    assert!(sites[0]
        .keys
        .contains(&"kw:ase.calculators.psi4.Psi4:xc".to_string()));
    assert!(sites[0]
        .keys
        .contains(&"val:ase.calculators.psi4.Psi4:xc:b3lyp".to_string()));
    assert_eq!(sites[1].callee, "numpy.load");
}

/// The walks compare kind ids; a grammar where a kind name had a second id (an alias)
/// would make them miss nodes. Every node of real scripts must agree on both.
#[test]
fn kind_ids_agree_with_kind_names() {
    let ids = kind_ids();
    let names = [
        ("import_statement", ids.binding[0]),
        ("import_from_statement", ids.binding[1]),
        ("function_definition", ids.binding[2]),
        ("class_definition", ids.binding[3]),
        ("assignment", ids.binding[4]),
        ("call", ids.call),
        ("subscript", ids.subscript),
        ("module", ids.statement_holders[0]),
        ("block", ids.statement_holders[1]),
    ];
    let examples = concat!(
        include_str!("../../../examples/parallel_md.py"),
        include_str!("../../../examples/psi4_settings.py"),
        include_str!("../../../examples/oqupy_tempo.py"),
        include_str!("../../../examples/aliases.py"),
        "\nclass A:\n    def f(self, x=[1, {'a': b[2]}]):\n        y: int = g(x)[0]\n        return lambda z: (z, os.environ['X'])\n",
    );
    let doc = PyDocument::parse(examples.to_string()).expect("parse");
    let mut cursor = doc.tree.walk();
    let mut seen = 0;
    loop {
        let node = cursor.node();
        for (name, id) in names {
            assert_eq!(
                node.kind() == name,
                node.kind_id() == id,
                "{name} at {node:?}"
            );
            seen += usize::from(node.kind() == name);
        }
        if cursor.goto_first_child() {
            continue;
        }
        while !cursor.goto_next_sibling() {
            if !cursor.goto_parent() {
                assert!(seen > 50, "the examples hold these kinds");
                return;
            }
        }
    }
}

/// A copy parsed outside the store's lock is taken back only if no edit came meanwhile;
/// the copy's text is its own once the original is edited.
#[test]
fn a_parsed_copy_is_adopted_only_without_intervening_edits() {
    let source = "from ase.io import read\nx = 1\n";
    let mut stored = PyDocument::parse(source.into()).unwrap();
    assert!(stored.edit_deferred(source.len(), source.len(), "atoms = read('a.traj')\n"));
    let mut copy = stored.clone();
    assert!(copy.refresh());
    stored.adopt(&copy);
    assert!(
        !stored.is_stale(),
        "no edit since the copy: its parse is adopted"
    );
    let at = stored.source.find("read('a").unwrap();
    assert_eq!(stored.keys_at(at).unwrap().symbol, "ase.io.read");

    let end = stored.source.len();
    assert!(stored.edit_deferred(end, end, "y = read('b.traj')\n"));
    let mut copy = stored.clone();
    let end = stored.source.len();
    assert!(stored.edit_deferred(end, end, "z = 2\n"));
    assert!(copy.refresh());
    stored.adopt(&copy);
    assert!(
        stored.is_stale(),
        "an edit came after the copy: its parse is not adopted"
    );
    assert!(
        !copy.source.contains("z = 2"),
        "the copy keeps the text it was made from"
    );
    assert!(stored.refresh());
    assert!(stored.source.ends_with("z = 2\n"));
}

/// Every kind the bindings walk skips is a kind of this grammar (a misspelt one would
/// silently prune nothing).
#[test]
fn expression_kinds_exist_in_the_grammar() {
    let language: tree_sitter::Language = tree_sitter_python::LANGUAGE.into();
    for kind in EXPRESSION_KINDS {
        let id = language.id_for_node_kind(kind, true);
        assert_ne!(id, 0, "{kind} is not a kind of tree-sitter-python");
        assert_eq!(language.node_kind_for_id(id), Some(kind));
        assert!(kind_ids().holds_no_statement[usize::from(id)], "{kind}");
    }
}

/// Skipping expressions loses no binding: the same analysis as visiting every node, on
/// the examples and on statements tucked into every kind of block.
#[test]
fn skipping_expressions_loses_no_binding() {
    let source = concat!(
        include_str!("../../../examples/parallel_md.py"),
        include_str!("../../../examples/psi4_settings.py"),
        include_str!("../../../examples/oqupy_tempo.py"),
        include_str!("../../../examples/aliases.py"),
        "\nif x:\n    import numpy as np\nelif y:\n    from ase import Atoms\nelse:\n    a = b = f(lambda q: q)\n",
        "for i in range(3):\n    from ase.io import write\nelse:\n    c = 1\n",
        "while False:\n    import oqupy\n",
        "try:\n    import scipy\nexcept ImportError as e:\n    from os import environ\nfinally:\n    d = [k for k in ()]\n",
        "with open('f') as fh:\n    @decorator\n    def g():\n        import json\n        class C:\n            h = json.loads\n",
        "match cmd:\n    case 1:\n        from ase.calculators.psi4 import Psi4\n",
        "print((lambda: 0)(), {'k': [x := 2]}, f'{ {1: 2} }')\n",
    );
    let doc = PyDocument::parse(source.to_string()).expect("parse");
    let src = doc.source.as_bytes();
    let mut everything = Analysis::default();
    let mut cursor = doc.tree.walk();
    loop {
        let node = cursor.node();
        if kind_ids().binding.contains(&node.kind_id()) {
            everything.visit(node, src);
        }
        if cursor.goto_first_child() {
            continue;
        }
        while !cursor.goto_next_sibling() {
            if !cursor.goto_parent() {
                break;
            }
        }
        if cursor.node() == doc.tree.root_node() {
            break;
        }
    }
    for list in std::sync::Arc::make_mut(&mut everything.bindings).values_mut() {
        list.sort_by_key(|(at, _)| *at);
    }
    everything.imported = everything.imported_modules();
    assert!(
        everything.bindings.len() > 20,
        "the source binds many names"
    );
    assert_eq!(*doc.analysis, everything);
}

/// Every field the walks look up by id is a field of this grammar (a missing one would
/// get id 0 and never match).
#[test]
fn field_ids_exist_in_the_grammar() {
    let language: tree_sitter::Language = tree_sitter_python::LANGUAGE.into();
    let ids = field_ids();
    for (name, id) in [
        ("alias", ids.alias),
        ("arguments", ids.arguments),
        ("attribute", ids.attribute),
        ("function", ids.function),
        ("key", ids.key),
        ("left", ids.left),
        ("module_name", ids.module_name),
        ("name", ids.name),
        ("object", ids.object),
        ("right", ids.right),
        ("subscript", ids.subscript),
        ("value", ids.value),
    ] {
        assert_ne!(id, 0, "{name}");
        assert_eq!(language.field_name_for_id(id), Some(name));
    }
}

#[test]
fn unpacked_results_of_a_package_call_keep_the_package() {
    let src = "from pkg.plant import make\nimport numpy as np\nplant, graph = make(b)\nplant.Finalize()\na, b = np.split(x)\nc, d = 1, 2\nc.real\n";
    assert_eq!(
        keys_at(src, "Finalize").unwrap().symbol,
        "pkg.plant.make.Finalize"
    );
    assert!(keys_at(src, "real").is_none_or(|r| !r.symbol.starts_with("pkg")));
}

#[test]
fn a_member_of_an_untyped_object_is_a_member_key_never_a_symbol() {
    let src = "import tvb\ndef run(client):\n    res = client.get_operation_results(gid, timeout=5)\n    items.append(res)\n    self.refresh()\n    client.__len__()\n";
    let r = keys_at(src, "get_operation_results").unwrap();
    assert_eq!(r.keys, vec!["member:get_operation_results".to_string()]);
    assert_eq!(r.symbol, "client.get_operation_results");
    let call = r.call.expect("the call it is the callee of");
    assert_eq!(call.keywords[0].name, "timeout");
    assert_eq!(call.keys, r.keys, "no invented qualified key for the call");
    // Python's own methods, members of `self` and dunders give nothing.
    assert!(keys_at(src, "append").is_none());
    assert!(keys_at(src, "refresh").is_none());
    assert!(keys_at(src, "__len__").is_none());
    // The receiver itself stays unresolved.
    assert!(keys_at(src, "client.get").is_none());
}
