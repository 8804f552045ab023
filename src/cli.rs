//! The command line: `index`, `skills`, `search` (and later `explain`, `check`, `lsp`).
//! Parsing arguments and printing only: everything else is the library's.

use crate::catalog::{Catalog, CatalogOptions, LoadReport};
use crate::front;
use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand};
use serde_json::json;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "skill-lsp",
    version,
    about = "Scientific packages' skill pitfalls, doc paths and source entry points, in the editor and on the command line"
)]
struct Cli {
    /// Serve the Language Server Protocol over stdio (same as `skill-lsp lsp`).
    #[arg(long)]
    stdio: bool,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Args, Clone)]
pub struct PackArgs {
    /// Cache directory for the persisted index (default: $SKILL_LSP_CACHE_DIR or the user cache dir).
    #[arg(long, global = true, value_name = "DIR")]
    cache_dir: Option<PathBuf>,
    /// Build the index in memory only.
    #[arg(long, global = true)]
    no_cache: bool,
}

/// The packs a command reads: DIRs given positionally or with `--skills`, alike.
#[derive(Args, Clone)]
pub struct PackDirs {
    /// Skill packs (a repository root holding skills/, or a skills folder), as with `--skills`.
    dirs: Vec<PathBuf>,
    /// Skill packs to use; repeatable (the same as giving them as DIRS).
    #[arg(long = "skills", value_name = "DIR")]
    skills: Vec<PathBuf>,
}

impl PackArgs {
    fn options(&self) -> CatalogOptions {
        CatalogOptions {
            cache_base: self.cache_dir.clone(),
            in_memory: self.no_cache,
        }
    }
}

impl PackDirs {
    fn all(self) -> Vec<PathBuf> {
        self.dirs.into_iter().chain(self.skills).collect()
    }
}

#[derive(Args, Clone)]
pub struct CodeArgs {
    /// Skill packs to use (a repository root holding skills/, or a skills folder); repeatable.
    /// Default: the packs of the file's workspace, else the embedded default.
    #[arg(long = "skills", value_name = "DIR")]
    skills: Vec<PathBuf>,
    /// Python interpreter run once for its sys.path, to locate package sources (default: $SKILL_LSP_PYTHON; none: nothing is run, site-packages is found on disk)
    #[arg(long, value_name = "PYTHON")]
    python: Option<PathBuf>,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum CheckFormat {
    Text,
    Json,
    Sarif,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the Language Server Protocol over stdio (editors start this).
    Lsp {
        /// Accepted for editors that pass it; stdio is the only transport.
        #[arg(long)]
        stdio: bool,
    },
    /// Serve the same answers to AI agents over the Model Context Protocol (stdio): the
    /// tools explain, search, check and skills.
    Mcp {
        /// A folder whose files the tools may read; repeatable (default: the current
        /// directory).
        #[arg(long = "root", value_name = "DIR")]
        roots: Vec<PathBuf>,
        #[command(flatten)]
        packs: PackArgs,
    },
    /// Build or refresh the index of the packs in DIR... (or the workspace's, else the embedded default).
    Index {
        #[command(flatten)]
        dirs: PackDirs,
        #[command(flatten)]
        packs: PackArgs,
    },
    /// List the packs and skills found, with counts.
    Skills {
        #[command(flatten)]
        dirs: PackDirs,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        packs: PackArgs,
    },
    /// What the hover shows at FILE:LINE:COL (1-based, as compilers print them).
    Explain {
        /// FILE:LINE:COL (a notebook cell: FILE.ipynb:CELL:LINE:COL)
        location: String,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        code: CodeArgs,
        #[command(flatten)]
        packs: PackArgs,
    },
    /// Every call site with an applicable pitfall. Exit 1 with findings, 0 without, 2 on error.
    Check {
        /// Files or folders to check (code files of every kind the server reads).
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Output: text (FILE:LINE:COL: skill: message), JSON, or SARIF 2.1.0.
        #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
        format: CheckFormat,
        #[command(flatten)]
        code: CodeArgs,
        #[command(flatten)]
        packs: PackArgs,
    },
    /// What a skill author should fix in the packs in DIR...: cited paths the repository
    /// does not have, links to missing files, problems reading the pack. Exit 1 with
    /// findings, 0 without, 2 on error.
    Lint {
        #[command(flatten)]
        dirs: PackDirs,
        /// Output: text (FILE:LINE:COL: rule: message), JSON, or SARIF 2.1.0.
        #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
        format: CheckFormat,
        #[command(flatten)]
        packs: PackArgs,
    },
    /// Search the knowledge base: symbols and full text together, best first.
    Search {
        /// What to look for: a symbol (`ase.io.read`), a keyword, words.
        query: String,
        #[command(flatten)]
        dirs: PackDirs,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
        /// How many results.
        #[arg(long, short = 'n', default_value_t = 10)]
        limit: usize,
        #[command(flatten)]
        packs: PackArgs,
    },
}

pub fn main() -> ExitCode {
    init_logging();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let _ = err.print();
            return if err.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    match run(cli) {
        Ok(code) => code,
        // `skill-lsp check . | head`: the reader has all it wanted; not an error.
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("skill-lsp: error: {err:#}");
            ExitCode::from(2)
        }
    }
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("SKILL_LSP_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    // Colour only for a person at a terminal: a log file or an editor's output panel
    // would show the escape codes.
    use std::io::IsTerminal;
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_target(false)
        .try_init();
}

fn run(cli: Cli) -> Result<ExitCode> {
    let command = match (cli.stdio, cli.command) {
        (true, _) | (false, Some(Command::Lsp { .. })) => return serve_lsp(),
        (false, Some(command)) => command,
        (false, None) => {
            use clap::CommandFactory;
            Cli::command().print_help()?;
            return Ok(ExitCode::from(2));
        }
    };
    match command {
        Command::Lsp { .. } => serve_lsp(),
        Command::Mcp { roots, packs } => serve_mcp(roots, &packs),
        Command::Index { dirs, packs } => {
            let dirs = dirs.all();
            let (catalog, report) = load(&dirs, &packs, true)?;
            print_index_report(&catalog, &report);
            Ok(ExitCode::SUCCESS)
        }
        Command::Skills { dirs, json, packs } => {
            let dirs = dirs.all();
            let (catalog, _) = load(&dirs, &packs, false)?;
            print_skills(&catalog, json)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Explain {
            location,
            json,
            code,
            packs,
        } => explain(&location, json, &code, &packs),
        Command::Check {
            paths,
            format,
            code,
            packs,
        } => check(&paths, format, &code, &packs),
        Command::Lint {
            dirs,
            format,
            packs,
        } => {
            let (catalog, _) = load(&dirs.all(), &packs, false)?;
            let found = crate::lint::lint(&catalog);
            report(
                format,
                &found,
                crate::render::lint_text,
                crate::render::lint_json,
                crate::render::lint_sarif,
            )
        }
        Command::Search {
            query,
            dirs,
            json,
            limit,
            packs,
        } => {
            let dirs = dirs.all();
            let (catalog, _) = load(&dirs, &packs, false)?;
            let hits = catalog.search(&query, limit)?;
            print_hits(&catalog, &hits, json)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Runs a server's future to its end on a two-thread runtime; background tasks
/// (polling, debounced diagnostics) end with the runtime.
fn serve<T>(server: impl std::future::Future<Output = T>) -> Result<T> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let done = runtime.block_on(server);
    runtime.shutdown_timeout(std::time::Duration::from_millis(100));
    Ok(done)
}

fn serve_lsp() -> Result<ExitCode> {
    let clean = serve(crate::lsp::run_stdio())?;
    Ok(if clean {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn serve_mcp(roots: Vec<PathBuf>, packs: &PackArgs) -> Result<ExitCode> {
    let roots = if roots.is_empty() {
        vec![std::env::current_dir().context("the current directory")?]
    } else {
        roots
    };
    let options = packs.options();
    let session = crate::mcp::Session::new(&roots, options)?;
    serve(crate::mcp::serve_stdio(session))??;
    Ok(ExitCode::SUCCESS)
}

/// Loads the catalog for DIRs (or the current workspace, else the embedded default).
pub fn load(
    dirs: &[PathBuf],
    args: &PackArgs,
    show_progress: bool,
) -> Result<(Catalog, LoadReport)> {
    let cwd = std::env::current_dir().ok();
    let sources = crate::catalog::resolve_sources(dirs, cwd.as_deref())?;
    let options = args.options();
    let bar = (show_progress && std::io::stderr().is_terminal()).then(|| {
        let bar = indicatif::ProgressBar::new(sources.len() as u64);
        bar.set_style(
            indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} packs {msg}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    });
    let (catalog, report) = Catalog::load(&sources, &options, |key| {
        if let Some(bar) = &bar {
            bar.set_message(key.to_string());
            bar.inc(1);
        }
    })
    .context("loading skill packs")?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    if let Some(reason) = &report.fallback {
        tracing::warn!("index kept in memory only: {reason}");
    }
    if !show_progress && !catalog.problems.is_empty() {
        tracing::warn!(
            "{} in the skill packs; `skill-lsp index` lists them",
            plural(catalog.problems.len(), "problem")
        );
    }
    Ok((catalog, report))
}

/// `1 problem`, `2 problems`, `3 entries`.
fn plural(n: usize, noun: &str) -> String {
    match (n, noun.strip_suffix('y')) {
        (1, _) => format!("1 {noun}"),
        (_, Some(stem)) => format!("{n} {stem}ies"),
        _ => format!("{n} {noun}s"),
    }
}

fn print_index_report(catalog: &Catalog, report: &LoadReport) {
    let skills: usize = catalog.packs.iter().map(|p| p.skills.len()).sum();
    let (errors, warnings) = catalog.problem_counts();
    for problem in &catalog.problems {
        println!("{problem}");
    }
    println!(
        "{}, {}, {}, {}, {} ({}, {}) in {:.1} ms ({} reused, {} rebuilt)",
        plural(catalog.packs.len(), "pack"),
        plural(skills, "skill"),
        plural(catalog.entry_count(), "entry"),
        plural(catalog.symbol_count(), "symbol"),
        plural(errors + warnings, "problem"),
        plural(errors, "error"),
        plural(warnings, "warning"),
        report.elapsed.as_secs_f64() * 1000.0,
        report.reused,
        report.rebuilt,
    );
    match (&report.cache_dir, &report.fallback) {
        (Some(dir), _) => println!("index: {}", dir.display()),
        (None, Some(reason)) => println!("index: in memory ({reason})"),
        (None, None) => println!("index: in memory"),
    }
}

fn print_skills(catalog: &Catalog, json: bool) -> Result<()> {
    let mut out = std::io::stdout().lock();
    if json {
        serde_json::to_writer_pretty(&mut out, &front::skills_json(catalog))?;
        writeln!(out)?;
    } else {
        write!(out, "{}", front::skills_text(catalog))?;
    }
    Ok(())
}

fn print_hits(catalog: &Catalog, hits: &[crate::catalog::Hit], json: bool) -> Result<()> {
    let mut out = std::io::stdout().lock();
    if json {
        let results: Vec<_> = hits.iter().map(|h| front::hit_json(catalog, h)).collect();
        serde_json::to_writer_pretty(&mut out, &json!({"results": results}))?;
        writeln!(out)?;
    } else {
        for h in hits {
            write!(out, "{}", front::hit_text(catalog, h))?;
        }
    }
    Ok(())
}

/// `FILE:LINE:COL` -> parts; the file may itself contain `:`.
fn parse_location(location: &str) -> Result<(PathBuf, u32, u32)> {
    let mut parts = location.rsplitn(3, ':');
    let col = parts.next().and_then(|c| c.parse::<u32>().ok());
    let line = parts.next().and_then(|l| l.parse::<u32>().ok());
    let file = parts.next();
    match (file, line, col) {
        (Some(file), Some(line), Some(col)) if line >= 1 && col >= 1 => {
            Ok((PathBuf::from(file), line, col))
        }
        _ => anyhow::bail!("expected FILE:LINE:COL with 1-based LINE and COL, got `{location}`"),
    }
}

/// The catalog for code under `anchor`, and the workspace it belongs to.
fn code_catalog(
    anchor: &std::path::Path,
    code: &CodeArgs,
    packs: &PackArgs,
) -> Result<(Catalog, PathBuf)> {
    let (sources, workspace) = front::sources_for(anchor, &code.skills)?;
    let options = packs.options();
    let (catalog, report) =
        Catalog::load(&sources, &options, |_| {}).context("loading skill packs")?;
    if let Some(reason) = &report.fallback {
        tracing::warn!("index kept in memory only: {reason}");
    }
    Ok((catalog, workspace))
}

/// Where package sources are: asked of the interpreter only by commands that show
/// source locations (`explain`), since starting Python costs tens of milliseconds.
fn source_roots(workspace: &std::path::Path, code: &CodeArgs) -> crate::source::SourceRoots {
    let python = crate::source::configured_python(code.python.clone());
    crate::source::SourceRoots::discover(Some(workspace), python.as_deref())
}

fn explain(location: &str, json: bool, code: &CodeArgs, packs: &PackArgs) -> Result<ExitCode> {
    let (file, line, col) = parse_location(location)?;
    let (file, cell) = front::split_cell(&file);
    let read = front::read_code(&file)?;
    if read.cells.is_some() && cell.is_none() {
        anyhow::bail!(
            "{}: a notebook: give the cell as FILE:CELL:LINE:COL (1-based, cells counted \
             as the notebook shows them)",
            file.display()
        );
    }
    let offset = front::offset_in(&read, &file, cell, line, col)?;
    let (catalog, workspace) = code_catalog(&file, code, packs)?;
    let roots = source_roots(&workspace, code);
    let explanation = crate::analysis::explain_at(&catalog, &read.code, offset, &roots);
    let mut out = std::io::stdout().lock();
    if json {
        let answer = front::explain_json(explanation.as_ref());
        writeln!(out, "{}", serde_json::to_string_pretty(&answer)?)?;
    } else {
        let max_chars = crate::render::HoverOptions::default().max_chars;
        write!(
            out,
            "{}",
            front::explain_text(explanation.as_ref(), location, max_chars)
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

fn check(
    paths: &[PathBuf],
    format: CheckFormat,
    code: &CodeArgs,
    packs: &PackArgs,
) -> Result<ExitCode> {
    let files = front::code_files(paths)?;
    let anchor = paths.first().cloned().unwrap_or_else(|| PathBuf::from("."));
    let (catalog, _workspace) = code_catalog(&anchor, code, packs)?;
    let located = front::check_files(&catalog, &files);
    report(
        format,
        &located,
        crate::render::check_text,
        crate::render::check_json,
        crate::render::check_sarif,
    )
}

/// Prints `findings` of `check` or `lint` in `format`; exit 1 with findings, 0 without.
fn report<T>(
    format: CheckFormat,
    findings: &[T],
    text: fn(&[T]) -> String,
    json: fn(&[T]) -> serde_json::Value,
    sarif: fn(&[T]) -> serde_json::Value,
) -> Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    match format {
        CheckFormat::Text => write!(out, "{}", text(findings))?,
        CheckFormat::Json => writeln!(out, "{}", serde_json::to_string_pretty(&json(findings))?)?,
        CheckFormat::Sarif => writeln!(out, "{}", serde_json::to_string_pretty(&sarif(findings))?)?,
    }
    Ok(if findings.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
