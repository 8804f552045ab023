//! The language server: tower-lsp-server over stdio. Handlers translate between LSP and
//! the core library and contain no matching or ranking of their own.
//!
//! Concurrency: notifications that change documents mutate the store synchronously, in
//! arrival order; requests read under a short lock; indexing runs in the background and
//! swaps the catalog in. A panic inside a request answers that request with an error.

mod code_action;
mod completion;
pub mod config;
mod diagnostics;
mod documents;
mod hover;
mod indexing;
pub mod proto;
mod skill_files;
mod state;
mod stdio;
mod timings;
pub mod transport;
mod workspace_symbol;

use config::Settings;
use documents::Document;
use serde_json::Value;
use state::{Capabilities, State};
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Duration;
use tower_lsp_server::jsonrpc::{Error, ErrorCode, Result};
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, LanguageServer, LspService, Server};

pub const COMMAND_REINDEX: &str = "skill-lsp.reindex";
pub const COMMAND_SEARCH: &str = "skill-lsp.search";
/// Server-side request timings and index facts, for users reporting slowness.
pub const COMMAND_STATS: &str = "skill-lsp.stats";
/// Panics on purpose, to prove a panic is contained (only with SKILL_LSP_TEST_HOOKS=1).
pub const COMMAND_TEST_PANIC: &str = "skill-lsp.test.panic";

/// How long a hover that finds nothing waits for the packs still loading at start-up
/// (a partial catalog may not hold the file's yet).
const LOADING_WAIT: Duration = Duration::from_secs(2);

pub struct Backend {
    state: Arc<State>,
    shutdown_seen: Arc<std::sync::atomic::AtomicBool>,
}

/// Serves LSP over stdin/stdout until `exit`. Returns whether `shutdown` came first (the
/// process then exits 0, else 1, as the specification asks).
pub async fn run_stdio() -> bool {
    let shutdown = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flag = shutdown.clone();
    let (service, socket) = LspService::new(move |client: Client| Backend {
        state: Arc::new(State::new(client)),
        shutdown_seen: flag,
    });
    match stdio::start() {
        Ok((reader, writer, finisher)) => {
            Server::new(reader, writer, socket).serve(service).await;
            finisher.finish();
        }
        Err(e) => {
            tracing::error!("cannot start the stdin/stdout threads: {e}");
            return false;
        }
    }
    shutdown.load(std::sync::atomic::Ordering::SeqCst)
}

/// Runs `f`, turning a panic into an internal error for this request only.
fn guarded<T>(what: &str, f: impl FnOnce() -> Result<T>) -> Result<T> {
    match std::panic::catch_unwind(AssertUnwindSafe(f)) {
        Ok(result) => result,
        Err(panic) => {
            let message = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            tracing::error!("{what} panicked: {message}");
            Err(Error {
                code: ErrorCode::InternalError,
                message: format!("skill-lsp: {what} failed: {message}").into(),
                data: None,
            })
        }
    }
}

fn not_ready() -> Error {
    Error {
        code: ErrorCode::ServerError(-32002),
        message: "skill-lsp: the skill index is not ready".into(),
        data: None,
    }
}

impl Backend {
    /// [`guarded`], recording the server-side duration for `skill-lsp.stats`.
    fn timed<T>(&self, what: &'static str, f: impl FnOnce() -> Result<T>) -> Result<T> {
        let started = std::time::Instant::now();
        let result = guarded(what, f);
        self.state.timings.record(what, started.elapsed());
        result
    }

    fn schedule_diagnostics(&self, uri: Uri, version: i32) {
        let state = self.state.clone();
        tokio::spawn(async move {
            // Debounce: only the last of a burst of edits is checked.
            tokio::time::sleep(Duration::from_millis(150)).await;
            let current = state.documents.lock().get(&uri).map(|d| d.version);
            if current == Some(version) {
                diagnostics::publish(&state, uri).await;
            }
        });
    }

    async fn apply_settings(&self, value: &Value) {
        match Settings::from_json(value) {
            Ok(settings) => {
                let changed_packs = {
                    let old = self.state.settings();
                    old.skill_paths != settings.skill_paths || old.cache_dir != settings.cache_dir
                };
                let changed_python = self.state.settings().python_path != settings.python_path;
                *self
                    .state
                    .settings
                    .write()
                    .unwrap_or_else(|p| p.into_inner()) = settings;
                if changed_python {
                    indexing::discover_sources(self.state.clone()).await;
                }
                if changed_packs && self.state.catalog_now().is_some() {
                    indexing::reindex(self.state.clone(), "settings changed").await;
                } else {
                    let open: Vec<_> = self.state.documents.lock().keys().cloned().collect();
                    for uri in open {
                        diagnostics::publish(&self.state, uri).await;
                    }
                    if self.state.caps().pull_diagnostics {
                        let _ = self.state.client.workspace_diagnostic_refresh().await;
                    }
                }
            }
            Err(message) => {
                self.state
                    .client
                    .show_message(MessageType::WARNING, message)
                    .await;
            }
        }
    }

    async fn pull_configuration(&self) {
        if !self.state.caps().configuration {
            return;
        }
        let items = vec![ConfigurationItem {
            scope_uri: None,
            section: Some("skillLsp".into()),
        }];
        if let Ok(values) = self.state.client.configuration(items).await {
            if let Some(value) = values.into_iter().next().filter(|v| !v.is_null()) {
                self.apply_settings(&value).await;
            }
        }
    }
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let caps = Capabilities::from_client(&params.capabilities);
        let encoding = caps.encoding;
        let pull = caps.pull_diagnostics;
        let _ = self.state.capabilities.set(caps);
        if let Some(options) = &params.initialization_options {
            match Settings::from_json(options) {
                Ok(s) => {
                    *self
                        .state
                        .settings
                        .write()
                        .unwrap_or_else(|p| p.into_inner()) = s
                }
                Err(message) => tracing::warn!("{message}"),
            }
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
        *self
            .state
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
        indexing::preload(self.state.clone());
        Ok(InitializeResult {
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
                hover_provider: Some(HoverProviderCapability::Simple(true)),
                completion_provider: Some(CompletionOptions {
                    trigger_characters: Some(vec!["\"".into(), "'".into()]),
                    ..CompletionOptions::default()
                }),
                code_action_provider: Some(CodeActionProviderCapability::Options(
                    CodeActionOptions {
                        code_action_kinds: Some(vec![
                            CodeActionKind::new(code_action::KIND_FIX),
                            CodeActionKind::new(code_action::KIND_OPEN_DOC),
                            CodeActionKind::new(code_action::KIND_OPEN_SOURCE),
                            CodeActionKind::new(code_action::KIND_INSERT_EXAMPLE),
                        ]),
                        ..CodeActionOptions::default()
                    },
                )),
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
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        self.state
            .initialized_seen
            .store(true, std::sync::atomic::Ordering::SeqCst);
        self.pull_configuration().await;
        if self.state.caps().watched_files_registration {
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
            if self
                .state
                .client
                .register_capability(vec![registration])
                .await
                .is_err()
            {
                indexing::spawn_poller(self.state.clone());
            }
        } else {
            indexing::spawn_poller(self.state.clone());
        }
        let state = self.state.clone();
        tokio::spawn(async move {
            indexing::discover_sources(state.clone()).await;
        });
        indexing::reindex(self.state.clone(), "starting").await;
    }

    async fn shutdown(&self) -> Result<()> {
        self.state
            .shutdown
            .store(true, std::sync::atomic::Ordering::Relaxed);
        self.shutdown_seen
            .store(true, std::sync::atomic::Ordering::SeqCst);
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let item = params.text_document;
        let python = proto::is_python(&item.uri, Some(&item.language_id));
        let markdown = !python && proto::is_markdown(&item.uri, Some(&item.language_id));
        let doc = Document::new(item.text, item.version, python, markdown);
        self.state.documents.lock().insert(item.uri.clone(), doc);
        self.schedule_diagnostics(item.uri, item.version);
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let uri = params.text_document.uri;
        let version = params.text_document.version;
        let encoding = self.state.encoding();
        let mut problems = Vec::new();
        {
            let mut docs = self.state.documents.lock();
            let Some(doc) = docs.get_mut(&uri) else {
                drop(docs);
                tracing::warn!(
                    "didChange for a document that is not open: {}",
                    uri.as_str()
                );
                return;
            };
            for change in params.content_changes {
                if let Err(problem) = doc.apply(change, encoding) {
                    problems.push(problem);
                }
            }
            doc.version = version;
        }
        for problem in problems {
            tracing::warn!("{}: {problem}", uri.as_str());
        }
        self.schedule_diagnostics(uri, version);
    }

    async fn did_save(&self, params: DidSaveTextDocumentParams) {
        let is_skill_file = proto::is_markdown(&params.text_document.uri, None)
            && proto::file_path(&params.text_document.uri)
                .is_some_and(|p| p.components().any(|c| c.as_os_str() == "skills"));
        if is_skill_file && !self.state.caps().watched_files_registration {
            indexing::reindex(self.state.clone(), "skill file saved").await;
        }
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        let uri = params.text_document.uri;
        let closed = self.state.documents.lock().remove(&uri);
        if closed.is_some_and(|doc| doc.text().len() >= crate::memory::LARGE_DOCUMENT_BYTES) {
            crate::memory::give_back_freed();
        }
        if !self.state.caps().pull_diagnostics {
            self.state
                .client
                .publish_diagnostics(uri, Vec::new(), None)
                .await;
        }
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        if params.settings.is_null() || params.settings.as_object().is_some_and(|o| o.is_empty()) {
            self.pull_configuration().await;
        } else {
            self.apply_settings(&params.settings).await;
        }
    }

    async fn did_change_watched_files(&self, _: DidChangeWatchedFilesParams) {
        indexing::reindex(self.state.clone(), "skill files changed").await;
    }

    async fn did_change_workspace_folders(&self, params: DidChangeWorkspaceFoldersParams) {
        {
            let mut folders = self
                .state
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
        indexing::reindex(self.state.clone(), "workspace folders changed").await;
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        let catalog = self.state.catalog().await.ok_or_else(not_ready)?;
        let answer = self.timed("hover", || hover::hover(&self.state, &catalog, &params))?;
        if answer.is_some() {
            return Ok(answer);
        }
        // Nothing from the packs read so far: the file's may still be loading.
        match self.state.complete_catalog(LOADING_WAIT).await {
            Some(complete) => self.timed("hover", || hover::hover(&self.state, &complete, &params)),
            None => Ok(None),
        }
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        let catalog = self.state.catalog().await.ok_or_else(not_ready)?;
        self.timed("codeAction", || {
            code_action::code_actions(&self.state, &catalog, &params)
        })
        .map(Some)
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        let catalog = self.state.catalog().await.ok_or_else(not_ready)?;
        let items = self.timed("completion", || {
            completion::completion(&self.state, &catalog, &params)
        })?;
        Ok((!items.is_empty()).then_some(CompletionResponse::Array(items)))
    }

    async fn symbol(
        &self,
        params: WorkspaceSymbolParams,
    ) -> Result<Option<WorkspaceSymbolResponse>> {
        let catalog = self.state.catalog().await.ok_or_else(not_ready)?;
        let symbols = self.timed("workspace/symbol", || {
            workspace_symbol::symbols(&catalog, &params.query)
        })?;
        Ok(Some(WorkspaceSymbolResponse::Nested(symbols)))
    }

    async fn document_link(&self, params: DocumentLinkParams) -> Result<Option<Vec<DocumentLink>>> {
        let catalog = self.state.catalog().await.ok_or_else(not_ready)?;
        self.timed("documentLink", || {
            // Skill files are markdown: nothing to parse.
            let docs = self.state.documents.lock();
            let Some(doc) = docs.get(&params.text_document.uri).filter(|d| d.markdown) else {
                return Ok(None);
            };
            Ok(Some(skill_files::links(
                &catalog,
                &params.text_document.uri,
                doc.text(),
                self.state.encoding(),
            )))
        })
    }

    async fn diagnostic(
        &self,
        params: DocumentDiagnosticParams,
    ) -> Result<DocumentDiagnosticReportResult> {
        let catalog = self.state.catalog().await.ok_or_else(not_ready)?;
        // Off the async side: requests are polled together, and a long file's diagnostics
        // computed in place would hold up every other request until they are done.
        let started = std::time::Instant::now();
        let state = self.state.clone();
        let uri = params.text_document.uri;
        let computed = tokio::task::spawn_blocking(move || {
            guarded("diagnostic", || {
                Ok(diagnostics::compute(&state, &catalog, &uri)
                    .map(|(d, _)| d)
                    .unwrap_or_default())
            })
        })
        .await;
        self.state.timings.record("diagnostic", started.elapsed());
        let items = computed.map_err(|failed| Error {
            code: ErrorCode::InternalError,
            message: format!("skill-lsp: diagnostic failed: {failed}").into(),
            data: None,
        })??;
        Ok(DocumentDiagnosticReportResult::Report(
            DocumentDiagnosticReport::Full(RelatedFullDocumentDiagnosticReport {
                related_documents: None,
                full_document_diagnostic_report: FullDocumentDiagnosticReport {
                    result_id: None,
                    items,
                },
            }),
        ))
    }

    async fn execute_command(&self, params: ExecuteCommandParams) -> Result<Option<LSPAny>> {
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
                if self.state.caps().show_document {
                    let shown = self
                        .state
                        .client
                        .show_document(ShowDocumentParams {
                            uri: uri.clone(),
                            external: Some(false),
                            take_focus: Some(true),
                            selection: Some(Range::new(
                                Position::new(line, 0),
                                Position::new(line, 0),
                            )),
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
                indexing::reindex(self.state.clone(), "requested").await;
                Ok(None)
            }
            COMMAND_SEARCH => {
                let catalog = self.state.catalog().await.ok_or_else(not_ready)?;
                let query = params
                    .arguments
                    .first()
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string();
                let symbols =
                    self.timed("search", || workspace_symbol::symbols(&catalog, &query))?;
                Ok(Some(serde_json::to_value(symbols).unwrap_or(Value::Null)))
            }
            COMMAND_STATS => {
                let catalog = self.state.catalog().await;
                Ok(Some(serde_json::json!({
                    "requests": self.state.timings.summary(),
                    "index": catalog.map(|c| serde_json::json!({
                        "packs": c.packs.len(),
                        "entries": c.entry_count(),
                        "keys": c.symbol_count(),
                    })),
                })))
            }
            COMMAND_TEST_PANIC if std::env::var("SKILL_LSP_TEST_HOOKS").as_deref() == Ok("1") => {
                self.timed("test panic", || -> Result<Option<LSPAny>> {
                    panic!("deliberate panic for testing")
                })
            }
            other => Err(Error::invalid_params(format!("unknown command `{other}`"))),
        }
    }
}
