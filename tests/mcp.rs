//! `skill-lsp mcp` driven by the official MCP Python SDK (PyPI `mcp` 2.3, installed on
//! first use into `.editor-tools/mcp`, as the editor tests install their tools):
//! discovery, tools and their schemas, each tool on examples/ and on a corpus pack, bad
//! calls and a good call after them, the initialize handshake of older clients, stdout
//! framing and exit on end of input, and packs refreshed when a skill file changes.

mod common;

use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs `tests/mcp/client.py MODE BIN CWD ARGS...` with `stdin`; its JSON output.
fn client(mode: &str, cwd: &Path, args: &[&str], stdin: &Value) -> Value {
    use std::io::Write;
    let mut child = Command::new(common::mcp_python())
        .arg(root().join("tests/mcp/client.py"))
        .arg(mode)
        .arg(common::bin())
        .arg(cwd)
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn the MCP client");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.to_string().as_bytes())
        .expect("write calls");
    let out = child.wait_with_output().expect("client output");
    assert!(
        out.status.success(),
        "client {mode} failed: {}\n{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "client printed no JSON ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

fn explain(file: &Path, line: u32, column: u32) -> Value {
    json!({"tool": "explain", "arguments": {"file": file, "line": line, "column": column}})
}

fn ok<'a>(call: &'a Value, what: &str) -> &'a Value {
    assert_eq!(call["is_error"], false, "{what}: {call:#}");
    assert!(call["structured"].is_object(), "{what}: {call:#}");
    call
}

fn tool_error(call: &Value, what: &str, says: &str) {
    assert_eq!(
        call["is_error"], true,
        "{what} should be a tool error: {call:#}"
    );
    let text = call["text"].as_str().unwrap_or_default();
    assert!(text.contains(says), "{what}: `{says}` not in `{text}`");
}

#[test]
fn mcp_session_with_the_official_client() {
    let examples = root().join("examples");
    let corpus = common::corpus();
    let mut roots = vec![root().display().to_string()];
    let mut calls = vec![
        explain(&examples.join("aliases.py"), 5, 13),
        explain(&examples.join("unrelated.py"), 13, 10),
        json!({"tool": "search", "arguments": {"query": "OMP_NUM_THREADS", "limit": 1}}),
        json!({"tool": "search", "arguments": {"query": "OMP_NUM_THREADS", "limit": 1, "offset": 1}}),
        json!({"tool": "check", "arguments": {"paths": [examples], "limit": 5}}),
        json!({"tool": "skills", "arguments": {}}),
        explain(Path::new("/etc/passwd"), 1, 1),
        explain(&examples.join("no_such_file.py"), 1, 1),
        explain(&examples.join("aliases.py"), 999, 1),
        json!({"tool": "explain", "arguments": {"file": examples.join("aliases.py")}}),
        explain(&examples.join("aliases.py"), 5, 13),
        json!({"list_resources": true}),
        json!({"read_resource": "skill://ase/ase-parallel-hpc"}),
        json!({"read_resource": "skill://ase/no-such-skill"}),
        json!({"tool": "search", "arguments": {"query": "read", "offset": 1_000_000_000_000u64}}),
    ];
    let notebook = corpus
        .as_ref()
        .map(|c| c.join("nrn/docs/rxd-tutorials/Changing initial conditions and parameters.ipynb"));
    if let (Some(corpus), Some(notebook)) = (&corpus, &notebook) {
        roots.push(corpus.display().to_string());
        calls.push(json!({"tool": "explain", "arguments":
            {"file": notebook, "cell": 10, "line": 4, "column": 7}}));
        calls.push(json!({"tool": "skills", "arguments": {"dirs": [corpus.join("uproot5")]}}));
    } else {
        common::say_skipped(
            "mcp_session_with_the_official_client (corpus pack calls)",
            "no corpus at ../shared/corpus",
        );
    }
    let roots: Vec<&str> = roots.iter().map(String::as_str).collect();
    let out = client("session", &root(), &roots, &Value::Array(calls));

    // Discovery: the 2026-07-28 protocol through `server/discover`, our name and version.
    assert_eq!(out["protocol_version"], "2026-07-28", "{out:#}");
    assert_eq!(out["server_info"]["name"], "skill-lsp");
    assert_eq!(out["server_info"]["version"], env!("CARGO_PKG_VERSION"));
    assert!(out["instructions"]
        .as_str()
        .unwrap_or_default()
        .contains("explain"));

    // Tools, each with its input schema.
    let tools = out["tools"].as_array().expect("tools");
    let mut names: Vec<&str> = tools.iter().filter_map(|t| t["name"].as_str()).collect();
    names.sort();
    assert_eq!(names, ["check", "explain", "search", "skills"]);
    for tool in tools {
        assert_eq!(tool["read_only"], true, "{tool:#}");
        assert_eq!(tool["input_schema"]["type"], "object", "{tool:#}");
    }
    let schema = |name: &str| &tools.iter().find(|t| t["name"] == name).unwrap()["input_schema"];
    let required = |name: &str| -> Vec<String> {
        schema(name)["required"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|r| r.as_str().map(String::from))
            .collect()
    };
    assert_eq!(required("explain"), ["file", "line", "column"]);
    assert_eq!(required("search"), ["query"]);
    assert_eq!(required("check"), ["paths"]);
    assert!(schema("explain")["properties"]["cell"].is_object());

    let calls = out["calls"].as_array().expect("calls");
    // explain: the hover's pitfall, as markdown and as the CLI's JSON.
    let read = ok(&calls[0], "explain ase.io.read");
    assert_eq!(read["structured"]["symbol"], "ase.io.read", "{read:#}");
    assert!(
        read["text"].as_str().unwrap().contains("master rank"),
        "{read:#}"
    );
    assert!(
        read["text"].as_str().unwrap().len() <= 2_200,
        "explain is bounded"
    );
    assert!(read["structured"]["omitted"].is_u64());
    // Where nothing applies: an empty result, not an error.
    let quiet = ok(&calls[1], "explain np.load");
    let items = quiet["structured"]["items"].as_array().expect("items");
    assert!(
        items.iter().all(|i| i["kind"] != "pitfall"),
        "no pitfall on numpy: {quiet:#}"
    );
    // search, paginated.
    let first = ok(&calls[2], "search page 1");
    let second = ok(&calls[3], "search page 2");
    assert_eq!(first["structured"]["results"].as_array().unwrap().len(), 1);
    assert_eq!(first["structured"]["next_offset"], 1, "{first:#}");
    assert_ne!(
        first["structured"]["results"][0],
        second["structured"]["results"][0]
    );
    // check: findings with file, line, column, skill, message; paginated.
    let checked = ok(&calls[4], "check examples");
    let findings = checked["structured"]["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 5, "{checked:#}");
    assert!(checked["structured"]["total"].as_u64().unwrap() > 5);
    assert_eq!(checked["structured"]["next_offset"], 5);
    for f in findings {
        for field in ["file", "line", "column", "skill", "message"] {
            assert!(!f[field].is_null(), "{field} missing: {f:#}");
        }
    }
    // skills: the embedded default from the repository's own folder.
    let skills = ok(&calls[5], "skills");
    let listed = common::skill_names(&skills["structured"]);
    assert!(listed.contains(&"ase-parallel-hpc"), "{listed:?}");
    // Bad calls are tool errors that say why; the session goes on.
    tool_error(&calls[6], "a file outside the roots", "outside the folders");
    tool_error(&calls[7], "a missing file", "no_such_file.py");
    tool_error(&calls[8], "a line past the end", "past the end");
    match calls[9].get("protocol_error") {
        Some(why) => assert!(why.to_string().contains("line"), "{why}"),
        None => tool_error(&calls[9], "explain without a line", "line"),
    }
    let again = ok(&calls[10], "explain after the bad calls");
    assert_eq!(again["structured"]["symbol"], "ase.io.read");
    // The skills as resources: listed, read, and a clear error for one that is not there.
    let listed = calls[11]["resources"].as_array().expect("resources");
    let hpc = listed
        .iter()
        .find(|r| r["uri"] == "skill://ase/ase-parallel-hpc")
        .unwrap_or_else(|| panic!("{listed:#?}"));
    assert_eq!(hpc["mime_type"], "text/markdown");
    let text = calls[12]["contents"][0].as_str().expect("SKILL.md text");
    assert!(
        text.starts_with("---") && text.contains("ase-parallel-hpc"),
        "{text}"
    );
    let missing = calls[13]["protocol_error"].as_str().unwrap_or_default();
    assert!(missing.contains("no skill"), "{:#}", calls[13]);
    // A page past the end is empty, not an error.
    let far = ok(&calls[14], "search far past the end");
    assert_eq!(far["structured"]["results"], json!([]), "{far:#}");

    if corpus.is_some() {
        // A corpus pack found from the file asked about (a notebook cell).
        let cell = ok(&calls[15], "explain in a corpus notebook");
        assert!(
            cell["text"].as_str().unwrap().contains("stdrun.hoc"),
            "{cell:#}"
        );
        let uproot = ok(&calls[16], "skills of a corpus pack");
        assert!(
            uproot["structured"]["skills"]
                .as_array()
                .unwrap()
                .iter()
                .all(|s| s["pack"] == "uproot5"),
            "{uproot:#}"
        );
    }
}

#[test]
fn mcp_initialize_handshake_for_older_clients() {
    let out = client("legacy", &root(), &[], &json!(null));
    assert_eq!(out["server_info"], "skill-lsp", "{out:#}");
    let version = out["protocol_version"].as_str().unwrap_or_default();
    assert!(version.as_bytes() < b"2026".as_slice(), "{out:#}");
    ok(&out["skills"], "skills after initialize");
}

#[test]
fn mcp_stdout_is_protocol_only_and_ends_with_input() {
    let out = client("raw", &root(), &[], &json!(null));
    assert_eq!(
        out["exit_code"], 0,
        "the server exits when stdin closes: {out:#}"
    );
    let lines = out["lines"].as_array().expect("lines");
    assert!(!lines.is_empty(), "{out:#}");
    for line in lines {
        assert_eq!(line["jsonrpc"], "2.0", "not a protocol message: {line}");
    }
    let answered: Vec<&Value> = lines.iter().filter_map(|l| l.get("id")).collect();
    assert_eq!(answered, [&json!(1), &json!(2)], "{out:#}");
    assert_eq!(lines[0]["result"]["serverInfo"]["name"], "skill-lsp");
    assert_eq!(
        lines[1]["result"]["tools"].as_array().map(Vec::len),
        Some(4)
    );
}

#[test]
fn mcp_sees_a_skill_file_change_between_calls() {
    let work = tempfile::tempdir().unwrap();
    let pack = work.path().join("fluxo");
    common::write_skill(
        &pack,
        "fluxo-guide",
        "## Pitfalls\n\n- `fluxo.run(...)` with a loose `tol` diverges silently.\n",
    );
    let script = pack.join("run.py");
    std::fs::write(&script, "import fluxo\n\nfluxo.run(tol=1)\n").unwrap();
    let skill = pack.join("skills/fluxo-guide/SKILL.md");
    let changed = "---\nname: fluxo-guide\ndescription: test skill\n---\n# fluxo-guide\n\n\
                   ## Pitfalls\n\n- `fluxo.run(...)` leaks memory when called in a loop.\n";
    let calls = json!([
        explain(&script, 3, 7),
        {"write": skill, "text": changed},
        // Past the server's recheck interval for loaded packs.
        {"sleep": 2.5},
        explain(&script, 3, 7),
    ]);
    let cwd = work.path();
    let out = client("session", cwd, &[cwd.to_str().unwrap()], &calls);
    let calls = out["calls"].as_array().expect("calls");
    let before = ok(&calls[0], "explain before the change");
    assert!(
        before["text"].as_str().unwrap().contains("diverges"),
        "{before:#}"
    );
    let after = ok(&calls[1], "explain after the change");
    let text = after["text"].as_str().unwrap();
    assert!(
        text.contains("leaks memory") && !text.contains("diverges"),
        "{after:#}"
    );
}
