//! Names a file uses but never binds (`?.VelocityVerlet`, `keys::unbound`): from a star
//! import, or from an import the file does not show (a doc snippet, a notebook whose
//! import cell was deleted, code being written). Python looks such a name up in the star
//! imports, last first; so does this, against what the packs know each module holds,
//! then against the names the packs' own examples import (`VelocityVerlet` ->
//! `ase.md.verlet.VelocityVerlet`) among the packages the file imports; else, in a file
//! with star imports, the last star-imported module of a package a pack is about (for
//! hovers: the package is right, the module a guess). Any other name stays unresolved.

use crate::catalog::Catalog;
use crate::code::{CallSite, Resolved};
use crate::keys;

/// How sure the naming is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Naming {
    /// A star-imported module holds the name in a pack (`sym:<module>.<name>` is keyed).
    StarImport,
    /// The packs' examples write a name ending in it, in a package the file imports:
    /// hovers, never diagnostics.
    Vocabulary,
    /// Nothing names it, and the file star-imports a module of a package a pack is
    /// about: that module, for hovers (the package is right, the module a guess).
    StarGuess,
}

/// The qualified name an unbound `name` stands for in a file with these star imports
/// (in import order) and imported top-level modules.
pub fn qualify(
    catalog: &Catalog,
    name: &str,
    star_modules: &[String],
    imported: &[String],
) -> Option<(String, Naming)> {
    for module in star_modules.iter().rev() {
        let candidate = format!("{module}.{name}");
        if !catalog.with_key(&keys::sym(&candidate)).is_empty() {
            return Some((candidate, Naming::StarImport));
        }
    }
    // What the packs' examples write, most written first: under a star-imported module,
    // then in a package the file imports. Only those packages' packs are asked, so the
    // cost does not grow with the packs loaded.
    let mut modules: Vec<&str> = imported
        .iter()
        .map(String::as_str)
        .chain(star_modules.iter().map(|m| keys::top_module(m)))
        .collect();
    modules.sort_unstable();
    modules.dedup();
    let mut best: Option<(&str, bool, u32)> = None;
    for &module in &modules {
        for &pack in catalog.packs_of_module(module) {
            for (qualified, count) in catalog.mentions(pack).qualified_ending_in(name) {
                if keys::top_module(qualified) != module {
                    continue;
                }
                let starred = star_modules
                    .iter()
                    .any(|m| qualified.starts_with(&format!("{m}.")));
                if best.is_none_or(|(_, s, c)| (starred, *count) > (s, c)) {
                    best = Some((qualified, starred, *count));
                }
            }
        }
    }
    if let Some((qualified, _, _)) = best {
        return Some((qualified.to_string(), Naming::Vocabulary));
    }
    // Most likely from the last star import of a package some pack is about: its
    // package is right, if not its module (`from tvb.simulator.lab import *`).
    star_modules
        .iter()
        .rev()
        .find(|m| !catalog.packs_of_module(keys::top_module(m)).is_empty())
        .map(|m| (format!("{m}.{name}"), Naming::StarGuess))
}

/// `resolved` with its unbound root named, when it has one and it can be named; `None`
/// when it has none. An unbound root nothing names leaves the keys as they are (no pack
/// is about `?`, so they match nothing).
pub fn name_resolved(catalog: &Catalog, resolved: &Resolved) -> Option<Resolved> {
    let name = unbound_root(
        resolved
            .keys
            .iter()
            .chain(std::iter::once(&resolved.symbol)),
    )?;
    let from = keys::unbound(name);
    let Some((qualified, _)) = qualify(catalog, name, &resolved.star_modules, &resolved.imported)
    else {
        return member_of_unnamed(resolved, &from);
    };
    let rename = |s: &String| replace_root(s, &from, &qualified);
    Some(Resolved {
        symbol: rename(&resolved.symbol),
        keys: resolved.keys.iter().map(rename).collect(),
        call: resolved
            .call
            .as_ref()
            .map(|c| name_site_as(c, &from, &qualified)),
        ..resolved.clone()
    })
}

/// A member of an unbound name nothing names (`pathlib.Path` without `import pathlib`),
/// or a keyword of a call of one: a `member:` key, looked up by name in the packs the
/// file imports, as for any object the file does not type (`code::python`'s members).
fn member_of_unnamed(resolved: &Resolved, from: &str) -> Option<Resolved> {
    let name = match keys::Key::parse(resolved.keys.first()?)? {
        keys::Key::Symbol(symbol) => {
            keys::last_component(symbol.strip_prefix(from)?.strip_prefix('.')?).to_string()
        }
        // A keyword of a call nothing names (`Langevin(..., temperature_K=300)` in a
        // snippet): the keyword's name, as a member's.
        keys::Key::Keyword { owner, name } => owner.starts_with(from).then_some(name)?,
        _ => return None,
    };
    let name = name.as_str();
    let key = keys::member(name);
    let written = |s: &str| {
        s.strip_prefix(keys::UNBOUND_PREFIX)
            .unwrap_or(s)
            .to_string()
    };
    Some(Resolved {
        symbol: written(&resolved.symbol),
        keys: vec![key.clone()],
        call: resolved.call.as_ref().map(|c| CallSite {
            callee: written(&c.callee),
            keys: vec![key.clone()],
            ..c.clone()
        }),
        ..resolved.clone()
    })
}

/// A call site of an unbound callee, named when a star import names it for certain
/// (diagnostics speak only then); other sites as they are.
pub fn name_site(
    catalog: &Catalog,
    site: CallSite,
    star_modules: &[String],
    imported: &[String],
) -> CallSite {
    let Some(name) = keys::unbound_name(&site.callee) else {
        return site;
    };
    match qualify(catalog, name, star_modules, imported) {
        Some((qualified, Naming::StarImport)) => {
            name_site_as(&site, &keys::unbound(name), &qualified)
        }
        _ => site,
    }
}

fn name_site_as(site: &CallSite, from: &str, qualified: &str) -> CallSite {
    CallSite {
        callee: replace_root(&site.callee, from, qualified),
        keys: site
            .keys
            .iter()
            .map(|k| replace_root(k, from, qualified))
            .collect(),
        ..site.clone()
    }
}

/// The unbound name the first of `texts` holding one starts from.
fn unbound_root<'a>(texts: impl Iterator<Item = &'a String>) -> Option<&'a str> {
    texts
        .filter_map(|t| {
            let at = t.find(keys::UNBOUND_PREFIX)?;
            keys::unbound_name(&t[at..])
        })
        .next()
}

/// `text` with each `from` that is a whole name (not the start of a longer one)
/// replaced by `to`: `kw:?.dyn:dt` -> `kw:ase.md.verlet.VelocityVerlet:dt`.
fn replace_root(text: &str, from: &str, to: &str) -> String {
    let mut out = String::with_capacity(text.len() + to.len());
    let mut rest = text;
    while let Some(at) = rest.find(from) {
        let after = &rest[at + from.len()..];
        let whole = !after.starts_with(|c: char| c.is_alphanumeric() || c == '_');
        out.push_str(&rest[..at]);
        out.push_str(if whole { to } else { from });
        rest = after;
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_whole_names_are_replaced() {
        assert_eq!(
            replace_root("kw:?.dyn:dt", "?.dyn", "ase.md.VelocityVerlet"),
            "kw:ase.md.VelocityVerlet:dt"
        );
        assert_eq!(
            replace_root("sym:?.dynamo.run", "?.dyn", "x"),
            "sym:?.dynamo.run"
        );
        assert_eq!(replace_root("sym:?.dyn.run", "?.dyn", "x.Y"), "sym:x.Y.run");
    }
}
