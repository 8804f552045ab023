//! The catalog: every entry of every pack, in memory for exact symbol lookups and in a
//! tantivy index for full-text search, persisted in the cache directory and refreshed
//! per pack. One writer only while building; readers never block it.

mod load;
pub mod mentions;
pub mod schema;
pub mod store;

use crate::model::{Entry, EntryKind, Pack, Problem, Severity, Skill};
use crate::pack::{self, PackLocation};
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use schema::Fields;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, QueryParser, TermQuery};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{doc, Index, IndexReader, IndexWriter, TantivyDocument, Term};
use thiserror::Error;

/// Shortest query word that also matches the longer words it begins (`download` ->
/// "downloading"); shorter ones match whole words only.
pub const MIN_PREFIX_TERM: usize = 4;

/// Memory budget of the one index writer (tantivy's minimum is 15 MB per thread).
const WRITER_BUDGET: usize = 20_000_000;

#[derive(Debug, Error)]
pub enum CatalogError {
    #[error("pack: {0}")]
    Pack(#[from] pack::PackError),
    #[error("index: {0}")]
    Index(#[from] tantivy::TantivyError),
    #[error("bad query `{query}`: {reason}")]
    Query { query: String, reason: String },
}

/// Where packs come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PackSource {
    Disk(PackLocation),
    /// The default packs compiled into the binary.
    Embedded,
}

impl PackSource {
    pub fn key(&self) -> String {
        match self {
            PackSource::Disk(loc) => {
                loc.root.display().to_string() + "#" + &loc.skills_dir.display().to_string()
            }
            PackSource::Embedded => "embedded".to_string(),
        }
    }

    /// What the files of the source look like now (paths, sizes, mtimes; the embedded
    /// packs' bytes): equal fingerprints, same packs.
    pub fn fingerprint(&self) -> String {
        match self {
            PackSource::Disk(loc) => pack::fingerprint(loc),
            PackSource::Embedded => pack::embedded_fingerprint(),
        }
    }

    fn read(&self) -> store::Snapshot {
        match self {
            PackSource::Disk(loc) => {
                let (pack, problems) = pack::read_dir_pack(loc);
                store::Snapshot::new(vec![Arc::new(pack)], problems)
            }
            PackSource::Embedded => {
                let (mut packs, mut all_problems) = (Vec::new(), Vec::new());
                for (pack, problems) in pack::embedded_packs() {
                    packs.push(Arc::new(pack));
                    all_problems.extend(problems);
                }
                store::Snapshot::new(packs, all_problems)
            }
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct CatalogOptions {
    /// Base of the cache; `None` uses `$SKILL_LSP_CACHE_DIR` or the user's cache dir.
    pub cache_base: Option<PathBuf>,
    /// Never touch the disk: build in memory.
    pub in_memory: bool,
}

/// What a load did, for `skill-lsp index` and logs.
#[derive(Debug, Clone, Default)]
pub struct LoadReport {
    pub sources: usize,
    pub reused: usize,
    pub rebuilt: usize,
    pub elapsed: Duration,
    /// The persisted index folder, when one is used.
    pub cache_dir: Option<PathBuf>,
    /// Why the catalog lives in memory only, when it does.
    pub fallback: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EntryId {
    pub pack: u32,
    pub skill: u32,
    pub entry: u32,
}

pub struct Catalog {
    pub packs: Vec<Arc<Pack>>,
    /// Each source's fingerprint and parsed packs, for [`Catalog::refresh`] to reuse.
    reusable: HashMap<String, (String, store::Snapshot)>,
    pub problems: Vec<Problem>,
    /// Source key -> entry ids in ordinal order.
    ordinals: HashMap<String, Vec<EntryId>>,
    /// Lookup key -> entry ids, in id order (so one pack's are a contiguous run). The keys
    /// are the snapshots' own strings (shared), hashed with FxHash: rebuilt whole on every
    /// load and refresh, this map is most of a refresh's work at scale.
    by_key: FxHashMap<Arc<str>, Vec<EntryId>>,
    /// Python top-level module -> the packs about it.
    packs_by_module: HashMap<String, Vec<u32>>,
    /// `name:<file name>` and `ext:<extension>` of the paths the skills cite (lowercased)
    /// -> the packs citing them: which packs an input file belongs to.
    packs_by_file: HashMap<String, Vec<u32>>,
    /// Symbol -> (pack, doc path) documenting it.
    docs_by_symbol: HashMap<String, Vec<(u32, String)>>,
    /// Per pack, the key of the source it was read from (the index's `pack` field).
    pack_sources: Vec<String>,
    /// Per pack, the names its pitfalls mention, built on first use (most packs are
    /// never hovered in a session).
    mentions: Vec<std::sync::OnceLock<mentions::Mentions>>,
    /// Held for the catalog's lifetime: the reader and parser belong to it.
    _index: Index,
    reader: IndexReader,
    fields: Fields,
    parser: QueryParser,
}

/// A search hit.
#[derive(Debug, Clone)]
pub struct Hit {
    pub id: EntryId,
    pub score: f32,
}

impl Catalog {
    /// Loads the catalog of `sources`: reuses the persisted index for unchanged sources,
    /// re-reads and re-indexes changed ones. `progress` is told each source as it is done.
    pub fn load(
        sources: &[PackSource],
        options: &CatalogOptions,
        progress: impl FnMut(&str) + Send,
    ) -> Result<(Catalog, LoadReport), CatalogError> {
        Catalog::load_reusing(None, sources, options, progress, None)
    }

    /// [`Catalog::load`] that hands `partial` a catalog of the packs read so far each time
    /// their number doubles (1, 2, 4, ...), so a starting server answers hovers from the
    /// first pack ready rather than the last. Partial catalogs cannot search (their text
    /// index is empty); the complete one is returned.
    pub fn load_progressively(
        sources: &[PackSource],
        options: &CatalogOptions,
        partial: &(dyn Fn(Catalog) + Sync),
    ) -> Result<(Catalog, LoadReport), CatalogError> {
        Catalog::load_reusing(None, sources, options, |_| {}, Some(partial))
    }

    /// [`Catalog::load`] for a running server: the packs of `self` whose files did not
    /// change are taken as they are (no snapshot is read back), so refreshing after one
    /// SKILL.md changed costs that pack, the fingerprints and the key maps.
    pub fn refresh(
        &self,
        sources: &[PackSource],
        options: &CatalogOptions,
        progress: impl FnMut(&str) + Send,
    ) -> Result<(Catalog, LoadReport), CatalogError> {
        Catalog::load_reusing(Some(self), sources, options, progress, None)
    }

    fn assemble(
        keys: Vec<String>,
        fingerprints: Vec<String>,
        snapshots: Vec<store::Snapshot>,
        index: Index,
        fields: Fields,
    ) -> Result<Catalog, CatalogError> {
        let mut packs = Vec::new();
        let mut problems = Vec::new();
        let mut by_key: FxHashMap<Arc<str>, Vec<EntryId>> = FxHashMap::default();
        let mut ordinals = HashMap::new();
        let mut reusable = HashMap::new();
        let mut pack_sources: Vec<String> = Vec::new();
        for ((key, fingerprint), snapshot) in keys.into_iter().zip(fingerprints).zip(snapshots) {
            let mut ids = Vec::new();
            for pack in &snapshot.packs {
                let p = packs.len() as u32;
                for (s, skill) in pack.skills.iter().enumerate() {
                    for e in 0..skill.entries.len() {
                        ids.push(EntryId {
                            pack: p,
                            skill: s as u32,
                            entry: e as u32,
                        });
                    }
                }
                packs.push(pack.clone());
                pack_sources.push(key.clone());
            }
            problems.extend(snapshot.problems.iter().cloned());
            let lookup = snapshot.lookup_keys();
            for &(ordinal, key) in &lookup.uses {
                let id = ids[ordinal as usize];
                let list = by_key.entry(lookup.keys[key as usize].clone()).or_default();
                if list.last() != Some(&id) {
                    list.push(id);
                }
            }
            ordinals.insert(key.clone(), ids);
            reusable.insert(key, (fingerprint, snapshot));
        }
        let mut docs_by_symbol: HashMap<String, Vec<(u32, String)>> = HashMap::new();
        for (p, pack) in packs.iter().enumerate() {
            for (path, symbols) in &pack.doc_symbols {
                for symbol in symbols {
                    docs_by_symbol
                        .entry(symbol.clone())
                        .or_default()
                        .push((p as u32, path.clone()));
                }
            }
        }
        let mut packs_by_module: HashMap<String, Vec<u32>> = HashMap::new();
        for (p, pack) in packs.iter().enumerate() {
            for module in &pack.modules {
                packs_by_module
                    .entry(module.clone())
                    .or_default()
                    .push(p as u32);
            }
        }
        let packs_by_file = cited_file_names(&packs);
        let reader = index.reader()?;
        let parser = QueryParser::for_index(&index, vec![fields.text, fields.symbols]);
        let mentions = (0..packs.len())
            .map(|_| std::sync::OnceLock::new())
            .collect();
        Ok(Catalog {
            packs,
            reusable,
            problems,
            ordinals,
            by_key,
            packs_by_module,
            packs_by_file,
            docs_by_symbol,
            mentions,
            pack_sources,
            _index: index,
            reader,
            fields,
            parser,
        })
    }

    pub fn entry(&self, id: EntryId) -> (&Pack, &Skill, &Entry) {
        let pack = &self.packs[id.pack as usize];
        let skill = &pack.skills[id.skill as usize];
        (pack, skill, &skill.entries[id.entry as usize])
    }

    /// Entries carrying exactly this key.
    pub fn with_key(&self, key: &str) -> &[EntryId] {
        self.by_key.get(key).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Doc paths (per pack) whose documentation names `symbol`.
    /// The entries of one pack under `key`: a binary search in the key's id-ordered list,
    /// so a lookup scoped to a few packs costs the same with 9 packs or 1,000.
    pub fn with_key_in_pack(&self, key: &str, pack: u32) -> &[EntryId] {
        let all = self.with_key(key);
        let start = all.partition_point(|id| id.pack < pack);
        let end = start + all[start..].partition_point(|id| id.pack == pack);
        &all[start..end]
    }

    /// The fingerprint a source had when this catalog read it (taken before reading).
    pub fn fingerprint_of(&self, key: &str) -> Option<&str> {
        self.reusable.get(key).map(|(f, _)| f.as_str())
    }

    /// The names the pitfalls of pack `pack` mention.
    pub fn mentions(&self, pack: u32) -> &mentions::Mentions {
        self.mentions[pack as usize]
            .get_or_init(|| mentions::Mentions::of_pack(&self.packs[pack as usize]))
    }

    /// The packs about a Python top-level module (`ase`).
    pub fn packs_of_module(&self, module: &str) -> &[u32] {
        self.packs_by_module
            .get(module)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// The packs whose skills cite a file named `name` (lowercased), and those citing
    /// files with its extension.
    pub fn packs_citing_file(&self, name: &str) -> (&[u32], &[u32]) {
        let get = |key: String| {
            self.packs_by_file
                .get(&key)
                .map(Vec::as_slice)
                .unwrap_or(&[])
        };
        let by_extension = match name.rsplit_once('.') {
            Some((stem, ext)) if !stem.is_empty() => get(format!("ext:{ext}")),
            _ => &[],
        };
        (get(format!("name:{name}")), by_extension)
    }

    pub fn docs_documenting(&self, symbol: &str) -> &[(u32, String)] {
        self.docs_by_symbol
            .get(symbol)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    pub fn entry_count(&self) -> usize {
        self.packs
            .iter()
            .map(|p| p.skills.iter().map(|s| s.entries.len()).sum::<usize>())
            .sum()
    }

    pub fn symbol_count(&self) -> usize {
        self.by_key.len()
    }

    /// Full-text and symbol search together: exact symbol keys first, then names, then
    /// BM25 over the text; re-ranked by entry kind (pitfalls above inventories).
    pub fn search(&self, query: &str, limit: usize) -> Result<Vec<Hit>, CatalogError> {
        let query = query.trim();
        if query.is_empty() {
            return Err(CatalogError::Query {
                query: query.into(),
                reason: "empty query".into(),
            });
        }
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let term = |field, text: &str, boost: f32| -> (Occur, Box<dyn Query>) {
            let q = TermQuery::new(Term::from_field_text(field, text), IndexRecordOption::Basic);
            (Occur::Should, Box::new(BoostQuery::new(Box::new(q), boost)))
        };
        for key in query_keys(query) {
            clauses.push(term(self.fields.keys, &key, 8.0));
        }
        clauses.push(term(
            self.fields.names,
            crate::keys::last_component(query.trim_matches(['"', '\''])),
            3.0,
        ));
        let (parsed, _errors) = self.parser.parse_query_lenient(&escape(query));
        clauses.push((Occur::Should, parsed));
        let searcher = self.reader.searcher();
        let bool_query = BooleanQuery::new(clauses);
        let top = searcher.search(
            &bool_query,
            &TopDocs::with_limit(limit.max(1) * 4).order_by_score(),
        )?;
        let mut hits = Vec::with_capacity(top.len());
        for (score, address) in top {
            let Some(id) = self.entry_of(&searcher.doc(address)?) else {
                continue;
            };
            let (_, _, entry) = self.entry(id);
            hits.push(Hit {
                id,
                score: score * kind_weight(entry.kind),
            });
        }
        hits.sort_by(|a, b| b.score.total_cmp(&a.score));
        hits.truncate(limit);
        Ok(hits)
    }

    /// The entry an index document stands for (its source key and ordinal).
    fn entry_of(&self, doc: &TantivyDocument) -> Option<EntryId> {
        let source = doc.get_first(self.fields.pack).and_then(|v| v.as_str())?;
        let ordinal = doc
            .get_first(self.fields.ordinal)
            .and_then(|v| v.as_u64())?;
        self.ordinals.get(source)?.get(ordinal as usize).copied()
    }

    /// Pitfalls of `packs` ranked by BM25 for `terms` (each `(word, boost)`; a word of
    /// [`MIN_PREFIX_TERM`] letters or more also matches longer words it begins, so
    /// `download` finds "Downloading"), best first.
    pub fn retrieve_pitfalls(
        &self,
        terms: &[(String, f32)],
        packs: &[u32],
        limit: usize,
    ) -> Result<Vec<Hit>, CatalogError> {
        use tantivy::query::FuzzyTermQuery;
        let mut sources: Vec<&str> = packs
            .iter()
            .filter_map(|p| self.pack_sources.get(*p as usize).map(String::as_str))
            .collect();
        sources.sort_unstable();
        sources.dedup();
        if sources.is_empty() || terms.is_empty() {
            return Ok(Vec::new());
        }
        let term_query = |field, text: &str| -> Box<dyn Query> {
            Box::new(TermQuery::new(
                Term::from_field_text(field, text),
                IndexRecordOption::WithFreqs,
            ))
        };
        let in_packs = BooleanQuery::new(
            sources
                .iter()
                .map(|s| (Occur::Should, term_query(self.fields.pack, s)))
                .collect(),
        );
        let words = BooleanQuery::new(
            terms
                .iter()
                .map(|(word, boost)| {
                    let q: Box<dyn Query> = if word.chars().count() >= MIN_PREFIX_TERM {
                        Box::new(FuzzyTermQuery::new_prefix(
                            Term::from_field_text(self.fields.text, word),
                            0,
                            true,
                        ))
                    } else {
                        term_query(self.fields.text, word)
                    };
                    (
                        Occur::Should,
                        Box::new(BoostQuery::new(q, *boost)) as Box<dyn Query>,
                    )
                })
                .collect(),
        );
        let query = BooleanQuery::new(vec![
            (
                Occur::Must,
                term_query(self.fields.kind, EntryKind::Pitfall.as_str()),
            ),
            (Occur::Must, Box::new(in_packs)),
            (Occur::Must, Box::new(words)),
        ]);
        let searcher = self.reader.searcher();
        let top = searcher.search(&query, &TopDocs::with_limit(limit * 4).order_by_score())?;
        let mut hits = Vec::new();
        for (score, address) in top {
            let id = self.entry_of(&searcher.doc(address)?);
            if let Some(id) = id.filter(|id| packs.contains(&id.pack)) {
                hits.push(Hit { id, score });
            }
            if hits.len() >= limit {
                break;
            }
        }
        Ok(hits)
    }

    /// Problems as a count by severity.
    pub fn problem_counts(&self) -> (usize, usize) {
        let errors = self
            .problems
            .iter()
            .filter(|p| p.severity == Severity::Error)
            .count();
        (errors, self.problems.len() - errors)
    }

    /// Points the embedded packs' files at a copy on disk (see
    /// `pack::materialize_embedded`), so every entry has a file an editor can open.
    pub fn relocate_embedded(&mut self, folder: &Path) {
        let relocate = |file: &mut String| {
            if let Some(rel) = file.strip_prefix("embedded:") {
                *file = folder.join(rel).display().to_string();
            }
        };
        for pack in self.packs.iter_mut().filter(|p| p.embedded) {
            // Copied on write: the unrelocated pack stays reusable by the next refresh.
            let pack = Arc::make_mut(pack);
            for skill in &mut pack.skills {
                relocate(&mut skill.file);
                for entry in &mut skill.entries {
                    relocate(&mut entry.file);
                }
            }
        }
    }
}

/// How much an entry kind counts when several entries match equally.
/// `name:` and `ext:` of every path the packs' entries cite, lowercased, to the packs.
fn cited_file_names(packs: &[Arc<Pack>]) -> HashMap<String, Vec<u32>> {
    let mut out: HashMap<String, Vec<u32>> = HashMap::new();
    for (p, pack) in packs.iter().enumerate() {
        let mut names: std::collections::BTreeSet<String> = Default::default();
        let cited = pack
            .skills
            .iter()
            .flat_map(|s| &s.entries)
            .flat_map(|e| &e.cited_paths);
        for path in cited {
            let base = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
            // `doc/CalculiX.tex:404-458`: the line range is not part of the name.
            let base = base.split(':').next().unwrap_or("").to_string();
            if let Some((stem, ext)) = base.rsplit_once('.') {
                if !stem.is_empty() && !stem.contains('*') {
                    names.insert(format!("ext:{ext}"));
                }
            }
            if !base.is_empty() && !base.contains('*') {
                names.insert(format!("name:{base}"));
            }
        }
        for name in names {
            out.entry(name).or_default().push(p as u32);
        }
    }
    out
}

pub fn kind_weight(kind: EntryKind) -> f32 {
    match kind {
        EntryKind::Pitfall => 3.0,
        EntryKind::Example | EntryKind::Triage | EntryKind::Workflow => 1.5,
        EntryKind::Route | EntryKind::Checklist | EntryKind::Generic | EntryKind::Reference => 1.2,
        EntryKind::DocMap
        | EntryKind::SourceMap
        | EntryKind::PrimaryDoc
        | EntryKind::SourceEntry => 1.0,
        EntryKind::TopicToken | EntryKind::Description => 0.6,
        _ => 0.8,
    }
}

/// Exact keys a search query may stand for: a symbol, a keyword, a value, an env var.
fn query_keys(query: &str) -> Vec<String> {
    use crate::keys;
    let q = query.trim_matches(['"', '\'', '`']);
    let mut out = vec![keys::sym(q), keys::env(q), format!("path:{q}")];
    if let Some((name, _)) = q.split_once('=') {
        out.push(keys::env(name.trim()));
    }
    out
}

/// Characters the query language would read as syntax, made literal.
fn escape(query: &str) -> String {
    query
        .chars()
        .map(|c| {
            if "+-&|!(){}[]^\"~*?:\\/".contains(c) {
                ' '
            } else {
                c
            }
        })
        .collect()
}

/// Every exact key of an entry, and (for names) its last components.
fn entry_keys(entry: &Entry) -> Vec<String> {
    let mut keys: Vec<String> = entry.symbols.iter().map(|s| s.key()).collect();
    for path in &entry.cited_paths {
        keys.push(format!("path:{path}"));
    }
    // Keywords and values are also findable with their owner left open.
    for s in &entry.symbols {
        if s.owner.is_some() {
            let open = crate::model::Symbol::new(s.kind, &s.name);
            keys.push(open.key());
        }
    }
    keys.sort();
    keys.dedup();
    keys
}

/// The packs to use, for every front end alike: given directories, else the packs of the
/// workspaces plus the configured ones (`configured`: editor settings, then
/// `$SKILL_LSP_SKILLS`), else the embedded default. A directory that holds no pack is
/// returned as an error beside the packs found: the CLI stops on it, the language server
/// logs it and serves the rest.
pub fn pack_sources(
    dirs: &[PathBuf],
    workspaces: &[PathBuf],
    configured: &[PathBuf],
) -> (Vec<PackSource>, Vec<CatalogError>) {
    let mut sources = Vec::new();
    let mut errors = Vec::new();
    let mut add = |dir: &PathBuf, sources: &mut Vec<PackSource>| match PackLocation::from_dir(dir) {
        Ok(location) => sources.push(PackSource::Disk(location)),
        Err(e) => errors.push(CatalogError::from(e)),
    };
    for dir in dirs {
        add(dir, &mut sources);
    }
    if dirs.is_empty() {
        for workspace in workspaces {
            sources.extend(
                pack::workspace_packs(workspace)
                    .into_iter()
                    .map(PackSource::Disk),
            );
        }
        for dir in configured {
            add(dir, &mut sources);
        }
    }
    let mut sources = unique_sources(sources);
    if sources.is_empty() && dirs.is_empty() {
        sources.push(PackSource::Embedded);
    }
    (sources, errors)
}

/// [`pack_sources`] for one workspace (or none), with `$SKILL_LSP_SKILLS` as the
/// configured packs; the first directory without a pack is an error.
pub fn resolve_sources(
    dirs: &[PathBuf],
    workspace: Option<&Path>,
) -> Result<Vec<PackSource>, CatalogError> {
    let workspaces: Vec<PathBuf> = workspace.map(Path::to_path_buf).into_iter().collect();
    let (sources, errors) = pack_sources(dirs, &workspaces, &env_skill_dirs());
    match errors.into_iter().next() {
        Some(error) => Err(error),
        None => Ok(sources),
    }
}

/// Extra skill directories from `$SKILL_LSP_SKILLS` (path-list separated): read here
/// only, for the CLI, the language server and the MCP server alike.
pub fn env_skill_dirs() -> Vec<PathBuf> {
    std::env::var_os("SKILL_LSP_SKILLS")
        .map(|v| {
            std::env::split_paths(&v)
                .filter(|p| !p.as_os_str().is_empty())
                .collect()
        })
        .unwrap_or_default()
}

/// Each pack once, at its first place: a pack listed twice in `skillPaths` (not next to
/// each other), or both in the workspace and in settings, would show every pitfall twice.
/// Locations are canonical, so a repository root and its `skills/` folder are one pack.
pub fn unique_sources(sources: Vec<PackSource>) -> Vec<PackSource> {
    let mut seen = std::collections::HashSet::new();
    sources
        .into_iter()
        .filter(|s| match s {
            PackSource::Disk(loc) => seen.insert(loc.skills_dir.clone()),
            PackSource::Embedded => seen.insert(PathBuf::new()),
        })
        .collect()
}
