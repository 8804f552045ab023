//! Notifications. Each one that changes documents first calls a synchronous function of
//! `documents` (which takes the store's lock, mutates, returns) and only then awaits
//! anything: tower-lsp runs notifications in arrival order up to their first `.await`, so
//! edits cannot be reordered, by construction rather than by care.

use super::config::Settings;
use super::state::State;
use super::{diagnostics, indexing, proto};
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;
use tower_lsp_server::ls_types::*;

/// How long diagnostics wait after an edit: only the last of a burst is checked.
const DIAGNOSTICS_DEBOUNCE: Duration = Duration::from_millis(150);

/// Publishes `uri`'s diagnostics after the debounce, unless another edit came meanwhile.
fn schedule_diagnostics(state: &Arc<State>, uri: Uri, version: i32) {
    let state = state.clone();
    tokio::spawn(async move {
        tokio::time::sleep(DIAGNOSTICS_DEBOUNCE).await;
        if state.documents.version(&uri) == Some(version) {
            diagnostics::publish(&state, uri).await;
        }
    });
}

fn log_problems(uri: &Uri, problems: Result<Vec<String>, String>) {
    match problems {
        Ok(problems) => {
            for problem in problems {
                tracing::warn!("{}: {problem}", uri.as_str());
            }
        }
        Err(problem) => tracing::warn!("{problem}"),
    }
}

pub fn did_open(state: &Arc<State>, params: DidOpenTextDocumentParams) {
    let item = params.text_document;
    state
        .documents
        .open(item.uri.clone(), item.text, item.version, &item.language_id);
    schedule_diagnostics(state, item.uri, item.version);
}

pub fn did_change(state: &Arc<State>, params: DidChangeTextDocumentParams) {
    let uri = params.text_document.uri;
    let version = params.text_document.version;
    let applied = state
        .documents
        .change(&uri, version, params.content_changes, state.encoding());
    let open = applied.is_ok();
    log_problems(&uri, applied);
    if open {
        schedule_diagnostics(state, uri, version);
    }
}

pub async fn did_save(state: &Arc<State>, params: DidSaveTextDocumentParams) {
    let is_skill_file = proto::is_markdown(&params.text_document.uri, None)
        && proto::file_path(&params.text_document.uri)
            .is_some_and(|p| p.components().any(|c| c.as_os_str() == "skills"));
    if is_skill_file && !state.caps().watched_files_registration {
        indexing::reindex(state.clone(), "skill file saved").await;
    }
}

pub async fn did_close(state: &Arc<State>, params: DidCloseTextDocumentParams) {
    let uri = params.text_document.uri;
    let closed = state.documents.close(&uri);
    forget(state, closed, vec![uri]).await;
}

pub fn notebook_did_open(state: &Arc<State>, params: DidOpenNotebookDocumentParams) {
    let uri = params.notebook_document.uri.clone();
    let version = params.notebook_document.version;
    state.documents.open_notebook(params);
    schedule_diagnostics(state, uri, version);
}

pub fn notebook_did_change(state: &Arc<State>, params: DidChangeNotebookDocumentParams) {
    let uri = params.notebook_document.uri.clone();
    let version = params.notebook_document.version;
    let applied = state.documents.change_notebook(params, state.encoding());
    let open = applied.is_ok();
    log_problems(&uri, applied);
    if open {
        schedule_diagnostics(state, uri, version);
    }
}

pub async fn notebook_did_close(state: &Arc<State>, params: DidCloseNotebookDocumentParams) {
    let uri = params.notebook_document.uri;
    let closed = state.documents.close(&uri);
    let mut shown: Vec<Uri> = params
        .cell_text_documents
        .into_iter()
        .map(|c| c.uri)
        .collect();
    if let Some(cells) = closed.as_ref().and_then(|d| d.cells.as_ref()) {
        shown.extend(cells.uris.iter().cloned());
    }
    shown.sort_by(|a, b| a.as_str().cmp(b.as_str()));
    shown.dedup();
    forget(state, closed, shown).await;
}

/// After a close: memory given back for a large document, its diagnostics cleared.
async fn forget(state: &Arc<State>, closed: Option<super::documents::Document>, shown: Vec<Uri>) {
    if closed.is_some_and(|doc| doc.text().len() >= crate::memory::LARGE_DOCUMENT_BYTES) {
        crate::memory::give_back_freed();
    }
    if !state.caps().pull_diagnostics {
        for uri in shown {
            state
                .client
                .publish_diagnostics(uri, Vec::new(), None)
                .await;
        }
    }
}

pub async fn did_change_configuration(state: &Arc<State>, params: DidChangeConfigurationParams) {
    if params.settings.is_null() || params.settings.as_object().is_some_and(|o| o.is_empty()) {
        pull_configuration(state).await;
    } else {
        apply_settings(state, &params.settings).await;
    }
}

pub async fn did_change_workspace_folders(
    state: &Arc<State>,
    params: DidChangeWorkspaceFoldersParams,
) {
    {
        let mut folders = state
            .workspace_folders
            .write()
            .unwrap_or_else(|p| p.into_inner());
        for removed in &params.event.removed {
            if let Some(path) = proto::file_path(&removed.uri) {
                folders.retain(|f| *f != path);
            }
        }
        folders.extend(
            params
                .event
                .added
                .iter()
                .filter_map(|f| proto::file_path(&f.uri)),
        );
    }
    indexing::reindex(state.clone(), "workspace folders changed").await;
}

pub async fn apply_settings(state: &Arc<State>, value: &Value) {
    let (settings, warnings) = Settings::from_json(value);
    // Each bad key said once; the rest of the object applies.
    for warning in warnings {
        state
            .client
            .show_message(MessageType::WARNING, warning)
            .await;
    }
    let changed_packs = {
        let old = state.settings();
        old.skill_paths != settings.skill_paths || old.cache_dir != settings.cache_dir
    };
    let changed_python = state.settings().python_path != settings.python_path;
    *state.settings.write().unwrap_or_else(|p| p.into_inner()) = settings;
    if changed_python {
        indexing::discover_sources(state.clone()).await;
    }
    if changed_packs && state.catalog_now().is_some() {
        indexing::reindex(state.clone(), "settings changed").await;
    } else {
        let open = state.documents.lock().uris();
        for uri in open {
            diagnostics::publish(state, uri).await;
        }
        if state.caps().pull_diagnostics {
            let _ = state.client.workspace_diagnostic_refresh().await;
        }
    }
}

pub async fn pull_configuration(state: &Arc<State>) {
    if !state.caps().configuration {
        return;
    }
    let items = vec![ConfigurationItem {
        scope_uri: None,
        section: Some("skillLsp".into()),
    }];
    if let Ok(values) = state.client.configuration(items).await {
        if let Some(value) = values.into_iter().next().filter(|v| !v.is_null()) {
            apply_settings(state, &value).await;
        }
    }
}
