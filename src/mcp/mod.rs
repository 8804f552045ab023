//! `skill-lsp mcp`: the same answers for agents, over the Model Context Protocol on
//! stdio (rmcp, the official Rust SDK). A third thin front end beside the CLI and the
//! language server: the tools call the library through [`crate::front`], as the CLI
//! does, and keep the packs loaded between calls.
//!
//! stdout carries only protocol messages (one JSON object per line, written by rmcp);
//! logs go to stderr. The session ends when the client closes stdin.

mod resources;
mod session;
mod tools;

pub use session::Session;
pub use tools::{SkillServer, EXPLAIN_MAX_CHARS};

use anyhow::{Context, Result};
use rmcp::ServiceExt;

/// Serves one MCP session over stdin/stdout until the client closes it.
pub async fn serve_stdio(session: Session) -> Result<()> {
    tracing::info!(
        "mcp: serving; files may be read under {:?}",
        session.roots()
    );
    let running = SkillServer::new(session)
        .serve(rmcp::transport::stdio())
        .await
        .context("starting the MCP session")?;
    running.waiting().await.context("serving MCP")?;
    Ok(())
}
