//! `workspace/executeCommand`: open a doc or source at a line, re-index, search, the
//! server's own timings (`skill-lsp.stats`), and a deliberate panic for the tests.

use super::{code_action, indexing, not_ready, workspace_symbol, Backend};
use super::{COMMAND_REINDEX, COMMAND_SEARCH, COMMAND_STATS, COMMAND_TEST_PANIC};
use serde_json::Value;
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::*;

pub async fn execute(backend: &Backend, params: ExecuteCommandParams) -> Result<Option<LSPAny>> {
    match params.command.as_str() {
        code_action::OPEN_COMMAND => {
            let arg = params.arguments.first().cloned().unwrap_or(Value::Null);
            let uri = arg
                .get("uri")
                .and_then(Value::as_str)
                .and_then(|u| u.parse::<Uri>().ok());
            let Some(uri) = uri else {
                return Err(Error::invalid_params(
                    "skill-lsp.open takes {\"uri\": ..., \"line\": ...}",
                ));
            };
            let line = arg.get("line").and_then(Value::as_u64).unwrap_or(0) as u32;
            if backend.state.caps().show_document {
                let shown = backend
                    .state
                    .client
                    .show_document(ShowDocumentParams {
                        uri: uri.clone(),
                        external: Some(false),
                        take_focus: Some(true),
                        selection: Some(Range::new(Position::new(line, 0), Position::new(line, 0))),
                    })
                    .await?;
                Ok(Some(
                    serde_json::json!({"shown": shown, "uri": uri.as_str(), "line": line}),
                ))
            } else {
                // The editor extension opens it from the answer.
                Ok(Some(
                    serde_json::json!({"shown": false, "uri": uri.as_str(), "line": line}),
                ))
            }
        }
        COMMAND_REINDEX => {
            indexing::reindex(backend.state.clone(), "requested").await;
            Ok(None)
        }
        COMMAND_SEARCH => {
            let catalog = backend.state.catalog().await.ok_or_else(not_ready)?;
            let query = params
                .arguments
                .first()
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            let symbols =
                backend.timed("search", || workspace_symbol::symbols(&catalog, &query))?;
            Ok(Some(serde_json::to_value(symbols).unwrap_or(Value::Null)))
        }
        COMMAND_STATS => {
            let catalog = backend.state.catalog().await;
            Ok(Some(serde_json::json!({
                "requests": backend.state.timings.summary(),
                "index": catalog.map(|c| serde_json::json!({
                    "packs": c.packs.len(),
                    "entries": c.entry_count(),
                    "keys": c.symbol_count(),
                })),
            })))
        }
        COMMAND_TEST_PANIC if std::env::var("SKILL_LSP_TEST_HOOKS").as_deref() == Ok("1") => {
            backend.timed("test panic", || -> Result<Option<LSPAny>> {
                panic!("deliberate panic for testing")
            })
        }
        other => Err(Error::invalid_params(format!("unknown command `{other}`"))),
    }
}
