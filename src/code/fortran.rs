//! Fortran sources, read with tree-sitter-fortran: the modules a program uses (`use
//! dftd4, only: get_dispersion`), its calls qualified through them (`call
//! get_dispersion(...)` is `dftd4.get_dispersion`), type-bound calls through the declared
//! type of their object (`model%get_dispersion` with `type(d4_model) :: model` is
//! `dftd4.d4_model.get_dispersion`), and keyword arguments (`charge=0.0_wp`).
//!
//! Fortran has no namespaces: a package's modules share its name as a prefix
//! (`dftd4_param`, `mctc_env`), so a module also stands for the package before its first
//! `_`. Names are case-insensitive and lowercased, as pack names are.

use super::whole_file::{self, text, Facts, Name, Reader};
use super::{CallSite, KeywordArg, LiteralValue};
use crate::keys;
use std::collections::HashMap;
use tree_sitter::{Node, Tree};

/// Modules of the language and its runtimes: no package's.
const INTRINSIC_MODULES: [&str; 7] = [
    "iso_fortran_env",
    "iso_c_binding",
    "ieee_arithmetic",
    "ieee_exceptions",
    "ieee_features",
    "omp_lib",
    "omp_lib_kinds",
];

/// Whether a text holds Fortran statements (`use`, `call`, a program unit), not only
/// `key = value` lines of a namelist.
pub fn has_statements(text: &str) -> bool {
    const OPENERS: [&str; 8] = [
        "use ",
        "call ",
        "program ",
        "subroutine ",
        "module ",
        "function ",
        "implicit ",
        "type(",
    ];
    text.lines().any(|line| {
        let line = line.trim_start().to_ascii_lowercase();
        OPENERS.iter().any(|o| line.starts_with(o))
    })
}

pub struct FortranReader;

pub type FortranDocument = super::whole_file::WholeFileDocument<FortranReader>;

impl Reader for FortranReader {
    fn read(source: &str) -> Option<Facts> {
        let tree = whole_file::parse(
            tree_sitter_fortran::LANGUAGE.into(),
            "tree-sitter-fortran",
            source,
        )?;
        Some(Scope::read(&tree, source.as_bytes()))
    }
}

/// What names stand for in one file.
#[derive(Default)]
struct Scope {
    /// Modules whose public names are in scope (`use m` without `only`).
    open: Vec<String>,
    /// Name -> module, from `use m, only: name` (and `local => name`).
    only: HashMap<String, String>,
    /// Variable -> its declared derived type (`type(d4_model) :: model`).
    types: HashMap<String, String>,
    /// Names the file declares itself: they shadow nothing imported.
    locals: Vec<String>,
    facts: Facts,
}

/// A module's package: the module itself, and its name before the first `_`.
fn packages_of(module: &str) -> Vec<String> {
    let mut out = vec![module.to_string()];
    if let Some((prefix, _)) = module.split_once('_') {
        if prefix.len() >= 3 {
            out.push(prefix.to_string());
        }
    }
    out
}

impl Scope {
    fn read(tree: &Tree, src: &[u8]) -> Facts {
        let mut scope = Scope::default();
        let root = tree.root_node();
        // In text order: the first module used qualifies a name first.
        whole_file::visit_nodes(root, |node| {
            match node.kind() {
                "use_statement" => scope.uses(node, src),
                "variable_declaration" => scope.declares(node, src),
                _ => {}
            }
            true
        });
        whole_file::visit_nodes(root, |node| {
            match node.kind() {
                "subroutine_call" => scope.call(node, src, "subroutine"),
                "call_expression" => scope.call(node, src, ""),
                "use_statement" => scope.use_names(node, src),
                _ => {}
            }
            true
        });
        let mut facts = scope.facts;
        facts.names.sort_by_key(|n| n.start);
        facts.imported_names = scope
            .only
            .into_iter()
            .map(|(name, module)| {
                let qualified = format!("{module}.{name}");
                (name, qualified)
            })
            .collect();
        facts
    }

    fn module_of_use(node: Node<'_>, src: &[u8]) -> Option<String> {
        let mut cursor = node.walk();
        let module = node
            .children(&mut cursor)
            .find(|c| c.kind() == "module_name")?;
        let name = text(module, src).to_ascii_lowercase();
        (!INTRINSIC_MODULES.contains(&name.as_str())).then_some(name)
    }

    /// `use m` / `use m, only: a, b => c`.
    fn uses(&mut self, node: Node<'_>, src: &[u8]) {
        let Some(module) = Self::module_of_use(node, src) else {
            return;
        };
        for package in packages_of(&module) {
            if !self.facts.modules.contains(&package) {
                self.facts.modules.push(package);
            }
        }
        let mut cursor = node.walk();
        let items = node
            .children(&mut cursor)
            .find(|c| c.kind() == "included_items");
        match items {
            Some(items) => {
                let mut cursor = items.walk();
                for item in items.named_children(&mut cursor) {
                    // `local => remote`: the last identifier is the module's name.
                    let (local, remote) = match item.kind() {
                        "identifier" => (text(item, src), text(item, src)),
                        "use_alias" => {
                            let mut c = item.walk();
                            let ids: Vec<Node> = item
                                .named_children(&mut c)
                                .filter(|n| n.kind() == "identifier")
                                .collect();
                            match (ids.first(), ids.last()) {
                                (Some(l), Some(r)) => (text(*l, src), text(*r, src)),
                                _ => continue,
                            }
                        }
                        _ => continue,
                    };
                    self.only.insert(
                        local.to_ascii_lowercase(),
                        format!("{module}.{}", remote.to_ascii_lowercase()),
                    );
                }
            }
            None if !self.open.contains(&module) => self.open.push(module),
            None => {}
        }
    }

    /// `type(d4_model) :: model`: the variable's type; every declared name is local.
    fn declares(&mut self, node: Node<'_>, src: &[u8]) {
        let derived = node
            .child_by_field_name("type")
            .filter(|t| t.kind() == "derived_type")
            .and_then(|t| t.child_by_field_name("name"))
            .map(|n| text(n, src).to_ascii_lowercase());
        let mut cursor = node.walk();
        for declarator in node.children_by_field_name("declarator", &mut cursor) {
            let name_node = if declarator.kind() == "identifier" {
                Some(declarator)
            } else {
                let mut c = declarator.walk();
                let found = declarator
                    .named_children(&mut c)
                    .find(|n| n.kind() == "identifier");
                found
            };
            let Some(name_node) = name_node else {
                continue;
            };
            let name = text(name_node, src).to_ascii_lowercase();
            if let Some(ty) = &derived {
                self.types.insert(name.clone(), ty.clone());
            }
            self.locals.push(name);
        }
    }

    /// The qualified names a bare name (or a derived type's name) may stand for: its
    /// `only` import, else each open module's; a local variable or a name of no package,
    /// none.
    fn qualify(&self, name: &str) -> Vec<String> {
        let lower = name.to_ascii_lowercase();
        if let Some(q) = self.only.get(&lower) {
            return vec![q.clone()];
        }
        if self.locals.contains(&lower) {
            return Vec::new();
        }
        self.open.iter().map(|m| format!("{m}.{lower}")).collect()
    }

    /// Keys under each package a qualified name's module stands for.
    fn keys_of(qualified: &[String]) -> Vec<String> {
        let mut out = Vec::new();
        for q in qualified {
            let (module, rest) = q.split_once('.').unwrap_or((q.as_str(), ""));
            for package in packages_of(module) {
                let key = if package == module {
                    keys::sym(q)
                } else {
                    keys::sym(&format!("{package}.{rest}"))
                };
                if !out.contains(&key) {
                    out.push(key);
                }
            }
        }
        out
    }

    /// The names of a `use` line's `only` list, hoverable.
    fn use_names(&mut self, node: Node<'_>, src: &[u8]) {
        whole_file::visit_nodes(node, |n| {
            if n.kind() == "identifier" {
                let keys = Self::keys_of(&self.qualify(text(n, src)));
                self.push_name(n, src, keys, None);
            }
            true
        });
    }

    fn push_name(&mut self, node: Node<'_>, src: &[u8], keys: Vec<String>, site: Option<usize>) {
        self.facts.names.push(Name {
            start: node.start_byte(),
            end: node.end_byte(),
            shown: text(node, src).to_string(),
            keys,
            site,
        });
    }

    /// `call f(a, k=v)`, `x = f(a)`, `call obj%method(a)`.
    fn call(&mut self, node: Node<'_>, src: &[u8], field: &str) {
        let function = if field.is_empty() {
            node.named_child(0)
        } else {
            node.child_by_field_name(field)
        };
        let Some(function) = function else {
            return;
        };
        let (name_node, qualified) = match function.kind() {
            "identifier" => (function, self.qualify(text(function, src))),
            "derived_type_member_expression" => {
                let mut cursor = function.walk();
                let parts: Vec<Node> = function.named_children(&mut cursor).collect();
                let (Some(object), Some(member)) = (parts.first(), parts.last()) else {
                    return;
                };
                let member_name = text(*member, src).to_ascii_lowercase();
                let object_name = text(*object, src).to_ascii_lowercase();
                let qualified = self
                    .types
                    .get(&object_name)
                    .map(|ty| self.qualify(ty))
                    .unwrap_or_default()
                    .into_iter()
                    .map(|ty| format!("{ty}.{member_name}"))
                    .collect();
                (*member, qualified)
            }
            _ => return,
        };
        // Arrays are indexed like calls: only names of a package's are calls here.
        if qualified.is_empty() {
            return;
        }
        let callee = qualified[0].clone();
        let mut site = CallSite {
            keys: Self::keys_of(&qualified),
            callee: callee.clone(),
            start: name_node.start_byte(),
            end: name_node.end_byte(),
            statement_end: node.end_byte(),
            keywords: Vec::new(),
        };
        let index = self.facts.sites.len();
        if let Some(args) = node
            .named_children(&mut node.walk())
            .find(|c| c.kind() == "argument_list")
        {
            let mut cursor = args.walk();
            for arg in args.named_children(&mut cursor) {
                if arg.kind() != "keyword_argument" {
                    continue;
                }
                let (Some(name), Some(value)) = (
                    arg.child_by_field_name("name"),
                    arg.child_by_field_name("value"),
                ) else {
                    continue;
                };
                let kw = text(name, src).to_ascii_lowercase();
                let mut values = Vec::new();
                if value.kind() == "string_literal" {
                    let raw = text(value, src);
                    let content = raw.trim_matches(['"', '\'']);
                    let start = value.start_byte() + raw.find(content).unwrap_or(0);
                    values.push(LiteralValue {
                        value: content.to_string(),
                        start,
                        end: start + content.len(),
                        dict_key: None,
                    });
                }
                let owner = keys::value_owner(&callee, &kw);
                let mut kw_keys = vec![keys::kw(&callee, &kw)];
                kw_keys.extend(values.iter().map(|v| keys::val(&owner, &v.value)));
                kw_keys.push(keys::sym(&callee));
                site.keys
                    .extend(values.iter().map(|v| keys::val(&owner, &v.value)));
                site.keys.push(keys::kw(&callee, &kw));
                self.push_name(name, src, kw_keys, Some(index));
                site.keywords.push(KeywordArg {
                    name: kw,
                    start: name.start_byte(),
                    end: name.end_byte(),
                    values,
                });
            }
        }
        // The callee's own keys: its names, then its keywords' and values'.
        self.push_name(name_node, src, site.keys.clone(), Some(index));
        self.facts.sites.push(site);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::code::whole_file::keys_at_needle as keys_at;

    #[test]
    fn uses_calls_type_bound_calls_and_keywords() {
        let src = "program p\n  use iso_fortran_env, only: output_unit\n  use mctc_env, only : wp, error_type\n  use dftd4, only : d4_model, get_dispersion, &\n    & new_d4_model\n  use dftd4_param\n  implicit none\n  type(d4_model) :: model\n  real(wp) :: xyz(3, 2)\n  call new_d4_model(error, model, mol, ref=\"pbe\")\n  call get_dispersion(mol, model, param, cutoff, energy)\n  call model%get_c6(x)\n  x = xyz(1, 2)\n  call rational(\"pbe\")\nend program\n";
        let doc = FortranDocument::parse(src.to_string()).expect("parsed");
        assert_eq!(
            doc.imported(),
            vec!["mctc_env", "mctc", "dftd4", "dftd4_param"]
        );
        assert_eq!(
            keys_at(&doc, "get_dispersion(mol", 2)[0],
            "sym:dftd4.get_dispersion"
        );
        let new = keys_at(&doc, "new_d4_model(error", 2);
        assert!(new.contains(&"kw:dftd4.new_d4_model:ref".to_string()));
        assert_eq!(
            keys_at(&doc, "ref=", 1),
            vec![
                "kw:dftd4.new_d4_model:ref",
                "val:dftd4.new_d4_model:ref:pbe",
                "sym:dftd4.new_d4_model"
            ]
        );
        assert_eq!(keys_at(&doc, "get_c6", 1)[0], "sym:dftd4.d4_model.get_c6");
        // A local array indexed is no call; an unimported name under an open module is
        // that module's, and its package's.
        assert!(keys_at(&doc, "xyz(1", 1).is_empty());
        assert_eq!(
            keys_at(&doc, "rational", 1),
            vec!["sym:dftd4_param.rational", "sym:dftd4.rational"]
        );
        // Mid-edit text still reads.
        assert!(FortranDocument::parse("program p\n use dftd4, only: \n call (".into()).is_ok());
    }
}
