//! Julia sources, read with tree-sitter-julia: the modules a script uses (`using
//! Quantica`, `import QuantumOptics: SpinBasis`), its calls qualified through them
//! (`hamiltonian(...)` under `using Quantica` is `quantica.hamiltonian`;
//! `timeevolution.master` under `using QuantumOptics` is
//! `quantumoptics.timeevolution.master`), keyword arguments after `;` or `,`, macros
//! (`@hopping` is the name `hopping`) and `Module.function!` names.
//!
//! Keys: `sym:quantica.hamiltonian`, `kw:quantica.hamiltonian:range`,
//! `val:quantica.spectrum:solver:arpack` (string and `:symbol` values). Module names are
//! lowercased, as pack names are.

use super::whole_file::{self, text, Name, Reader};
use super::{CallSite, KeywordArg, LiteralValue};
use crate::keys;
use std::collections::HashMap;
use tree_sitter::{Node, Tree};

/// Modules of Julia itself: no package's.
const STANDARD_MODULES: [&str; 6] = [
    "Base",
    "Core",
    "LinearAlgebra",
    "Printf",
    "Random",
    "Statistics",
];

pub struct JuliaReader;

pub type JuliaDocument = super::whole_file::WholeFileDocument<JuliaReader>;

impl Reader for JuliaReader {
    fn read(source: &str) -> Option<whole_file::Facts> {
        let tree = whole_file::parse(
            tree_sitter_julia::LANGUAGE.into(),
            "tree-sitter-julia",
            source,
        )?;
        let facts = Facts::read(&tree, source.as_bytes());
        Some(whole_file::Facts {
            names: facts.names,
            sites: facts.sites,
            modules: facts.modules,
            imported_names: facts.imported_names.into_iter().collect(),
        })
    }
}

/// What one script says, while it is read.
#[derive(Debug, Default)]
struct Facts {
    names: Vec<Name>,
    sites: Vec<CallSite>,
    /// Modules used or imported, lowercased (`quantica`): what the file is about.
    modules: Vec<String>,
    /// Modules whose exports are in scope (`using`), lowercased.
    scopes: Vec<String>,
    /// Name brought in by `import M: name` -> `m.name`.
    imported_names: HashMap<String, String>,
}

impl Facts {
    fn read(tree: &Tree, src: &[u8]) -> Facts {
        let mut facts = Facts::default();
        let root = tree.root_node();
        // In text order: the first module used qualifies a name first.
        whole_file::visit_nodes(root, |node| {
            if matches!(node.kind(), "using_statement" | "import_statement") {
                facts.uses(node, src);
            }
            true
        });
        whole_file::visit_nodes(root, |node| {
            match node.kind() {
                "call_expression" | "macrocall_expression" => facts.call(node, src),
                "using_statement" | "import_statement" => facts.module_names(node, src),
                _ => {}
            }
            true
        });
        facts.names.sort_by_key(|n| n.start);
        facts
    }

    fn add_module(&mut self, name: &str, in_scope: bool) {
        let top = name.split('.').next().unwrap_or(name);
        if STANDARD_MODULES.contains(&top) {
            return;
        }
        let lower = top.to_ascii_lowercase();
        if in_scope && !self.scopes.contains(&lower) {
            self.scopes.push(lower.clone());
        }
        if !self.modules.contains(&lower) {
            self.modules.push(lower);
        }
    }

    /// `using A, B.C`; `import A: x, y` (names brought in qualified).
    fn uses(&mut self, node: Node<'_>, src: &[u8]) {
        // `using M` puts M's exports in scope; `import M` only the name `M`.
        let using = node.kind() == "using_statement";
        let mut cursor = node.walk();
        for child in node.named_children(&mut cursor) {
            match child.kind() {
                "selected_import" => {
                    let mut inner = child.walk();
                    let parts: Vec<Node> = child.named_children(&mut inner).collect();
                    let Some((module, names)) = parts.split_first() else {
                        continue;
                    };
                    let module = text(*module, src).to_string();
                    self.add_module(&module, false);
                    for name in names {
                        let name = text(*name, src);
                        self.imported_names.insert(
                            name.to_string(),
                            format!("{}.{name}", module.to_ascii_lowercase()),
                        );
                    }
                }
                _ => self.add_module(text(child, src), using),
            }
        }
    }

    /// Hovering `Quantica` in `using Quantica`: the package itself.
    fn module_names(&mut self, node: Node<'_>, src: &[u8]) {
        let mut cursor = node.walk();
        for child in node.named_children(&mut cursor) {
            let node = if child.kind() == "selected_import" {
                match child.named_child(0) {
                    Some(n) => n,
                    None => continue,
                }
            } else {
                child
            };
            let name = text(node, src);
            if STANDARD_MODULES.contains(&name) {
                continue;
            }
            self.names.push(Name {
                start: node.start_byte(),
                end: node.end_byte(),
                shown: name.to_string(),
                keys: vec![keys::sym(&name.to_ascii_lowercase())],
                site: None,
            });
        }
    }

    /// The qualified names a callee may be: through `import M: name`, a used module
    /// written first (`Quantica.spectrum`), or each used module (`hamiltonian` under
    /// `using Quantica`).
    fn qualify(&self, callee: &str) -> Vec<String> {
        if let Some(q) = self.imported_names.get(callee) {
            return vec![q.clone()];
        }
        let (head, rest) = match callee.split_once('.') {
            Some((h, r)) => (h, Some(r)),
            None => (callee, None),
        };
        let lower = head.to_ascii_lowercase();
        if rest.is_some() && self.modules.contains(&lower) {
            return vec![format!("{lower}.{}", rest.unwrap_or(""))];
        }
        if let (Some(q), Some(rest)) = (self.imported_names.get(head), rest) {
            return vec![format!("{q}.{rest}")];
        }
        self.scopes
            .iter()
            .map(|m| format!("{m}.{callee}"))
            .collect()
    }

    fn call(&mut self, node: Node<'_>, src: &[u8]) {
        let macro_call = node.kind() == "macrocall_expression";
        let Some(function) = node.named_child(0) else {
            return;
        };
        let written = text(function, src);
        // `@hopping` is the name `hopping`; `solve!` keeps its `!`.
        let callee = written.trim_start_matches('@').to_string();
        if callee.is_empty() || callee.contains(['(', ' ', '\n']) {
            return;
        }
        let qualified = self.qualify(&callee);
        let Some(first) = qualified.first().cloned() else {
            return;
        };
        let mut keywords = Vec::new();
        let args = (0..node.named_child_count())
            .filter_map(|i| node.named_child(i))
            .find(|c| c.kind() == "argument_list");
        let mut keyword_names = Vec::new();
        if let Some(args) = args {
            let mut stack = vec![args];
            while let Some(n) = stack.pop() {
                // Only this call's own arguments (not a nested call's).
                if n.kind() == "named_argument" {
                    if let Some(name) = n.named_child(0) {
                        let values = n
                            .named_child(n.named_child_count().saturating_sub(1))
                            .filter(|v| v.id() != name.id())
                            .and_then(|v| literal(v, src))
                            .into_iter()
                            .collect();
                        keyword_names.push((name.start_byte(), name.end_byte()));
                        keywords.push(KeywordArg {
                            name: text(name, src).to_string(),
                            start: name.start_byte(),
                            end: name.end_byte(),
                            values,
                        });
                    }
                    continue;
                }
                if n.id() != args.id() && n.kind().ends_with("call_expression") {
                    continue;
                }
                let mut cursor = n.walk();
                stack.extend(n.named_children(&mut cursor));
            }
        }
        keywords.sort_by_key(|k| k.start);
        let site_keys: Vec<String> = qualified.iter().map(|q| keys::sym(q)).collect();
        let index = self.sites.len();
        self.sites.push(CallSite {
            callee: first.clone(),
            start: function.start_byte(),
            end: function.end_byte(),
            statement_end: node.end_byte(),
            keywords: keywords.clone(),
            keys: site_keys.clone(),
        });
        let shown = if macro_call {
            format!("@{first}")
        } else {
            first.clone()
        };
        self.names.push(Name {
            start: function.start_byte(),
            end: function.end_byte(),
            shown: shown.clone(),
            keys: site_keys.clone(),
            site: Some(index),
        });
        for kw in &keywords {
            let mut keys: Vec<String> = qualified.iter().map(|q| keys::kw(q, &kw.name)).collect();
            keys.extend(site_keys.iter().cloned());
            self.names.push(Name {
                start: kw.start,
                end: kw.end,
                shown: format!("{shown}({}=...)", kw.name),
                keys,
                site: Some(index),
            });
            for v in &kw.values {
                let mut keys: Vec<String> = qualified
                    .iter()
                    .map(|q| keys::value_of(q, &kw.name, &v.value))
                    .collect();
                keys.extend(qualified.iter().map(|q| keys::kw(q, &kw.name)));
                self.names.push(Name {
                    start: v.start,
                    end: v.end,
                    shown: format!("{shown}({}={:?})", kw.name, v.value),
                    keys,
                    site: Some(index),
                });
            }
        }
    }
}

/// A string's content or a `:symbol`'s name.
fn literal(node: Node<'_>, src: &[u8]) -> Option<LiteralValue> {
    let raw = text(node, src);
    let (value, offset) = match node.kind() {
        "string_literal" => (raw.trim_matches('"'), 1),
        "quote_expression" => (raw.trim_start_matches(':'), 1),
        _ => return None,
    };
    (!value.is_empty() && keys::is_identifier(value.trim_end_matches('!'))
        || node.kind() == "string_literal")
        .then(|| LiteralValue {
            value: value.to_string(),
            start: node.start_byte() + offset,
            end: node.start_byte() + offset + value.len(),
            dict_key: None,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::code::whole_file::keys_at_needle as keys_at;

    #[test]
    fn calls_keywords_and_macros_under_the_used_modules() {
        let src = "using Quantica, LinearAlgebra\nimport QuantumOptics: SpinBasis\nh = lattice(sublat((0,0)); bravais = ((1,0),)) |> hamiltonian(@hopping((r, dr) -> 1; range = 1))\nQuantica.spectrum(h; solver = :arpack)\nb = SpinBasis(1//2)\n";
        let doc = JuliaDocument::parse(src.to_string()).expect("parsed");
        assert_eq!(doc.imported(), vec!["quantica", "quantumoptics"]);
        assert_eq!(
            keys_at(&doc, "hamiltonian", 2),
            vec!["sym:quantica.hamiltonian"]
        );
        assert_eq!(keys_at(&doc, "@hopping", 2), vec!["sym:quantica.hopping"]);
        assert_eq!(
            keys_at(&doc, "bravais", 2)[0],
            "kw:quantica.lattice:bravais"
        );
        assert_eq!(keys_at(&doc, "spectrum", 2), vec!["sym:quantica.spectrum"]);
        assert_eq!(
            keys_at(&doc, "arpack", 1)[0],
            "val:quantica.spectrum:solver:arpack"
        );
        assert_eq!(
            keys_at(&doc, "SpinBasis(1", 2),
            vec!["sym:quantumoptics.SpinBasis"]
        );
        assert_eq!(keys_at(&doc, "Quantica,", 2), vec!["sym:quantica"]);
    }
}
