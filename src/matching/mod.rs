//! Keys -> ranked items: the one matching and ranking used by hover, code actions,
//! diagnostics and the CLI. Links, strongest first (each hit keeps its reason):
//! 1. the entry names the symbol, keyword, value or environment variable (exact keys);
//!    1b. a pitfall of the call's package mentions the hovered name (`mentions.rs`);
//!    1c. hovering a callee: a pitfall names a keyword the pack's examples pass to it;
//!    1d. hovering a callee: a pitfall's advice calls a method the examples call on
//!    what it returns;
//! 2. the entry cites a doc that documents the symbol (applying only when it also names
//!    something of the call; else shown as related);
//! 3. retrieval through the tantivy index where no pitfall is linked yet
//!    (`retrieval.rs`), guarded by words in common with the call;
//! 4. a source map ranks the file that defines the symbol;
//! 5. text relevance, shown as related only, never enough for a diagnostic.
//!
//! Then applicability (`applicability.rs`): a pitfall applies where the call does not
//! already follow it. The weights are in `weights.rs` (and `catalog::kind_weight`).

pub mod applicability;
mod example_context;
pub mod fixes;
mod mentions;
mod retrieval;
pub mod unbound;
pub mod weights;

use crate::catalog::{Catalog, EntryId};
use crate::code::{CallSite, Resolved};
use crate::keys::{self, Key};
use crate::model::{Entry, EntryKind, Pack, SymbolKind};
use crate::source::SourceRoots;
use serde::Serialize;
use std::collections::HashMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    Pitfall,
    Note,
    Doc,
    Source,
    Example,
    /// Text relevance or another owner's keyword: shown, never presented as applying.
    Related,
}

#[derive(Debug, Clone, Serialize)]
pub struct Item {
    pub kind: ItemKind,
    pub pack: String,
    pub skill: String,
    pub text: String,
    /// Repository-relative doc or source path the item is about.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Where the item can be opened: a local file for docs and sources (resolved), else
    /// the skill file the entry comes from.
    pub file: String,
    pub line: u32,
    /// True when `file` is the doc or source itself (not the skill that cites it).
    pub resolved: bool,
    pub reason: String,
    pub score: f32,
    #[serde(skip)]
    pub entry: Option<EntryId>,
}

impl Item {
    /// An item shown as the entry itself (pitfalls, notes, examples, related).
    fn of_entry(
        kind: ItemKind,
        pack: &Pack,
        skill: &crate::model::Skill,
        entry: &Entry,
        id: EntryId,
        reason: String,
        score: f32,
    ) -> Item {
        Item {
            kind,
            pack: pack.name.clone(),
            skill: skill.name.clone(),
            text: entry.text.clone(),
            path: None,
            file: entry.file.clone(),
            line: entry.line,
            resolved: false,
            reason,
            score,
            entry: Some(id),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct SkillRef {
    pub pack: String,
    pub name: String,
    pub file: String,
    pub line: u32,
}

#[derive(Debug, Clone, Serialize)]
pub struct Explanation {
    pub symbol: String,
    pub keys: Vec<String>,
    pub items: Vec<Item>,
    pub skills: Vec<SkillRef>,
}

/// The keys' scope: a symbol or keyword belongs to a package; env vars and paths don't.
fn key_module(key: &str) -> Option<&str> {
    keys::module_of(key)
}

fn in_scope(pack: &Pack, key: &str) -> bool {
    match key_module(key) {
        Some(module) => pack.modules.iter().any(|m| m == module),
        None => true,
    }
}

/// Whether any pack is about the package of this key (else nothing is looked up at all).
pub fn any_pack_in_scope(catalog: &Catalog, key: &str) -> bool {
    key_module(key).is_none_or(|module| !catalog.packs_of_module(module).is_empty())
}

/// With no pack about what the file imports, a key of no package (an environment
/// variable, a path) reaches at most this many entries: it bounds the work of one hover
/// over 1,000 packs, where every HPC skill names `OMP_NUM_THREADS`.
const UNSCOPED_LIMIT: usize = 256;

/// The entries under `lookup` that `key` may reach: for a package's key, those of the
/// packs about that package; for a key of no package, those of the packs about what the
/// file imports (`imported`), else the first [`UNSCOPED_LIMIT`] of all packs'.
fn reachable(catalog: &Catalog, key: &str, lookup: &str, imported: &[u32]) -> Vec<EntryId> {
    let packs = match key_module(key) {
        Some(module) => catalog.packs_of_module(module),
        None => imported,
    };
    let scoped: Vec<EntryId> = packs
        .iter()
        .flat_map(|p| catalog.with_key_in_pack(lookup, *p).iter().copied())
        .collect();
    // An input file's keyword is looked up only in the packs that own the file.
    if scoped.is_empty() && key_module(key).is_none() && !keys::is_setting_key(key) {
        let all = catalog.with_key(lookup);
        return all[..all.len().min(UNSCOPED_LIMIT)].to_vec();
    }
    scoped
}

/// The packs about the top-level modules a file imports; for an input file (whose
/// `imported` is `file:<name>` and its keywords as `set:` keys), the packs that own it.
pub fn packs_imported(catalog: &Catalog, imported: &[String]) -> Vec<u32> {
    let mut packs: Vec<u32> = imported
        .iter()
        .flat_map(|m| catalog.packs_of_module(m).iter().copied())
        .collect();
    packs.extend(packs_owning_input(catalog, imported));
    packs.sort_unstable();
    packs.dedup();
    packs
}

/// The packs an input file belongs to: those whose skills cite its name; those sharing
/// [`weights::MIN_SHARED_SETTINGS`] of its keywords (and at least half as many as the
/// pack sharing most); those citing files with its extension and sharing one keyword.
/// Never every pack: a file that is none of theirs hears nothing.
fn packs_owning_input(catalog: &Catalog, imported: &[String]) -> Vec<u32> {
    let Some(name) = imported.iter().find_map(|m| m.strip_prefix("file:")) else {
        if !imported.iter().any(|m| keys::is_setting_key(m)) {
            return Vec::new();
        }
        return by_shared_settings(catalog, imported, &[]);
    };
    let (by_name, by_extension) = catalog.packs_citing_file(name);
    let mut owners = by_name.to_vec();
    owners.extend(by_shared_settings(catalog, imported, by_extension));
    owners
}

fn by_shared_settings(catalog: &Catalog, imported: &[String], by_extension: &[u32]) -> Vec<u32> {
    let mut shared: HashMap<u32, usize> = HashMap::new();
    for key in imported.iter().filter(|m| keys::is_setting_key(m)) {
        let mut last = None;
        for id in catalog.with_key(key) {
            if last != Some(id.pack) {
                *shared.entry(id.pack).or_default() += 1;
                last = Some(id.pack);
            }
        }
    }
    let best = shared.values().copied().max().unwrap_or(0);
    shared
        .into_iter()
        .filter(|&(pack, n)| {
            (n >= weights::MIN_SHARED_SETTINGS && 2 * n >= best)
                || (n >= 1 && by_extension.contains(&pack))
        })
        .map(|(pack, _)| pack)
        .collect()
}

#[derive(Debug, Clone)]
struct Hit {
    score: f32,
    reason: String,
    /// Came through the hovered node's own key (not only its enclosing call's).
    own: bool,
    /// Reached only through a doc the symbol is documented in, and naming nothing of the
    /// call: the pitfall is about that doc's topic, not shown to be about this call, so
    /// it is shown as related.
    via_doc: bool,
}

/// Direct hits for `keys` (link 1), scoped by package; `own_keys` of them belong to the
/// hovered node itself.
fn direct_hits(
    catalog: &Catalog,
    keys_list: &[String],
    own_keys: usize,
    imported: &[u32],
) -> HashMap<EntryId, Hit> {
    let mut hits: HashMap<EntryId, Hit> = HashMap::new();
    for (i, key) in keys_list.iter().enumerate() {
        let own = i < own_keys;
        let open = open_variants(key);
        let exact = reachable(catalog, key, key, imported)
            .into_iter()
            .map(|id| (id, 1.0));
        // A keyword or value whose owner the skill's examples do not show may be this
        // callee's: a slightly weaker link, only for entries that left the owner open.
        let open_hits = open.iter().flat_map(|(open_key, kind, name)| {
            reachable(catalog, key, open_key, imported)
                .into_iter()
                .filter(move |id| {
                    catalog
                        .entry(*id)
                        .2
                        .symbols
                        .iter()
                        .any(|s| s.kind == *kind && s.name == *name && s.owner.is_none())
                })
        });
        let reason = reason_for(key);
        // Parsed once per key, not per entry it reaches.
        let parsed = Key::parse(key);
        let strength = weights::key_strength(parsed.as_ref());
        let name = parsed.as_ref().map(Key::name);
        for (id, factor) in exact.chain(open_hits.map(|id| (id, 0.8))) {
            let (pack, _, entry) = catalog.entry(id);
            if !in_scope(pack, key) {
                continue;
            }
            if let Some(symbol) = key.strip_prefix("sym:") {
                if applicability::about_a_member_only(entry, symbol) {
                    continue;
                }
            }
            let mut score = factor * strength * if own { 1.0 } else { 0.6 };
            if name.is_some_and(|name| names_first(entry, name)) {
                score += 0.5;
            }
            score *= crate::catalog::kind_weight(entry.kind);
            match hits.get_mut(&id) {
                Some(h) if h.score >= score => h.own |= own,
                _ => {
                    let own = own || hits.get(&id).is_some_and(|h| h.own);
                    let reason = reason.clone();
                    hits.insert(
                        id,
                        Hit {
                            score,
                            reason,
                            own,
                            via_doc: false,
                        },
                    );
                }
            }
        }
    }
    hits
}

/// `kw:oqupy.PtTebd:backend_config` -> (`kw:*:backend_config`, Keyword, `backend_config`):
/// the keys under which a skill that leaves the owner open names the same thing.
fn open_variants(key: &str) -> Vec<(String, crate::model::SymbolKind, String)> {
    use crate::model::SymbolKind;
    match Key::parse(key) {
        Some(Key::Keyword { name, .. }) => {
            vec![(keys::kw(keys::ANY_OWNER, &name), SymbolKind::Keyword, name)]
        }
        Some(Key::Value { value, .. }) => {
            vec![(keys::val(keys::ANY_OWNER, &value), SymbolKind::Value, value)]
        }
        // A flag a skill names in prose (`-urf`) without the command running it, and the
        // families it belongs to (`-l*` for `-l1`).
        Some(Key::Flag { flag, .. }) => std::iter::once(flag.clone())
            .chain(keys::flag_families(&flag))
            .map(|name| (keys::flag(keys::ANY_OWNER, &name), SymbolKind::Flag, name))
            .collect(),
        _ => Vec::new(),
    }
}

/// Best score first; ties in a stable order (pack, skill, entry position).
fn rank_order(a: &(EntryId, Hit), b: &(EntryId, Hit)) -> std::cmp::Ordering {
    b.1.score
        .total_cmp(&a.1.score)
        .then(a.0.pack.cmp(&b.0.pack))
        .then(a.0.skill.cmp(&b.0.skill))
        .then(a.0.entry.cmp(&b.0.entry))
}

/// Whether a key's name is what the entry's first inline code span is about.
fn names_first(entry: &Entry, name: &str) -> bool {
    let first = crate::symbols::inline_code(&entry.text).into_iter().next();
    first.is_some_and(|span| {
        let span = span.trim_matches(['"', '\'']);
        span == name
            || span
                .strip_prefix(name)
                .is_some_and(|rest| rest.starts_with(['(', '=']))
            || keys::last_component(name) == span
    })
}

fn reason_for(key: &str) -> String {
    match Key::parse(key) {
        Some(Key::Keyword { owner, name }) => format!("names keyword `{name}` of `{owner}`"),
        Some(Key::Value {
            callee,
            keyword: Some(keyword),
            value,
        }) => format!("names value `\"{value}\"` of `{callee}({keyword}=...)`"),
        Some(Key::Value { value, .. }) => format!("names value `\"{value}\"`"),
        Some(Key::Env(name)) => format!("names environment variable `{name}`"),
        Some(key) => format!("names `{}`", key.name()),
        None => format!("names `{key}`"),
    }
}

/// The main symbol of a resolution, for doc and source links: the hovered name, or the
/// callee of a hovered keyword or value.
fn main_symbol(resolved: &Resolved) -> Option<String> {
    resolved
        .keys
        .iter()
        .find_map(|k| k.strip_prefix("sym:"))
        .map(str::to_string)
}

fn is_doc_path(path: &str) -> bool {
    let doc_ext = [".rst", ".md", ".txt", ".ipynb", ".html"];
    doc_ext.iter().any(|e| path.ends_with(e))
        || path.starts_with("doc/")
        || path.starts_with("docs/")
}

fn is_source_path(path: &str) -> bool {
    !is_doc_path(path) && path.contains('.')
}

/// Everything that applies to the resolved node, ranked.
pub fn explain(catalog: &Catalog, resolved: &Resolved, sources: &SourceRoots) -> Explanation {
    // A name the file never binds, named through its star imports or the packs' examples.
    let named = unbound::name_resolved(catalog, resolved);
    let resolved = named.as_ref().unwrap_or(resolved);
    let mut explanation = Explanation {
        symbol: resolved.symbol.clone(),
        keys: resolved.keys.clone(),
        items: Vec::new(),
        skills: Vec::new(),
    };
    if !resolved.keys.iter().any(|k| any_pack_in_scope(catalog, k)) {
        return explanation;
    }
    // Keys of the hovered node itself: all but the callee's context when a keyword or
    // value is hovered; for a hovered callee, its own `sym:` key.
    let hovering_callee = resolved.keys.first().is_some_and(|k| {
        ["sym:", "cmd:", "set:", "member:"]
            .iter()
            .any(|kind| k.starts_with(kind))
    });
    let in_input = resolved
        .keys
        .first()
        .is_some_and(|k| keys::is_setting_key(k));
    let own_keys = resolved
        .keys
        .iter()
        .position(|k| k.starts_with("sym:"))
        .map(|p| if hovering_callee { p + 1 } else { p })
        .unwrap_or(resolved.keys.len());
    let imported = packs_imported(catalog, &resolved.imported);
    let mut hits = direct_hits(catalog, &resolved.keys, own_keys, &imported);
    // Mentions of the hovered node only: a hovered keyword or value is not its callee.
    let mentioned: Vec<String> = resolved.keys[..own_keys].to_vec();
    mentions::add_mention_hits(catalog, &mentioned, resolved, &imported, &mut hits);
    if in_input {
        mentions::add_setting_mention_hits(catalog, resolved, &imported, &mut hits);
    }
    if let (true, Some(call)) = (hovering_callee, &resolved.call) {
        mentions::add_keyword_owner_hits(catalog, &call.callee, &mut hits);
        mentions::add_result_member_hits(catalog, &call.callee, &mut hits);
    }
    if resolved.keys.first().is_some_and(|k| k.starts_with("cmd:")) {
        example_context::add_example_context_hits(catalog, &mut hits);
    }

    // Pitfalls must apply to the call as written, unless they are about the hovered
    // keyword or value itself.
    let hovered_keyword = resolved
        .keys
        .first()
        .filter(|k| k.starts_with("kw:"))
        .and_then(|k| k.rsplit(':').next());
    // In an input file every linked pitfall names the hovered keyword or value: it is
    // shown; diagnostics ask `applicability::applies_to_setting`.
    if let Some(call) = resolved.call.as_ref().filter(|_| !in_input) {
        hits.retain(|id, hit| {
            let (_, _, entry) = catalog.entry(*id);
            entry.kind != EntryKind::Pitfall
                || applicability::applies(entry, call)
                // Hovering `num_threads=`: the pitfall about leaving it out, or advising
                // it, still informs (diagnostics ask `applies` alone).
                || (hit.own && !hovering_callee && {
                    let subjects = applicability::subjects(entry, &call.callee);
                    subjects.absence
                        || hovered_keyword.is_some_and(|k| {
                            subjects.about_keyword(k)
                                || applicability::names_flag_of(entry, k)
                                || applicability::advises(entry, call, k)
                        })
                })
                // Hovering the call a pitfall advises (`num_entries_for`): it says why.
                || (hit.own
                    && hovering_callee
                    && applicability::advises_calling(entry, keys::last_component(&call.callee)))
        });
    }

    // Link 3: retrieval. Where a key or a mention links a pitfall already, only one more,
    // sharing two words of the hovered name: a pitfall about its topic that names no API.
    let keyed_pitfall = hits
        .keys()
        .any(|id| catalog.entry(*id).2.kind == EntryKind::Pitfall);
    let retrieval_bounds = if keyed_pitfall {
        (weights::MAX_RETRIEVED_BESIDE_KEYED, true)
    } else {
        (weights::MAX_RETRIEVED, false)
    };
    if let Some(own_key) = resolved.keys.first() {
        let retrieved = retrieval::retrieved_hits(
            catalog,
            resolved,
            own_key,
            &imported,
            retrieval_bounds,
            &hits,
        );
        for (id, hit) in retrieved {
            let entry = catalog.entry(id).2;
            if resolved
                .call
                .as_ref()
                .is_none_or(|c| in_input || applicability::applies(entry, c))
            {
                hits.insert(id, hit);
            }
        }
    }

    let symbol = main_symbol(resolved);
    // Link 2: docs documenting the symbol, and the pitfalls citing them, when no pitfall
    // names the symbol itself (then these are context, and at most two).
    let direct_pitfalls = hits
        .keys()
        .any(|id| catalog.entry(*id).2.kind == EntryKind::Pitfall);
    let mut documenting: Vec<(u32, String)> = Vec::new();
    if let Some(sym) = &symbol {
        documenting.extend(catalog.docs_documenting(sym).iter().cloned());
        // A doc whose path follows the symbol's module (`doc/ase/io/io.rst` for
        // `ase.io.read`) is its reference page: first.
        let parts: Vec<&str> = sym.split('.').collect();
        let overlap = |doc: &str| doc.split(['/', '.']).filter(|c| parts.contains(c)).count();
        documenting.sort_by_key(|(_, doc)| std::cmp::Reverse(overlap(doc)));
        let mut linked = 0;
        for (pack_idx, doc) in &documenting {
            if direct_pitfalls || linked >= 2 {
                break;
            }
            for &id in catalog.with_key(&format!("path:{doc}")) {
                if id.pack != *pack_idx || hits.contains_key(&id) {
                    continue;
                }
                let (_, _, entry) = catalog.entry(id);
                if entry.kind == EntryKind::Pitfall
                    && resolved
                        .call
                        .as_ref()
                        .is_none_or(|c| applicability::applies(entry, c))
                {
                    linked += 1;
                    let shares_a_name = mentions::names_the_call(catalog, id, sym, resolved);
                    hits.insert(
                        id,
                        Hit {
                            score: 2.0 * crate::catalog::kind_weight(entry.kind),
                            reason: format!("cites `{doc}`, which documents `{sym}`"),
                            own: false,
                            via_doc: !shares_a_name,
                        },
                    );
                }
            }
        }
    }

    let mut ranked: Vec<(EntryId, Hit)> = hits.into_iter().collect();
    ranked.sort_by(rank_order);

    let mut pitfall_skills: Vec<(u32, u32)> = Vec::new();
    let mut cited_docs: Vec<(u32, String, String)> = Vec::new();
    let mut cited_sources: Vec<String> = Vec::new();
    let mut notes = 0;
    let mut examples = 0;
    for (id, hit) in &ranked {
        let (pack, skill, entry) = catalog.entry(*id);
        let kind = match entry.kind {
            EntryKind::Pitfall if hit.via_doc => ItemKind::Related,
            // Hovering a keyword or value: a pitfall about the callee only is context.
            EntryKind::Pitfall if !hit.own && !hovering_callee => ItemKind::Related,
            EntryKind::Pitfall => ItemKind::Pitfall,
            EntryKind::Example => ItemKind::Example,
            EntryKind::DocMap
            | EntryKind::PrimaryDoc
            | EntryKind::SourceMap
            | EntryKind::SourceEntry
            | EntryKind::TopicToken
            | EntryKind::Description
            | EntryKind::RoutingList
            // Questions and routing written for an agent choosing a skill ("Should every
            // rank end up with ...?"), not for someone reading the code.
            | EntryKind::Triage
            | EntryKind::Route => continue,
            _ => ItemKind::Note,
        };
        match kind {
            ItemKind::Pitfall => {
                if !pitfall_skills.contains(&(id.pack, id.skill)) {
                    pitfall_skills.push((id.pack, id.skill));
                }
                for path in &entry.cited_paths {
                    if is_doc_path(path) {
                        cited_docs.push((
                            id.pack,
                            path.clone(),
                            format!("cited by the `{}` pitfall", skill.name),
                        ));
                    } else if is_source_path(path) && !cited_sources.contains(path) {
                        cited_sources.push(path.clone());
                    }
                }
            }
            ItemKind::Note if notes >= 3 => continue,
            ItemKind::Note => notes += 1,
            ItemKind::Example if examples >= 2 => continue,
            ItemKind::Example => examples += 1,
            _ => {}
        }
        explanation.items.push(Item::of_entry(
            kind,
            pack,
            skill,
            entry,
            *id,
            hit.reason.clone(),
            hit.score,
        ));
    }

    // Docs: cited by the pitfalls first, then documenting the symbol.
    let mut docs_seen: Vec<String> = Vec::new();
    let doc_candidates = cited_docs
        .into_iter()
        .chain(documenting.iter().map(|(p, d)| {
            (
                *p,
                d.clone(),
                format!("documents `{}`", symbol.as_deref().unwrap_or("")),
            )
        }));
    for (pack_idx, doc, reason) in doc_candidates {
        if docs_seen.contains(&doc) || docs_seen.len() >= 4 {
            continue;
        }
        docs_seen.push(doc.clone());
        explanation
            .items
            .push(doc_item(catalog, pack_idx, &doc, reason));
    }

    // Sources: entries ranking the defining file, then the matched skills' ranked entry
    // points, preferring paths the pitfalls cite or whose stem matches a cited doc.
    let defining = symbol.as_deref().and_then(|s| sources.defining_file(s));
    let candidates: Vec<String> = match (&defining, &symbol) {
        (Some((rel, _)), _) => vec![rel.clone()],
        // Without the source on disk, guess module files, but never the package's
        // top-level `__init__.py`, which re-exports everything and defines little.
        (None, Some(s)) => crate::source::module_files(s)
            .into_iter()
            .filter(|f| f.matches('/').count() > 1 || !f.ends_with("/__init__.py"))
            .collect(),
        _ => Vec::new(),
    };
    let doc_stems: Vec<String> = docs_seen.iter().map(|d| stem(d).to_string()).collect();
    let mut source_items: Vec<Item> = Vec::new();
    for rel in &candidates {
        for &id in catalog.with_key(&format!("path:{rel}")) {
            let (pack, skill, entry) = catalog.entry(id);
            if !matches!(entry.kind, EntryKind::SourceMap | EntryKind::SourceEntry)
                || !in_scope(pack, &format!("sym:{}", symbol.as_deref().unwrap_or("")))
            {
                continue;
            }
            let verb = if defining.is_some() {
                "defines"
            } else {
                "may define"
            };
            let reason = format!(
                "{verb} `{}`; ranked #{} by `{}`",
                symbol.as_deref().unwrap_or(""),
                entry.rank.unwrap_or(0),
                skill.name
            );
            push_source(
                &mut source_items,
                catalog,
                sources,
                id,
                rel,
                reason,
                10.0,
                symbol.as_deref(),
            );
        }
    }
    for &(p, s) in &pitfall_skills {
        let pack = &catalog.packs[p as usize];
        let skill = &pack.skills[s as usize];
        let mut ranked_entries: Vec<(usize, &Entry)> = skill
            .entries
            .iter()
            .enumerate()
            .filter(|(_, e)| e.kind == EntryKind::SourceEntry && e.path().is_some())
            .collect();
        if ranked_entries.is_empty() {
            ranked_entries = skill
                .entries
                .iter()
                .enumerate()
                .filter(|(_, e)| e.kind == EntryKind::SourceMap)
                .collect();
        }
        for (order, (e, entry)) in ranked_entries.into_iter().take(12).enumerate() {
            let Some(rel) = entry.path() else { continue };
            let mut score = 5.0 - order as f32 * 0.3;
            let mut why = format!(
                "ranked #{} by `{}`",
                entry.rank.unwrap_or(order as u32 + 1),
                skill.name
            );
            if cited_sources.iter().any(|c| c == rel) {
                score += 3.0;
                why.push_str("; cited by the pitfall");
            } else if doc_stems.iter().any(|d| d == stem(rel)) {
                score += 2.0;
                why.push_str(&format!(
                    "; matches the cited doc `{}`",
                    docs_seen
                        .iter()
                        .find(|d| stem(d) == stem(rel))
                        .map(String::as_str)
                        .unwrap_or("")
                ));
            }
            let id = EntryId {
                pack: p,
                skill: s,
                entry: e as u32,
            };
            push_source(
                &mut source_items,
                catalog,
                sources,
                id,
                rel,
                why,
                score,
                symbol.as_deref(),
            );
        }
    }
    source_items.sort_by(|a, b| b.score.total_cmp(&a.score));
    source_items.truncate(5);
    explanation.items.extend(source_items);

    // Another callee's keyword of the same name: related, never applying.
    let has_pitfall = explanation
        .items
        .iter()
        .any(|i| i.kind == ItemKind::Pitfall);
    if !has_pitfall {
        add_other_owner_related(catalog, resolved, &mut explanation);
    }

    for &(p, s) in &pitfall_skills {
        let pack = &catalog.packs[p as usize];
        let skill = &pack.skills[s as usize];
        explanation.skills.push(SkillRef {
            pack: pack.name.clone(),
            name: skill.name.clone(),
            file: skill.file.clone(),
            line: 1,
        });
    }
    explanation
}

fn stem(path: &str) -> &str {
    let file = path.rsplit('/').next().unwrap_or(path);
    file.split('.').next().unwrap_or(file)
}

#[allow(clippy::too_many_arguments)]
fn push_source(
    items: &mut Vec<Item>,
    catalog: &Catalog,
    sources: &SourceRoots,
    id: EntryId,
    rel: &str,
    reason: String,
    score: f32,
    symbol: Option<&str>,
) {
    if items.iter().any(|i| i.path.as_deref() == Some(rel)) {
        return;
    }
    let (pack, skill, entry) = catalog.entry(id);
    let name = symbol.map(keys::last_component);
    let located = sources.locate(rel, name);
    let (file, line, resolved) = match located {
        Some(loc) => (loc.file.display().to_string(), loc.line.unwrap_or(1), true),
        None => (entry.file.clone(), entry.line, false),
    };
    items.push(Item {
        kind: ItemKind::Source,
        pack: pack.name.clone(),
        skill: skill.name.clone(),
        text: rel.to_string(),
        path: Some(rel.to_string()),
        file,
        line,
        resolved,
        reason,
        score,
        entry: Some(id),
    });
}

fn doc_item(catalog: &Catalog, pack_idx: u32, doc: &str, reason: String) -> Item {
    let pack = &catalog.packs[pack_idx as usize];
    // The doc map line gives a title; the doc itself is opened when it is on disk.
    let map_entry = catalog
        .with_key(&format!("path:{doc}"))
        .iter()
        .map(|&id| (id, catalog.entry(id)))
        .find(|(id, (_, _, e))| id.pack == pack_idx && e.kind == EntryKind::DocMap);
    let title = map_entry.and_then(|(_, (_, _, e))| e.title.clone());
    let local = crate::pack::resolve_in_pack(pack, doc);
    let (skill, file, line) = match (&local, map_entry) {
        (Some(path), m) => (
            m.map(|(_, (_, s, _))| s.name.clone()).unwrap_or_default(),
            path.display().to_string(),
            1,
        ),
        (None, Some((_, (_, s, e)))) => (s.name.clone(), e.file.clone(), e.line),
        (None, None) => (String::new(), String::new(), 0),
    };
    Item {
        kind: ItemKind::Doc,
        pack: pack.name.clone(),
        skill,
        text: title.unwrap_or_default(),
        path: Some(doc.to_string()),
        file,
        line,
        resolved: local.is_some(),
        reason,
        score: 0.0,
        entry: map_entry.map(|(id, _)| id),
    }
}

/// `backend_config` hovered in `oqupy.Tempo(...)`: entries about `backend_config` of
/// another callee are shown as related, with the owner spelled out.
fn add_other_owner_related(catalog: &Catalog, resolved: &Resolved, explanation: &mut Explanation) {
    let Some(kw_key) = resolved.keys.first() else {
        return;
    };
    let Some(Key::Keyword { owner, name }) = Key::parse(kw_key) else {
        return;
    };
    let (owner, name) = (owner.as_str(), name.as_str());
    for &id in catalog.with_key(&keys::kw(keys::ANY_OWNER, name)) {
        let (pack, skill, entry) = catalog.entry(id);
        if entry.kind != EntryKind::Pitfall || !in_scope(pack, kw_key) {
            continue;
        }
        let other: Vec<&str> = entry
            .symbols
            .iter()
            .filter(|s| s.name == name && s.owner.is_some())
            .filter_map(|s| s.owner.as_deref())
            .collect();
        if other.is_empty() || other.contains(&owner) {
            continue;
        }
        explanation.items.push(Item::of_entry(
            ItemKind::Related,
            pack,
            skill,
            entry,
            id,
            format!(
                "about `{name}` of `{}`, not of `{owner}`: does not apply here",
                other.join("`, `")
            ),
            0.5,
        ));
        if explanation
            .items
            .iter()
            .filter(|i| i.kind == ItemKind::Related)
            .count()
            >= 2
        {
            break;
        }
    }
}

/// A pitfall that applies to a call site: what diagnostics and `check` report.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub skill: String,
    pub pack: String,
    pub text: String,
    pub reason: String,
    pub skill_file: String,
    pub skill_line: u32,
    #[serde(skip)]
    pub entry: EntryId,
}

/// Pitfalls linked directly (link 1) to a call site's keys that apply to it as written.
/// The pitfalls that apply to a call site as written (diagnostics); `imported`, the
/// top-level modules the file is about, scopes keys of no package (environment
/// variables, commands) as hovers are scoped.
pub fn findings(catalog: &Catalog, site: &CallSite, imported: &[String]) -> Vec<Finding> {
    findings_in(catalog, site, &packs_imported(catalog, imported))
}

/// [`findings`] with the packs of what the file imports decided once for the file
/// (`packs_imported`).
pub fn findings_in(catalog: &Catalog, site: &CallSite, imported: &[u32]) -> Vec<Finding> {
    if !site.keys.iter().any(|k| any_pack_in_scope(catalog, k)) {
        return Vec::new();
    }
    let imported = imported.to_vec();
    let in_input = site.keys.first().is_some_and(|k| keys::is_setting_key(k));
    let hits = direct_hits(catalog, &site.keys, site.keys.len(), &imported);
    // A diagnostic speaks for the packages the file is about: when it imports (or a job
    // runs) something a pack covers, keys of no package do not reach other packs.
    let mut speaking = imported.clone();
    for module in site.keys.iter().filter_map(|k| key_module(k)) {
        speaking.extend(catalog.packs_of_module(module).iter().copied());
    }
    let mut ranked: Vec<(EntryId, Hit)> = hits
        .into_iter()
        .filter(|(id, _)| imported.is_empty() || speaking.contains(&id.pack))
        .filter(|(id, _)| {
            let (_, _, entry) = catalog.entry(*id);
            entry.kind == EntryKind::Pitfall
                && if in_input {
                    applicability::applies_to_setting(entry, site)
                } else {
                    applicability::applies(entry, site)
                }
        })
        .collect();
    ranked.sort_by(rank_order);
    ranked
        .into_iter()
        .map(|(id, hit)| {
            let (pack, skill, entry) = catalog.entry(id);
            Finding {
                skill: skill.name.clone(),
                pack: pack.name.clone(),
                text: entry.text.clone(),
                reason: hit.reason,
                skill_file: entry.file.clone(),
                skill_line: entry.line,
                entry: id,
            }
        })
        .collect()
}

/// A value the skills document for `callee(keyword=...)`, with the entry that explains it.
#[derive(Debug, Clone, Serialize)]
pub struct DocumentedValue {
    pub value: String,
    pub skill: String,
    pub text: String,
}

/// Values the skills name for `callee`'s `keyword` (from examples and pitfalls), and
/// values mentioned beside them in the same entries (`"multiprocess"` next to
/// `"multithread"`), each with the entry that best explains it (pitfalls first).
pub fn documented_values(catalog: &Catalog, callee: &str, keyword: &str) -> Vec<DocumentedValue> {
    use crate::model::SymbolKind;
    let owner = format!("{callee}:{keyword}");
    let scope_key = keys::sym(callee);
    let mut found: Vec<(String, EntryId, f32)> = Vec::new();
    for (p, pack) in catalog.packs.iter().enumerate() {
        if !in_scope(pack, &scope_key) {
            continue;
        }
        for (s, skill) in pack.skills.iter().enumerate() {
            for (e, entry) in skill.entries.iter().enumerate() {
                let owned = entry.symbols.iter().any(|sym| {
                    sym.kind == SymbolKind::Value && sym.owner.as_deref() == Some(&owner)
                });
                if !owned {
                    continue;
                }
                let id = EntryId {
                    pack: p as u32,
                    skill: s as u32,
                    entry: e as u32,
                };
                let weight = crate::catalog::kind_weight(entry.kind)
                    + if entry.kind == EntryKind::Example {
                        -1.0
                    } else {
                        0.0
                    };
                for sym in &entry.symbols {
                    let sibling = sym.kind == SymbolKind::Value
                        && (sym.owner.as_deref() == Some(&owner) || sym.owner.is_none());
                    if sibling && !sym.name.is_empty() {
                        found.push((sym.name.clone(), id, weight));
                    }
                }
            }
        }
    }
    best_per_value(catalog, found)
}

/// Values the skills assign to environment variable `name` (`OMP_NUM_THREADS=1` in a
/// pitfall or a job-script example), with the entry that says so: what a job script's
/// `export OMP_NUM_THREADS=` completes to. Scoped like a hover on the variable.
pub fn documented_env_values(
    catalog: &Catalog,
    name: &str,
    imported: &[String],
) -> Vec<DocumentedValue> {
    let key = keys::env(name);
    let packs = packs_imported(catalog, imported);
    let mut found: Vec<(String, EntryId, f32)> = Vec::new();
    for id in reachable(catalog, &key, &key, &packs) {
        let (_, _, entry) = catalog.entry(id);
        let weight = crate::catalog::kind_weight(entry.kind);
        for (assigned, value) in applicability::assignments_written(entry) {
            if assigned == name {
                found.push((value, id, weight));
            }
        }
    }
    best_per_value(catalog, found)
}

/// The values the skills of the packs owning an input file write for `setting`
/// (`scf.SpinPolarization on`, `Driver = VelocityVerlet`), spelled as the skill spells
/// them, with the entry that says why.
pub fn documented_setting_values(
    catalog: &Catalog,
    setting: &str,
    imported: &[String],
) -> Vec<DocumentedValue> {
    let key = keys::setting(setting);
    let packs = packs_imported(catalog, imported);
    let mut found: Vec<(String, EntryId, f32)> = Vec::new();
    for id in reachable(catalog, &key, &key, &packs) {
        let (_, _, entry) = catalog.entry(id);
        let weight = crate::catalog::kind_weight(entry.kind);
        let lower = entry.text.to_ascii_lowercase();
        for symbol in &entry.symbols {
            if symbol.kind != SymbolKind::SettingValue || symbol.owner.as_deref() != Some(setting) {
                continue;
            }
            // The skill's own spelling (`VelocityVerlet`), found where it writes it.
            let spelled = lower
                .find(&symbol.name)
                .and_then(|at| entry.text.get(at..at + symbol.name.len()))
                .unwrap_or(&symbol.name);
            found.push((spelled.to_string(), id, weight));
        }
    }
    best_per_value(catalog, found)
}

/// One documented value per distinct value, from its best-weighted entry.
fn best_per_value(
    catalog: &Catalog,
    mut found: Vec<(String, EntryId, f32)>,
) -> Vec<DocumentedValue> {
    found.sort_by(|a, b| a.0.cmp(&b.0).then(b.2.total_cmp(&a.2)));
    found.dedup_by(|a, b| a.0 == b.0);
    found
        .into_iter()
        .map(|(value, id, _)| {
            let (_, skill, entry) = catalog.entry(id);
            DocumentedValue {
                value,
                skill: skill.name.clone(),
                text: entry.text.clone(),
            }
        })
        .collect()
}

/// Flags the skills name for `command` (`-np` of `mpiexec`, `--cpus-per-task` of
/// `sbatch`), from the entries that name the command, with the entry that says so:
/// what a job script's `mpiexec -|` completes to. Pitfalls first.
pub fn documented_flags(
    catalog: &Catalog,
    command: &str,
    imported: &[String],
) -> Vec<DocumentedValue> {
    use crate::model::SymbolKind;
    let key = keys::command(command);
    let packs = packs_imported(catalog, imported);
    let mut found: Vec<(String, EntryId, f32)> = Vec::new();
    for id in reachable(catalog, &key, &key, &packs) {
        let (_, _, entry) = catalog.entry(id);
        let weight = crate::catalog::kind_weight(entry.kind);
        for symbol in &entry.symbols {
            let owned = symbol.owner.as_deref().is_none_or(|o| o == command);
            if symbol.kind == SymbolKind::Flag && owned {
                found.push((symbol.name.clone(), id, weight));
            }
        }
    }
    best_per_value(catalog, found)
}

/// What completion offers at a resolved node: documented values, what they are values
/// of (for the item's detail), and the byte range they replace.
#[derive(Debug, Clone)]
pub struct Completions {
    pub values: Vec<DocumentedValue>,
    pub of: String,
    pub start: usize,
    pub end: usize,
}

/// Completion at `offset`: inside a documented keyword's string, the values the skills
/// name; in a job script's assignment (`export OMP_NUM_THREADS=|`), the values they
/// assign; on a flag being typed (`mpiexec -n|`), the flags they name for the command.
pub fn completions(catalog: &Catalog, resolved: &Resolved, offset: usize) -> Option<Completions> {
    let first = Key::parse(resolved.keys.first()?)?;
    if let Key::Value {
        callee,
        keyword: Some(keyword),
        ..
    } = &first
    {
        // Inside a literal value: its key is `val:callee:keyword:<typed so far>`.
        // The string's content, between the quotes.
        let start = resolved.start + 1;
        return Some(Completions {
            values: documented_values(catalog, callee, keyword),
            of: format!("{callee}({keyword}=...)"),
            start,
            end: resolved.end.saturating_sub(1).max(start),
        });
    }
    let (start, end) = (resolved.start, resolved.end);
    if let Key::SettingValue {
        setting,
        value: typed,
    } = &first
    {
        let mut values = documented_setting_values(catalog, setting, &resolved.imported);
        values.retain(|v| v.value.to_ascii_lowercase().starts_with(typed.as_str()));
        return Some(Completions {
            values,
            of: format!("{setting} value"),
            start,
            end,
        });
    }
    if let Some(name) = assigned_variable(resolved, offset) {
        return Some(Completions {
            values: documented_env_values(catalog, name, &resolved.imported),
            of: format!("{name}=..."),
            start,
            end,
        });
    }
    let Key::Flag {
        command,
        flag: typed,
    } = &first
    else {
        return None;
    };
    let mut values = documented_flags(catalog, command, &resolved.imported);
    values.retain(|f| f.value.starts_with(typed.as_str()));
    Some(Completions {
        values,
        of: format!("{command} flag"),
        start,
        end,
    })
}

/// The variable whose assigned value the cursor is in (`export OMP_NUM_THREADS=|`): the
/// resolved node is a variable of an assignment site, after its name.
fn assigned_variable(resolved: &Resolved, offset: usize) -> Option<&str> {
    let name = resolved.keys.first()?.strip_prefix("env:")?;
    let site = resolved.call.as_ref()?;
    let assigned = site
        .keys
        .first()
        .is_some_and(|k| k.strip_prefix("env:") == Some(name));
    (assigned && offset > site.end).then_some(name)
}
