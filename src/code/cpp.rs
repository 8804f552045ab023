//! C and C++ sources, read with tree-sitter-cpp (C parses as the C++ it mostly is): the
//! names a program uses, qualified by what it includes and the namespaces it opens
//! (`mfem::ParMesh`, `ParMesh` under `using namespace mfem`), its calls, the command-line
//! options it declares as string literals (`"-no-vis"`), and build switches it tests in
//! the preprocessor (`#ifdef MFEM_USE_MPI`).
//!
//! Keys: `sym:mfem.ParMesh` (the namespace, or the package a header is named after, as
//! the top module), `flag:*:-no-vis`, `env:MFEM_USE_MPI`. Which packages the file is
//! about: its package headers (`mfem.hpp` -> `mfem`, `palabos3D.h` -> `palabos`) and the
//! namespaces it opens.

use super::whole_file::{self, text, Name, Reader};
use super::{CallSite, KeywordArg};
use crate::keys;
use tree_sitter::{Node, Tree};

/// Namespaces of the language and its standard library: no package's.
const STANDARD_NAMESPACES: [&str; 3] = ["std", "boost", "detail"];

pub struct CppReader;

pub type CppDocument = super::whole_file::WholeFileDocument<CppReader>;

impl Reader for CppReader {
    fn read(source: &str) -> Option<whole_file::Facts> {
        let tree = whole_file::parse(tree_sitter_cpp::LANGUAGE.into(), "tree-sitter-cpp", source)?;
        let facts = Facts::read(&tree, source.as_bytes());
        Some(whole_file::Facts {
            names: facts.names,
            sites: facts.sites,
            modules: facts.modules,
            imported_names: Vec::new(),
        })
    }

    /// An option string takes the call declaring it as context (`args.AddOption(...)`).
    const ENCLOSING_CALL: bool = true;
}

/// What one file says, while it is read.
#[derive(Debug, Default)]
struct Facts {
    names: Vec<Name>,
    sites: Vec<CallSite>,
    /// Packages the file is about (package headers, opened namespaces).
    modules: Vec<String>,
}

/// The package a header is named after: `mfem.hpp` -> `mfem`, `palabos3D.h` ->
/// `palabos` (a dimension or version suffix dropped), `dftd4/dftd4.h` -> `dftd4`.
fn header_package(path: &str) -> Option<String> {
    let first = path.split('/').next()?;
    let stem = first.split('.').next()?.to_ascii_lowercase();
    // `palabos2D`, `palabos3D`: the dimension is no part of the package's name.
    let package = match stem.strip_suffix('d') {
        Some(rest) if rest.ends_with(|c: char| c.is_ascii_digit()) => {
            rest.trim_end_matches(|c: char| c.is_ascii_digit())
        }
        _ => stem.as_str(),
    };
    (package.len() >= 3
        && package
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_'))
    .then(|| package.to_string())
}

/// A string literal's content that is a command-line option: `-no-vis`, `--device`.
fn option_string(content: &str) -> Option<&str> {
    let body = content
        .strip_prefix("--")
        .or_else(|| content.strip_prefix('-'))?;
    (body.starts_with(|c: char| c.is_ascii_alphabetic())
        && body
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'))
    .then_some(content)
}

impl Facts {
    fn read(tree: &Tree, src: &[u8]) -> Facts {
        let mut facts = Facts::default();
        let root = tree.root_node();
        // Scope first: what the file includes and which namespaces it opens.
        let mut namespaces: Vec<String> = Vec::new();
        let mut stack = vec![root];
        while let Some(node) = stack.pop() {
            match node.kind() {
                "preproc_include" => {
                    if let Some(path) = node.child_by_field_name("path") {
                        let written = text(path, src);
                        let path = written.trim_matches(['"', '<', '>']);
                        // `<vector>`, `<cmath>`: the language's own headers have no
                        // extension; a package's have one (`"mfem.hpp"`, `<petsc.h>`).
                        let standard = written.starts_with('<') && !path.contains('.');
                        if let Some(package) = header_package(path).filter(|_| !standard) {
                            if !facts.modules.contains(&package) {
                                facts.modules.push(package);
                            }
                        }
                    }
                }
                "using_declaration" if text(node, src).contains("namespace") => {
                    let mut cursor = node.walk();
                    for child in node.named_children(&mut cursor) {
                        let ns = text(child, src).replace("::", ".");
                        let top = keys::top_module(&ns).to_string();
                        if !STANDARD_NAMESPACES.contains(&top.as_str()) && !namespaces.contains(&ns)
                        {
                            namespaces.push(ns);
                        }
                    }
                }
                _ => {}
            }
            let mut cursor = node.walk();
            stack.extend(node.children(&mut cursor));
        }
        for ns in &namespaces {
            let top = keys::top_module(ns).to_string();
            if !facts.modules.contains(&top) {
                facts.modules.push(top);
            }
        }
        // Then the names, calls and strings.
        whole_file::visit_nodes(root, |node| {
            match node.kind() {
                "qualified_identifier" if !parent_is(node, "qualified_identifier") => {
                    facts.qualified(node, src);
                    return false;
                }
                "identifier" | "type_identifier" | "field_identifier" => {
                    facts.bare(node, src, &namespaces);
                }
                "string_literal" => facts.string(node, src),
                "call_expression" => facts.call(node, src, &namespaces),
                _ => {}
            }
            true
        });
        facts.names.sort_by_key(|n| n.start);
        facts.sites.sort_by_key(|s| s.start);
        facts
    }

    /// Keys of a bare name: under each opened namespace and each package header.
    fn bare_keys(&self, name: &str, namespaces: &[String]) -> Vec<String> {
        let mut out = Vec::new();
        if crate::symbols::is_env_var(name) {
            out.push(keys::env(name));
            return out;
        }
        // The packages of the file's headers first: a hover's own key is its first, and
        // a namespace (`plb`) is seldom a pack's name.
        for scope in self.modules.iter().chain(namespaces.iter()) {
            let key = keys::sym(&format!("{scope}.{name}"));
            if !out.contains(&key) {
                out.push(key);
            }
        }
        out
    }

    fn bare(&mut self, node: Node<'_>, src: &[u8], namespaces: &[String]) {
        let name = text(node, src);
        let keys = self.bare_keys(name, namespaces);
        self.names.push(Name {
            start: node.start_byte(),
            end: node.end_byte(),
            shown: name.to_string(),
            keys,
            site: None,
        });
    }

    /// `mfem::ParMesh`, `Mpi::Init`: each part is a name; the whole, under its top scope.
    fn qualified(&mut self, node: Node<'_>, src: &[u8]) {
        let whole = text(node, src).replace("::", ".");
        let whole = whole.trim_start_matches('.').to_string();
        let top = keys::top_module(&whole).to_string();
        let standard = STANDARD_NAMESPACES.contains(&top.as_str());
        // The last part carries the qualified key; the scopes theirs.
        let last_start = node.end_byte() - keys::last_component(&whole).len();
        let mut keys = Vec::new();
        if !standard {
            for module in &self.modules {
                if *module != top {
                    keys.push(keys::sym(&format!("{module}.{whole}")));
                }
            }
            keys.push(keys::sym(&whole));
        }
        self.names.push(Name {
            start: last_start,
            end: node.end_byte(),
            shown: whole.clone(),
            keys,
            site: None,
        });
    }

    /// An option string (`"-no-vis"`): a flag of no command in particular.
    fn string(&mut self, node: Node<'_>, src: &[u8]) {
        let raw = text(node, src);
        let content = raw.trim_matches('"');
        if let Some(option) = option_string(content) {
            let start = node.start_byte() + raw.find(content).unwrap_or(0);
            self.names.push(Name {
                start,
                end: start + content.len(),
                shown: format!("\"{option}\""),
                keys: vec![keys::flag(keys::ANY_OWNER, option)],
                site: None,
            });
        }
    }

    fn call(&mut self, node: Node<'_>, src: &[u8], namespaces: &[String]) {
        let Some(function) = node.child_by_field_name("function") else {
            return;
        };
        let callee_text = text(function, src).replace("::", ".").replace("->", ".");
        let last = keys::last_component(&callee_text).to_string();
        let keys = if function.kind() == "qualified_identifier" {
            vec![keys::sym(callee_text.trim_start_matches('.'))]
        } else {
            self.bare_keys(&last, namespaces)
        };
        let mut keywords = Vec::new();
        if let Some(args) = node.child_by_field_name("arguments") {
            let mut cursor = args.walk();
            for arg in args.named_children(&mut cursor) {
                if arg.kind() != "string_literal" {
                    continue;
                }
                let raw = text(arg, src);
                if let Some(option) = option_string(raw.trim_matches('"')) {
                    let start = arg.start_byte() + 1;
                    keywords.push(KeywordArg {
                        name: option.to_string(),
                        start,
                        end: start + option.len(),
                        values: Vec::new(),
                    });
                }
            }
        }
        self.sites.push(CallSite {
            callee: callee_text,
            start: function.start_byte(),
            end: function.end_byte(),
            statement_end: node.end_byte(),
            keywords,
            keys,
        });
    }
}

fn parent_is(node: Node<'_>, kind: &str) -> bool {
    node.parent().is_some_and(|p| p.kind() == kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::code::whole_file::keys_at_needle as keys_at;

    #[test]
    fn names_options_and_switches_under_the_package() {
        let src = "#include \"mfem.hpp\"\n#include <vector>\nusing namespace std;\nusing namespace mfem;\nint main(int argc, char *argv[]) {\n  OptionsParser args(argc, argv);\n  args.AddOption(&vis, \"-vis\", \"--visualization\", \"-no-vis\", \"--no-visualization\", \"Enable.\");\n  Mpi::Init();\n  ParMesh *pmesh = new ParMesh(MPI_COMM_WORLD, mesh);\n  std::vector<int> v;\n#ifdef MFEM_USE_MPI\n#endif\n}\n";
        let doc = CppDocument::parse(src.to_string()).expect("parsed");
        assert_eq!(doc.imported(), vec!["mfem"]);
        assert_eq!(keys_at(&doc, "-no-vis", 1), vec!["flag:*:-no-vis"]);
        assert_eq!(
            keys_at(&doc, "Init", 1),
            vec!["sym:mfem.Mpi.Init", "sym:Mpi.Init"]
        );
        assert_eq!(keys_at(&doc, "ParMesh *", 2), vec!["sym:mfem.ParMesh"]);
        assert!(keys_at(&doc, "vector<int>", 2).is_empty());
        assert_eq!(keys_at(&doc, "MFEM_USE_MPI", 2), vec!["env:MFEM_USE_MPI"]);
        let add = doc
            .call_sites()
            .into_iter()
            .find(|s| s.callee == "args.AddOption")
            .expect("a call");
        assert!(add.keywords.iter().any(|k| k.name == "-no-vis"));
        assert_eq!(header_package("palabos3D.h").as_deref(), Some("palabos"));
        assert_eq!(header_package("dftd4/dftd4.h").as_deref(), Some("dftd4"));
    }
}
