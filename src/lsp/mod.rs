//! The language server: tower-lsp-server over stdio. Handlers translate between LSP and
//! the core library and contain no matching or ranking of their own.
//!
//! Concurrency: notifications that change documents mutate the store synchronously, in
//! arrival order; requests read under a short lock; indexing runs in the background and
//! swaps the catalog in. A panic inside a request answers that request with an error.

mod code_action;
mod commands;
mod completion;
pub mod config;
mod diagnostics;
mod documents;
mod hover;
mod indexing;
mod initialize;
mod notifications;
pub mod proto;
mod skill_files;
mod state;
mod stdio;
mod timings;
pub mod transport;
mod workspace_symbol;

use state::State;
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
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        Ok(initialize::initialize(&self.state, params))
    }

    async fn initialized(&self, _: InitializedParams) {
        initialize::initialized(&self.state).await;
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
        notifications::did_open(&self.state, params);
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        notifications::did_change(&self.state, params);
    }

    async fn did_save(&self, params: DidSaveTextDocumentParams) {
        notifications::did_save(&self.state, params).await;
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        notifications::did_close(&self.state, params).await;
    }

    async fn notebook_did_open(&self, params: DidOpenNotebookDocumentParams) {
        notifications::notebook_did_open(&self.state, params);
    }

    async fn notebook_did_change(&self, params: DidChangeNotebookDocumentParams) {
        notifications::notebook_did_change(&self.state, params);
    }

    async fn notebook_did_close(&self, params: DidCloseNotebookDocumentParams) {
        notifications::notebook_did_close(&self.state, params).await;
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        notifications::did_change_configuration(&self.state, params).await;
    }

    async fn did_change_watched_files(&self, _: DidChangeWatchedFilesParams) {
        indexing::reindex(self.state.clone(), "skill files changed").await;
    }

    async fn did_change_workspace_folders(&self, params: DidChangeWorkspaceFoldersParams) {
        notifications::did_change_workspace_folders(&self.state, params).await;
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
            let store = self.state.documents.lock();
            let Some(doc) = store.get(&params.text_document.uri).filter(|d| d.markdown) else {
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
        commands::execute(self, params).await
    }
}
