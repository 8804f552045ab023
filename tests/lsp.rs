//! The language server, spawned for real and spoken to over stdio.

mod common;

use common::lsp::{full_capabilities, position_of, uri_of, Client};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::time::Duration;

fn example(name: &str) -> (PathBuf, String) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap();
    (path, text)
}

/// A server on the embedded default packs: an empty workspace, no configuration.
fn embedded_server() -> (Client, tempfile::TempDir) {
    let ws = tempfile::tempdir().unwrap();
    let mut client = Client::start(ws.path(), &[("SKILL_LSP_TEST_HOOKS", "1")]);
    client.initialize(ws.path(), full_capabilities(), Value::Null);
    (client, ws)
}

fn hover_text(hover: &Value) -> String {
    hover["contents"]["value"]
        .as_str()
        .unwrap_or("")
        .to_string()
}

fn hover_at(client: &mut Client, uri: &str, text: &str, needle: &str) -> Value {
    let (line, col) = position_of(text, needle, 0);
    client.hover(uri, line, col)
}

#[test]
fn hover_shows_pitfalls_docs_and_sources_and_null_where_nothing_applies() {
    let (mut client, _ws) = embedded_server();
    let (path, text) = example("parallel_md.py");
    let uri = uri_of(&path);
    client.open(&uri, "python", &text);

    let hover = hover_at(&mut client, &uri, &text, "read('start");
    let md = hover_text(&hover);
    assert!(md.contains("**`ase.io.read`**"), "{md}");
    assert!(md.contains("MPI") && md.contains("same order"), "{md}");
    assert!(md.contains("`doc/ase/parallel.rst`"), "{md}");
    assert!(md.contains("`ase/parallel.py`"), "{md}");
    assert!(!md.contains("<"), "no HTML in hovers: {md}");
    assert_eq!(hover["contents"]["kind"], "markdown");
    let (line, col) = position_of(&text, "read('start", 0);
    assert_eq!(
        hover["range"]["start"],
        json!({"line": line, "character": col})
    );

    let md = hover_text(&hover_at(&mut client, &uri, &text, "backend_config"));
    assert!(
        md.contains("oversubscri") && md.contains("`docs/pages/tutorials/pt_tebd.rst`"),
        "{md}"
    );
    assert!(md.contains("oqupy/backends/pt_tebd_backend.py"), "{md}");
    let md = hover_text(&hover_at(&mut client, &uri, &text, "OMP_NUM_THREADS"));
    assert!(md.contains("OMP_NUM_THREADS"), "{md}");

    // Whitespace and unrelated code: null, not an empty popup.
    assert_eq!(client.hover(&uri, 1, 0), Value::Null);
    let (upath, utext) = example("unrelated.py");
    let uuri = uri_of(&upath);
    client.open(&uuri, "python", &utext);
    for needle in ["load('data", "read_csv", "read('notes", "open('config"] {
        assert_eq!(
            hover_at(&mut client, &uuri, &utext, needle),
            Value::Null,
            "{needle}"
        );
    }
    // Tempo: the PT-TEBD pitfall is only related, not a pitfall.
    let (tpath, ttext) = example("oqupy_tempo.py");
    let turi = uri_of(&tpath);
    client.open(&turi, "python", &ttext);
    let md = hover_text(&hover_at(&mut client, &turi, &ttext, "backend_config={"));
    let pitfalls = md.split("**Related").next().unwrap_or("");
    assert!(!pitfalls.contains("oversubscri"), "{md}");
    assert!(client.shutdown().success());
}

#[test]
fn diagnostics_quick_fixes_and_code_actions() {
    let (mut client, _ws) = embedded_server();
    let (path, text) = example("psi4_settings.py");
    let uri = uri_of(&path);
    client.open(&uri, "python", &text);
    let diags = client.diagnostics(&uri);
    let (xc_line, _) = position_of(&text, "Psi4(xc=", 0);
    let xc = diags
        .iter()
        .find(|d| d["range"]["start"]["line"] == xc_line && d["code"] == "ase-psi4-interface")
        .unwrap_or_else(|| panic!("no xc diagnostic: {diags:#?}"))
        .clone();
    assert_eq!(xc["severity"], 3, "Information by default");
    assert_eq!(xc["source"], "skill-lsp");
    assert!(xc["message"].as_str().unwrap().contains("xc"));
    assert!(
        xc["codeDescription"]["href"]
            .as_str()
            .unwrap()
            .starts_with("file:///"),
        "{xc}"
    );
    // No diagnostic for the Psi4 call that passes num_threads.
    let (nt_line, _) = position_of(&text, "num_threads=4", 0);
    assert!(
        !diags
            .iter()
            .any(|d| d["range"]["start"]["line"] == nt_line && d["code"] == "ase-parallel-hpc"),
        "{diags:#?}"
    );

    // The quick fix, attached to its diagnostic.
    let actions = client.call(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": xc["range"], "context": {"diagnostics": [xc]}}),
    );
    let actions = actions.as_array().unwrap();
    let fix = actions
        .iter()
        .find(|a| a["kind"] == "quickfix.skill-lsp.fix")
        .unwrap_or_else(|| panic!("{actions:#?}"));
    assert_eq!(fix["isPreferred"], true);
    assert_eq!(fix["diagnostics"][0]["code"], "ase-psi4-interface");
    let edit = &fix["edit"]["changes"][&uri][0];
    assert_eq!(edit["newText"], "method");
    let (l, c) = position_of(&text, "xc=", 0);
    assert_eq!(edit["range"]["start"], json!({"line": l, "character": c}));
    assert_eq!(edit["range"]["end"], json!({"line": l, "character": c + 2}));
    assert_eq!(
        actions.iter().filter(|a| a["isPreferred"] == true).count(),
        1
    );
    // Ctrl+. on `xc`, beside the diagnostic (the client sends no diagnostic): the fix
    // of the diagnostic on that line is still offered.
    let (xl, xcol) = position_of(&text, "xc=", 0);
    let here =
        json!({"start": {"line": xl, "character": xcol}, "end": {"line": xl, "character": xcol}});
    let nearby = client.call(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": here, "context": {"diagnostics": []}}),
    );
    assert!(
        nearby
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["kind"] == "quickfix.skill-lsp.fix"
                && a["edit"]["changes"][&uri][0]["newText"] == "method"),
        "{nearby:#}"
    );
    // Insert the skill's example below the statement.
    let insert = actions
        .iter()
        .find(|a| a["kind"] == "source.skill-lsp.insert-example")
        .unwrap_or_else(|| panic!("{actions:#?}"));
    let edit = &insert["edit"]["changes"][&uri][0];
    assert_eq!(
        edit["range"]["start"],
        json!({"line": l + 1, "character": 0})
    );
    assert!(
        edit["newText"].as_str().unwrap().contains("Psi4("),
        "{edit}"
    );
    // Open doc: the doc map entry of the embedded pack (the doc itself is not on disk).
    let open = actions
        .iter()
        .find(|a| a["kind"] == "quickfix.skill-lsp.open-doc")
        .unwrap_or_else(|| panic!("{actions:#?}"));
    assert!(open["title"]
        .as_str()
        .unwrap()
        .contains("doc/ase/calculators/psi4.rst"));
    let command = &open["command"];
    let result = client.call(
        "workspace/executeCommand",
        json!({"command": command["command"], "arguments": command["arguments"]}),
    );
    assert_eq!(result["shown"], true);
    assert!(client.shown.last().unwrap()["uri"]
        .as_str()
        .unwrap()
        .ends_with("doc_map.md"));

    // No action on a line without a match.
    let (ul, _) = position_of(&text, "water = molecule", 0);
    let none = client.call(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": {"start": {"line": ul + 2, "character": 0}, "end": {"line": ul + 2, "character": 0}}, "context": {"diagnostics": []}}),
    );
    assert!(none.as_array().unwrap().is_empty(), "{none:#}");

    // "multiprocess" -> "multithread", because the skill says to try it first.
    let (opath, otext) = example("oqupy_tempo.py");
    let ouri = uri_of(&opath);
    client.open(&ouri, "python", &otext);
    let diags = client.diagnostics(&ouri);
    let mp = diags
        .iter()
        .find(|d| d["message"].as_str().unwrap().contains("picklable"))
        .unwrap_or_else(|| panic!("{diags:#?}"))
        .clone();
    let actions = client.call(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": ouri}, "range": mp["range"], "context": {"diagnostics": [mp], "only": ["quickfix"]}}),
    );
    let actions = actions.as_array().unwrap();
    assert!(
        actions
            .iter()
            .all(|a| a["kind"].as_str().unwrap().starts_with("quickfix")),
        "{actions:#?}"
    );
    assert_eq!(
        actions[0]["edit"]["changes"][&ouri][0]["newText"],
        "multithread"
    );
    assert!(client.shutdown().success());
}

#[test]
fn completion_offers_documented_values() {
    let (mut client, _ws) = embedded_server();
    let text =
        "import oqupy\npt = oqupy.PtTebd(parameters=p, backend_config={\"parallel\": \"\"})\n";
    let uri = "file:///tmp/skill_lsp_completion.py";
    client.open(uri, "python", text);
    let (line, col) = position_of(text, "\"\"}", 0);
    let result = client.call(
        "textDocument/completion",
        json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": col + 1}}),
    );
    let items = result.as_array().unwrap_or_else(|| panic!("{result}"));
    let labels: Vec<&str> = items.iter().map(|i| i["label"].as_str().unwrap()).collect();
    assert!(
        labels.contains(&"multithread") && labels.contains(&"multiprocess"),
        "{labels:?}"
    );
    let mp = items.iter().find(|i| i["label"] == "multiprocess").unwrap();
    assert!(
        mp["documentation"]["value"]
            .as_str()
            .unwrap()
            .contains("pickl"),
        "{mp}"
    );
    // Outside such a string: nothing.
    let result = client.call(
        "textDocument/completion",
        json!({"textDocument": {"uri": uri}, "position": {"line": 0, "character": 3}}),
    );
    assert!(result.is_null(), "{result}");
    assert!(client.shutdown().success());
}

#[test]
fn workspace_symbols_search_the_knowledge_base() {
    let (mut client, _ws) = embedded_server();
    let result = client.call("workspace/symbol", json!({"query": "ase.io.read"}));
    let symbols = result.as_array().unwrap();
    assert!(!symbols.is_empty());
    assert_eq!(
        symbols[0]["containerName"], "ase-parallel-hpc",
        "{symbols:#?}"
    );
    assert!(symbols[0]["name"].as_str().unwrap().starts_with("pitfall:"));
    let location = symbols[0]["location"]["uri"].as_str().unwrap();
    assert!(
        location.starts_with("file:///") && location.ends_with("SKILL.md"),
        "{location}"
    );
    let path = location.trim_start_matches("file://");
    assert!(
        Path::new(path).is_file(),
        "embedded skill materialized at {path}"
    );
    assert!(client.shutdown().success());
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

#[test]
fn skill_files_get_links_dead_path_diagnostics_and_hovers_and_reindex_on_change() {
    let ws = tempfile::tempdir().unwrap();
    let root = ws.path();
    write(&root.join("doc/solve.rst"), "Solve\n=====\n");
    write(&root.join("mypkg/__init__.py"), "def solve():\n    pass\n");
    write(
        &root.join("skills/mypkg-hpc/references/doc_map.md"),
        "## File inventory\n- `doc/solve.rst` | title: Solving things | headings: Solve; Threads\n",
    );
    let skill = root.join("skills/mypkg-hpc/SKILL.md");
    let skill_text = "---\nname: mypkg-hpc\ndescription: d\n---\n# mypkg\n\n### Pitfalls\n- `mypkg.solve` leaks threads (`doc/solve.rst`).\n- See `doc/missing.rst` too.\n";
    write(&skill, skill_text);
    let mut client = Client::start(root, &[]);
    client.initialize(root, full_capabilities(), Value::Null);
    assert!(client
        .server_requests
        .contains(&"client/registerCapability".to_string()));

    let skill_uri = uri_of(&skill.canonicalize().unwrap());
    client.open(&skill_uri, "markdown", skill_text);
    let diags = client.diagnostics(&skill_uri);
    assert_eq!(diags.len(), 1, "{diags:#?}");
    assert!(diags[0]["message"]
        .as_str()
        .unwrap()
        .contains("doc/missing.rst"));
    let (l, c) = position_of(skill_text, "doc/missing.rst", 0);
    assert_eq!(
        diags[0]["range"]["start"],
        json!({"line": l, "character": c})
    );
    let links = client.call(
        "textDocument/documentLink",
        json!({"textDocument": {"uri": skill_uri}}),
    );
    let links = links.as_array().unwrap();
    assert_eq!(links.len(), 1, "{links:#?}");
    assert!(links[0]["target"]
        .as_str()
        .unwrap()
        .ends_with("doc/solve.rst"));
    let md = hover_text(&hover_at(
        &mut client,
        &skill_uri,
        skill_text,
        "doc/solve.rst",
    ));
    assert!(
        md.contains("Solving things") && md.contains("Threads"),
        "{md}"
    );

    // A Python file using the package.
    let py = "import mypkg\nmypkg.solve()\n";
    let py_uri = uri_of(&root.join("run.py"));
    client.open(&py_uri, "python", py);
    let md = hover_text(&hover_at(&mut client, &py_uri, py, "solve()"));
    assert!(md.contains("leaks threads"), "{md}");
    assert!(
        md.contains(&format!(
            "file://{}",
            root.canonicalize().unwrap().join("doc/solve.rst").display()
        )),
        "doc linked: {md}"
    );

    // The skill changes on disk: after the watched-files notification the new text answers.
    std::thread::sleep(Duration::from_millis(20));
    write(
        &skill,
        &skill_text.replace("leaks threads", "spawns one thread per core"),
    );
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": skill_uri, "type": 2}]}),
    );
    client.wait_for("re-index", |n| {
        n["method"] == "window/logMessage"
            && n["params"]["message"]
                .as_str()
                .is_some_and(|m| m.contains("entries indexed"))
    });
    let md = hover_text(&hover_at(&mut client, &py_uri, py, "solve()"));
    assert!(
        md.contains("spawns one thread per core") && !md.contains("leaks"),
        "{md}"
    );
    assert!(client.shutdown().success());
}

#[test]
fn reindex_by_polling_where_the_client_cannot_watch() {
    let ws = tempfile::tempdir().unwrap();
    let root = ws.path();
    let skill = root.join("skills/mypkg-x/SKILL.md");
    write(
        &skill,
        "---\nname: mypkg-x\ndescription: d\n---\n### Pitfalls\n- `mypkg.run` is old.\n",
    );
    let mut client = Client::start(root, &[]);
    client.initialize(root, json!({}), Value::Null);
    let py = "import mypkg\nmypkg.run()\n";
    let uri = uri_of(&root.join("a.py"));
    client.open(&uri, "python", py);
    assert!(hover_text(&hover_at(&mut client, &uri, py, "run()")).contains("is old"));
    std::thread::sleep(Duration::from_millis(20));
    write(
        &skill,
        "---\nname: mypkg-x\ndescription: d\n---\n### Pitfalls\n- `mypkg.run` is new.\n",
    );
    // A poll can land while the file is half written and index that; the next poll
    // (2 s later) sees the final text. So: re-index logs, until the hover has it.
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    loop {
        client.wait_for("re-index by polling", |n| {
            n["method"] == "window/logMessage"
                && n["params"]["message"]
                    .as_str()
                    .is_some_and(|m| m.contains("entries indexed"))
        });
        let text = hover_text(&hover_at(&mut client, &uri, py, "run()"));
        if text.contains("is new") {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "still: {text}");
    }
    assert!(client.shutdown().success());
}

#[test]
fn configuration_reaches_the_server() {
    let ws = tempfile::tempdir().unwrap();
    let mut client = Client::start(ws.path(), &[]);
    client.initialize(
        ws.path(),
        full_capabilities(),
        json!({"diagnostics": {"severity": "hint"}}),
    );
    let (path, text) = example("parallel_md.py");
    let uri = uri_of(&path);
    client.open(&uri, "python", &text);
    let diags = client.diagnostics(&uri);
    assert!(
        !diags.is_empty() && diags.iter().all(|d| d["severity"] == 4),
        "initializationOptions: {diags:#?}"
    );

    client.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"skillLsp": {"diagnostics": {"severity": "warning"}}}}),
    );
    let diags = client.diagnostics(&uri);
    assert!(
        !diags.is_empty() && diags.iter().all(|d| d["severity"] == 2),
        "{diags:#?}"
    );

    // Pulled through workspace/configuration when the notification carries nothing.
    client.configuration = json!({"diagnostics": {"enabled": false}});
    client.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": null}),
    );
    assert!(client.diagnostics(&uri).is_empty());

    client.configuration = json!({"hover": {"sources": false}});
    client.notify("workspace/didChangeConfiguration", json!({"settings": {}}));
    client.diagnostics(&uri);
    let md = hover_text(&hover_at(&mut client, &uri, &text, "read('start"));
    assert!(
        md.contains("Pitfalls") && !md.contains("Source entry points"),
        "{md}"
    );
    assert!(client.shutdown().success());
}

#[test]
fn utf8_positions_when_offered() {
    let ws = tempfile::tempdir().unwrap();
    let mut client = Client::start(ws.path(), &[]);
    let mut caps = full_capabilities();
    caps["general"]["positionEncodings"] = json!(["utf-8", "utf-16"]);
    let init = client.initialize(ws.path(), caps, Value::Null);
    assert_eq!(init["capabilities"]["positionEncoding"], "utf-8");
    let text = "from ase.io import read\nσ_Å = 1; atoms = read('x')\n";
    let uri = "file:///tmp/skill_lsp_utf8.py";
    client.open(uri, "python", text);
    let byte_col = text.lines().nth(1).unwrap().find("read").unwrap() as u32;
    let hover = client.hover(uri, 1, byte_col);
    assert!(hover_text(&hover).contains("ase.io.read"), "{hover}");
    assert_eq!(hover["range"]["start"]["character"], byte_col);
    assert!(client.shutdown().success());
}

#[test]
fn utf16_is_the_default_and_non_ascii_is_converted() {
    let (mut client, _ws) = embedded_server();
    let text = "from ase.io import read\n# ħω 😀\nE_σ = read('x')  # Å\n";
    let uri = "file:///tmp/skill_lsp_utf16.py";
    client.open(uri, "python", text);
    let (line, col) = position_of(text, "read('x", 0);
    let hover = client.hover(uri, line, col);
    assert!(hover_text(&hover).contains("ase.io.read"), "{hover}");
    assert_eq!(
        hover["range"]["start"],
        json!({"line": line, "character": col})
    );
    assert!(client.shutdown().success());
}

#[test]
fn pull_diagnostics_progress_multi_root_and_pack_problems() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    write(
        &a.path().join("skills/alpha-x/SKILL.md"),
        "---\nname: alpha-x\ndescription: d\n---\n### Pitfalls\n- `alpha.go` is slow.\n",
    );
    let broken = b.path().join("skills/beta-broken/SKILL.md");
    write(&broken, "---\nname: [unclosed\n---\n# t\n");
    write(
        &b.path().join("skills/beta-y/SKILL.md"),
        "---\nname: beta-y\ndescription: d\n---\n### Pitfalls\n- `beta.go` is fast.\n",
    );
    let mut client = Client::start(a.path(), &[]);
    let mut caps = full_capabilities();
    caps["textDocument"]["diagnostic"] = json!({"dynamicRegistration": false});
    let init = client.call(
        "initialize",
        json!({
            "processId": null,
            "rootUri": uri_of(a.path()),
            "workspaceFolders": [{"uri": uri_of(a.path()), "name": "a"}, {"uri": uri_of(b.path()), "name": "b"}],
            "capabilities": caps,
        }),
    );
    assert_eq!(
        init["capabilities"]["diagnosticProvider"]["identifier"],
        "skill-lsp"
    );
    client.notify("initialized", json!({}));
    let problem = client.wait_for("a pack problem in the log", |n| {
        n["method"] == "window/logMessage"
            && n["params"]["message"]
                .as_str()
                .is_some_and(|m| m.contains("beta-broken") && m.contains("YAML"))
    });
    assert_eq!(problem["params"]["type"], 2, "a warning");
    client.wait_for("the index summary", |n| {
        n["method"] == "window/logMessage"
            && n["params"]["message"]
                .as_str()
                .is_some_and(|m| m.contains("entries indexed"))
    });
    assert!(client
        .server_requests
        .contains(&"window/workDoneProgress/create".to_string()));
    let begin = client.wait_for("$/progress begin", |n| {
        n["method"] == "$/progress" && n["params"]["value"]["kind"] == "begin"
    });
    assert_eq!(begin["params"]["value"]["title"], "Indexing skills");
    client.wait_for("$/progress end", |n| {
        n["method"] == "$/progress" && n["params"]["value"]["kind"] == "end"
    });

    // Both roots' packs answer; diagnostics are pulled.
    let py = "import alpha\nimport beta\nalpha.go()\nbeta.go()\n";
    let uri = uri_of(&a.path().join("m.py"));
    client.open(&uri, "python", py);
    let report = client.call(
        "textDocument/diagnostic",
        json!({"textDocument": {"uri": uri}}),
    );
    assert_eq!(report["kind"], "full");
    let messages: Vec<&str> = report["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["message"].as_str().unwrap())
        .collect();
    assert!(
        messages.iter().any(|m| m.contains("alpha.go is slow")),
        "{messages:?}"
    );
    assert!(
        messages.iter().any(|m| m.contains("beta.go is fast")),
        "{messages:?}"
    );

    // The broken skill file, opened: its problem as a diagnostic.
    let broken_uri = uri_of(&broken.canonicalize().unwrap());
    client.open(&broken_uri, "markdown", "---\nname: [unclosed\n---\n# t\n");
    let report = client.call(
        "textDocument/diagnostic",
        json!({"textDocument": {"uri": broken_uri}}),
    );
    let items = report["items"].as_array().unwrap();
    assert!(
        items
            .iter()
            .any(|d| d["severity"] == 1 && d["message"].as_str().unwrap().contains("YAML")),
        "{items:#?}"
    );

    // Cancelling a request that is already answered is harmless.
    client.notify("$/cancelRequest", json!({"id": 1}));
    assert!(!hover_text(&hover_at(&mut client, &uri, py, "go()")).is_empty());
    assert!(client.shutdown().success());
}

/// A skill file of a pack outside the workspace (configured, embedded, another
/// repository, opened from a hover) is only read: no dead-path or pack-problem
/// diagnostics; the same file inside the workspace is linted.
#[test]
fn skill_files_outside_the_workspace_get_no_diagnostics() {
    let tmp = tempfile::tempdir().unwrap();
    let skill_text = "---\nname: farpkg-hpc\ndescription: d\n---\n# farpkg\n\n### Pitfalls\n- See `doc/missing.rst` first.\n";
    let far = tmp.path().join("farpkg");
    let far_skill = far.join("skills/farpkg-hpc/SKILL.md");
    write(&far_skill, skill_text);
    let ws = tmp.path().join("project");
    let near_skill = ws.join("skills/nearpkg-hpc/SKILL.md");
    let near_text = skill_text.replace("farpkg", "nearpkg");
    write(&near_skill, &near_text);
    // Both repositories are on disk (a doc tree), so a missing path is known dead.
    write(&far.join("doc/other.rst"), "Other\n=====\n");
    write(&ws.join("doc/other.rst"), "Other\n=====\n");
    let packs = far.to_str().unwrap().to_string();
    let mut client = Client::start(&ws, &[("SKILL_LSP_SKILLS", packs.as_str())]);
    client.initialize(&ws, full_capabilities(), Value::Null);
    let far_uri = uri_of(&far_skill.canonicalize().unwrap());
    client.open(&far_uri, "markdown", skill_text);
    let near_uri = uri_of(&near_skill.canonicalize().unwrap());
    client.open(&near_uri, "markdown", &near_text);
    let near = client.call(
        "textDocument/diagnostic",
        json!({"textDocument": {"uri": near_uri}}),
    );
    assert!(
        near["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["code"] == "dead-path"),
        "the workspace's own pack is linted: {near:#?}"
    );
    let far = client.call(
        "textDocument/diagnostic",
        json!({"textDocument": {"uri": far_uri}}),
    );
    assert_eq!(far["items"], json!([]), "{far:#?}");
    assert!(client.shutdown().success());
}
