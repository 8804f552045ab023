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
    #[command(subcommand)]
    command: Command,
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

#[derive(Subcommand)]
enum Command {
    /// Build or refresh the index of the packs in DIR... (or the workspace's, else the embedded default).
    Index {
        dirs: Vec<PathBuf>,
        #[command(flatten)]
        packs: PackArgs,
    },
    /// List the packs and skills found, with counts.
    Skills {
        dirs: Vec<PathBuf>,
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        packs: PackArgs,
    },
    /// Search the knowledge base: symbols and full text together, best first.
    Search {
        query: String,
        dirs: Vec<PathBuf>,
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
        Err(err) => {
            eprintln!("skill-lsp: error: {err:#}");
            ExitCode::from(2)
        }
    }
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("SKILL_LSP_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .try_init();
}

fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Index { dirs, packs } => {
            let (catalog, report) = load(&dirs, &packs, true)?;
            print_index_report(&catalog, &report);
            Ok(ExitCode::SUCCESS)
        }
        Command::Skills { dirs, json, packs } => {
            let (catalog, _) = load(&dirs, &packs, false)?;
            print_skills(&catalog, json)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Search {
            query,
            dirs,
            json,
            limit,
            packs,
        } => {
            let (catalog, _) = load(&dirs, &packs, false)?;
            let hits = catalog.search(&query, limit)?;
            print_hits(&catalog, &hits, json)?;
            Ok(ExitCode::SUCCESS)
        }
    }
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
            "{} problems in the skill packs; `skill-lsp index` lists them",
            catalog.problems.len()
        );
    }
    Ok((catalog, report))
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
        "{} packs, {} skills, {} entries, {} symbols, {} problems ({} errors, {} warnings) in {:.1} ms ({} reused, {} rebuilt)",
        catalog.packs.len(),
        skills,
        catalog.entry_count(),
        catalog.symbol_count(),
        errors + warnings,
        errors,
        warnings,
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
