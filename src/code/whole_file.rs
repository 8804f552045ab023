//! Documents read whole again after each change (C and C++, Julia, Fortran: example
//! programs and scripts of a few hundred lines). A [`Reader`] turns the text into the
//! names it uses and its calls; [`WholeFileDocument`] keeps the text, what was read from
//! it and whether that is fresh, and answers positions from it.

use super::{CallSite, Resolved};
use std::marker::PhantomData;
use std::sync::Arc;

/// One language's reader.
pub trait Reader {
    /// What the text says, or `None` when the parser gives up (it is tolerant: only a
    /// cancelled parse does).
    fn read(source: &str) -> Option<Facts>;

    /// Whether a name outside any call's callee takes the narrowest call around it as its
    /// context (C++: an option string inside `args.AddOption(...)`).
    const ENCLOSING_CALL: bool = false;
}

/// A name in the code: its byte range, what to call it, its keys.
#[derive(Debug, Clone)]
pub struct Name {
    pub start: usize,
    pub end: usize,
    pub shown: String,
    pub keys: Vec<String>,
    /// Index into [`Facts::sites`] of the call it is part of.
    pub site: Option<usize>,
}

#[derive(Debug, Default)]
pub struct Facts {
    pub names: Vec<Name>,
    pub sites: Vec<CallSite>,
    /// Packages the file is about, lowercased: what it uses, includes or imports.
    pub modules: Vec<String>,
    /// Local name -> qualified name, for names imported one by one.
    pub imported_names: Vec<(String, String)>,
}

/// A parsed file of a whole-file kind. Cheap to clone.
pub struct WholeFileDocument<R> {
    pub source: Arc<String>,
    facts: Arc<Facts>,
    freshness: super::Freshness,
    reader: PhantomData<fn() -> R>,
}

impl<R> Clone for WholeFileDocument<R> {
    fn clone(&self) -> Self {
        WholeFileDocument {
            source: self.source.clone(),
            facts: self.facts.clone(),
            freshness: self.freshness,
            reader: PhantomData,
        }
    }
}

impl<R: Reader> WholeFileDocument<R> {
    pub fn parse(source: String) -> Result<Self, String> {
        let Some(facts) = R::read(&source) else {
            return Err(source);
        };
        Ok(WholeFileDocument {
            source: Arc::new(source),
            facts: Arc::new(facts),
            freshness: super::Freshness::new(),
            reader: PhantomData,
        })
    }

    pub fn edit_deferred(&mut self, start: usize, end: usize, text: &str) -> bool {
        super::splice_deferred(&mut self.source, &mut self.freshness, (start, end), text)
    }

    /// Reads the whole text again.
    pub fn refresh(&mut self) -> bool {
        if !self.freshness.is_stale() {
            return true;
        }
        let Some(facts) = R::read(&self.source) else {
            return false;
        };
        self.facts = Arc::new(facts);
        self.freshness.parsed();
        true
    }

    pub fn adopt(&mut self, parsed: &WholeFileDocument<R>) {
        if self.freshness.adoptable(&parsed.freshness) {
            self.facts = parsed.facts.clone();
            self.freshness.parsed();
        }
    }

    pub fn is_stale(&self) -> bool {
        self.freshness.is_stale()
    }

    pub fn imported(&self) -> Vec<String> {
        self.facts.modules.clone()
    }

    pub fn imports(&self) -> Vec<(&str, &str)> {
        self.facts
            .imported_names
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect()
    }

    pub fn call_sites(&self) -> Vec<CallSite> {
        self.facts.sites.clone()
    }

    /// The keys of the narrowest name holding `offset`.
    pub fn keys_at(&self, offset: usize) -> Option<Resolved> {
        let name = self
            .facts
            .names
            .iter()
            .filter(|n| n.start <= offset && offset <= n.end && !n.keys.is_empty())
            .min_by_key(|n| n.end - n.start)?;
        let call = match name.site {
            Some(i) => self.facts.sites.get(i).cloned(),
            None if R::ENCLOSING_CALL => self
                .facts
                .sites
                .iter()
                .filter(|s| s.start <= name.start && name.end <= s.statement_end)
                .min_by_key(|s| s.statement_end - s.start)
                .cloned(),
            None => None,
        };
        Some(Resolved {
            symbol: name.shown.clone(),
            keys: name.keys.clone(),
            start: name.start,
            end: name.end,
            call,
            imported: self.imported(),
            star_modules: Vec::new(),
        })
    }
}

/// Parses `source` with this thread's parser of `language` (named `grammar` in the
/// panic a grammar/library version mismatch would be: a build error, not input).
pub fn parse(
    language: tree_sitter::Language,
    grammar: &'static str,
    source: &str,
) -> Option<tree_sitter::Tree> {
    thread_local! {
        static PARSERS: std::cell::RefCell<Vec<(&'static str, tree_sitter::Parser)>> =
            const { std::cell::RefCell::new(Vec::new()) };
    }
    PARSERS.with_borrow_mut(|parsers| {
        let at = match parsers.iter().position(|(name, _)| *name == grammar) {
            Some(at) => at,
            None => {
                let mut parser = tree_sitter::Parser::new();
                parser
                    .set_language(&language)
                    .unwrap_or_else(|e| panic!("{grammar} grammar rejected: {e}"));
                parsers.push((grammar, parser));
                parsers.len() - 1
            }
        };
        parsers[at].1.parse(source, None)
    })
}

/// Visits the nodes below `root` (the root too), in text order, depth first; where
/// `visit` returns false, not the node's children.
pub fn visit_nodes<'t>(
    root: tree_sitter::Node<'t>,
    mut visit: impl FnMut(tree_sitter::Node<'t>) -> bool,
) {
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        if !visit(node) {
            continue;
        }
        let mut cursor = node.walk();
        let children: Vec<tree_sitter::Node<'t>> = node.children(&mut cursor).collect();
        stack.extend(children.into_iter().rev());
    }
}

pub fn text<'a>(node: tree_sitter::Node<'_>, src: &'a [u8]) -> &'a str {
    node.utf8_text(src).unwrap_or("")
}

/// The keys at `needle` plus `shift` bytes, for the readers' tests.
#[cfg(test)]
pub fn keys_at_needle<R: Reader>(
    doc: &WholeFileDocument<R>,
    needle: &str,
    shift: usize,
) -> Vec<String> {
    let at = doc.source.find(needle).expect("needle") + shift;
    doc.keys_at(at).map(|r| r.keys).unwrap_or_default()
}
