//! A small LSP client over the real binary's stdio: frames JSON-RPC, answers the server's
//! own requests, keeps notifications for the tests to wait on.
#![allow(dead_code)]

use serde_json::{json, Value};
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

/// Longer than the server's own 30 s wait for a first index, so its "not ready" answer arrives.
pub const TIMEOUT: Duration = Duration::from_secs(45);

pub struct Client {
    child: Child,
    stdin: Option<ChildStdin>,
    rx: Receiver<Value>,
    next_id: i64,
    pub notifications: Vec<Value>,
    /// What `workspace/configuration` answers (the `skillLsp` section).
    pub configuration: Value,
    /// What `workspace/configuration` answers for other sections (e.g. `python`); items
    /// whose section is not here get null.
    pub sections: HashMap<String, Value>,
    /// `window/showDocument` requests received.
    pub shown: Vec<Value>,
    pub server_requests: Vec<String>,
    _cache: Option<tempfile::TempDir>,
}

pub fn uri_of(path: &Path) -> String {
    format!("file://{}", path.display())
}

impl Client {
    pub fn start(cwd: &Path, env: &[(&str, &str)]) -> Client {
        let cache = tempfile::tempdir().expect("cache dir");
        let mut cmd = Command::new(super::bin());
        cmd.arg("lsp")
            .current_dir(cwd)
            .env("SKILL_LSP_CACHE_DIR", cache.path())
            .env_remove("SKILL_LSP_SKILLS")
            .env("SKILL_LSP_PYTHON", "/nonexistent/python");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut client = Client::spawn(cmd);
        client._cache = Some(cache);
        client
    }

    /// Any language server over stdio: `cmd` is spawned with piped stdin, stdout and
    /// stderr (stderr is drained, echoed when SKILL_LSP_TEST_STDERR is set).
    pub fn spawn(mut cmd: Command) -> Client {
        cmd.stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("spawn {:?}: {e}", cmd.get_program()));
        let stdout = child.stdout.take().expect("stdout");
        let stderr = child.stderr.take().expect("stderr");
        std::thread::spawn(move || {
            // Drain stderr so the server never blocks on it; keep it for failures.
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if std::env::var_os("SKILL_LSP_TEST_STDERR").is_some() {
                    eprintln!("[server] {line}");
                }
            }
        });
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            loop {
                let mut length = None;
                loop {
                    let mut header = String::new();
                    match reader.read_line(&mut header) {
                        Ok(0) | Err(_) => return,
                        Ok(_) => {}
                    }
                    let header = header.trim_end();
                    if header.is_empty() {
                        break;
                    }
                    if let Some(v) = header.strip_prefix("Content-Length: ") {
                        length = v.parse::<usize>().ok();
                    }
                }
                let Some(length) = length else { return };
                let mut body = vec![0; length];
                if reader.read_exact(&mut body).is_err() {
                    return;
                }
                match serde_json::from_slice::<Value>(&body) {
                    Ok(v) => {
                        if tx.send(v).is_err() {
                            return;
                        }
                    }
                    Err(e) => panic!(
                        "server wrote invalid JSON ({e}): {}",
                        String::from_utf8_lossy(&body)
                    ),
                }
            }
        });
        Client {
            stdin: child.stdin.take(),
            child,
            rx,
            next_id: 1,
            notifications: Vec::new(),
            configuration: Value::Null,
            sections: HashMap::new(),
            shown: Vec::new(),
            server_requests: Vec::new(),
            _cache: None,
        }
    }

    pub fn send_raw(&mut self, bytes: &[u8]) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        stdin.write_all(bytes).expect("write to server");
        stdin.flush().expect("flush");
    }

    pub fn send(&mut self, message: &Value) {
        let body = serde_json::to_vec(message).expect("json");
        let mut framed = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
        framed.extend(body);
        self.send_raw(&framed);
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// Sends a request and returns its id (the response is awaited with `response`).
    pub fn send_request(&mut self, method: &str, params: Value) -> i64 {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        id
    }

    /// The whole response message (with `result` or `error`).
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.send_request(method, params);
        self.response(id)
    }

    /// The result of a request that must succeed.
    pub fn call(&mut self, method: &str, params: Value) -> Value {
        let response = self.request(method, params);
        assert!(
            response.get("error").is_none(),
            "{method} failed: {response}"
        );
        response["result"].clone()
    }

    pub fn response(&mut self, id: i64) -> Value {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let message = self
                .next_message(deadline)
                .unwrap_or_else(|| panic!("no response to request {id}"));
            if message.get("method").is_none() && message["id"] == json!(id) {
                return message;
            }
            self.handle(message);
        }
    }

    fn next_message(&mut self, deadline: Instant) -> Option<Value> {
        let left = deadline.saturating_duration_since(Instant::now());
        match self.rx.recv_timeout(left) {
            Ok(v) => Some(v),
            Err(RecvTimeoutError::Timeout) | Err(RecvTimeoutError::Disconnected) => None,
        }
    }

    /// Answers server requests; keeps notifications.
    fn handle(&mut self, message: Value) {
        let Some(method) = message
            .get("method")
            .and_then(Value::as_str)
            .map(str::to_string)
        else {
            return;
        };
        if let Some(id) = message.get("id").cloned() {
            self.server_requests.push(method.clone());
            let result = match method.as_str() {
                "workspace/configuration" => self.configuration_for(&message["params"]),
                "window/showDocument" => {
                    self.shown.push(message["params"].clone());
                    json!({"success": true})
                }
                _ => Value::Null,
            };
            self.send(&json!({"jsonrpc": "2.0", "id": id, "result": result}));
        } else {
            self.notifications.push(message);
        }
    }

    /// One value per requested item: `configuration` for `skillLsp` (or no section),
    /// `sections[section]` otherwise, null when unknown.
    fn configuration_for(&self, params: &Value) -> Value {
        let Some(items) = params["items"].as_array().filter(|i| !i.is_empty()) else {
            return json!([self.configuration.clone()]);
        };
        items
            .iter()
            .map(|item| match item["section"].as_str() {
                None | Some("skillLsp") => self.configuration.clone(),
                Some(section) => self.sections.get(section).cloned().unwrap_or(Value::Null),
            })
            .collect()
    }

    /// Waits for a notification matching `pred` (already received ones count), removing it.
    pub fn wait_for(&mut self, what: &str, mut pred: impl FnMut(&Value) -> bool) -> Value {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Some(i) = self.notifications.iter().position(&mut pred) {
                return self.notifications.remove(i);
            }
            match self.next_message(deadline) {
                Some(m) => self.handle(m),
                None => panic!(
                    "timed out waiting for {what}; got {:#?}",
                    self.notifications
                ),
            }
        }
    }

    /// Pumps messages for a while (to let the server act).
    pub fn pump(&mut self, duration: Duration) {
        let deadline = Instant::now() + duration;
        while let Some(m) = self.next_message(deadline) {
            self.handle(m);
        }
    }

    pub fn initialize(&mut self, root: &Path, capabilities: Value, options: Value) -> Value {
        let result = self.call(
            "initialize",
            json!({
                "processId": null,
                "rootUri": uri_of(root),
                "workspaceFolders": [{"uri": uri_of(root), "name": "ws"}],
                "capabilities": capabilities,
                "initializationOptions": options,
            }),
        );
        self.notify("initialized", json!({}));
        // Indexing is done when the server says how many packs it read.
        self.wait_for("the index summary", |n| {
            n["method"] == "window/logMessage"
                && n["params"]["message"]
                    .as_str()
                    .is_some_and(|m| m.contains("entries indexed"))
        });
        result
    }

    pub fn open(&mut self, uri: &str, language: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": language, "version": 1, "text": text}}),
        );
    }

    /// The next published diagnostics for `uri`.
    pub fn diagnostics(&mut self, uri: &str) -> Vec<Value> {
        let n = self.wait_for("diagnostics", |n| {
            n["method"] == "textDocument/publishDiagnostics" && n["params"]["uri"] == uri
        });
        n["params"]["diagnostics"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    pub fn hover(&mut self, uri: &str, line: u32, character: u32) -> Value {
        self.call(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": character}}),
        )
    }

    /// The hover's markdown at `needle` (its first occurrence in `text`) plus `shift`
    /// characters; empty when the server answers null.
    pub fn hover_text(&mut self, uri: &str, text: &str, needle: &str, shift: u32) -> String {
        let (line, col) = position_of(text, needle, 0);
        self.hover(uri, line, col + shift)["contents"]["value"]
            .as_str()
            .unwrap_or("")
            .to_string()
    }

    pub fn shutdown(mut self) -> std::process::ExitStatus {
        let response = self.request("shutdown", Value::Null);
        assert!(response.get("error").is_none(), "{response}");
        self.notify("exit", Value::Null);
        self.wait_exit()
    }

    pub fn wait_exit(&mut self) -> std::process::ExitStatus {
        drop(self.stdin.take());
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("server did not exit");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Client capabilities of a modern editor (markdown, showDocument, watched files,
/// configuration, progress), push diagnostics.
pub fn full_capabilities() -> Value {
    json!({
        "general": {"positionEncodings": ["utf-16"]},
        "textDocument": {
            "hover": {"contentFormat": ["markdown", "plaintext"]},
            "completion": {"completionItem": {"documentationFormat": ["markdown"]}},
            "codeAction": {"codeActionLiteralSupport": {"codeActionKind": {"valueSet": ["quickfix", "source"]}}},
            "publishDiagnostics": {"versionSupport": true}
        },
        "window": {"showDocument": {"support": true}, "workDoneProgress": true},
        "workspace": {"configuration": true, "didChangeWatchedFiles": {"dynamicRegistration": true}, "workspaceFolders": true}
    })
}

/// (line, UTF-16 column) of the `nth` occurrence of `needle` in `text`.
pub fn position_of(text: &str, needle: &str, nth: usize) -> (u32, u32) {
    let offset = text
        .match_indices(needle)
        .nth(nth)
        .unwrap_or_else(|| panic!("{needle} not in text"))
        .0;
    let line_start = text[..offset].rfind('\n').map(|i| i + 1).unwrap_or(0);
    let line = text[..offset].matches('\n').count() as u32;
    (line, text[line_start..offset].encode_utf16().count() as u32)
}

impl Client {
    /// Waits for an error response with `code` to a message that had no usable id.
    pub fn wait_for_response_error(&mut self, code: i64) -> Option<Value> {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let message = self.next_message(deadline)?;
            if message.get("method").is_none() && message["error"]["code"] == json!(code) {
                return Some(message);
            }
            self.handle(message);
        }
    }
}

impl Client {
    /// A server whose cache directory is `cache` (kept by the caller across runs).
    pub fn start_with_cache(cwd: &Path, cache: &Path) -> Client {
        Client::start(
            cwd,
            &[("SKILL_LSP_CACHE_DIR", cache.to_str().expect("utf-8 path"))],
        )
    }

    /// The server's own p50 and p99 for `method`, in µs, from `skill-lsp.stats`; NaN from
    /// a server without the command (an older build, for comparison).
    pub fn server_time_us(&mut self, method: &str) -> (f64, f64) {
        let stats = self.request(
            "workspace/executeCommand",
            json!({"command": "skill-lsp.stats", "arguments": []}),
        );
        let at = |p: &str| {
            stats["result"]["requests"][method][p]
                .as_f64()
                .unwrap_or(f64::NAN)
        };
        (at("p50_us"), at("p99_us"))
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}
