//! The four tools: `explain`, `search`, `check`, `skills`. Each answers with markdown
//! text for the model and a JSON object shaped like the CLI's `--json` output, and each
//! bad argument is a tool error with a message (the session goes on).

use super::session::Session;
use crate::front;
use rmcp::handler::server::{router::tool::ToolRouter, wrapper::Parameters};
use rmcp::model::{
    CallToolResult, ContentBlock, Implementation, ListResourcesResult, PaginatedRequestParams,
    ReadResourceRequestParams, ReadResourceResponse, ReadResourceResult, ResourceContents,
    ServerCapabilities, ServerConfig,
};
use rmcp::schemars::{self, JsonSchema};
use rmcp::service::RequestContext;
use rmcp::{tool, tool_handler, tool_router, ServerHandler};
use rmcp::{ErrorData, RoleServer};
use serde::Deserialize;
use serde_json::{json, Value};
use std::path::PathBuf;
use std::sync::Arc;

/// About what a model reads at once from `explain`: the hover's first screen and a
/// little more. What does not fit is counted, not cut mid-item.
pub const EXPLAIN_MAX_CHARS: usize = 2_000;
/// Results per page of `search` and `check` unless the caller asks for fewer or more.
const DEFAULT_PAGE: usize = 20;
/// The most a caller may ask for in one page.
const MAX_PAGE: usize = 200;
/// The deepest `search` pages reach: past it a model should refine the query.
const MAX_SEARCHED: usize = 1_000;

#[derive(Deserialize, JsonSchema)]
pub struct ExplainArgs {
    /// The file being edited (absolute, or relative to the server's working directory).
    pub file: String,
    /// 1-based line (within the cell for a notebook).
    pub line: u32,
    /// 1-based column, in characters.
    pub column: u32,
    /// For a notebook: the 1-based code cell, counted as the notebook shows them.
    #[serde(default)]
    pub cell: Option<u32>,
}

#[derive(Deserialize, JsonSchema)]
pub struct SearchArgs {
    /// What to look for: a symbol (`ase.io.read`), a keyword, an environment variable, words.
    pub query: String,
    /// How many results (default 20, at most 200).
    #[serde(default)]
    pub limit: Option<usize>,
    /// How many results to skip: the `next_offset` of the previous page.
    #[serde(default)]
    pub offset: Option<usize>,
    /// Skill packs to search (a repository holding skills/, or a skills folder); default:
    /// the packs of the server's working directory, else the embedded default.
    #[serde(default)]
    pub dirs: Option<Vec<String>>,
}

#[derive(Deserialize, JsonSchema)]
pub struct CheckArgs {
    /// Files or folders to check (code of every kind the language server reads).
    pub paths: Vec<String>,
    /// How many findings (default 20, at most 200).
    #[serde(default)]
    pub limit: Option<usize>,
    /// How many findings to skip: the `next_offset` of the previous page.
    #[serde(default)]
    pub offset: Option<usize>,
}

#[derive(Deserialize, JsonSchema)]
pub struct SkillsArgs {
    /// Skill packs to list; default: the packs of the server's working directory, else
    /// the embedded default.
    #[serde(default)]
    pub dirs: Option<Vec<String>>,
}

/// One tool's answer: markdown for the model, JSON for programs.
struct Answer {
    text: String,
    json: Value,
}

#[derive(Clone)]
pub struct SkillServer {
    session: Arc<Session>,
    tool_router: ToolRouter<Self>,
}

/// Runs `work` off the async threads (loading packs and parsing files block), and turns
/// its error into a tool error the model can read.
async fn answer(
    session: &Arc<Session>,
    work: impl FnOnce(&Session) -> anyhow::Result<Answer> + Send + 'static,
) -> CallToolResult {
    let session = session.clone();
    let done = tokio::task::spawn_blocking(move || work(&session)).await;
    match done {
        Ok(Ok(answer)) => {
            let mut result = CallToolResult::success(vec![ContentBlock::text(answer.text)]);
            result.structured_content = Some(answer.json);
            result
        }
        Ok(Err(why)) => CallToolResult::error(vec![ContentBlock::text(format!("{why:#}"))]),
        Err(join) => {
            tracing::error!("a tool call panicked: {join}");
            CallToolResult::error(vec![ContentBlock::text(
                "internal error while answering; the server goes on",
            )])
        }
    }
}

/// The page `offset..offset+limit` of `total` results, and the offset of the next page.
fn page(
    total: usize,
    offset: Option<usize>,
    limit: Option<usize>,
) -> (usize, usize, Option<usize>) {
    let limit = limit.unwrap_or(DEFAULT_PAGE).clamp(1, MAX_PAGE);
    let start = offset.unwrap_or(0).min(total);
    let end = (start + limit).min(total);
    (start, end, (end < total).then_some(end))
}

/// The packs for a listing or a search: `dirs` when given (each under the roots), else
/// those of the server's working directory.
pub(super) fn packs_of(
    session: &Session,
    dirs: Option<Vec<String>>,
) -> anyhow::Result<Vec<crate::catalog::PackSource>> {
    let dirs: Vec<PathBuf> = dirs
        .unwrap_or_default()
        .iter()
        .map(|d| session.allowed(std::path::Path::new(d)))
        .collect::<anyhow::Result<_>>()?;
    let anchor = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    Ok(front::sources_for(&anchor, &dirs)?.0)
}

/// `explain`'s answer cut to what fits in `max_chars` of markdown, whole items only, and
/// how many items were left out.
fn bounded(
    explanation: &crate::matching::Explanation,
    location: &str,
    max_chars: usize,
) -> (crate::matching::Explanation, String, usize) {
    let unlimited = usize::MAX;
    let mut kept = explanation.clone();
    while kept.items.len() > 1 {
        let text = front::explain_text(Some(&kept), location, unlimited);
        if text.len() <= max_chars {
            break;
        }
        kept.items.pop();
    }
    let omitted = explanation.items.len() - kept.items.len();
    let mut text = front::explain_text(Some(&kept), location, unlimited);
    if omitted > 0 {
        text.push_str(&format!(
            "\n({omitted} more item{} left out; `search` finds them)\n",
            if omitted == 1 { "" } else { "s" }
        ));
    }
    (kept, text, omitted)
}

#[tool_router]
impl SkillServer {
    pub fn new(session: Session) -> SkillServer {
        SkillServer {
            session: Arc::new(session),
            tool_router: Self::tool_router(),
        }
    }

    #[tool(
        description = "What the skills say at a position in a code file (Python, notebook, job script, input file, Julia/C++/Fortran): the pitfalls that apply at the call there, doc paths and source entry points. Call it at the call you are editing. An empty result means nothing applies.",
        annotations(read_only_hint = true)
    )]
    async fn explain(&self, Parameters(args): Parameters<ExplainArgs>) -> CallToolResult {
        answer(&self.session, move |session| {
            let file = session.allowed(std::path::Path::new(&args.file))?;
            let read = front::read_code(&file)?;
            let offset = front::offset_in(&read, &file, args.cell, args.line, args.column)?;
            let (sources, workspace) = front::sources_for(&file, &[])?;
            let catalog = session.catalog(&sources)?;
            let roots = session.source_roots(&workspace);
            let explanation = crate::analysis::explain_at(&catalog, &read.code, offset, &roots);
            let location = format!("{}:{}:{}", args.file, args.line, args.column);
            Ok(match explanation {
                Some(e) => {
                    let (kept, text, omitted) = bounded(&e, &location, EXPLAIN_MAX_CHARS);
                    let mut json = front::explain_json(Some(&kept));
                    json["omitted"] = json!(omitted);
                    Answer { text, json }
                }
                None => {
                    let mut json = front::explain_json(None);
                    json["omitted"] = json!(0);
                    Answer {
                        text: front::explain_text(None, &location, EXPLAIN_MAX_CHARS),
                        json,
                    }
                }
            })
        })
        .await
    }

    #[tool(
        description = "Search the skill packs' pitfalls, workflows, doc maps and source maps: symbols and full text together, best first. Paginated: pass `next_offset` back as `offset`.",
        annotations(read_only_hint = true)
    )]
    async fn search(&self, Parameters(args): Parameters<SearchArgs>) -> CallToolResult {
        answer(&self.session, move |session| {
            let sources = packs_of(session, args.dirs)?;
            let catalog = session.catalog(&sources)?;
            let wanted = args
                .offset
                .unwrap_or(0)
                .saturating_add(args.limit.unwrap_or(DEFAULT_PAGE).clamp(1, MAX_PAGE))
                .min(MAX_SEARCHED);
            // One more than the page, so the caller learns whether there is a next one.
            let hits = catalog.search(&args.query, wanted + 1)?;
            let (start, end, next) = page(hits.len(), args.offset, args.limit);
            let shown = &hits[start..end];
            let results: Vec<Value> = shown.iter().map(|h| front::hit_json(&catalog, h)).collect();
            let mut text: String = shown.iter().map(|h| front::hit_text(&catalog, h)).collect();
            if text.is_empty() {
                text = format!("nothing found for `{}`\n", args.query);
            }
            if let Some(next) = next {
                text.push_str(&format!("(more: call again with offset {next})\n"));
            }
            Ok(Answer {
                text,
                json: json!({"results": results, "next_offset": next}),
            })
        })
        .await
    }

    #[tool(
        description = "Every call site in the given files or folders where a skill's pitfall applies, as file, line, column, skill and message. Check a file before finishing an edit. Paginated: pass `next_offset` back as `offset`.",
        annotations(read_only_hint = true)
    )]
    async fn check(&self, Parameters(args): Parameters<CheckArgs>) -> CallToolResult {
        answer(&self.session, move |session| {
            if args.paths.is_empty() {
                anyhow::bail!("give at least one file or folder in `paths`");
            }
            let paths: Vec<PathBuf> = args
                .paths
                .iter()
                .map(|p| session.allowed(std::path::Path::new(p)))
                .collect::<anyhow::Result<_>>()?;
            let files = front::code_files(&paths)?;
            let (sources, _) = front::sources_for(&paths[0], &[])?;
            let catalog = session.catalog(&sources)?;
            let found = front::check_files(&catalog, &files);
            let (start, end, next) = page(found.len(), args.offset, args.limit);
            let shown = &found[start..end];
            let mut json = crate::render::check_json(shown);
            json["total"] = json!(found.len());
            json["next_offset"] = json!(next);
            let mut text = crate::render::check_text(shown);
            if found.is_empty() {
                text = format!("no findings in {} file(s)\n", files.len());
            }
            if let Some(next) = next {
                text.push_str(&format!(
                    "({} findings in all; more: call again with offset {next})\n",
                    found.len()
                ));
            }
            Ok(Answer { text, json })
        })
        .await
    }

    #[tool(
        description = "The skill packs and skills loaded (with how many pitfalls each yields) and any problem reading them.",
        annotations(read_only_hint = true)
    )]
    async fn skills(&self, Parameters(args): Parameters<SkillsArgs>) -> CallToolResult {
        answer(&self.session, move |session| {
            let sources = packs_of(session, args.dirs)?;
            let catalog = session.catalog(&sources)?;
            let mut text = front::skills_text(&catalog);
            for problem in &catalog.problems {
                text.push_str(&format!("problem: {problem}\n"));
            }
            Ok(Answer {
                text,
                json: front::skills_json(&catalog),
            })
        })
        .await
    }
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for SkillServer {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(
            ServerCapabilities::builder()
                .enable_tools()
                .enable_resources()
                .build(),
        )
        .with_server_info(Implementation::new("skill-lsp", env!("CARGO_PKG_VERSION")))
        .with_instructions(
            "Pitfalls, doc paths and source entry points from scientific packages' skill \
                 documents. Call `explain` at the call you are writing (file, 1-based line and \
                 column); call `check` on a file before you finish with it; `search` when you \
                 need what the skills say about a name or an error message. The skills \
                 themselves are resources (`skill://PACK/SKILL`).",
        )
    }

    async fn list_resources(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, ErrorData> {
        let session = self.session.clone();
        match tokio::task::spawn_blocking(move || super::resources::list(&session)).await {
            Ok(Ok(resources)) => Ok(ListResourcesResult::with_all_items(resources)),
            Ok(Err(why)) => Err(ErrorData::internal_error(format!("{why:#}"), None)),
            Err(join) => Err(ErrorData::internal_error(join.to_string(), None)),
        }
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, ErrorData> {
        let session = self.session.clone();
        let uri = request.uri.clone();
        match tokio::task::spawn_blocking(move || super::resources::read(&session, &uri)).await {
            Ok(Ok(text)) => {
                let contents = ResourceContents::TextResourceContents {
                    uri: request.uri,
                    mime_type: Some("text/markdown".into()),
                    text,
                    meta: None,
                };
                Ok(ReadResourceResult::new(vec![contents]).into())
            }
            Ok(Err(why)) => Err(ErrorData::resource_not_found(format!("{why:#}"), None)),
            Err(join) => Err(ErrorData::internal_error(join.to_string(), None)),
        }
    }
}
