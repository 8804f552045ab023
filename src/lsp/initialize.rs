//! `initialize` and `initialized`: the client's capabilities and settings taken in, the
//! server's announced, the packs preloaded, file watching registered, indexing started.

use super::config::Settings;
use super::state::{Capabilities, State};
use super::{code_action, indexing, notifications, proto};
use super::{COMMAND_REINDEX, COMMAND_SEARCH, COMMAND_STATS, COMMAND_TEST_PANIC};
use std::sync::Arc;
use tower_lsp_server::ls_types::*;

pub fn initialize(state: &Arc<State>, params: InitializeParams) -> InitializeResult {
    let caps = Capabilities::from_client(&params.capabilities);
    let encoding = caps.encoding;
    let pull = caps.pull_diagnostics;
    let _ = state.capabilities.set(caps);
    if let Some(options) = &params.initialization_options {
        let (settings, warnings) = Settings::from_json(options);
        for warning in warnings {
            tracing::warn!("{warning}");
        }
        *state.settings.write().unwrap_or_else(|p| p.into_inner()) = settings;
    }
    let mut folders: Vec<std::path::PathBuf> = params
        .workspace_folders
        .iter()
        .flatten()
        .filter_map(|f| proto::file_path(&f.uri))
        .collect();
    #[allow(deprecated)]
    if folders.is_empty() {
        folders.extend(params.root_uri.as_ref().and_then(proto::file_path));
    }
    *state
        .workspace_folders
        .write()
        .unwrap_or_else(|p| p.into_inner()) = folders;

    let mut commands = vec![
        code_action::OPEN_COMMAND.to_string(),
        COMMAND_REINDEX.to_string(),
        COMMAND_SEARCH.to_string(),
        COMMAND_STATS.to_string(),
    ];
    if std::env::var("SKILL_LSP_TEST_HOOKS").as_deref() == Ok("1") {
        commands.push(COMMAND_TEST_PANIC.to_string());
    }
    indexing::preload(state.clone());
    InitializeResult {
        capabilities: ServerCapabilities {
            position_encoding: Some(encoding.kind()),
            text_document_sync: Some(TextDocumentSyncCapability::Options(
                TextDocumentSyncOptions {
                    open_close: Some(true),
                    change: Some(TextDocumentSyncKind::INCREMENTAL),
                    save: Some(TextDocumentSyncSaveOptions::Supported(true)),
                    ..TextDocumentSyncOptions::default()
                },
            )),
            notebook_document_sync: Some(OneOf::Left(NotebookDocumentSyncOptions {
                // Every notebook's Python cells, whatever the notebook type.
                notebook_selector: vec![NotebookSelector::ByCells {
                    notebook: None,
                    cells: vec![NotebookCellSelector {
                        language: "python".into(),
                    }],
                }],
                save: Some(false),
            })),
            hover_provider: Some(HoverProviderCapability::Simple(true)),
            completion_provider: Some(CompletionOptions {
                trigger_characters: Some(vec!["\"".into(), "'".into(), "=".into(), "-".into()]),
                ..CompletionOptions::default()
            }),
            code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
                code_action_kinds: Some(vec![
                    CodeActionKind::new(code_action::KIND_FIX),
                    CodeActionKind::new(code_action::KIND_OPEN_DOC),
                    CodeActionKind::new(code_action::KIND_OPEN_SOURCE),
                    CodeActionKind::new(code_action::KIND_INSERT_EXAMPLE),
                ]),
                ..CodeActionOptions::default()
            })),
            workspace_symbol_provider: Some(OneOf::Left(true)),
            document_link_provider: Some(DocumentLinkOptions {
                resolve_provider: Some(false),
                work_done_progress_options: Default::default(),
            }),
            execute_command_provider: Some(ExecuteCommandOptions {
                commands,
                ..ExecuteCommandOptions::default()
            }),
            diagnostic_provider: pull.then(|| {
                DiagnosticServerCapabilities::Options(DiagnosticOptions {
                    identifier: Some("skill-lsp".into()),
                    inter_file_dependencies: false,
                    workspace_diagnostics: false,
                    ..DiagnosticOptions::default()
                })
            }),
            workspace: Some(WorkspaceServerCapabilities {
                workspace_folders: Some(WorkspaceFoldersServerCapabilities {
                    supported: Some(true),
                    change_notifications: Some(OneOf::Left(true)),
                }),
                file_operations: None,
            }),
            ..ServerCapabilities::default()
        },
        server_info: Some(ServerInfo {
            name: "skill-lsp".into(),
            version: Some(env!("CARGO_PKG_VERSION").into()),
        }),
        offset_encoding: None,
    }
}

pub async fn initialized(state: &Arc<State>) {
    state
        .initialized_seen
        .store(true, std::sync::atomic::Ordering::SeqCst);
    notifications::pull_configuration(state).await;
    if state.caps().watched_files_registration {
        let watchers = ["**/SKILL.md", "**/skills/**/references/*.md"]
            .iter()
            .map(|glob| FileSystemWatcher {
                glob_pattern: GlobPattern::String(glob.to_string()),
                kind: None,
            })
            .collect();
        let registration = Registration {
            id: "skill-lsp/watch".into(),
            method: "workspace/didChangeWatchedFiles".into(),
            register_options: serde_json::to_value(DidChangeWatchedFilesRegistrationOptions {
                watchers,
            })
            .ok(),
        };
        if state
            .client
            .register_capability(vec![registration])
            .await
            .is_err()
        {
            indexing::spawn_poller(state.clone());
        }
    } else {
        indexing::spawn_poller(state.clone());
    }
    let discovering = state.clone();
    tokio::spawn(async move {
        indexing::discover_sources(discovering).await;
    });
    indexing::reindex(state.clone(), "starting").await;
}
