//! The server under an edit storm and protocol abuse: it keeps the client's text exactly,
//! answers bad requests with errors, survives a panic, and exits by the spec.

mod common;

use common::lsp::{full_capabilities, position_of, Client};
use serde_json::{json, Value};

fn utf16_len(s: &str) -> u32 {
    s.encode_utf16().count() as u32
}

#[test]
fn edit_storm_keeps_the_servers_text_identical() {
    let ws = tempfile::tempdir().unwrap();
    let mut client = Client::start(ws.path(), &[]);
    client.initialize(ws.path(), full_capabilities(), Value::Null);
    let lines_count = 40;
    let mut lines: Vec<String> = (0..lines_count)
        .map(|i| format!("x{i} = read('f{i}')  # σ"))
        .collect();
    let header = "from ase.io import read\n";
    let text = |lines: &[String]| format!("{header}{}\n", lines.join("\n"));
    let uri = "file:///tmp/skill_lsp_storm.py";
    client.open(uri, "python", &text(&lines));

    let pieces = ["Å", "ħω", "😀", "abc", "σ_x", " ", "é"];
    let mut rng = common::Rng(0x5eed_1234_abcd);
    let mut version = 1;
    let edits = 3000;
    for _ in 0..edits {
        version += 1;
        // One to three changes per notification, applied in order by the server.
        let n = 1 + rng.below(3);
        let mut changes = Vec::new();
        for _ in 0..n {
            let i = rng.below(lines_count);
            let line = &mut lines[i];
            // Edit only inside the comment, so every line keeps its `read(` call.
            let comment = line.find('#').unwrap() + 1;
            let tail: Vec<(usize, char)> = line[comment..].char_indices().collect();
            let col_chars = rng.below(tail.len() + 1);
            let at = comment
                + tail
                    .get(col_chars)
                    .map(|(b, _)| *b)
                    .unwrap_or(line.len() - comment);
            let start16 = utf16_len(&line[..at]);
            let delete = rng.below(3) == 0 && at < line.len();
            let (end_byte, new_text) = if delete {
                let c = line[at..].chars().next().unwrap();
                (at + c.len_utf8(), String::new())
            } else {
                (at, pieces[rng.below(pieces.len())].to_string())
            };
            let end16 = utf16_len(&line[..end_byte]);
            line.replace_range(at..end_byte, &new_text);
            let row = i as u32 + 1;
            changes.push(json!({
                "range": {"start": {"line": row, "character": start16}, "end": {"line": row, "character": end16}},
                "text": new_text,
            }));
        }
        client.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": changes}),
        );
    }
    // A last edit that moves every call: an insertion of a non-ASCII line at the top.
    version += 1;
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [
            {"range": {"start": {"line": 1, "character": 0}, "end": {"line": 1, "character": 0}}, "text": "# ħ😀 moved\n"}
        ]}),
    );
    let final_text = format!("{header}# ħ😀 moved\n{}\n", lines.join("\n"));
    // Every call is where the client thinks it is, in UTF-16 columns.
    for i in 0..lines_count {
        let (line, col) = position_of(&final_text, &format!("read('f{i}')"), 0);
        let hover = client.hover(uri, line, col);
        assert!(
            hover["contents"]["value"]
                .as_str()
                .is_some_and(|v| v.contains("ase.io.read")),
            "line {line}: {hover}"
        );
        assert_eq!(
            hover["range"]["start"],
            json!({"line": line, "character": col}),
            "line {line}"
        );
        // The comment tail is where the client has it too: hovering there finds nothing.
        let (cl, cc) = position_of(&final_text, &lines[i][lines[i].find('#').unwrap()..], 0);
        assert_eq!(client.hover(uri, cl, cc + 1), Value::Null);
    }
    assert!(client.shutdown().success());
}

#[test]
fn bad_requests_get_errors_and_the_server_keeps_serving() {
    let ws = tempfile::tempdir().unwrap();
    let mut client = Client::start(ws.path(), &[("SKILL_LSP_TEST_HOOKS", "1")]);

    // Before initialize: an error, then initialize works.
    let early = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": "file:///x.py"}, "position": {"line": 0, "character": 0}}),
    );
    assert!(early.get("error").is_some(), "{early}");
    client.initialize(ws.path(), full_capabilities(), Value::Null);

    // Malformed JSON: a parse error, then the next request is answered.
    client.send_raw(b"Content-Length: 12\r\n\r\n{not json!!}");
    let parse_error = client.wait_for_response_error(-32700);
    assert!(parse_error.is_some(), "parse error answered");
    let symbols = client.request("workspace/symbol", json!({"query": "ase.io.read"}));
    assert!(
        symbols["result"].as_array().is_some_and(|a| !a.is_empty()),
        "{symbols}"
    );

    // Unknown method.
    let unknown = client.request("skill/doesNotExist", json!({}));
    assert_eq!(unknown["error"]["code"], -32601, "{unknown}");

    // Invalid params.
    let invalid = client.request("textDocument/hover", json!({"nonsense": true}));
    assert_eq!(invalid["error"]["code"], -32602, "{invalid}");

    // A position past the end of a document.
    let uri = "file:///tmp/skill_lsp_abuse.py";
    client.open(uri, "python", "from ase.io import read\nread('x')\n");
    let past = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": {"line": 99, "character": 0}}),
    );
    assert!(past.get("error").is_some(), "{past}");
    let past = client.request("textDocument/codeAction", json!({"textDocument": {"uri": uri}, "range": {"start": {"line": 99, "character": 0}, "end": {"line": 99, "character": 1}}, "context": {"diagnostics": []}}));
    assert!(past.get("error").is_some(), "{past}");

    // didChange for a document never opened, and a range past the end: ignored/clamped.
    client.notify("textDocument/didChange", json!({"textDocument": {"uri": "file:///never.py", "version": 2}, "contentChanges": [{"text": "x"}]}));
    client.notify("textDocument/didChange", json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [
        {"range": {"start": {"line": 50, "character": 0}, "end": {"line": 60, "character": 0}}, "text": "# tail\n"}
    ]}));
    let hover = client.hover(uri, 1, 0);
    assert!(
        hover["contents"]["value"]
            .as_str()
            .unwrap()
            .contains("ase.io.read"),
        "{hover}"
    );

    // A panic inside a request: that request fails, the server keeps serving.
    let panic = client.request(
        "workspace/executeCommand",
        json!({"command": "skill-lsp.test.panic", "arguments": []}),
    );
    assert_eq!(panic["error"]["code"], -32603, "{panic}");
    assert!(panic["error"]["message"]
        .as_str()
        .unwrap()
        .contains("deliberate panic"));
    let hover = client.hover(uri, 1, 0);
    assert!(hover["contents"]["value"]
        .as_str()
        .unwrap()
        .contains("ase.io.read"));

    // A wrong Content-Length (shorter than the body): the rest of the body is garbage
    // before the next header; both are answered with errors and the next request works.
    client.send_raw(b"Content-Length: 10\r\n\r\n{\"jsonrpc\":\"2.0\",\"method\":\"x\"}");
    assert!(client.wait_for_response_error(-32700).is_some());
    let symbols = client.request("workspace/symbol", json!({"query": "backend_config"}));
    assert!(
        symbols["result"].as_array().is_some_and(|a| !a.is_empty()),
        "{symbols}"
    );

    // A 50 MB message: taken in (below the 64 MiB cap), answered, and the server goes on.
    let big = "x".repeat(50 * 1024 * 1024);
    let response = client.request("workspace/symbol", json!({"query": big}));
    assert!(response.get("result").is_some() || response.get("error").is_some());
    let hover = client.hover(uri, 1, 0);
    assert!(hover["contents"]["value"]
        .as_str()
        .unwrap()
        .contains("ase.io.read"));

    // Many requests in flight: all answered.
    let ids: Vec<i64> = (0..1000)
        .map(|_| {
            client.send_request(
                "textDocument/hover",
                json!({"textDocument": {"uri": uri}, "position": {"line": 1, "character": 0}}),
            )
        })
        .collect();
    for id in ids {
        let r = client.response(id);
        assert!(r["result"]["contents"]["value"].as_str().is_some(), "{r}");
    }
    assert!(client.shutdown().success());
}

#[test]
fn exit_without_shutdown_is_an_error_exit() {
    let ws = tempfile::tempdir().unwrap();
    let mut client = Client::start(ws.path(), &[]);
    client.initialize(ws.path(), full_capabilities(), Value::Null);
    client.notify("exit", Value::Null);
    let status = client.wait_exit();
    assert!(
        !status.success(),
        "the spec asks exit code 1 without shutdown"
    );
}
