//! What the command-line and MCP front ends share: which packs cover a file, reading a
//! user's file, locating a position in it, and the answers of `explain`, `check`,
//! `search` and `skills` as JSON and text. The language server answers the same
//! questions through the same library calls (`analysis`, `render`), with its own
//! documents.
//!
//! Edge code: errors are `anyhow`, with the path in the message.

use crate::catalog::{Catalog, Hit, PackSource};
use crate::code::SourceFile;
use crate::matching::Explanation;
use crate::render::Located;
use crate::text::ColumnUnit;
use anyhow::{Context, Result};
use serde_json::json;
use std::path::{Path, PathBuf};

/// The workspace of a path: the nearest ancestor holding skill packs, else the nearest
/// project root (.git, pyproject.toml, setup.py), else the path's folder.
pub fn workspace_of(path: &Path) -> PathBuf {
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

/// The packs that cover code under `anchor`: `skills` when given, else the anchor's
/// workspace packs and `$SKILL_LSP_SKILLS`, else the embedded default. Also returns the
/// workspace.
pub fn sources_for(anchor: &Path, skills: &[PathBuf]) -> Result<(Vec<PackSource>, PathBuf)> {
    let workspace = workspace_of(anchor);
    let sources = crate::catalog::resolve_sources(skills, Some(&workspace))?;
    Ok((sources, workspace))
}

/// Reads a user's file as code (Python, a notebook's code cells, a job script, an input
/// file), capped and checked.
pub fn read_code(path: &Path) -> Result<SourceFile> {
    let bytes = crate::pack::read_capped(path, crate::source::MAX_SOURCE_BYTES)
        .map_err(|why| anyhow::anyhow!("{}: {why}", path.display()))?;
    let text = String::from_utf8_lossy(&bytes).into_owned();
    SourceFile::read_at(path, text).with_context(|| format!("{}", path.display()))
}

/// A notebook location's file and cell: `study.ipynb:3` or `study.ipynb:cell 3`.
pub fn split_cell(file: &Path) -> (PathBuf, Option<u32>) {
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

/// The program offset of a 1-based `line` and `column` (characters) in `cell` of `read`.
pub fn offset_in(
    read: &SourceFile,
    file: &Path,
    cell: Option<u32>,
    line: u32,
    column: u32,
) -> Result<usize> {
    if read.cells.is_some() && cell.is_none() {
        anyhow::bail!(
            "{}: a notebook: give the cell (1-based, counted as the notebook shows them)",
            file.display()
        );
    }
    if line == 0 || column == 0 {
        anyhow::bail!("line and column are 1-based, got {line}:{column}");
    }
    read.offset_of(cell, line - 1, column - 1, ColumnUnit::Chars)
        .with_context(|| {
            format!(
                "{}: line {line} is past the end of the file (or the cell)",
                file.display()
            )
        })
}

/// `explain --json`: the explanation, or the empty answer where nothing applies.
pub fn explain_json(explanation: Option<&Explanation>) -> serde_json::Value {
    match explanation {
        Some(e) => crate::render::explanation_json(e),
        None => json!({"symbol": null, "keys": [], "items": []}),
    }
}

/// `explain` as text: the hover's markdown, or one line saying nothing applies.
pub fn explain_text(explanation: Option<&Explanation>, location: &str, max_chars: usize) -> String {
    let options = crate::render::HoverOptions {
        max_chars,
        ..Default::default()
    };
    match explanation {
        Some(e) => match crate::render::hover_markdown(e, &options) {
            Some(md) => md,
            None => format!("`{}`: nothing in the skills applies here\n", e.symbol),
        },
        None => format!("nothing to explain at {location}\n"),
    }
}

/// The files to check: those given, and under each folder every file whose name says it
/// is code (`.py`, `.pyi`, `.ipynb`, `.sh`, `.slurm`, ...), as `.gitignore` and friends
/// allow.
pub fn code_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
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

/// Every finding in `files`, in path order. Files are independent: checked in parallel,
/// each parse dropped once its findings are located. An unreadable file (too large, a
/// FIFO, gone meanwhile) is logged and skipped: the rest is still checked.
pub fn check_files(catalog: &Catalog, files: &[PathBuf]) -> Vec<Located> {
    use rayon::prelude::*;
    let per_file: Vec<Vec<Located>> = files
        .par_iter()
        .map(|file| {
            let read = match read_code(file) {
                Ok(read) => read,
                Err(why) => {
                    tracing::warn!("{why:#}");
                    return Vec::new();
                }
            };
            let mut found = Vec::new();
            for site in crate::analysis::check_document(catalog, &read.code) {
                let name = answering_offset(catalog, &read, &site.site, &site.findings);
                let (cell, line, col) = read.locate(name, ColumnUnit::Chars);
                let (_, end_line, end_col) = read.locate(site.site.end, ColumnUnit::Chars);
                for finding in site.findings {
                    found.push(Located {
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
            found
        })
        .collect();
    per_file.into_iter().flatten().collect()
}

/// Where `explain` answers with a site's findings, so that `check`'s column can be pasted
/// into `explain`: the called name (`continuerun` in `n.continuerun`, in languages with
/// dotted calls), else the callee's start, else the keyword or value that carries the key
/// (`"OMP_NUM_THREADS"` in `os.environ["OMP_NUM_THREADS"] = "1"`).
fn answering_offset(
    catalog: &Catalog,
    read: &SourceFile,
    site: &crate::code::CallSite,
    findings: &[crate::matching::Finding],
) -> usize {
    use crate::code::FileKind;
    let dotted = matches!(
        read.kind,
        FileKind::Python | FileKind::Notebook | FileKind::Julia | FileKind::Cpp
    );
    let name = if dotted {
        site.name_start(read.code.source())
    } else {
        site.start
    };
    let mut candidates = vec![name, site.start];
    for keyword in &site.keywords {
        candidates.push(keyword.start);
        candidates.extend(keyword.values.iter().map(|v| v.start));
    }
    // Sources are not needed to know which pitfalls show.
    let no_sources = crate::source::SourceRoots::default();
    let shows_all = |offset: usize| {
        crate::analysis::explain_at(catalog, &read.code, offset, &no_sources).is_some_and(|e| {
            findings
                .iter()
                .all(|f| e.items.iter().any(|i| i.entry == Some(f.entry)))
        })
    };
    candidates
        .iter()
        .copied()
        .find(|&offset| shows_all(offset))
        .unwrap_or(name)
}

/// `skills --json`: every skill with its counts, and the packs' problems.
pub fn skills_json(catalog: &Catalog) -> serde_json::Value {
    use crate::model::EntryKind;
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
    json!({"skills": skills, "problems": problems})
}

/// `skills` as text: a line per pack, a line per skill.
pub fn skills_text(catalog: &Catalog) -> String {
    use crate::model::EntryKind;
    let mut out = String::new();
    for pack in &catalog.packs {
        let source = if pack.embedded {
            "embedded"
        } else {
            pack.root.as_str()
        };
        out.push_str(&format!(
            "{} ({} skills) {source}\n",
            pack.name,
            pack.skills.len()
        ));
        for s in &pack.skills {
            out.push_str(&format!(
                "  {:<40} {:>3} pitfalls {:>4} entries  {}\n",
                s.name,
                s.count(EntryKind::Pitfall),
                s.entries.len(),
                s.file
            ));
        }
    }
    out
}

/// One search hit as `search --json` prints it.
pub fn hit_json(catalog: &Catalog, hit: &Hit) -> serde_json::Value {
    let (pack, skill, entry) = catalog.entry(hit.id);
    json!({
        "kind": entry.kind,
        "pack": pack.name,
        "skill": skill.name,
        "text": entry.text,
        "file": entry.file,
        "line": entry.line,
        "score": hit.score,
        "section": entry.section,
        "paths": entry.cited_paths,
    })
}

/// One search hit as a line: kind, skill, the text cut to 120 characters, where.
pub fn hit_text(catalog: &Catalog, hit: &Hit) -> String {
    let (_, skill, entry) = catalog.entry(hit.id);
    let text: String = entry.text.split_whitespace().collect::<Vec<_>>().join(" ");
    let text = if text.chars().count() > 120 {
        format!("{}…", text.chars().take(119).collect::<String>())
    } else {
        text
    };
    format!(
        "{:<12} {:<28} {}  {}:{}\n",
        entry.kind.as_str(),
        skill.name,
        text,
        entry.file,
        entry.line
    )
}
