//! Names the pitfalls of one pack mention, by how they mention them: the name as a whole
//! code span (`` `.download_all()` ``, `` `schemaclass` ``), as a part of a longer one
//! (`` `FoldedLightCurve.time` ``), or in prose ("NEB image-parallel runs", "DFT-D3").
//! Pitfalls name APIs the way people write about them, not by qualified names; this lets
//! a call reach a pitfall that names it so. Built per pack on first use.

pub use crate::keys::alnum_lower as normalise;
use crate::keys::is_identifier;
use crate::model::{EntryKind, Pack, SymbolKind};
use rustc_hash::FxHashMap;

/// How a pitfall mentions a name, strongest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Mention {
    /// A code span that is only the name (`` `.fold()` ``, `` `dt=` ``, `` `savemetrics` ``).
    WholeSpan,
    /// One identifier in a longer code span (`` `events.fields` ``).
    InSpan,
    /// An identifier-shaped word in prose: uppercase inside, digits or underscores
    /// (`NEB`, `DFT-D3`, `AddModels`), never a plain lowercase word.
    Prose,
}

/// One pack's mentions: normalised name -> (skill, entry, how), each entry once per
/// name with its strongest mention.
#[derive(Debug, Default)]
pub struct Mentions {
    by_name: FxHashMap<String, Vec<(u32, u32, Mention)>>,
    /// Normalised last name of a callee -> the pitfalls naming one of its keywords (owners
    /// learnt from the pack's examples): "enable `savemetrics`" is about `Runner(...)`.
    by_keyword_owner: FxHashMap<String, Vec<(u32, u32)>>,
    /// Normalised identifier -> the skills whose entries (examples, prose, maps) write
    /// it: which skills are about a name at all.
    skills_naming: FxHashMap<String, Vec<u32>>,
    /// Callee -> the keywords the pack's examples pass to it: owners learnt, not guessed.
    keyword_uses: FxHashMap<String, rustc_hash::FxHashSet<String>>,
    /// Callee -> the methods the pack's examples call on what it returns
    /// (`lightkurve.search_lightcurve` -> `download`, `download_all`).
    result_members: FxHashMap<String, Vec<String>>,
    /// Last name -> the qualified names the pack writes that end in it, most written
    /// first (`VelocityVerlet` -> `ase.md.verlet.VelocityVerlet`): what a name a file
    /// uses but never imports most likely stands for.
    qualified_by_last: FxHashMap<String, Vec<(String, u32)>>,
}

/// A prose word that reads as a name, not as English: an uppercase letter after the
/// first character, a digit or an underscore.
fn name_shaped(word: &str) -> bool {
    word.chars().skip(1).any(|c| c.is_ascii_uppercase())
        || word.chars().any(|c| c.is_ascii_digit() || c == '_')
}

/// The name a code span is about when it is nothing else: `.fold()`, `fold(...)`,
/// `dt=`, `dt=0.1`, `schemaclass`.
fn whole_span_name(span: &str) -> Option<&str> {
    // `@hopping`: a macro (Julia) or decorator (Python) names `hopping`.
    let s = span.trim().trim_start_matches(['.', '@']);
    // `-fft`, `--sweep-mode`: a command-line flag names the keyword argparse makes of it
    // (`fft`, `sweep_mode`; names are compared without `-`/`_`). Short flags (`-n`)
    // are too common to stand for a keyword.
    if s.starts_with('-') {
        let flag = &s[..s.find(['=', ' ']).unwrap_or(s.len())];
        return crate::keys::flag_keyword(flag).map(|_| flag.trim_start_matches('-'));
    }
    let end = s.find(['(', '=', '[']).unwrap_or(s.len());
    let name = s[..end].trim();
    is_identifier(name).then_some(name)
}

/// A span that is one literal name with a dot (`ACF.dat`, `stdrun.hoc`, `"*.root"`
/// aside): what a call passes as a string argument.
fn literal_name(span: &str) -> Option<&str> {
    let s = span.trim().trim_matches(['"', '\'']);
    let plain = s
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
    (plain && s.contains('.') && s.starts_with(|c: char| c.is_ascii_alphanumeric())).then_some(s)
}

impl Mentions {
    pub fn of_pack(pack: &Pack) -> Mentions {
        let mut mentions = Mentions::default();
        // The keywords the examples pass; a pitfall's keyword whose owner was only
        // guessed (a bare word in prose) does not make it about a callee.
        for symbol in pack
            .entries()
            .filter(|(_, e)| e.kind == EntryKind::Example)
            .flat_map(|(_, e)| &e.symbols)
            .filter(|s| s.kind == SymbolKind::Keyword)
        {
            if let Some(owner) = &symbol.owner {
                mentions
                    .keyword_uses
                    .entry(owner.clone())
                    .or_default()
                    .insert(symbol.name.clone());
            }
        }
        let called: rustc_hash::FxHashSet<&str> = pack
            .entries()
            .filter(|(_, e)| e.kind == EntryKind::Example)
            .flat_map(|(_, e)| &e.symbols)
            .filter(|s| s.kind == SymbolKind::Qualified)
            .map(|s| s.name.as_str())
            .collect();
        for name in &called {
            if let Some((owner, member)) = name.rsplit_once('.') {
                if called.contains(owner) {
                    let list = mentions
                        .result_members
                        .entry(owner.to_string())
                        .or_default();
                    if !list.iter().any(|m| m == member) {
                        list.push(member.to_string());
                    }
                }
            }
        }
        mentions.qualified_by_last = qualified_by_last(pack);
        for (s, skill) in pack.skills.iter().enumerate() {
            for (e, entry) in skill.entries.iter().enumerate() {
                for word in entry
                    .text
                    .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .filter(|w| is_identifier(w))
                {
                    let list = mentions.skills_naming.entry(normalise(word)).or_default();
                    if list.last() != Some(&(s as u32)) {
                        list.push(s as u32);
                    }
                }
                if entry.kind != EntryKind::Pitfall {
                    continue;
                }
                for symbol in &entry.symbols {
                    let owner = match (symbol.kind, symbol.owner.as_deref()) {
                        (SymbolKind::Keyword, Some(owner))
                            if mentions.examples_pass(owner, &symbol.name) =>
                        {
                            owner
                        }
                        _ => continue,
                    };
                    let list = mentions
                        .by_keyword_owner
                        .entry(normalise(crate::keys::last_component(owner)))
                        .or_default();
                    if !list.contains(&(s as u32, e as u32)) {
                        list.push((s as u32, e as u32));
                    }
                }
                let mut add = |name: &str, how: Mention| {
                    let key = normalise(name);
                    if key.is_empty() {
                        return;
                    }
                    let list = mentions.by_name.entry(key).or_default();
                    match list
                        .iter_mut()
                        .find(|(ls, le, _)| (*ls, *le) == (s as u32, e as u32))
                    {
                        Some(found) => found.2 = found.2.min(how),
                        None => list.push((s as u32, e as u32, how)),
                    }
                };
                for (i, part) in entry.text.split('`').enumerate() {
                    if i % 2 == 1 {
                        if let Some(name) = whole_span_name(part) {
                            add(name, Mention::WholeSpan);
                        } else if let Some(name) = literal_name(part) {
                            add(name, Mention::WholeSpan);
                        }
                        for token in part.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                        {
                            if is_identifier(token) {
                                add(token, Mention::InSpan);
                            }
                        }
                    } else {
                        for word in part.split_whitespace() {
                            let word = word.trim_matches(|c: char| !c.is_ascii_alphanumeric());
                            if name_shaped(word) {
                                add(word, Mention::Prose);
                            }
                        }
                    }
                }
            }
        }
        mentions
    }

    /// The qualified names the pack writes ending in `name`, most written first, with
    /// how often.
    pub fn qualified_ending_in(&self, name: &str) -> &[(String, u32)] {
        self.qualified_by_last
            .get(name)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// The methods the pack's examples call on what `callee` returns.
    pub fn result_members(&self, callee: &str) -> &[String] {
        self.result_members
            .get(callee)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// Whether the pack's examples pass keyword `name` to `callee`.
    pub fn examples_pass(&self, callee: &str, name: &str) -> bool {
        self.keyword_uses
            .get(callee)
            .is_some_and(|names| names.contains(name))
    }

    /// Whether any entry of skill `skill` writes `name`.
    pub fn skill_names(&self, skill: u32, name: &str) -> bool {
        self.skills_naming
            .get(&normalise(name))
            .is_some_and(|skills| skills.contains(&skill))
    }

    /// Pitfalls naming a keyword of the callee whose last name is `callee`.
    pub fn naming_a_keyword_of(&self, callee: &str) -> &[(u32, u32)] {
        self.by_keyword_owner
            .get(&normalise(callee))
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// Pitfalls mentioning `name` (normalised first), as (skill, entry, how).
    pub fn of(&self, name: &str) -> &[(u32, u32, Mention)] {
        self.by_name
            .get(&normalise(name))
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }
}

/// Last name -> the pack's qualified names ending in it, by how often its entries write
/// them. A lowercase name that heads longer names (`ase.atoms` of `ase.atoms.Atoms`) is
/// a module (PEP 8 names modules in lowercase), not something a file calls: left out.
fn qualified_by_last(pack: &Pack) -> FxHashMap<String, Vec<(String, u32)>> {
    let mut counts: FxHashMap<&str, u32> = FxHashMap::default();
    for symbol in pack
        .entries()
        .flat_map(|(_, e)| &e.symbols)
        .filter(|s| s.kind == SymbolKind::Qualified && s.name.contains('.'))
    {
        *counts.entry(symbol.name.as_str()).or_default() += 1;
    }
    let heads: rustc_hash::FxHashSet<&str> = counts
        .keys()
        .filter_map(|name| name.rsplit_once('.').map(|(head, _)| head))
        .collect();
    let mut by_last: FxHashMap<String, Vec<(String, u32)>> = FxHashMap::default();
    for (&name, &count) in &counts {
        let last = crate::keys::last_component(name);
        let module_like = heads.contains(name) && !last.chars().any(|c| c.is_ascii_uppercase());
        if is_identifier(last) && !module_like {
            by_last
                .entry(last.to_string())
                .or_default()
                .push((name.to_string(), count));
        }
    }
    for list in by_last.values_mut() {
        // Most written first; then the shorter (the public re-export), then by name.
        list.sort_by(|a, b| {
            b.1.cmp(&a.1)
                .then(a.0.len().cmp(&b.0.len()))
                .then(a.0.cmp(&b.0))
        });
    }
    by_last
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_and_name_shaped_prose() {
        assert_eq!(whole_span_name(".download_all()"), Some("download_all"));
        assert_eq!(whole_span_name("dt=0.1"), Some("dt"));
        assert_eq!(whole_span_name("-fft"), Some("fft"));
        assert_eq!(whole_span_name("--sweep-mode=True"), Some("sweep-mode"));
        assert_eq!(whole_span_name("-n"), None);
        assert_eq!(whole_span_name("-1.5"), None);
        assert_eq!(whole_span_name("events.fields"), None);
        assert_eq!(literal_name("ACF.dat"), Some("ACF.dat"));
        assert_eq!(literal_name("x = 1"), None);
        assert!(name_shaped("DFT-D3") && name_shaped("NEB") && name_shaped("AddModels"));
        assert!(!name_shaped("folded") && !name_shaped("Treating"));
        assert_eq!(normalise("DFT-D3"), normalise("DFTD3"));
    }
}
