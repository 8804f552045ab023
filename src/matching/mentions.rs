//! Link 1b, names and prose mentions: the hovered callee's last name, keyword or value,
//! mentioned by a pitfall of a pack about the call's package (`.download_all()` for
//! `lightkurve.search_lightcurve(...).download_all()`, `savemetrics` for the keyword).
//! Only packs about the call's own package are asked, so numpy's `read` never reaches
//! ase's pitfalls.

use super::weights::{key_strength, mention_factor, MIN_MENTIONED_NAME, NAME_KEY_STRENGTH};
use super::{key_module, Hit};
use crate::catalog::mentions::{normalise, Mention};
use crate::catalog::{Catalog, EntryId};
use crate::code::Resolved;
use crate::keys::Key;
use std::collections::HashMap;

/// The name a key's entity goes by in prose: `sym:a.b.fold` -> `fold`,
/// `kw:a.F:dt` -> `dt`, `val:a.F:kw:lagged` -> `lagged`.
pub(super) fn mentioned_name(key: &Key) -> Option<&str> {
    match key {
        Key::Symbol(name) => Some(crate::keys::last_component(name)),
        Key::Keyword { name, .. } | Key::Member(name) => Some(name),
        Key::Value { value, .. } => Some(value),
        _ => None,
    }
}

/// Adds the mention hits of `keys` (the hovered node's own keys) to `hits`, keeping a
/// stronger hit an entry already has.
pub(super) fn add_mention_hits(
    catalog: &Catalog,
    keys: &[String],
    resolved: &Resolved,
    imported: &[u32],
    hits: &mut HashMap<EntryId, Hit>,
) {
    for key in keys {
        let Some(parsed) = Key::parse(key) else {
            continue;
        };
        let Some(name) = mentioned_name(&parsed) else {
            continue;
        };
        // A member of an untyped object: the packs the file imports, where code names it.
        let member = matches!(parsed, Key::Member(_));
        let strength = key_strength(Some(&parsed));
        let packs = match key_module(key) {
            Some(module) => catalog.packs_of_module(module),
            None if member => imported,
            None => continue,
        };
        let short = normalise(name).len() < MIN_MENTIONED_NAME;
        let lowercase_word = name.chars().all(|c| c.is_ascii_lowercase());
        for &pack in packs {
            for &(skill, entry, how) in catalog.mentions(pack).of(name) {
                if (short && how != Mention::WholeSpan)
                    || ((lowercase_word || member) && how == Mention::Prose)
                {
                    continue;
                }
                let id = EntryId { pack, skill, entry };
                let entry = catalog.entry(id).2;
                if about_another_owner(catalog, id, name, resolved) {
                    continue;
                }
                if how == Mention::InSpan
                    && matches!(parsed, Key::Symbol(_))
                    && !member_of_symbol(entry, key)
                {
                    continue;
                }
                let score =
                    mention_factor(how) * strength * crate::catalog::kind_weight(entry.kind);
                keep_stronger(hits, id, score, || format!("mentions `{name}`"));
            }
        }
    }
}

/// Link 1c, hovering a callee: the pitfalls that name one of its keywords, as the pack's
/// examples show them used with it ("Fix: enable `savemetrics`" for `Runner(...)`, which
/// the call leaves out). Applicability then keeps those whose advice the call does not
/// follow yet.
pub(super) fn add_keyword_owner_hits(
    catalog: &Catalog,
    callee: &str,
    hits: &mut HashMap<EntryId, Hit>,
) {
    let module = crate::keys::top_module(callee);
    let last = crate::keys::last_component(callee);
    for &pack in catalog.packs_of_module(module) {
        for &(skill, entry) in catalog.mentions(pack).naming_a_keyword_of(last) {
            let id = EntryId { pack, skill, entry };
            let kind = catalog.entry(id).2.kind;
            let score = mention_factor(Mention::InSpan)
                * NAME_KEY_STRENGTH
                * crate::catalog::kind_weight(kind);
            keep_stronger(hits, id, score, || format!("names a keyword of `{last}`"));
        }
    }
}

/// Link 1d, hovering a callee: the pitfalls whose advice calls a method the pack's
/// examples call on what the callee returns ("call `.download()` first" for
/// `search_lightcurve(...)`, whose result the examples `.download()`).
pub(super) fn add_result_member_hits(
    catalog: &Catalog,
    callee: &str,
    hits: &mut HashMap<EntryId, Hit>,
) {
    let module = crate::keys::top_module(callee);
    for &pack in catalog.packs_of_module(module) {
        let mentions = catalog.mentions(pack);
        for member in mentions.result_members(callee) {
            for &(skill, entry, how) in mentions.of(member) {
                let id = EntryId { pack, skill, entry };
                let entry = catalog.entry(id).2;
                if how != Mention::WholeSpan
                    || !super::applicability::advises_calling(entry, member)
                {
                    continue;
                }
                let score = mention_factor(Mention::InSpan)
                    * NAME_KEY_STRENGTH
                    * crate::catalog::kind_weight(entry.kind);
                let owner = crate::keys::last_component(callee);
                keep_stronger(hits, id, score, || {
                    format!("advises `.{member}()` on what `{owner}` returns")
                });
            }
        }
    }
}

/// Inserts a hit for `id` unless it already has one at least as strong.
fn keep_stronger(
    hits: &mut HashMap<EntryId, Hit>,
    id: EntryId,
    score: f32,
    reason: impl FnOnce() -> String,
) {
    if hits.get(&id).is_some_and(|h| h.score >= score) {
        return;
    }
    hits.insert(
        id,
        Hit {
            score,
            reason: reason(),
            own: true,
            via_doc: false,
        },
    );
}

/// Whether the pitfall `id` mentions the call's callee (last name) or one of its
/// keywords, or, with no call, the symbol: a name in common, the guard that lets a weak
/// link (a doc both cite) show a pitfall as applying.
pub(super) fn names_the_call(
    catalog: &Catalog,
    id: EntryId,
    symbol: &str,
    resolved: &Resolved,
) -> bool {
    let mentions = catalog.mentions(id.pack);
    let mut names: Vec<&str> = vec![crate::keys::last_component(symbol)];
    if let Some(call) = &resolved.call {
        names.push(crate::keys::last_component(&call.callee));
        names.extend(call.keywords.iter().map(|k| k.name.as_str()));
    }
    names.iter().any(|name| {
        normalise(name).len() >= MIN_MENTIONED_NAME
            && mentions
                .of(name)
                .iter()
                .any(|&(skill, entry, _)| (skill, entry) == (id.skill, id.entry))
    })
}

/// The entry names the hovered keyword or value as another callee's, and names that
/// callee (`backend_config` of `oqupy.PtTebd`, hovered in `Tempo(...)`): keyed matching
/// already decided it does not apply.
pub(super) fn about_another_owner(
    catalog: &Catalog,
    id: EntryId,
    name: &str,
    resolved: &Resolved,
) -> bool {
    use crate::model::SymbolKind;
    let Some(call) = &resolved.call else {
        return false;
    };
    let entry = catalog.entry(id).2;
    entry.symbols.iter().any(|s| {
        matches!(s.kind, SymbolKind::Keyword | SymbolKind::Value)
            && s.name == name
            && s.owner.as_deref().is_some_and(|owner| {
                // A keyword owner guessed from prose (a bare word, owned by the classes
                // the examples build) says nothing; one the examples write does.
                if s.kind == SymbolKind::Keyword
                    && !catalog.mentions(id.pack).examples_pass(owner, name)
                {
                    return false;
                }
                // By last name: the skill's examples and the user's file may reach the
                // same class through different modules (re-exports).
                // Only when the pitfall itself names that owner: an example's owner is
                // one use of a keyword, not the only one.
                let owner = crate::keys::last_component(owner.split(':').next().unwrap_or(owner));
                owner != crate::keys::last_component(&call.callee)
                    && normalise(&entry.text).contains(&normalise(owner))
            })
    })
}

/// For a mention inside a longer code span: the name is not another object's member.
/// `` `Psi4.read` `` mentions `read`, but as `Psi4`'s, not as `ase.io.read`; the span
/// counts when the name stands first in a dotted chain (`` `fold(period=...)` ``,
/// `` `download_all().stitch()` ``) or follows a component of the symbol itself.
fn member_of_symbol(entry: &crate::model::Entry, key: &str) -> bool {
    let symbol = key.trim_start_matches("sym:");
    let name = crate::keys::last_component(symbol);
    let own_parts: Vec<&str> = symbol.split('.').collect();
    crate::symbols::inline_code(&entry.text).iter().any(|span| {
        span.match_indices(name).any(|(at, _)| {
            let after = &span[at + name.len()..];
            let whole_word = !after.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
                && !span[..at].ends_with(|c: char| c.is_ascii_alphanumeric() || c == '_');
            if !whole_word {
                return false;
            }
            match span[..at].strip_suffix('.') {
                // A call's result: `f().name`.
                Some(before) if before.ends_with(')') => true,
                Some(before) => {
                    let owner = before
                        .rsplit(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                        .next()
                        .unwrap_or("");
                    own_parts.contains(&owner)
                }
                None => true,
            }
        })
    })
}

/// Link 1b for an input file, in the packs that own it: the pitfalls that mention the
/// hovered keyword (`LeftLeadAtoms` for `LeftLeadAtoms.SpeciesAndCoordinates`), a dotted
/// part of it as a whole span or a name in prose (`NEB` for `MD.NEB.Number.Images`), or,
/// for a value naming a file, its extension as a span (`` `.hks` files `` for
/// `Lead-Chain.hks`).
/// Keywords of a file starting with one dotted part for it to be a namespace.
const MIN_NAMESPACE_KEYWORDS: usize = 3;

pub(super) fn add_setting_mention_hits(
    catalog: &Catalog,
    resolved: &Resolved,
    packs: &[u32],
    hits: &mut HashMap<EntryId, Hit>,
) {
    let Some(setting) = resolved.call.as_ref() else {
        return;
    };
    // (name, whether only a whole span or a prose name counts)
    let mut names: Vec<(String, bool)> = vec![(setting.callee.clone(), false)];
    let parts: Vec<&str> = setting.callee.split(['.', '%', '_']).collect();
    if parts.len() > 1 {
        // A part many of the file's keywords start with is a namespace (`scf.`, `MD.`,
        // `OBC_`), no topic of this keyword's own.
        let namespace = |part: &str| {
            ['.', '_'].iter().any(|sep| {
                let prefix = format!("set:{part}{sep}");
                resolved
                    .imported
                    .iter()
                    .filter(|k| k.starts_with(&prefix))
                    .count()
                    >= MIN_NAMESPACE_KEYWORDS
            })
        };
        names.extend(
            parts
                .iter()
                .filter(|p| !namespace(p))
                .map(|p| (p.to_string(), true)),
        );
    }
    let hovered_value = match resolved.keys.first().and_then(|k| Key::parse(k)) {
        Some(Key::SettingValue { value, .. }) => Some(value),
        _ => None,
    };
    if let Some((stem, extension)) = hovered_value.as_deref().and_then(|v| v.rsplit_once('.')) {
        if !stem.is_empty() && extension.chars().any(|c| c.is_ascii_alphabetic()) {
            names.push((extension.to_string(), true));
        }
    }
    for (name, strict) in names {
        if normalise(&name).len() < MIN_MENTIONED_NAME {
            continue;
        }
        for &pack in packs {
            for &(skill, entry, how) in catalog.mentions(pack).of(&name) {
                if strict && how == Mention::InSpan {
                    continue;
                }
                let id = EntryId { pack, skill, entry };
                let kind = catalog.entry(id).2.kind;
                let score = mention_factor(how)
                    * NAME_KEY_STRENGTH
                    * crate::catalog::kind_weight(kind)
                    * if strict { 0.8 } else { 1.0 };
                keep_stronger(hits, id, score, || format!("mentions `{name}`"));
            }
        }
    }
}
