//! Jupyter notebooks: `check` on `.ipynb` files, and LSP 3.17 notebook sync on the real
//! server, where the cells are read as one program (an import in cell 1 resolves a call
//! in cell 3) and every structure and text change applies in arrival order.

mod common;

use common::lsp::{full_capabilities, position_of, Client};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

fn example_notebook() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/notebook_md.ipynb")
}

use common::check;

#[test]
fn check_reports_findings_with_their_cell_in_every_format() {
    let notebook = example_notebook();
    let path = notebook.to_str().unwrap();
    let out = check(&[path]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let text = String::from_utf8_lossy(&out.stdout);
    // `read(...)` is on the second line of the third cell, after a `!ls` line.
    assert!(
        text.lines().any(
            |l| l.contains("notebook_md.ipynb:cell 3:2:9: ase-parallel-hpc:")
                && l.contains("same order")
        ),
        "{text}"
    );
    // The markdown cell's prose and the outputs are not code.
    assert!(!text.contains("cell 2:"), "{text}");

    let json = common::json_of(&check(&["--format", "json", path]).with_success());
    let finding = &json["findings"][0];
    assert_eq!(finding["cell"], 3, "{json}");
    assert_eq!(
        (finding["line"].clone(), finding["column"].clone()),
        (json!(2), json!(9))
    );

    let sarif = common::json_of(&check(&["--format", "sarif", path]).with_success());
    let result = &sarif["runs"][0]["results"][0];
    assert_eq!(result["properties"]["cell"], 3, "{sarif}");
    assert_eq!(
        result["locations"][0]["physicalLocation"]["region"]["startLine"],
        2
    );
}

#[test]
fn a_malformed_notebook_is_reported_and_the_rest_is_checked() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("broken.ipynb"), "{\"cells\": [").unwrap();
    std::fs::copy(example_notebook(), dir.path().join("good.ipynb")).unwrap();
    std::fs::write(
        dir.path().join("julia.ipynb"),
        r#"{"cells": [], "metadata": {"kernelspec": {"language": "julia"}}, "nbformat": 4}"#,
    )
    .unwrap();
    let out = check(&[dir.path().to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stderr.contains("broken.ipynb") && stderr.contains("not a Jupyter notebook"),
        "{stderr}"
    );
    assert!(
        stderr.contains("julia.ipynb") && stderr.contains("julia"),
        "{stderr}"
    );
    assert!(stdout.contains("good.ipynb:cell 3:2:9"), "{stdout}");
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn explain_takes_a_notebook_cell() {
    let cwd = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let at = format!("{}:3:2:9", example_notebook().display());
    let out = common::run(&["explain", &at], cwd.path(), cache.path());
    let md = String::from_utf8_lossy(&out.stdout);
    assert!(
        md.contains("**`ase.io.read`**") && md.contains("same order"),
        "{md}"
    );
    // Without the cell a notebook location is ambiguous: a clear error.
    let at = format!("{}:2:9", example_notebook().display());
    let out = common::run(&["explain", &at], cwd.path(), cache.path());
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("FILE:CELL:LINE:COL"));
}

trait WithSuccess {
    /// `check` exits 1 when it finds something: for parsing its output, that is success.
    fn with_success(self) -> Self;
}

impl WithSuccess for std::process::Output {
    fn with_success(mut self) -> Self {
        if self.status.code() == Some(1) {
            self.status = std::process::Command::new("true").status().unwrap();
        }
        self
    }
}

/// A notebook as the client holds it: cells with URIs, kinds and texts.
struct Model {
    uri: String,
    version: i32,
    cells: Vec<(String, bool, String)>,
}

impl Model {
    fn cell_json(&self, i: usize) -> Value {
        let (uri, code, _) = &self.cells[i];
        json!({"kind": if *code { 2 } else { 1 }, "document": uri})
    }

    fn item(&self, i: usize) -> Value {
        let (uri, code, text) = &self.cells[i];
        json!({"uri": uri, "languageId": if *code { "python" } else { "markdown" }, "version": 1, "text": text})
    }

    fn open(&self, client: &mut Client) {
        let n = self.cells.len();
        client.notify(
            "notebookDocument/didOpen",
            json!({
                "notebookDocument": {
                    "uri": self.uri, "notebookType": "jupyter-notebook", "version": self.version,
                    "cells": (0..n).map(|i| self.cell_json(i)).collect::<Vec<_>>(),
                },
                "cellTextDocuments": (0..n).map(|i| self.item(i)).collect::<Vec<_>>(),
            }),
        );
    }

    fn change(&mut self, client: &mut Client, cells: Value) {
        self.version += 1;
        client.notify(
            "notebookDocument/didChange",
            json!({
                "notebookDocument": {"uri": self.uri, "version": self.version},
                "change": {"cells": cells},
            }),
        );
    }

    /// Inserts `new` cells at `at`, sending their text.
    fn insert(&mut self, client: &mut Client, at: usize, new: Vec<(String, bool, String)>) {
        let count = new.len();
        for (k, cell) in new.into_iter().enumerate() {
            self.cells.insert(at + k, cell);
        }
        let cells: Vec<Value> = (at..at + count).map(|i| self.cell_json(i)).collect();
        let opened: Vec<Value> = (at..at + count).map(|i| self.item(i)).collect();
        self.change(
            client,
            json!({"structure": {"array": {"start": at, "deleteCount": 0, "cells": cells}, "didOpen": opened}}),
        );
    }

    fn delete(&mut self, client: &mut Client, at: usize) {
        let (uri, _, _) = self.cells.remove(at);
        self.change(
            client,
            json!({"structure": {"array": {"start": at, "deleteCount": 1}, "didClose": [{"uri": uri}]}}),
        );
    }

    /// Moves cell `from` to `to` as VS Code does: one change deleting it and inserting
    /// it again, with no text sent.
    fn move_cell(&mut self, client: &mut Client, from: usize, to: usize) {
        let cell = self.cells.remove(from);
        self.cells.insert(to, cell);
        let (start, delete) = (from.min(to), from.max(to) - from.min(to) + 1);
        let cells: Vec<Value> = (start..start + delete).map(|i| self.cell_json(i)).collect();
        self.change(
            client,
            json!({"structure": {"array": {"start": start, "deleteCount": delete, "cells": cells}}}),
        );
    }

    /// Replaces bytes `start..end` (ASCII) of cell `i`'s line `line`.
    fn edit(
        &mut self,
        client: &mut Client,
        i: usize,
        line: u32,
        start: usize,
        end: usize,
        text: &str,
    ) {
        let cell = &mut self.cells[i];
        let line_start: usize = cell
            .2
            .split_inclusive('\n')
            .take(line as usize)
            .map(str::len)
            .sum();
        cell.2
            .replace_range(line_start + start..line_start + end, text);
        let uri = cell.0.clone();
        self.change(
            client,
            json!({"textContent": [{
                "document": {"uri": uri, "version": self.version + 1},
                "changes": [{"range": {"start": {"line": line, "character": start}, "end": {"line": line, "character": end}}, "text": text}],
            }]}),
        );
    }
}

fn hover_md(hover: &Value) -> &str {
    hover["contents"]["value"].as_str().unwrap_or("")
}

fn server() -> (Client, tempfile::TempDir) {
    let ws = tempfile::tempdir().unwrap();
    let mut client = Client::start(ws.path(), &[]);
    let init = client.initialize(ws.path(), full_capabilities(), Value::Null);
    let selector = &init["capabilities"]["notebookDocumentSync"]["notebookSelector"];
    assert_eq!(selector[0]["cells"][0]["language"], "python", "{init}");
    (client, ws)
}

fn cell_uri(n: usize) -> String {
    format!("vscode-notebook-cell:/tmp/study.ipynb#cell{n}")
}

#[test]
fn a_cell_hover_sees_the_imports_of_earlier_cells_and_diagnostics_land_on_the_cell() {
    let (mut client, _ws) = server();
    let mut model = Model {
        uri: "file:///tmp/study.ipynb".into(),
        version: 1,
        cells: vec![
            (
                cell_uri(0),
                true,
                "%matplotlib inline\nfrom ase.io import read\n".into(),
            ),
            (cell_uri(1), false, "Read the `structure` here.".into()),
            (cell_uri(2), true, "!ls\natoms = read('start.traj')".into()),
        ],
    };
    model.open(&mut client);
    let (line, col) = position_of(&model.cells[2].2, "read(", 0);
    let hover = client.hover(&cell_uri(2), line, col);
    assert!(hover_md(&hover).contains("same order"), "{hover}");
    assert_eq!(hover["range"]["start"], json!({"line": 1, "character": 8}));
    let diagnostics = client.diagnostics(&cell_uri(2));
    assert!(
        diagnostics.iter().any(|d| d["code"] == "ase-parallel-hpc"
            && d["range"]["start"] == json!({"line": 1, "character": 8})),
        "{diagnostics:?}"
    );
    // Markdown cells show nothing; neither does the magic line.
    assert_eq!(client.hover(&cell_uri(1), 0, 12), Value::Null);
    assert_eq!(client.hover(&cell_uri(0), 0, 3), Value::Null);

    // A new first cell shifts every offset; the hover follows.
    model.insert(
        &mut client,
        0,
        vec![(cell_uri(9), true, "import os\n\n\n".into())],
    );
    let hover = client.hover(&cell_uri(2), 1, 8);
    assert!(hover_md(&hover).contains("same order"), "{hover}");
    // Cells run in any order: an import in a cell below the call still resolves it.
    model.move_cell(&mut client, 1, 3);
    assert!(hover_md(&client.hover(&cell_uri(2), 1, 8)).contains("same order"));
    model.move_cell(&mut client, 3, 0);
    assert!(hover_md(&client.hover(&cell_uri(2), 1, 8)).contains("same order"));
    // Deleting the import's cell silences the call.
    model.delete(&mut client, 0);
    assert_eq!(client.hover(&cell_uri(2), 1, 8), Value::Null);
    assert!(client.shutdown().success());
}

#[test]
fn a_storm_of_structure_and_text_changes_keeps_every_cell_where_the_client_has_it() {
    let (mut client, _ws) = server();
    let mut model = Model {
        uri: "file:///tmp/storm.ipynb".into(),
        version: 1,
        cells: vec![(cell_uri(0), true, "from ase.io import read\n".into())],
    };
    let mut next = 1;
    let call_cell = |n: usize| {
        (
            cell_uri(n),
            true,
            format!("%time\nx{n} = read('f{n}')  # σ\n"),
        )
    };
    for _ in 0..8 {
        model.cells.push(call_cell(next));
        next += 1;
    }
    model.open(&mut client);
    let mut rng = common::Rng(0x0b00_c311);
    for _ in 0..600 {
        let len = model.cells.len();
        match rng.below(10) {
            // Text inside a comment, or a whole new comment line.
            0..=4 if len > 1 => {
                let i = 1 + rng.below(len - 1);
                if model.cells[i].1 {
                    let comment = model.cells[i].2.lines().nth(1).and_then(|l| l.find('#'));
                    if let Some(at) = comment {
                        let piece = ["a", "bc", " ", "xyz"][rng.below(4)];
                        model.edit(&mut client, i, 1, at + 1, at + 1, piece);
                    }
                } else {
                    model.edit(&mut client, i, 0, 0, 0, "more prose ");
                }
            }
            5 | 6 => {
                let at = 1 + rng.below(len);
                let cell = if rng.below(3) == 0 {
                    (cell_uri(next), false, format!("notes {next}"))
                } else {
                    call_cell(next)
                };
                next += 1;
                model.insert(&mut client, at, vec![cell]);
            }
            7 if len > 2 => model.delete(&mut client, 1 + rng.below(len - 1)),
            8 | 9 if len > 2 => {
                let from = 1 + rng.below(len - 1);
                let to = 1 + rng.below(len - 1);
                model.move_cell(&mut client, from, to);
            }
            _ => {}
        }
    }
    let code_cells: Vec<_> = model
        .cells
        .iter()
        .filter(|c| c.1 && c.2.contains("read('f"))
        .collect();
    assert!(code_cells.len() > 5, "the storm kept some calls");
    for (uri, _, text) in code_cells {
        let (line, col) = position_of(text, "read('f", 0);
        let hover = client.hover(uri, line, col);
        assert!(hover_md(&hover).contains("ase.io.read"), "{uri}: {hover}");
        assert_eq!(
            hover["range"]["start"],
            json!({"line": line, "character": col}),
            "{uri}"
        );
        let (cl, cc) = position_of(text, "#", 0);
        assert_eq!(client.hover(uri, cl, cc + 1), Value::Null, "{uri}: comment");
    }
    assert!(client.shutdown().success());
}

#[test]
fn malformed_notebook_changes_are_logged_and_the_notebook_keeps_serving() {
    let (mut client, _ws) = server();
    let mut model = Model {
        uri: "file:///tmp/bad.ipynb".into(),
        version: 1,
        cells: vec![(
            cell_uri(0),
            true,
            "from ase.io import read\nread('x')\n".into(),
        )],
    };
    model.open(&mut client);
    // A notebook never opened, a range of cells past the end, cells that do not exist,
    // a change range past the end of the cell, a cell with no text sent.
    client.notify(
        "notebookDocument/didChange",
        json!({"notebookDocument": {"uri": "file:///tmp/never.ipynb", "version": 2}, "change": {"cells": {"structure": {"array": {"start": 0, "deleteCount": 1}}}}}),
    );
    model.change(
        &mut client,
        json!({"structure": {"array": {"start": 999, "deleteCount": 5, "cells": [{"kind": 2, "document": cell_uri(7)}]}}}),
    );
    model.change(
        &mut client,
        json!({"data": [{"kind": 1, "document": cell_uri(42)}], "textContent": [{"document": {"uri": cell_uri(43), "version": 1}, "changes": [{"text": "x"}]}]}),
    );
    model.change(
        &mut client,
        json!({"textContent": [{"document": {"uri": cell_uri(0), "version": 2}, "changes": [{"range": {"start": {"line": 90, "character": 0}, "end": {"line": 95, "character": 3}}, "text": "\nread('y')"}]}]}),
    );
    let hover = client.hover(&cell_uri(0), 1, 1);
    assert!(hover_md(&hover).contains("ase.io.read"), "{hover}");
    // The edit past the end was clamped to the end: the new call is on line 3.
    assert!(hover_md(&client.hover(&cell_uri(0), 3, 1)).contains("ase.io.read"));
    // The cell appended with no text is empty, and says nothing.
    assert_eq!(client.hover(&cell_uri(7), 0, 0), Value::Null);
    assert!(client.shutdown().success());
}
