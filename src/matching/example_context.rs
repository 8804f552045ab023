//! Link 1e, hovering a command: a skill whose own example runs it (`mpiexec -np 3
//! gpaw-python diffusion3.py`, "# three inner NEB images, one MPI process each") is about
//! what that command line does; its pitfalls that share two of the example's words
//! (`NEB`, `images`) say what goes wrong there. A command has no package, so without this
//! a job script's hover would reach only pitfalls that name the command itself.

use super::weights::{
    EXAMPLE_CONTEXT_FACTOR, MAX_EXAMPLE_CONTEXT_SKILLS, MIN_EXAMPLE_CONTEXT_WORDS,
    NAME_KEY_STRENGTH,
};
use super::Hit;
use crate::catalog::{Catalog, EntryId};
use crate::model::EntryKind;
use std::collections::{BTreeSet, HashMap};

/// Words of an entry that carry a topic: lowercased words of four letters or more, and
/// acronyms (`NEB`, `MPI`), minus the English words every entry uses.
fn topic_words(text: &str) -> BTreeSet<String> {
    const COMMON: [&str; 16] = [
        "each", "every", "with", "from", "that", "this", "then", "than", "when", "only", "into",
        "have", "must", "will", "your", "their",
    ];
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.len() >= 4 || (w.len() >= 3 && w.chars().all(|c| c.is_ascii_uppercase())))
        .map(str::to_lowercase)
        .filter(|w| !COMMON.contains(&w.as_str()))
        .collect()
}

/// Whether `word` is in `words`, or a word there begins with it (`image` and `images`).
fn shares(words: &BTreeSet<String>, word: &str) -> bool {
    words.contains(word)
        || (word.len() >= 4
            && words
                .iter()
                .any(|w| w.starts_with(word) || word.starts_with(w.as_str()) && w.len() >= 4))
}

/// Adds the pitfalls of the skills whose examples the hovered command's own key reached.
pub(super) fn add_example_context_hits(catalog: &Catalog, hits: &mut HashMap<EntryId, Hit>) {
    let examples: Vec<EntryId> = hits
        .iter()
        .filter(|(id, hit)| hit.own && catalog.entry(**id).2.kind == EntryKind::Example)
        .map(|(id, _)| *id)
        .collect();
    // A command the examples of many skills run (`cd`, `git`, `pip`) says nothing about
    // any one skill's topic.
    let skills: BTreeSet<(u32, u32)> = examples.iter().map(|id| (id.pack, id.skill)).collect();
    if skills.len() > MAX_EXAMPLE_CONTEXT_SKILLS {
        return;
    }
    for example in examples {
        let (_, skill, entry) = catalog.entry(example);
        let words = topic_words(&entry.text);
        for (index, pitfall) in skill.entries.iter().enumerate() {
            if pitfall.kind != EntryKind::Pitfall {
                continue;
            }
            let id = EntryId {
                entry: index as u32,
                ..example
            };
            if hits.contains_key(&id) {
                continue;
            }
            let shared: Vec<String> = topic_words(&pitfall.text)
                .into_iter()
                .filter(|w| shares(&words, w))
                .collect();
            if shared.len() < MIN_EXAMPLE_CONTEXT_WORDS {
                continue;
            }
            let score = EXAMPLE_CONTEXT_FACTOR
                * NAME_KEY_STRENGTH
                * crate::catalog::kind_weight(EntryKind::Pitfall);
            hits.insert(
                id,
                Hit {
                    score,
                    reason: format!(
                        "in the skill whose example runs this ({})",
                        shared[..MIN_EXAMPLE_CONTEXT_WORDS].join(", ")
                    ),
                    own: false,
                    via_doc: false,
                },
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{shares, topic_words};

    #[test]
    fn topic_words_keep_acronyms_and_drop_common_words() {
        let words = topic_words("# three inner NEB images, one MPI process each\nmpiexec -np 3");
        assert!(words.contains("neb") && words.contains("mpi") && words.contains("images"));
        assert!(!words.contains("each") && !words.contains("one") && !words.contains("np"));
        assert!(shares(&words, "image"));
        assert!(!shares(&words, "rank"));
    }
}
