//! Mechanical fixes a pitfall implies, read from its own wording: "`xc` is rejected; use
//! `method` instead" renames the keyword; "`"multiprocess"` ...; try `"multithread"`
//! first" replaces the value. Only when the pitfall names exactly one replacement after
//! its redirect, and the call uses the thing the pitfall is about.

use super::applicability::{mentions, Mention};
use crate::code::CallSite;
use crate::model::Entry;

/// A text replacement in the user's document (byte range).
#[derive(Debug, Clone, PartialEq)]
pub struct Fix {
    pub title: String,
    pub start: usize,
    pub end: usize,
    pub replacement: String,
}

pub fn fixes(entry: &Entry, site: &CallSite) -> Vec<Fix> {
    let (subjects, replacements) = mentions(entry, &site.callee);
    let mut out = Vec::new();
    // A keyword to rename.
    let new_keywords: Vec<&String> = replacements
        .iter()
        .filter_map(|m| match m {
            Mention::Keyword(k) => Some(k),
            _ => None,
        })
        .collect();
    if let [new] = dedup(new_keywords).as_slice() {
        for subject in &subjects {
            let Mention::Keyword(old) = subject else {
                continue;
            };
            if let Some(arg) = site.keywords.iter().find(|a| &a.name == old) {
                if !site.keywords.iter().any(|a| &a.name == *new) {
                    out.push(Fix {
                        title: format!("Replace {old}= with {new}="),
                        start: arg.start,
                        end: arg.end,
                        replacement: (*new).clone(),
                    });
                }
            }
        }
    }
    // A value to replace.
    let new_values: Vec<&String> = replacements
        .iter()
        .filter_map(|m| match m {
            Mention::Value(_, v) => Some(v),
            _ => None,
        })
        .collect();
    if let [new] = dedup(new_values).as_slice() {
        for subject in &subjects {
            let Mention::Value(kw, old) = subject else {
                continue;
            };
            for arg in site
                .keywords
                .iter()
                .filter(|a| kw.as_ref().is_none_or(|k| &a.name == k))
            {
                for v in arg.values.iter().filter(|v| &v.value == old) {
                    out.push(Fix {
                        title: format!("Replace \"{old}\" with \"{new}\""),
                        start: v.start,
                        end: v.end,
                        replacement: (*new).clone(),
                    });
                }
            }
        }
    }
    out
}

fn dedup(mut list: Vec<&String>) -> Vec<&String> {
    list.sort();
    list.dedup();
    list
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::code::python::PyDocument;
    use crate::model::{EntryKind, Symbol, SymbolKind};

    fn site(src: &str) -> CallSite {
        let full = format!("from ase.calculators.psi4 import Psi4\nimport oqupy\n{src}\n");
        PyDocument::parse(full).unwrap().call_sites().remove(0)
    }

    #[test]
    fn keyword_rename_and_value_replacement() {
        let psi4 = "ase.calculators.psi4.Psi4";
        let mut e = Entry::new(
            EntryKind::Pitfall,
            "P",
            "`xc` is rejected; use `method` instead.".into(),
            "f",
            1,
        );
        e.symbols = vec![
            Symbol::owned(SymbolKind::Keyword, "xc", psi4),
            Symbol::owned(SymbolKind::Keyword, "method", psi4),
        ];
        let s = site("Psi4(xc='b3lyp')");
        let found = fixes(&e, &s);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].replacement, "method");
        assert_eq!(found[0].end - found[0].start, 2);

        let owner = "oqupy.PtTebd:backend_config";
        let mut e = Entry::new(
            EntryKind::Pitfall,
            "P",
            "`\"multiprocess\"` is slow; try `\"multithread\"` first.".into(),
            "f",
            1,
        );
        e.symbols = vec![
            Symbol::new(SymbolKind::Value, "multiprocess"),
            Symbol::owned(SymbolKind::Value, "multithread", owner),
        ];
        let s = site("oqupy.PtTebd(backend_config={'parallel': 'multiprocess'})");
        let found = fixes(&e, &s);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].replacement, "multithread");
        // Nothing to fix where the call already does what the pitfall asks.
        assert!(fixes(
            &e,
            &site("oqupy.PtTebd(backend_config={'parallel': 'multithread'})")
        )
        .is_empty());
    }
}
