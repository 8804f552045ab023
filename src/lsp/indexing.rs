//! Building and refreshing the catalog in the background: at start, when skill files
//! change (watched by the client, or polled where it cannot watch), and when settings
//! change. The old catalog answers until the new one is ready.

use super::diagnostics;
use super::state::State;
use crate::catalog::{Catalog, CatalogOptions, PackSource};
use crate::source::SourceRoots;
use std::sync::Arc;
use std::time::Duration;
use tower_lsp_server::ls_types::{MessageType, ProgressToken};

/// The pack sources for the current workspace folders and settings.
pub fn sources(state: &State) -> Vec<PackSource> {
    let settings = state.settings().clone();
    let configured: Vec<std::path::PathBuf> = settings
        .skill_paths
        .iter()
        .cloned()
        .chain(crate::catalog::env_skill_dirs())
        .collect();
    let (sources, skipped) =
        crate::catalog::pack_sources(&[], &state.workspace_folders(), &configured);
    for e in skipped {
        tracing::warn!("skill path skipped: {e}");
    }
    sources
}

/// Re-indexes (incrementally) and swaps the catalog in; then refreshes diagnostics.
pub async fn reindex(state: Arc<State>, reason: &str) {
    let _one_at_a_time = state.reindexing.lock().await;
    let sources = sources(&state);
    let options = CatalogOptions {
        cache_base: state.settings().cache_dir.clone(),
        in_memory: false,
    };
    let progress = if state.caps().work_done_progress {
        let token = ProgressToken::String(format!("skill-lsp/index/{}", std::process::id()));
        let created = state
            .client
            .create_work_done_progress(token.clone())
            .await
            .is_ok();
        if created {
            Some(
                state
                    .client
                    .progress(token, "Indexing skills")
                    .with_message(reason.to_string())
                    .begin()
                    .await,
            )
        } else {
            None
        }
    } else {
        None
    };
    // The load started at `initialize` (if any) is the one to finish; else start one.
    let preloaded = state
        .preload
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .take();
    let loaded = match preloaded {
        Some(handle) => handle.await,
        None => {
            let for_task = sources.clone();
            // The running catalog lends its unchanged packs to the new one.
            let current = state.catalog_now();
            tokio::task::spawn_blocking(move || match current {
                Some(current) => current.refresh(&for_task, &options, |_| {}),
                None => Catalog::load(&for_task, &options, |_| {}),
            })
            .await
        }
    };
    if let Some(progress) = progress {
        progress.finish().await;
    }
    let (mut catalog, report) = match loaded {
        Ok(Ok(done)) => done,
        Ok(Err(e)) => {
            state
                .client
                .log_message(
                    MessageType::ERROR,
                    format!("skill-lsp: indexing failed: {e}"),
                )
                .await;
            return;
        }
        Err(e) => {
            state
                .client
                .log_message(
                    MessageType::ERROR,
                    format!("skill-lsp: indexing task failed: {e}"),
                )
                .await;
            return;
        }
    };
    if catalog.packs.iter().any(|p| p.embedded) {
        let base = state
            .settings()
            .cache_dir
            .clone()
            .or_else(crate::catalog::store::default_base);
        match base.map(|b| crate::pack::materialize_embedded(&b)) {
            Some(Ok(folder)) => catalog.relocate_embedded(&folder),
            Some(Err(e)) => {
                tracing::warn!("embedded packs not written to disk (no links to them): {e}")
            }
            None => {}
        }
    }
    let skills: usize = catalog.packs.iter().map(|p| p.skills.len()).sum();
    let summary =
        format!(
        "skill-lsp: {} packs, {} skills, {} entries indexed in {:.0} ms ({} reused, {} rebuilt){}",
        catalog.packs.len(),
        skills,
        catalog.entry_count(),
        report.elapsed.as_secs_f64() * 1000.0,
        report.reused,
        report.rebuilt,
        report.fallback.as_ref().map(|f| format!("; in memory only: {f}")).unwrap_or_default(),
    );
    let problems: Vec<String> = catalog
        .problems
        .iter()
        .take(50)
        .map(|problem| format!("skill-lsp: {problem}"))
        .collect();
    let problem_files = diagnostics::pack_problem_files(&catalog);
    // The fingerprints the load took before reading, not fresh ones: a file written while
    // it was read then differs at the next poll, and is read again.
    let fingerprints = sources
        .iter()
        .map(|s| {
            let taken = catalog.fingerprint_of(&s.key()).unwrap_or_default();
            (s.clone(), taken.to_string())
        })
        .collect();
    *state
        .indexed_sources
        .write()
        .unwrap_or_else(|p| p.into_inner()) = fingerprints;
    // Installed before it is announced: a client that hovers on "entries indexed" must
    // get the new catalog's answer.
    state.set_catalog(catalog);
    tracing::info!("{summary}");
    state.client.log_message(MessageType::INFO, summary).await;
    for problem in problems {
        state
            .client
            .log_message(MessageType::WARNING, problem)
            .await;
    }
    // Problem files that are not open get their diagnostics pushed once.
    let open = state.documents.lock().uris();
    if !state.caps().pull_diagnostics {
        for (uri, diags) in problem_files {
            if !open.contains(&uri) {
                state.client.publish_diagnostics(uri, diags, None).await;
            }
        }
    }
    for uri in open {
        diagnostics::publish(&state, uri).await;
    }
    if state.caps().pull_diagnostics {
        let _ = state.client.workspace_diagnostic_refresh().await;
    }
}

/// Starts reading the packs as soon as `initialize` has told where they are, so the
/// first hover does not wait for `initialized` to begin the work. If a client never
/// sends `initialized`, the catalog is installed anyway after a short grace period.
pub fn preload(state: Arc<State>) {
    let sources = sources(&state);
    let options = CatalogOptions {
        cache_base: state.settings().cache_dir.clone(),
        in_memory: false,
    };
    // Until the complete catalog is in, hovers answer from the packs read so far.
    let for_partials = state.clone();
    let handle = tokio::task::spawn_blocking(move || {
        Catalog::load_progressively(&sources, &options, &|partial| {
            for_partials.set_partial_catalog(partial)
        })
    });
    *state.preload.lock().unwrap_or_else(|p| p.into_inner()) = Some(handle);
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_secs(1)).await;
        if !state
            .initialized_seen
            .load(std::sync::atomic::Ordering::SeqCst)
        {
            tracing::warn!("no `initialized` notification after 1 s: serving anyway");
            reindex(state, "starting").await;
        }
    });
}

/// Where the client cannot watch files: poll the packs' fingerprints.
pub fn spawn_poller(state: Arc<State>) {
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_secs(2)).await;
            if state.shutdown.load(std::sync::atomic::Ordering::Relaxed) {
                return;
            }
            let indexed = state
                .indexed_sources
                .read()
                .unwrap_or_else(|p| p.into_inner())
                .clone();
            let changed = tokio::task::spawn_blocking(move || {
                indexed.iter().any(|(s, f)| s.fingerprint() != *f)
            })
            .await
            .unwrap_or(false);
            if changed {
                reindex(state.clone(), "skill files changed").await;
            }
        }
    });
}

/// Package sources (workspace + interpreter sys.path), found off the hover path.
pub async fn discover_sources(state: Arc<State>) {
    let folders = state.workspace_folders();
    let python = crate::source::configured_python(state.settings().python_path.clone());
    let roots = tokio::task::spawn_blocking(move || {
        let mut roots =
            SourceRoots::discover(folders.first().map(|p| p.as_path()), python.as_deref());
        let mut all: Vec<_> = roots.roots().to_vec();
        all.extend(folders.iter().skip(1).cloned());
        roots = SourceRoots::new(all);
        roots
    })
    .await
    .unwrap_or_default();
    state.set_sources(roots);
}
