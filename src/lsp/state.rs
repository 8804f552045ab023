//! Server state shared by handlers and background tasks.

use super::config::Settings;
use super::documents::Documents;
use super::proto::Encoding;
use crate::catalog::{Catalog, PackSource};
use crate::source::SourceRoots;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock, RwLock, RwLockReadGuard};
use std::time::Duration;
use tokio::sync::watch;
use tower_lsp_server::ls_types::{ClientCapabilities, MarkupKind};
use tower_lsp_server::Client;

/// What the client can do, resolved once at initialize.
#[derive(Debug, Clone)]
pub struct Capabilities {
    pub encoding: Encoding,
    pub show_document: bool,
    pub pull_diagnostics: bool,
    pub watched_files_registration: bool,
    pub work_done_progress: bool,
    pub configuration: bool,
    pub hover_markdown: bool,
    pub completion_markdown: bool,
}

impl Capabilities {
    pub fn from_client(caps: &ClientCapabilities) -> Self {
        let text = caps.text_document.as_ref();
        let window = caps.window.as_ref();
        let workspace = caps.workspace.as_ref();
        let markdown = |formats: Option<&Vec<MarkupKind>>| {
            formats.is_none_or(|f| f.is_empty() || f.contains(&MarkupKind::Markdown))
        };
        Capabilities {
            encoding: Encoding::negotiate(
                caps.general
                    .as_ref()
                    .and_then(|g| g.position_encodings.as_deref()),
            ),
            show_document: window
                .and_then(|w| w.show_document.as_ref())
                .is_some_and(|s| s.support),
            pull_diagnostics: text.and_then(|t| t.diagnostic.as_ref()).is_some(),
            watched_files_registration: workspace
                .and_then(|w| w.did_change_watched_files.as_ref())
                .and_then(|d| d.dynamic_registration)
                .unwrap_or(false),
            work_done_progress: window.and_then(|w| w.work_done_progress).unwrap_or(false),
            configuration: workspace.and_then(|w| w.configuration).unwrap_or(false),
            hover_markdown: markdown(
                text.and_then(|t| t.hover.as_ref())
                    .and_then(|h| h.content_format.as_ref()),
            ),
            completion_markdown: markdown(
                text.and_then(|t| t.completion.as_ref())
                    .and_then(|c| c.completion_item.as_ref())
                    .and_then(|i| i.documentation_format.as_ref()),
            ),
        }
    }
}

pub struct State {
    pub client: Client,
    pub documents: Documents,
    pub capabilities: OnceLock<Capabilities>,
    pub settings: RwLock<Settings>,
    pub workspace_folders: RwLock<Vec<PathBuf>>,
    catalog: watch::Sender<Option<Arc<Catalog>>>,
    /// Whether `catalog` holds every pack (false while the first load hands out partial
    /// catalogs).
    complete: watch::Sender<bool>,
    sources: RwLock<Arc<SourceRoots>>,
    /// Sources of the current catalog, to poll for changes where the client cannot watch.
    pub indexed_sources: RwLock<Vec<(PackSource, String)>>,
    /// One re-index at a time; the old catalog answers meanwhile.
    pub reindexing: tokio::sync::Mutex<()>,
    pub shutdown: std::sync::atomic::AtomicBool,
    /// The catalog load started at `initialize`, finished by the first re-index.
    pub preload: std::sync::Mutex<Option<PreloadHandle>>,
    pub initialized_seen: std::sync::atomic::AtomicBool,
    /// Server-side durations of requests (`skill-lsp.stats`).
    pub timings: super::timings::Timings,
}

pub type PreloadHandle = tokio::task::JoinHandle<
    Result<(Catalog, crate::catalog::LoadReport), crate::catalog::CatalogError>,
>;

impl State {
    pub fn new(client: Client) -> Self {
        State {
            client,
            documents: Documents::default(),
            capabilities: OnceLock::new(),
            settings: RwLock::new(Settings::default()),
            workspace_folders: RwLock::new(Vec::new()),
            catalog: watch::channel(None).0,
            complete: watch::channel(false).0,
            sources: RwLock::new(Arc::new(SourceRoots::default())),
            indexed_sources: RwLock::new(Vec::new()),
            reindexing: tokio::sync::Mutex::new(()),
            shutdown: std::sync::atomic::AtomicBool::new(false),
            preload: std::sync::Mutex::new(None),
            initialized_seen: std::sync::atomic::AtomicBool::new(false),
            timings: Default::default(),
        }
    }

    pub fn caps(&self) -> Capabilities {
        self.capabilities
            .get()
            .cloned()
            .unwrap_or_else(|| Capabilities::from_client(&ClientCapabilities::default()))
    }

    pub fn encoding(&self) -> Encoding {
        self.caps().encoding
    }

    pub fn settings(&self) -> RwLockReadGuard<'_, Settings> {
        self.settings.read().unwrap_or_else(|p| p.into_inner())
    }

    pub fn sources(&self) -> Arc<SourceRoots> {
        self.sources
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    pub fn set_sources(&self, roots: SourceRoots) {
        *self.sources.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(roots);
    }

    pub fn set_catalog(&self, catalog: Catalog) {
        self.catalog.send_replace(Some(Arc::new(catalog)));
        self.complete.send_replace(true);
    }

    /// A catalog of the packs read so far, while the first load goes on.
    pub fn set_partial_catalog(&self, catalog: Catalog) {
        if !*self.complete.borrow() {
            self.catalog.send_replace(Some(Arc::new(catalog)));
        }
    }

    /// While the first load goes on, the complete catalog once it is in, waiting at most
    /// `within`; `None` when the catalog is already complete or the wait ran out.
    pub async fn complete_catalog(&self, within: Duration) -> Option<Arc<Catalog>> {
        if *self.complete.borrow() {
            return None;
        }
        let mut rx = self.complete.subscribe();
        let done = tokio::time::timeout(within, rx.wait_for(|done| *done))
            .await
            .is_ok_and(|r| r.is_ok());
        if done {
            self.catalog_now()
        } else {
            None
        }
    }

    /// The catalog, waiting for the first build (bounded) when it is not ready yet.
    pub async fn catalog(&self) -> Option<Arc<Catalog>> {
        if let Some(c) = self.catalog.borrow().clone() {
            return Some(c);
        }
        let mut rx = self.catalog.subscribe();
        let ready =
            tokio::time::timeout(Duration::from_secs(30), rx.wait_for(Option::is_some)).await;
        match ready {
            Ok(Ok(c)) => c.clone(),
            _ => None,
        }
    }

    pub fn catalog_now(&self) -> Option<Arc<Catalog>> {
        self.catalog.borrow().clone()
    }

    pub fn workspace_folders(&self) -> Vec<PathBuf> {
        self.workspace_folders
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }
}
