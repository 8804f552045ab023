//! What a pack's documentation tree documents: for every doc the pack cites or maps,
//! the Python symbols it names through Sphinx directives, roles and example imports, so a
//! pitfall citing `doc/ase/parallel.rst` is linked to `ase.io.read`.

use crate::model::{EntryKind, Pack};
use rayon::prelude::*;
use std::collections::BTreeSet;
use std::path::Path;

/// Docs larger than this are not scanned.
const MAX_DOC_BYTES: u64 = 1024 * 1024;

/// For each doc path cited in the pack that exists under `root`, its documented symbols.
pub fn documented_symbols(root: &Path, pack: &Pack) -> Vec<(String, Vec<String>)> {
    let Ok(root) = root.canonicalize() else {
        return Vec::new();
    };
    // One spelling per doc: a pack citing `doc/./a.rst`, `doc//a.rst`, ... 5,000 ways
    // scans it once.
    let mut cited: BTreeSet<String> = BTreeSet::new();
    for (_, entry) in pack.entries() {
        for path in &entry.cited_paths {
            if path.ends_with(".rst") || path.ends_with(".md") && entry.kind == EntryKind::DocMap {
                cited.extend(crate::pack::normalize_rel(path));
            }
        }
    }
    // Doc trees are the largest part of a pack (ase cites 150 pages): scan them on all
    // cores; the order of `cited` is kept.
    let cited: Vec<String> = cited.into_iter().collect();
    cited
        .par_iter()
        .filter_map(|rel| {
            let real = crate::pack::resolve_under(&root, rel)?;
            let bytes = crate::pack::read_in_root(&real, &root, MAX_DOC_BYTES).ok()?;
            let symbols = scan_rst(&String::from_utf8_lossy(&bytes), &pack.modules);
            (!symbols.is_empty()).then(|| (rel.clone(), symbols))
        })
        .collect()
}

/// Symbols an reStructuredText document documents, qualified by `.. module::` /
/// `.. currentmodule::` where they are relative. Only names of `modules` are kept.
/// A directive (`.. autofunction::`) documents a symbol; a single passing mention (one
/// `:func:` role or one example import) does not, two or more do: the doc is then about
/// the symbol, as `parallel.rst` is about `ase.io.read`.
pub fn scan_rst(text: &str, modules: &[String]) -> Vec<String> {
    let mut weights: std::collections::BTreeMap<String, u32> = std::collections::BTreeMap::new();
    let mut found = Counter(&mut weights, 1);
    let mut documented = BTreeSet::new();
    let mut current_module: Option<String> = None;
    let keep = |name: &str| modules.iter().any(|m| crate::keys::top_module(name) == m);
    for line in text.lines() {
        let trimmed = line.trim();
        if let Some(rest) = trimmed.strip_prefix(".. ") {
            if let Some((directive, arg)) = rest.split_once("::") {
                let arg = arg.trim().split('(').next().unwrap_or("").trim();
                match directive.trim() {
                    "module" | "currentmodule" | "automodule" | "py:module"
                    | "py:currentmodule" => {
                        current_module = Some(arg.to_string());
                        if keep(arg) {
                            documented.insert(arg.to_string());
                        }
                    }
                    "autofunction" | "autoclass" | "function" | "class" | "method" | "autometh"
                    | "automethod" | "py:function" | "py:class" | "py:method" | "attribute"
                    | "autoattribute" | "data" => {
                        documented.extend(qualify(arg, current_module.as_deref(), &keep));
                    }
                    _ => {}
                }
            }
        }
        for role in [
            ":func:`", ":class:`", ":meth:`", ":mod:`", ":attr:`", ":obj:`",
        ] {
            for piece in line.split(role).skip(1) {
                let target = piece.split('`').next().unwrap_or("");
                // `title <target>` form.
                let target = target
                    .rsplit_once('<')
                    .map(|(_, t)| t.trim_end_matches('>'))
                    .unwrap_or(target);
                let target = target
                    .trim_start_matches(['~', '!', '.'])
                    .trim_end_matches("()");
                found.extend(qualify(target, current_module.as_deref(), &keep));
            }
        }
        // Qualified names in text and example code: `oqupy.PtTebd(...)`.
        for module in modules {
            let prefix = format!("{module}.");
            for (at, _) in line.match_indices(&prefix) {
                let before_ok = line[..at].chars().next_back().is_none_or(|c| {
                    !(c.is_alphanumeric() || c == '_' || c == '.' || c == '`' || c == '~')
                });
                if !before_ok {
                    continue;
                }
                let name: String = line[at..]
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '.')
                    .collect();
                let name = name.trim_end_matches('.');
                if name.len() > prefix.len() {
                    found.insert(name.to_string());
                }
            }
        }
        // Example code: `>>> from ase.io import read, write` or plain `from x import y`.
        let code = trimmed
            .trim_start_matches(">>> ")
            .trim_start_matches("... ");
        if let Some(rest) = code.strip_prefix("from ") {
            if let Some((module, names)) = rest.split_once(" import ") {
                for name in names.split(',') {
                    let name = name
                        .trim()
                        .split(" as ")
                        .next()
                        .unwrap_or("")
                        .trim_matches(['(', ')', ' ']);
                    if !name.is_empty() && name != "*" {
                        let full = format!("{}.{name}", module.trim());
                        if keep(&full) {
                            found.insert(full);
                        }
                    }
                }
            }
        }
    }
    documented.extend(weights.into_iter().filter(|(_, w)| *w >= 2).map(|(s, _)| s));
    documented.into_iter().collect()
}

/// Counts mentions: `extend` / `insert` add one per name.
struct Counter<'a>(&'a mut std::collections::BTreeMap<String, u32>, u32);

impl Counter<'_> {
    fn insert(&mut self, name: String) {
        *self.0.entry(name).or_default() += self.1;
    }

    fn extend(&mut self, names: impl IntoIterator<Item = String>) {
        for n in names {
            self.insert(n);
        }
    }
}

fn qualify(name: &str, module: Option<&str>, keep: &dyn Fn(&str) -> bool) -> Option<String> {
    if name.is_empty() || name.contains(char::is_whitespace) {
        return None;
    }
    if keep(name) {
        return Some(name.to_string());
    }
    let full = format!("{}.{name}", module?);
    keep(&full).then_some(full)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directives_roles_and_imports() {
        let rst = ".. module:: ase.parallel\n\n.. autofunction:: paropen\n\nUse :func:`ase.io.read` and :class:`~ase.io.Trajectory`.\n>>> from ase.io import read, write as w\n>>> from numpy import array\n";
        let got = scan_rst(rst, &["ase".to_string()]);
        // `read`: a role and an import; `Trajectory` and `write`: one passing mention each.
        assert_eq!(
            got,
            vec!["ase.io.read", "ase.parallel", "ase.parallel.paropen"]
        );
        let code = ".. code:: python\n\n    chain = oqupy.PtTebd(a)\n    other = oqupy.PtTebd(b)\n    p = oqupy.PtTebdParameters()\n";
        assert_eq!(scan_rst(code, &["oqupy".to_string()]), vec!["oqupy.PtTebd"]);
    }
}
