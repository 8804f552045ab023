//! `skill-lsp lint`: what a skill author should fix in a pack, by the rules the language
//! server applies to the skill files of the workspace's own packs: cited paths the
//! repository does not have (`skill_lint::cited_paths`, which knows paths relative to the
//! skill's folder), markdown links to files that are not there, the problems found
//! while reading the pack, and pitfalls that name no API in inline code (a hover can
//! reach those only by their words, so editors and agents rarely show them).

use crate::catalog::Catalog;
use crate::model::{EntryKind, Pack, Severity, SymbolKind};
use crate::skill_lint::cited_paths;
use pulldown_cmark::{Event, Parser, Tag};
use std::path::{Path, PathBuf};

/// One thing to fix, at a 1-based line and column (characters) of a skill file.
#[derive(Debug, Clone, PartialEq)]
pub struct LintFinding {
    pub file: PathBuf,
    pub line: u32,
    pub column: u32,
    pub end_line: u32,
    pub end_column: u32,
    /// `dead-path`, `broken-link`, `pack-problem` or `unlinked-pitfall`.
    pub rule: &'static str,
    pub severity: Severity,
    pub message: String,
}

/// Reference files read per skill at most (a `references/` folder of thousands is no
/// playbook).
const MAX_REFERENCE_FILES: usize = 200;

/// The findings of every pack of `catalog` read from disk (the embedded packs are this
/// project's own), in file and line order.
pub fn lint(catalog: &Catalog) -> Vec<LintFinding> {
    let mut out = Vec::new();
    for pack in catalog.packs.iter().filter(|p| !p.embedded) {
        for file in skill_files(pack) {
            let Ok(bytes) = crate::pack::read_in_root(
                &file,
                Path::new(&pack.root),
                crate::pack::MAX_FILE_BYTES,
            ) else {
                continue;
            };
            let text = String::from_utf8_lossy(&bytes);
            lint_file(catalog, pack, &file, &text, &mut out);
        }
    }
    out.sort_by(|a, b| (&a.file, a.line, a.column).cmp(&(&b.file, b.line, b.column)));
    out.dedup();
    out
}

/// A pack's SKILL.md files and the markdown files of their `references/` folders.
fn skill_files(pack: &Pack) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for skill in &pack.skills {
        let skill_md = PathBuf::from(&skill.file);
        if let Some(references) = skill_md.parent().map(|d| d.join("references")) {
            let mut refs: Vec<PathBuf> = std::fs::read_dir(&references)
                .into_iter()
                .flatten()
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "md"))
                .take(MAX_REFERENCE_FILES)
                .collect();
            refs.sort();
            files.push(skill_md);
            files.extend(refs);
        }
    }
    files
}

/// Whether a pitfall names nothing a call site, a job script or an input file can be
/// keyed by (paths say where to read, not what the pitfall is about).
fn names_no_api(entry: &crate::model::Entry) -> bool {
    entry.symbols.iter().all(|s| s.kind == SymbolKind::Path)
}

fn lint_file(catalog: &Catalog, pack: &Pack, file: &Path, text: &str, out: &mut Vec<LintFinding>) {
    let at = |rule, severity, start: usize, end: usize, message: String| {
        let (line, column) = line_column(text, start);
        let (end_line, end_column) = line_column(text, end);
        LintFinding {
            file: file.to_path_buf(),
            line,
            column,
            end_line,
            end_column,
            rule,
            severity,
            message,
        }
    };
    let real = file.canonicalize().unwrap_or_else(|_| file.to_path_buf());
    let root = Path::new(&pack.root).canonicalize().ok();
    for cited in cited_paths(catalog, pack, &real, text) {
        if cited.exists == Some(false) {
            out.push(at(
                "dead-path",
                Severity::Warning,
                cited.start,
                cited.end,
                format!("`{}` does not exist in this pack's repository", cited.path),
            ));
        }
    }
    for (event, range) in Parser::new(text).into_offset_iter() {
        let Event::Start(Tag::Link { dest_url, .. }) = event else {
            continue;
        };
        if let Some(target) = local_target(&dest_url) {
            // Relative to the file, as markdown resolves it (`../other/SKILL.md` too), and
            // inside the pack's repository: only looked at, never read.
            let folder = real.parent().unwrap_or(Path::new("."));
            let found = root
                .as_deref()
                .and_then(|root| crate::pack::resolve_from(folder, target, root));
            if found.is_none() {
                out.push(at(
                    "broken-link",
                    Severity::Warning,
                    range.start,
                    range.end,
                    format!("the link to `{target}` points at no file of this pack"),
                ));
            }
        }
    }
    let shown = file.display().to_string();
    // Findings about a whole line (the entry's or the problem's first), at column 1.
    let on_line = |line: u32, rule, severity, message: String| {
        let line = line.max(1);
        LintFinding {
            file: file.to_path_buf(),
            line,
            column: 1,
            end_line: line,
            end_column: 1,
            rule,
            severity,
            message,
        }
    };
    for entry in pack
        .skills
        .iter()
        .flat_map(|s| &s.entries)
        .filter(|e| e.file == shown && e.kind == EntryKind::Pitfall && names_no_api(e))
    {
        out.push(on_line(
            entry.line,
            "unlinked-pitfall",
            Severity::Warning,
            "this pitfall names no API in inline code (a function, keyword, value, \
             environment variable, command, flag or input keyword): hovers and `check` \
             reach it only by its words; name what it is about, e.g. `pkg.func(kw=...)`"
                .to_string(),
        ));
    }
    for problem in catalog.problems.iter().filter(|p| p.file == shown) {
        out.push(on_line(
            problem.line,
            "pack-problem",
            problem.severity,
            problem.message.clone(),
        ));
    }
}

/// The file a markdown link points at inside the repository: not a URL, a mail address,
/// an anchor on the same page or an absolute path; without its `#anchor` or `?query`.
fn local_target(dest: &str) -> Option<&str> {
    let dest = dest.trim();
    let has_scheme = dest.split_once(':').is_some_and(|(scheme, _)| {
        !scheme.is_empty()
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    });
    if dest.is_empty() || has_scheme || dest.starts_with(['#', '/', '~', '<']) {
        return None;
    }
    let path = dest.split(['#', '?']).next().unwrap_or(dest);
    (!path.is_empty()).then_some(path)
}

/// 1-based line and column (characters) of byte `offset` in `text`.
fn line_column(text: &str, offset: usize) -> (u32, u32) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() as u32 + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() as u32 + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn which_links_point_into_the_repository() {
        assert_eq!(
            local_target("references/doc_map.md#io"),
            Some("references/doc_map.md")
        );
        assert_eq!(local_target("../other/SKILL.md"), Some("../other/SKILL.md"));
        assert_eq!(local_target("https://example.org/x.md"), None);
        assert_eq!(local_target("mailto:a@b.c"), None);
        assert_eq!(local_target("#pitfalls"), None);
        assert_eq!(local_target("~/notes.md"), None);
        assert_eq!(line_column("ab\ncdé f", 8), (2, 5));
    }
}
