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
    let mut merged_label: Option<String> = None;
    for entry in &mut entries {
        if entry.section.to_lowercase().contains("topic query tokens") {
            entry.kind = EntryKind::TopicToken;
            continue;
        }
        // Only inventory lines are the map's entries; the rest is the map's own prose.
        entry.kind = EntryKind::Reference;
        let line = inventory_line(&entry.text).or_else(|| {
            // `` - `README.md`: `` with nested bullets: the bullets describe that path, and
            // the first of them stands for it.
            let labelled = labelled_path(&entry.section)?;
            let first = merged_label.as_deref() != Some(entry.section.as_str());
            merged_label = Some(entry.section.clone());
            first.then(|| InventoryLine {
                path: labelled,
                fields: Vec::new(),
                fallback: false,
                description: Some(entry.text.trim().to_string()),
            })
        });
        if let Some(fields) = line {
            rank += 1;
            entry.kind = kind;
            entry.rank = Some(rank);
            let path = fields.path.to_string();
            entry.cited_paths = vec![path];
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
            if entry.title.is_none() {
                entry.title = fields.description;
            }
        }
    }
    entries
}

struct InventoryLine<'a> {
    path: &'a str,
    fields: Vec<(&'a str, &'a str)>,
    fallback: bool,
    /// Free text after the path (`` `path` | what it covers ``, `` `path`: ... ``,
    /// `` `path` - ... ``, `` `path` (...) ``).
    description: Option<String>,
}

/// Longest `key` of a `key: value` field (`matched tokens`, `title`, `headings`): longer
/// text before a colon is prose.
const MAX_FIELD_KEY_WORDS: usize = 3;

/// Separators packs write between a cited path and its description.
const DESCRIPTION_SEPARATORS: [&str; 5] = ["|", ":", "-", "\u{2014}", "\u{2013}"];

/// An inventory line: a cited path in inline code first, then `key: value` fields split by
/// ` | `, `fallback entry point`, or a free description. A bare path counts only when it
/// names a file: a bare folder (`` `doc` ``) is a root the map lists, not an entry.
fn inventory_line(text: &str) -> Option<InventoryLine<'_>> {
    let rest = text.trim().strip_prefix('`')?;
    let (path, after) = rest.split_once('`')?;
    if !looks_like_path(path) {
        return None;
    }
    let after = after.trim();
    let mut fields = Vec::new();
    let mut fallback = false;
    let mut description = Vec::new();
    if after.is_empty() {
        if !names_a_file(path) {
            return None;
        }
    } else if after.starts_with('(') {
        description.push(after);
    } else {
        let body = DESCRIPTION_SEPARATORS
            .iter()
            .find_map(|sep| after.strip_prefix(sep))?;
        for part in body.split(" | ").map(str::trim) {
            match part.split_once(':') {
                Some((k, v)) if is_field_key(k) => fields.push((k.trim(), v.trim())),
                _ if part == "fallback entry point" => fallback = true,
                _ if !part.is_empty() => description.push(part),
                _ => {}
            }
        }
    }
    let description = (!description.is_empty()).then(|| description.join("; "));
    Some(InventoryLine {
        path,
        fields,
        fallback,
        description,
    })
}

fn is_field_key(key: &str) -> bool {
    let key = key.trim();
    !key.is_empty()
        && key.split_whitespace().count() <= MAX_FIELD_KEY_WORDS
        && key
            .chars()
            .all(|c| c.is_alphanumeric() || c == ' ' || c == '_')
}

/// A repository path, not a command or a sentence: no spaces, and a folder separator or a
/// file extension.
fn looks_like_path(path: &str) -> bool {
    !path.is_empty()
        && !path.contains(char::is_whitespace)
        && (path.contains('/') || names_a_file(path))
}

/// Longest file extension: longer dotted tails are attribute names (`pkg.MeepSimulation`).
const MAX_EXTENSION_LEN: usize = 8;

/// The last component has a file extension (`parallel.rst`, `README.md`, `namelist.input`,
/// `main.F90`), not a dotted name's attribute (`Psi4.__init__`, `pkg.Molecule`).
fn names_a_file(path: &str) -> bool {
    if path.ends_with('/') {
        return false;
    }
    let last = path.rsplit('/').next().unwrap_or("");
    let Some((stem, ext)) = last.rsplit_once('.') else {
        return false;
    };
    let one_case = ext
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        || ext
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
    !stem.is_empty() && !ext.is_empty() && ext.len() <= MAX_EXTENSION_LEN && one_case
}

/// The path a label section names when the label is only that path (`` `README.md` ``).
fn labelled_path(section: &str) -> Option<&str> {
    let path = section.trim().strip_prefix('`')?.strip_suffix('`')?;
    (!path.contains('`') && looks_like_path(path)).then_some(path)
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

    #[test]
    fn described_paths_are_entries_and_bare_folders_are_not() {
        let md = "## Docs\n- `doc`\n- `docs/basic.rst` | opening files, `arrays()` basics.\n- `docs/a.md`: first run.\n- `README` - layout\n- `INSTALL.txt`\n- `pkg.Molecule`: a class\n1. `docs/api.md` | API index.\n- `README.md`:\n  - Install guidance.\n  - More.\n- Deck lifecycle:\n  `src/readinput.c` (`readinput`) and more.\n";
        let e = read(md, "doc_map.md", "doc_map.md");
        let docs: Vec<_> = e
            .iter()
            .filter(|e| e.kind == EntryKind::DocMap)
            .map(|e| (e.path().unwrap(), e.title.as_deref().unwrap_or("")))
            .collect();
        assert_eq!(
            docs,
            vec![
                ("docs/basic.rst", "opening files, `arrays()` basics."),
                ("docs/a.md", "first run."),
                ("INSTALL.txt", ""),
                ("docs/api.md", "API index."),
                ("README.md", "Install guidance."),
                ("src/readinput.c", "(`readinput`) and more."),
            ]
        );
    }
}
