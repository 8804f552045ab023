//! references/*.md: doc maps and source maps are line-oriented inventories; every other
//! reference file (test and tutorial maps, runbooks) is playbook markdown.

use super::markdown::{self, LineIndex};
use crate::model::{Entry, EntryKind, Symbol, SymbolKind};

/// Reads one reference file into entries.
pub fn read(text: &str, file: &str, file_name: &str) -> Vec<Entry> {
    let lines = LineIndex::new(text, 1);
    match file_name {
        "doc_map.md" => inventory(text, file, &lines, EntryKind::DocMap),
        "source_map.md" => inventory(text, file, &lines, EntryKind::SourceMap),
        "test_map.md" => markdown::read(text, file, &lines, EntryKind::TestMap).entries,
        "tutorial_map.md" => markdown::read(text, file, &lines, EntryKind::TutorialMap).entries,
        _ => markdown::read(text, file, &lines, EntryKind::Reference).entries,
    }
}

/// A doc map or source map: inventory lines become `kind` entries in rank order, topic
/// tokens become `TopicToken`, and the rest is kept as reference text.
fn inventory(text: &str, file: &str, lines: &LineIndex, kind: EntryKind) -> Vec<Entry> {
    let mut entries = markdown::read(text, file, lines, EntryKind::Reference).entries;
    let mut rank = 0;
    for entry in &mut entries {
        if entry.section.to_lowercase().contains("topic query tokens") {
            entry.kind = EntryKind::TopicToken;
            continue;
        }
        // Only inventory lines are the map's entries; the rest is the map's own prose.
        entry.kind = EntryKind::Reference;
        if let Some(fields) = inventory_line(&entry.text) {
            rank += 1;
            entry.kind = kind;
            entry.rank = Some(rank);
            entry.cited_paths = vec![fields.path.to_string()];
            for (key, value) in fields.fields {
                match key {
                    "title" => entry.title = Some(value.to_string()),
                    "headings" => {
                        entry.headings = value
                            .split(';')
                            .map(str::trim)
                            .filter(|h| !h.is_empty())
                            .map(str::to_string)
                            .collect()
                    }
                    "score" => entry.score = value.parse().ok(),
                    "matched tokens" => entry.title = Some(value.to_string()),
                    "symbols" => entry.symbols.extend(
                        value
                            .split(',')
                            .map(|s| s.trim().trim_matches('`'))
                            .filter(|s| !s.is_empty())
                            .map(|s| Symbol::new(SymbolKind::Qualified, s)),
                    ),
                    _ => {}
                }
            }
            if entry.title.is_none() && fields.fallback {
                entry.title = Some("fallback entry point".into());
            }
        }
    }
    entries
}

struct InventoryLine<'a> {
    path: &'a str,
    fields: Vec<(&'a str, &'a str)>,
    fallback: bool,
}

/// `` `path` | title: T | headings: a; b `` or `` `path` | score: 5 | matched tokens: a ``
/// or `` `path` | fallback entry point ``.
fn inventory_line(text: &str) -> Option<InventoryLine<'_>> {
    let mut parts = text.split(" | ");
    let first = parts.next()?.trim();
    let path = first.strip_prefix('`')?.strip_suffix('`')?;
    let mut fields = Vec::new();
    let mut fallback = false;
    for part in parts {
        match part.split_once(':') {
            Some((k, v)) => fields.push((k.trim(), v.trim())),
            None if part.trim() == "fallback entry point" => fallback = true,
            None => {}
        }
    }
    (!fields.is_empty() || fallback).then_some(InventoryLine {
        path,
        fields,
        fallback,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doc_map_lines() {
        let md = "# map\n\n## File inventory\n- `doc/ase/parallel.rst` | title: Parallel calculations | headings: Parallel calculations; MPI\n";
        let e = read(md, "doc_map.md", "doc_map.md");
        let doc = e.iter().find(|e| e.kind == EntryKind::DocMap).unwrap();
        assert_eq!(doc.path(), Some("doc/ase/parallel.rst"));
        assert_eq!(doc.title.as_deref(), Some("Parallel calculations"));
        assert_eq!(doc.headings, vec!["Parallel calculations", "MPI"]);
        assert_eq!(doc.line, 4);
    }

    #[test]
    fn source_map_ranks_and_tokens() {
        let md = "## Topic query tokens\n- `mpi`\n\n## Suggested source entry points\n- `ase/calculators/psi4.py` | score: 10 | matched tokens: calculators, psi4\n- `ase/parallel.py` | score: 5 | matched tokens: parallel\n- `ase/units.py` | fallback entry point\n";
        let e = read(md, "source_map.md", "source_map.md");
        assert_eq!(e[0].kind, EntryKind::TopicToken);
        let ranked: Vec<_> = e
            .iter()
            .filter(|e| e.kind == EntryKind::SourceMap)
            .map(|e| (e.path().unwrap(), e.rank.unwrap(), e.score))
            .collect();
        assert_eq!(
            ranked,
            vec![
                ("ase/calculators/psi4.py", 1, Some(10.0)),
                ("ase/parallel.py", 2, Some(5.0)),
                ("ase/units.py", 3, None)
            ]
        );
    }
}
