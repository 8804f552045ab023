//! The command line: `index`, `skills`, `search` (and later `explain`, `check`, `lsp`).
//! Parsing arguments and printing only: everything else is the library's.

use crate::catalog::{Catalog, CatalogOptions, LoadReport};
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

fn serve_lsp() -> Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let clean = runtime.block_on(crate::lsp::run_stdio());
    // Background tasks (polling, debounced diagnostics) end with the runtime.
    runtime.shutdown_timeout(std::time::Duration::from_millis(100));
    Ok(if clean {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Loads the catalog for DIRs (or the current workspace, else the embedded default).
pub fn load(
    dirs: &[PathBuf],
    args: &PackArgs,
    show_progress: bool,
) -> Result<(Catalog, LoadReport)> {
    let cwd = std::env::current_dir().ok();
    let sources = crate::catalog::resolve_sources(dirs, cwd.as_deref(), &configured_dirs())?;
    let options = CatalogOptions {
        cache_base: args.cache_dir.clone(),
        in_memory: args.no_cache,
    };
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

/// Extra skill directories from `$SKILL_LSP_SKILLS` (path-list separated).
fn configured_dirs() -> Vec<PathBuf> {
    std::env::var_os("SKILL_LSP_SKILLS")
        .map(|v| {
            std::env::split_paths(&v)
                .filter(|p| !p.as_os_str().is_empty())
                .collect()
        })
        .unwrap_or_default()
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
    use crate::model::EntryKind;
    let mut out = std::io::stdout().lock();
    if json {
        let skills: Vec<_> = catalog
            .packs
            .iter()
            .flat_map(|p| {
                p.skills.iter().map(move |s| {
                    json!({
                        "pack": p.name,
                        "name": s.name,
                        "title": s.title,
                        "file": s.file,
                        "pitfalls": s.count(EntryKind::Pitfall),
                        "doc_map": s.count(EntryKind::DocMap),
                        "source_map": s.count(EntryKind::SourceMap),
                        "entries": s.entries.len(),
                    })
                })
            })
            .collect();
        let problems: Vec<_> = catalog.problems.iter().map(|p| json!(p)).collect();
        serde_json::to_writer_pretty(&mut out, &json!({"skills": skills, "problems": problems}))?;
        writeln!(out)?;
        return Ok(());
    }
    for pack in &catalog.packs {
        let source = if pack.embedded {
            "embedded"
        } else {
            pack.root.as_str()
        };
        writeln!(out, "{} ({} skills) {source}", pack.name, pack.skills.len())?;
        for s in &pack.skills {
            writeln!(
                out,
                "  {:<40} {:>3} pitfalls {:>4} entries  {}",
                s.name,
                s.count(EntryKind::Pitfall),
                s.entries.len(),
                s.file
            )?;
        }
    }
    Ok(())
}

fn print_hits(catalog: &Catalog, hits: &[crate::catalog::Hit], json: bool) -> Result<()> {
    let mut out = std::io::stdout().lock();
    if json {
        let results: Vec<_> = hits
            .iter()
            .map(|h| {
                let (pack, skill, entry) = catalog.entry(h.id);
                json!({
                    "kind": entry.kind,
                    "pack": pack.name,
                    "skill": skill.name,
                    "text": entry.text,
                    "file": entry.file,
                    "line": entry.line,
                    "score": h.score,
                    "section": entry.section,
                    "paths": entry.cited_paths,
                })
            })
            .collect();
        serde_json::to_writer_pretty(&mut out, &json!({"results": results}))?;
        writeln!(out)?;
        return Ok(());
    }
    for h in hits {
        let (_, skill, entry) = catalog.entry(h.id);
        let text: String = entry.text.split_whitespace().collect::<Vec<_>>().join(" ");
        let text = if text.chars().count() > 120 {
            format!("{}…", text.chars().take(119).collect::<String>())
        } else {
            text
        };
        writeln!(
            out,
            "{:<12} {:<28} {}  {}:{}",
            entry.kind.as_str(),
            skill.name,
            text,
            entry.file,
            entry.line
        )?;
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

/// The workspace of a path: the nearest ancestor holding skill packs, else the nearest
/// project root (.git, pyproject.toml, setup.py), else the path's folder.
fn workspace_of(path: &std::path::Path) -> PathBuf {
    let start = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    let dir = if start.is_dir() {
        start.clone()
    } else {
        start
            .parent()
            .map(|p| p.to_path_buf())
            .unwrap_or(start.clone())
    };
    let mut project = None;
    for ancestor in dir.ancestors().take(32) {
        if !crate::pack::workspace_packs(ancestor).is_empty() {
            return ancestor.to_path_buf();
        }
        if project.is_none()
            && ["pyproject.toml", "setup.py", ".git"]
                .iter()
                .any(|m| ancestor.join(m).exists())
        {
            project = Some(ancestor.to_path_buf());
        }
    }
    project.unwrap_or(dir)
}

/// The catalog for code under `anchor`, and the workspace it belongs to.
fn code_catalog(
    anchor: &std::path::Path,
    code: &CodeArgs,
    packs: &PackArgs,
) -> Result<(Catalog, PathBuf)> {
    let workspace = workspace_of(anchor);
    let sources =
        crate::catalog::resolve_sources(&code.skills, Some(&workspace), &configured_dirs())?;
    let options = CatalogOptions {
        cache_base: packs.cache_dir.clone(),
        in_memory: packs.no_cache,
    };
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
    let python = code
        .python
        .clone()
        .or_else(|| std::env::var_os("SKILL_LSP_PYTHON").map(PathBuf::from));
    crate::source::SourceRoots::discover(Some(workspace), python.as_deref())
}

/// Reads a user's file as code (Python, a notebook's code cells, a job script), capped
/// and checked.
fn read_code(path: &std::path::Path) -> Result<crate::code::SourceFile> {
    let bytes = crate::pack::read_capped(path, crate::source::MAX_SOURCE_BYTES)
        .map_err(|why| anyhow::anyhow!("{}: {why}", path.display()))?;
    let text = String::from_utf8_lossy(&bytes).into_owned();
    crate::code::SourceFile::read_at(path, text).with_context(|| format!("{}", path.display()))
}

/// A notebook location's file and cell: `study.ipynb:3` or `study.ipynb:cell 3`.
fn split_cell(file: &std::path::Path) -> (PathBuf, Option<u32>) {
    let shown = file.to_string_lossy();
    if let Some((notebook, cell)) = shown.rsplit_once(':') {
        let cell = cell.trim().strip_prefix("cell").unwrap_or(cell).trim();
        if let Ok(cell) = cell.parse::<u32>() {
            if crate::code::FileKind::from_name(notebook, None)
                == Some(crate::code::FileKind::Notebook)
            {
                return (PathBuf::from(notebook), Some(cell));
            }
        }
    }
    (file.to_path_buf(), None)
}

fn explain(location: &str, json: bool, code: &CodeArgs, packs: &PackArgs) -> Result<ExitCode> {
    use crate::text::ColumnUnit;
    let (file, line, col) = parse_location(location)?;
    let (file, cell) = split_cell(&file);
    let read = read_code(&file)?;
    if read.cells.is_some() && cell.is_none() {
        anyhow::bail!(
            "{}: a notebook: give the cell as FILE:CELL:LINE:COL (1-based, cells counted \
             as the notebook shows them)",
            file.display()
        );
    }
    let offset = read
        .offset_of(cell, line - 1, col - 1, ColumnUnit::Chars)
        .with_context(|| {
            format!(
                "{}: line {line} is past the end of the file (or the cell)",
                file.display()
            )
        })?;
    let (catalog, workspace) = code_catalog(&file, code, packs)?;
    let roots = source_roots(&workspace, code);
    let explanation = crate::analysis::explain_at(&catalog, &read.code, offset, &roots);
    let mut out = std::io::stdout().lock();
    match (explanation, json) {
        (Some(e), true) => writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&crate::render::explanation_json(&e))?
        )?,
        (None, true) => writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&json!({"symbol": null, "keys": [], "items": []}))?
        )?,
        (Some(e), false) => {
            match crate::render::hover_markdown(&e, &crate::render::HoverOptions::default()) {
                Some(md) => write!(out, "{md}")?,
                None => writeln!(out, "`{}`: nothing in the skills applies here", e.symbol)?,
            }
        }
        (None, false) => writeln!(out, "nothing to explain at {location}")?,
    }
    Ok(ExitCode::SUCCESS)
}

/// The files to check: those given, and under each folder every file whose name says it
/// is code (`.py`, `.pyi`, `.ipynb`, `.sh`, `.slurm`, ...), as `.gitignore` and friends
/// allow.
fn code_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_file() {
            files.push(path.clone());
            continue;
        }
        if !path.is_dir() {
            anyhow::bail!("{}: no such file or directory", path.display());
        }
        for item in ignore::WalkBuilder::new(path).build() {
            let item = item.with_context(|| format!("walking {}", path.display()))?;
            if item.file_type().is_some_and(|t| t.is_file())
                && item
                    .file_name()
                    .to_str()
                    .and_then(|n| crate::code::FileKind::from_name(n, None))
                    .is_some()
            {
                files.push(item.into_path());
            }
        }
    }
    files.sort();
    Ok(files)
}

fn check(
    paths: &[PathBuf],
    format: CheckFormat,
    code: &CodeArgs,
    packs: &PackArgs,
) -> Result<ExitCode> {
    use crate::text::ColumnUnit;
    let files = code_files(paths)?;
    let anchor = paths.first().cloned().unwrap_or_else(|| PathBuf::from("."));
    let (catalog, _workspace) = code_catalog(&anchor, code, packs)?;
    // Files are independent: checked in parallel (each parse dropped once its findings
    // are located), reported in path order.
    use rayon::prelude::*;
    let per_file: Vec<Vec<crate::render::Located>> = files
        .par_iter()
        .map(|file| {
            // One unreadable file (too large, a FIFO, gone meanwhile) is reported and
            // skipped: the rest of the tree is still checked.
            let read = match read_code(file) {
                Ok(read) => read,
                Err(why) => {
                    tracing::warn!("{why:#}");
                    return Ok(Vec::new());
                }
            };
            let mut found = Vec::new();
            for site in crate::analysis::check_document(&catalog, &read.code) {
                let (cell, line, col) = read.locate(site.site.start, ColumnUnit::Chars);
                let (_, end_line, end_col) = read.locate(site.site.end, ColumnUnit::Chars);
                for finding in site.findings {
                    found.push(crate::render::Located {
                        file: file.display().to_string(),
                        cell,
                        line: line + 1,
                        column: col + 1,
                        end_line: end_line + 1,
                        end_column: end_col + 1,
                        symbol: site.site.callee.clone(),
                        finding,
                    });
                }
            }
            Ok(found)
        })
        .collect::<Result<Vec<_>>>()?;
    let located: Vec<crate::render::Located> = per_file.into_iter().flatten().collect();
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
