//! Rendering: hover markdown (a conservative CommonMark subset every client renders: no
//! HTML, no tables), plain text, JSON, and `check` output (text, JSON, SARIF 2.1.0).

use crate::matching::{Explanation, Finding, Item, ItemKind};
use serde_json::json;

/// Which sections a hover shows, and how long it may get.
#[derive(Debug, Clone)]
pub struct HoverOptions {
    pub pitfalls: bool,
    pub notes: bool,
    pub docs: bool,
    pub sources: bool,
    pub related: bool,
    pub max_chars: usize,
}

impl Default for HoverOptions {
    fn default() -> Self {
        HoverOptions {
            pitfalls: true,
            notes: true,
            docs: true,
            sources: true,
            related: true,
            max_chars: 4000,
        }
    }
}

/// A file's `file://` URL, percent-encoded by the same encoder the language server's
/// URIs use (`#`, `%`, `?`, spaces, non-ASCII), or `None` for a path that is not
/// absolute.
pub fn file_url(path: &str) -> Option<String> {
    if !path.starts_with('/') {
        return None;
    }
    tower_lsp_server::ls_types::Uri::from_file_path(path).map(|uri| uri.to_string())
}

/// A `file://` link for local files (at `line` past the first), nothing for embedded ones.
pub fn file_link(file: &str, line: u32) -> Option<String> {
    if file.is_empty() || file.starts_with("embedded:") {
        return None;
    }
    let url = file_url(file)?;
    Some(if line > 1 {
        format!("{url}#L{line}")
    } else {
        url
    })
}

/// Pack text on one line, at most `max` characters, with raw HTML neutralised.
fn one_line(text: &str, max: usize) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let flat = if flat.chars().count() <= max {
        flat
    } else {
        format!("{}…", flat.chars().take(max - 1).collect::<String>())
    };
    escape_html(&flat)
}

/// `<` and `>` outside inline code as entities: a pack's `<script>`, `<img src=...>` or
/// `<a href="command:...">` shows as text in every client, never as HTML. Inside code
/// spans they are literal already (and an entity there would show as `&lt;`).
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut fence: Option<usize> = None;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '`' {
            let mut run = 1;
            while chars.peek() == Some(&'`') {
                chars.next();
                run += 1;
            }
            fence = match fence {
                None if text_has_closing(&chars, run) => Some(run),
                Some(open) if open == run => None,
                other => other,
            };
            out.extend(std::iter::repeat_n('`', run));
            continue;
        }
        match (c, fence) {
            ('<', None) => out.push_str("&lt;"),
            ('>', None) => out.push_str("&gt;"),
            _ => out.push(c),
        }
    }
    out
}

/// Whether a backtick run of length `run` closes later in the rest of the text (an
/// unclosed backtick opens no code span).
fn text_has_closing(rest: &std::iter::Peekable<std::str::Chars<'_>>, run: usize) -> bool {
    let rest: String = rest.clone().collect();
    let fence = "`".repeat(run);
    rest.match_indices(&fence)
        .any(|(i, _)| !rest[i + run..].starts_with('`') && (i == 0 || !rest[..i].ends_with('`')))
}

fn path_line(item: &Item) -> String {
    let path = item.path.as_deref().unwrap_or(&item.text);
    match (item.resolved, file_link(&item.file, item.line)) {
        (true, Some(link)) => format!("[`{path}`]({link})"),
        _ => format!("`{path}`"),
    }
}

/// Hover markdown, or `None` when nothing applies (a null hover, not an empty popup).
pub fn hover_markdown(explanation: &Explanation, options: &HoverOptions) -> Option<String> {
    let shown = |k: ItemKind| match k {
        ItemKind::Pitfall => options.pitfalls,
        ItemKind::Note => options.notes,
        ItemKind::Doc => options.docs,
        ItemKind::Source => options.sources,
        ItemKind::Related => options.related,
        ItemKind::Example => false,
    };
    let items: Vec<&Item> = explanation.items.iter().filter(|i| shown(i.kind)).collect();
    if items.is_empty() {
        return None;
    }
    let mut out = String::new();
    let skills: Vec<&str> = explanation.skills.iter().map(|s| s.name.as_str()).collect();
    out.push_str(&format!("**`{}`**", explanation.symbol));
    if !skills.is_empty() {
        out.push_str(&format!(" · skill `{}`", skills.join("`, `")));
    }
    out.push('\n');
    let sections: [(ItemKind, &str); 5] = [
        (ItemKind::Pitfall, "Pitfalls"),
        (ItemKind::Note, "Notes"),
        (ItemKind::Doc, "Docs"),
        (ItemKind::Source, "Source entry points"),
        (ItemKind::Related, "Related (does not apply here)"),
    ];
    for (kind, title) in sections {
        let section: Vec<&&Item> = items.iter().filter(|i| i.kind == kind).collect();
        if section.is_empty() {
            continue;
        }
        let mut block = format!("\n**{title}**\n\n");
        for (n, item) in section.iter().enumerate() {
            let line = match kind {
                ItemKind::Pitfall | ItemKind::Note => {
                    format!("- {} — *{}*\n", one_line(&item.text, 420), item.skill)
                }
                ItemKind::Related => format!(
                    "- {} — *{}: {}*\n",
                    one_line(&item.text, 300),
                    item.skill,
                    item.reason
                ),
                ItemKind::Doc => {
                    let title = if item.text.is_empty() {
                        String::new()
                    } else {
                        format!(" — {}", one_line(&item.text, 80))
                    };
                    format!("- {}{title}\n", path_line(item))
                }
                ItemKind::Source => format!("{}. {}\n", n + 1, path_line(item)),
                ItemKind::Example => String::new(),
            };
            if out.len() + block.len() + line.len() > options.max_chars {
                block.push_str("- …\n");
                break;
            }
            block.push_str(&line);
        }
        out.push_str(&block);
    }
    if let Some(skill) = explanation.skills.first() {
        let link = file_link(&skill.file, skill.line);
        let skill_md = match link {
            Some(l) => format!("[{}]({l})", skill.name),
            None => format!("`{}`", skill.name),
        };
        out.push_str(&format!("\nSkill: {skill_md}\n"));
    }
    Some(out)
}

/// `explain --json`.
pub fn explanation_json(explanation: &Explanation) -> serde_json::Value {
    json!({
        "symbol": explanation.symbol,
        "keys": explanation.keys,
        "items": explanation.items,
        "skills": explanation.skills,
    })
}

/// One finding of `check`, located in a user's file.
#[derive(Debug, Clone)]
pub struct Located {
    pub file: String,
    /// The 1-based cell of a notebook; lines and columns are then the cell's.
    pub cell: Option<u32>,
    /// 1-based line and column (columns count characters).
    pub line: u32,
    pub column: u32,
    pub end_line: u32,
    pub end_column: u32,
    pub symbol: String,
    pub finding: Finding,
}

pub fn finding_message(finding: &Finding) -> String {
    one_line(&finding.text.replace('`', ""), 300)
}

pub fn check_text(findings: &[Located]) -> String {
    findings
        .iter()
        .map(|f| {
            let cell = f.cell.map(|c| format!(":cell {c}")).unwrap_or_default();
            format!(
                "{}{cell}:{}:{}: {}: {}\n",
                f.file,
                f.line,
                f.column,
                f.finding.skill,
                finding_message(&f.finding)
            )
        })
        .collect()
}

pub fn check_json(findings: &[Located]) -> serde_json::Value {
    json!({
        "findings": findings.iter().map(|f| json!({
            "file": f.file,
            "cell": f.cell,
            "line": f.line,
            "column": f.column,
            "end_line": f.end_line,
            "end_column": f.end_column,
            "symbol": f.symbol,
            "skill": f.finding.skill,
            "pack": f.finding.pack,
            "message": finding_message(&f.finding),
            "text": f.finding.text,
            "reason": f.finding.reason,
            "skill_file": f.finding.skill_file,
            "skill_line": f.finding.skill_line,
        })).collect::<Vec<_>>()
    })
}

/// SARIF 2.1.0: one rule per skill, one result per finding.
pub fn check_sarif(findings: &[Located]) -> serde_json::Value {
    let mut rules: Vec<&str> = findings.iter().map(|f| f.finding.skill.as_str()).collect();
    rules.sort();
    rules.dedup();
    let rule_objects: Vec<_> = rules
        .iter()
        .map(|r| {
            json!({
                "id": r,
                "name": r,
                "shortDescription": {"text": format!("Pitfalls from the `{r}` skill")},
                "defaultConfiguration": {"level": "note"},
            })
        })
        .collect();
    let results: Vec<_> = findings
        .iter()
        .map(|f| {
            json!({
                "ruleId": f.finding.skill,
                "ruleIndex": rules.iter().position(|r| *r == f.finding.skill).unwrap_or(0),
                "level": "note",
                "message": {"text": finding_message(&f.finding)},
                "locations": sarif_location(&f.file, (f.line, f.column), (f.end_line, f.end_column)),
                // A notebook's region is in its cell: the cell rides along as a property.
                "properties": {"symbol": f.symbol, "cell": f.cell, "reason": f.finding.reason, "skillFile": f.finding.skill_file, "skillLine": f.finding.skill_line},
            })
        })
        .collect();
    sarif_log(rule_objects, results)
}

/// A SARIF 2.1.0 log of one skill-lsp run.
fn sarif_log(rules: Vec<serde_json::Value>, results: Vec<serde_json::Value>) -> serde_json::Value {
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "skill-lsp",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    })
}

/// A SARIF location: a file and a 1-based region.
fn sarif_location(
    file: &str,
    (line, column): (u32, u32),
    (end_line, end_column): (u32, u32),
) -> serde_json::Value {
    json!([{
        "physicalLocation": {
            "artifactLocation": {"uri": uri_of(file)},
            "region": {
                "startLine": line,
                "startColumn": column,
                "endLine": end_line,
                "endColumn": end_column,
            }
        }
    }])
}

/// `skill-lsp lint` findings: `FILE:LINE:COL: rule: message`.
pub fn lint_text(findings: &[crate::lint::LintFinding]) -> String {
    findings
        .iter()
        .map(|f| {
            format!(
                "{}:{}:{}: {}: {}\n",
                f.file.display(),
                f.line,
                f.column,
                f.rule,
                one_line(&f.message, 300)
            )
        })
        .collect()
}

fn lint_level(severity: crate::model::Severity) -> &'static str {
    match severity {
        crate::model::Severity::Error => "error",
        crate::model::Severity::Warning => "warning",
    }
}

pub fn lint_json(findings: &[crate::lint::LintFinding]) -> serde_json::Value {
    json!({
        "findings": findings.iter().map(|f| json!({
            "file": f.file.display().to_string(),
            "line": f.line,
            "column": f.column,
            "end_line": f.end_line,
            "end_column": f.end_column,
            "rule": f.rule,
            "severity": lint_level(f.severity),
            "message": f.message,
        })).collect::<Vec<_>>()
    })
}

/// SARIF 2.1.0: one rule per kind of finding.
pub fn lint_sarif(findings: &[crate::lint::LintFinding]) -> serde_json::Value {
    const RULES: [(&str, &str); 3] = [
        (
            "dead-path",
            "A cited path the pack's repository does not have",
        ),
        (
            "broken-link",
            "A markdown link to a file the pack does not have",
        ),
        ("pack-problem", "A problem found while reading the pack"),
    ];
    let results: Vec<_> = findings
        .iter()
        .map(|f| {
            json!({
                "ruleId": f.rule,
                "ruleIndex": RULES.iter().position(|(r, _)| *r == f.rule).unwrap_or(0),
                "level": lint_level(f.severity),
                "message": {"text": one_line(&f.message, 300)},
                "locations": sarif_location(
                    &f.file.display().to_string(),
                    (f.line, f.column),
                    (f.end_line, f.end_column),
                ),
            })
        })
        .collect();
    let rules = RULES
        .iter()
        .map(|(id, text)| {
            json!({
                "id": id, "name": id, "shortDescription": {"text": text},
                "defaultConfiguration": {"level": "warning"},
            })
        })
        .collect();
    sarif_log(rules, results)
}

fn uri_of(file: &str) -> String {
    file_url(file).unwrap_or_else(|| file.replace('\\', "/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_html_is_text_and_code_stays_code() {
        assert_eq!(
            escape_html("Use <script>x</script> and `a<b>` or ``c `<d>` e``"),
            "Use &lt;script&gt;x&lt;/script&gt; and `a<b>` or ``c `<d>` e``"
        );
        assert_eq!(escape_html("a ` <img> b"), "a ` &lt;img&gt; b");
    }

    #[test]
    fn links_encode_what_a_url_path_cannot_hold() {
        let link = file_link("/w/my pack/#1 100% (a)?/é.md", 7).unwrap();
        assert_eq!(
            link,
            "file:///w/my%20pack/%231%20100%25%20%28a%29%3F/%C3%A9.md#L7"
        );
        assert_eq!(file_link("embedded:ase/SKILL.md", 1), None);
        assert_eq!(file_link("relative/x.md", 1), None);
        assert_eq!(uri_of("relative\\x.py"), "relative/x.py");
    }
}
