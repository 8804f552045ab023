//! Every pack of ../shared/corpus parses, and the counts the binary reports agree with
//! counts derived here, independently, from the files' lines.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

#[derive(Debug, Default, PartialEq, Clone, Copy)]
struct Counts {
    pitfalls: u64,
    doc_map: u64,
    source_map: u64,
}

/// A pitfall heading, or one naming what goes wrong ("Socket stalls or deadlocks",
/// "Driver errors", "Known issues"): its items are pitfalls.
fn is_pitfall_title(title: &str) -> bool {
    let t = title.to_lowercase();
    let words: Vec<&str> = t
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let joined = words.join(" ");
    [
        "pitfall",
        "failure signature",
        "common bugs",
        "caveat",
        "gotcha",
        "known issue",
        "common mistake",
        "troubleshoot",
    ]
    .iter()
    .any(|p| joined.contains(p))
        || words.iter().any(|w| {
            matches!(
                *w,
                "trap"
                    | "traps"
                    | "stall"
                    | "stalls"
                    | "deadlock"
                    | "deadlocks"
                    | "mismatch"
                    | "mismatches"
                    | "errors"
                    | "crash"
                    | "crashes"
                    | "diverges"
                    | "divergence"
                    | "failures"
                    | "fails"
                    | "hangs"
            )
        })
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

fn is_bullet(line: &str) -> bool {
    let t = line.trim_start();
    t.starts_with("- ")
        || t.starts_with("* ")
        || t.split_once(". ")
            .is_some_and(|(n, _)| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
}

/// A bullet's text that forbids something ("Never ...", "Do not ...", "Avoid ..."): a
/// pitfall under any heading.
fn forbids(text: &str) -> bool {
    ["Never ", "Do not ", "Don't ", "Do NOT ", "Avoid "]
        .iter()
        .any(|p| text.trim_start().starts_with(p))
}

/// The text of a bullet line after its marker (`- `, `* `, `1. `), else the line.
fn bullet_body(line: &str) -> &str {
    let t = line.trim_start();
    if let Some(r) = t.strip_prefix("- ").or_else(|| t.strip_prefix("* ")) {
        return r;
    }
    match t.split_once(". ") {
        Some((n, r)) if !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()) => r,
        _ => t,
    }
}

/// Pitfalls by lines: top-level bullets under a pitfall heading (a `label:` bullet counts
/// its nested bullets instead), the nested bullets or indented lines under a
/// `- Pitfalls...:` label bullet anywhere, and elsewhere the top-level bullets (or the
/// lines under any other label) that forbid something.
fn count_pitfalls(text: &str) -> u64 {
    let mut count = 0;
    let mut in_heading = false;
    let mut in_fence = false;
    // Inside a label bullet: whether it is a pitfall label, and the indent of its first
    // child, once seen.
    let mut label: Option<(bool, Option<usize>)> = None;
    let lines: Vec<&str> = text.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        if line.trim_start().starts_with("```") {
            in_fence = !in_fence;
            continue;
        }
        if in_fence || line.trim().is_empty() {
            continue;
        }
        if line.starts_with('#') {
            in_heading = is_pitfall_title(line.trim_start_matches('#'));
            label = None;
            continue;
        }
        if indent(line) == 0 {
            label = None;
            if !is_bullet(line) {
                continue;
            }
            let body = bullet_body(line).trim_end();
            let has_body = lines
                .get(i + 1)
                .is_some_and(|next| !next.trim().is_empty() && indent(next) > 0);
            if body.ends_with(':') && has_body {
                label = Some((in_heading || is_pitfall_title(body), None));
            } else if (in_heading && !body.ends_with(':')) || (!in_heading && forbids(body)) {
                count += 1;
            }
            continue;
        }
        if let Some((pitfalls, child_indent)) = &mut label {
            let ind = indent(line);
            let first = child_indent.is_none();
            if first {
                *child_indent = Some(ind);
            }
            if first || Some(ind) == *child_indent {
                let warns = forbids(bullet_body(line));
                count += u64::from(*pitfalls || warns);
            }
        }
    }
    count
}

/// `path` when `item` (a list item's text) starts with a path in backticks (no spaces; a
/// `/` or a file extension of one case, at most 8 characters), then nothing (a file only,
/// not a bare folder), or a description after `|`, `:`, `-`, a dash or `(`.
fn inventory_path(item: &str) -> Option<&str> {
    let code = item.trim_start().strip_prefix('`')?;
    let end = code.find('`')?;
    let (path, rest) = (&code[..end], code[end + 1..].trim());
    let file_name = path.rsplit('/').next().unwrap_or("");
    let is_file = !path.ends_with('/')
        && file_name.rsplit_once('.').is_some_and(|(stem, ext)| {
            !stem.is_empty()
                && (1..=8).contains(&ext.len())
                && (ext
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
                    || ext
                        .bytes()
                        .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()))
        });
    if path.is_empty() || path.contains(' ') || !(path.contains('/') || is_file) {
        return None;
    }
    let described = ["|", ":", "-", "(", "\u{2014}", "\u{2013}"]
        .iter()
        .any(|sep| rest.starts_with(sep));
    ((rest.is_empty() && is_file) || described).then_some(path)
}

/// The text of a list item line (`- x`, `* x`, `1. x`), at any indent.
fn item_text(line: &str) -> Option<&str> {
    let t = line.trim_start();
    if let Some(r) = t.strip_prefix("- ").or_else(|| t.strip_prefix("* ")) {
        return Some(r);
    }
    let (n, r) = t.split_once(". ")?;
    (!n.is_empty() && n.chars().all(|c| c.is_ascii_digit())).then_some(r)
}

/// Inventory entries by lines. A top-level item that is an inventory line counts once.
/// A top-level label item (`- Label:`) with indented lines below counts, instead, each
/// indented line or child item at the first child's indent that is an inventory line; a
/// label that is itself a path (`` - `README.md`: ``) counts once for its description.
/// Lines under a "topic query tokens" heading are tokens, not entries.
fn count_inventory(text: &str) -> u64 {
    let mut in_fence = false;
    let mut in_tokens = false;
    let mut count = 0;
    let lines: Vec<&str> = text.lines().collect();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        i += 1;
        if line.trim_start().starts_with("```") {
            in_fence = !in_fence;
            continue;
        }
        if in_fence || indent(line) > 0 {
            continue;
        }
        if let Some(title) = line.strip_prefix('#') {
            in_tokens = title.to_lowercase().contains("topic query tokens");
            continue;
        }
        let Some(item) = item_text(line) else {
            continue;
        };
        if in_tokens {
            continue;
        }
        let body: Vec<&str> = lines[i..]
            .iter()
            .take_while(|l| !l.trim().is_empty() && indent(l) > 0)
            .copied()
            .collect();
        let is_label = item.trim_end().ends_with(':') && !body.is_empty();
        if !is_label {
            count += u64::from(inventory_path(item).is_some());
            continue;
        }
        let label = item.trim_end().trim_end_matches(':').trim();
        if label.starts_with('`') && label.ends_with('`') && inventory_path(label).is_some() {
            count += 1;
            continue;
        }
        let child_indent = indent(body[0]);
        for l in body.iter().filter(|l| indent(l) == child_indent) {
            let text = item_text(l).unwrap_or(l.trim());
            count += u64::from(inventory_path(text).is_some());
        }
    }
    count
}

fn expected(skills_dir: &Path) -> BTreeMap<String, Counts> {
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(skills_dir).unwrap().flatten() {
        let dir = entry.path();
        let name = entry.file_name().to_string_lossy().to_string();
        let skill_md = dir.join("SKILL.md");
        if name.starts_with('.') || !skill_md.is_file() {
            continue;
        }
        let read = |p: &Path| std::fs::read_to_string(p).unwrap_or_default();
        let mut counts = Counts {
            pitfalls: count_pitfalls(&read(&skill_md)),
            ..Counts::default()
        };
        counts.doc_map = count_inventory(&read(&dir.join("references/doc_map.md")));
        counts.source_map = count_inventory(&read(&dir.join("references/source_map.md")));
        if let Ok(refs) = std::fs::read_dir(dir.join("references")) {
            for r in refs.flatten() {
                let f = r.file_name().to_string_lossy().to_string();
                if f.ends_with(".md") && f != "doc_map.md" && f != "source_map.md" {
                    counts.pitfalls += count_pitfalls(&read(&r.path()));
                }
            }
        }
        out.insert(name, counts);
    }
    out
}

#[test]
fn every_corpus_pack_parses_with_independent_counts() {
    let corpus = corpus_or_skip!();
    let cache = tempfile::tempdir().unwrap();
    let mut packs = 0;
    let mut mismatches = Vec::new();
    for pack in std::fs::read_dir(&corpus).unwrap().flatten() {
        let skills_dir = pack.path().join("skills");
        if !skills_dir.is_dir() {
            continue;
        }
        packs += 1;
        let out = common::run(
            &["skills", "--json", pack.path().to_str().unwrap()],
            &corpus,
            cache.path(),
        );
        let json = common::json_of(&out);
        let mut got = BTreeMap::new();
        for s in json["skills"].as_array().unwrap() {
            let folder = Path::new(s["file"].as_str().unwrap())
                .parent()
                .unwrap()
                .file_name()
                .unwrap()
                .to_string_lossy()
                .to_string();
            got.insert(
                folder,
                Counts {
                    pitfalls: s["pitfalls"].as_u64().unwrap(),
                    doc_map: s["doc_map"].as_u64().unwrap(),
                    source_map: s["source_map"].as_u64().unwrap(),
                },
            );
        }
        let want = expected(&skills_dir);
        assert_eq!(
            got.keys().collect::<Vec<_>>(),
            want.keys().collect::<Vec<_>>(),
            "skills of {}",
            pack.path().display()
        );
        for (name, counts) in &want {
            if &got[name] != counts {
                mismatches.push(format!(
                    "{name} in {}: binary {:?}, lines {counts:?}",
                    pack.path().display(),
                    got[name]
                ));
            }
        }
        let errors: Vec<_> = json["problems"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["severity"] == "error")
            .collect();
        assert!(errors.is_empty(), "{errors:?}");
    }
    assert!(
        mismatches.is_empty(),
        "{} skills differ:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
    assert!(packs >= 29, "expected the 29 corpus packs, found {packs}");
}

#[test]
fn corpus_has_pitfalls_docs_and_sources() {
    let corpus = corpus_or_skip!();
    let want = expected(&corpus.join("ase/skills"));
    let hpc = want["ase-parallel-hpc"];
    assert_eq!(
        hpc,
        Counts {
            pitfalls: 5,
            doc_map: 3,
            source_map: 30
        }
    );
    let want = expected(&corpus.join("openmx/skills"));
    assert!(want.values().map(|c| c.pitfalls).sum::<u64>() > 20);
}
