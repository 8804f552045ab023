//! Whether a pitfall applies to a call as written, from the pitfall's own wording: the
//! keywords and values it is *about* (its subjects: those named before it redirects the
//! reader with "use", "instead", "try" ...) and whether it warns about an absence
//! ("unless `num_threads` is set").

use crate::code::CallSite;
use crate::model::{Entry, SymbolKind};

/// Words after which a pitfall says what to do instead of what goes wrong: the names
/// after them are its advice ("Fix: enable `savemetrics`", "use `method` instead").
const REDIRECTS: [&str; 12] = [
    " call ",
    " use ",
    " instead",
    " pass ",
    " prefer",
    " try ",
    " begin with",
    " switch",
    "rather than",
    " through ",
    "fix:",
    " enable ",
];
const ABSENCE: [&str; 7] = [
    "unless",
    "without",
    "unset",
    "not set",
    "by default",
    "defaults to",
    "is missing",
];

/// Keyword and value subjects of an entry, for one callee.
#[derive(Debug, Default, PartialEq)]
pub struct Subjects {
    pub keywords: Vec<String>,
    /// `(keyword, value)`; the keyword is unknown when the examples do not show it.
    pub values: Vec<(Option<String>, String)>,
    pub absence: bool,
}

pub fn subjects(entry: &Entry, callee: &str) -> Subjects {
    subjects_of(entry, mentions(entry, callee).0)
}

fn subjects_of(entry: &Entry, subjects: Vec<Mention>) -> Subjects {
    let text = entry.text.to_lowercase();
    let mut out = Subjects {
        absence: ABSENCE.iter().any(|w| text.contains(w)),
        ..Subjects::default()
    };
    for mention in subjects {
        match mention {
            Mention::Keyword(k) if !out.keywords.contains(&k) => out.keywords.push(k),
            Mention::Value(k, v) => out.values.push((k, v)),
            _ => {}
        }
    }
    out
}

/// The keyword and value mentions of an entry for one callee, split at the redirect:
/// (what the entry is about, what it redirects to). Mentions whose owner the examples do
/// not show count too (they may be this callee's).
pub fn mentions(entry: &Entry, callee: &str) -> (Vec<Mention>, Vec<Mention>) {
    let text = entry.text.to_lowercase();
    let mut found: Vec<(usize, Mention)> = Vec::new();
    // The callee's own name is no keyword of it, however the skill left it unowned.
    let callee_name = crate::keys::last_component(callee);
    for s in &entry.symbols {
        if s.kind == SymbolKind::Keyword && s.owner.is_none() && s.name == callee_name {
            continue;
        }
        let owner = s.owner.as_deref();
        let mention = match (s.kind, owner) {
            (SymbolKind::Keyword, None) => Mention::Keyword(s.name.clone()),
            (SymbolKind::Keyword, Some(o)) if o == callee => Mention::Keyword(s.name.clone()),
            // A command's flags are its keywords (`-np` of `mpiexec`).
            (SymbolKind::Flag, Some(o)) if o == callee => Mention::Keyword(s.name.clone()),
            (SymbolKind::Value, None) => Mention::Value(None, s.name.clone()),
            (SymbolKind::Value, Some(o)) => match crate::keys::split_value_owner(o) {
                Some((c, kw)) if c == callee => {
                    Mention::Value(Some(kw.to_string()), s.name.clone())
                }
                _ => continue,
            },
            _ => continue,
        };
        let pos = match &mention {
            Mention::Keyword(k) => find_code(&text, &k.to_lowercase()),
            Mention::Value(_, v) => text.find(&v.to_lowercase()),
        };
        if let Some(pos) = pos {
            found.push((pos, mention));
        }
    }
    found.sort_by_key(|(pos, _)| *pos);
    let cut = advice_start(&text);
    let (before, after): (Vec<_>, Vec<_>) = found.into_iter().partition(|(pos, _)| *pos <= cut);
    (
        before.into_iter().map(|(_, m)| m).collect(),
        after.into_iter().map(|(_, m)| m).collect(),
    )
}

/// Whether the entry names a flag no command owns that is `keyword` on the command line
/// (`-fft` for `fft`, `--sweep-mode` for `sweep_mode`): hovering the keyword, the
/// pitfall is about it. (Not a subject for applicability: scripts pass it by keyword.)
pub fn names_flag_of(entry: &Entry, keyword: &str) -> bool {
    entry.symbols.iter().any(|s| {
        s.kind == SymbolKind::Flag
            && s.owner.is_none()
            && crate::keys::flag_keyword(&s.name).is_some_and(|k| k == keyword)
    })
}

/// The byte position of `` `name`` or `` `name=`` in lowercase text, else of `name`.
fn find_code(text: &str, name: &str) -> Option<usize> {
    text.find(&format!("`{name}`"))
        .or_else(|| text.find(&format!("`{name}=")))
        .or_else(|| text.find(name))
}

/// A pitfall about `git pull` does not apply to `git clone`: it names subcommands of the
/// site's command, and not the one the site runs.
fn names_other_subcommand(entry: &Entry, site: &CallSite) -> bool {
    let prefix = format!("{} ", site.callee);
    let mut named = entry
        .symbols
        .iter()
        .filter(|s| s.kind == SymbolKind::Command && s.name.starts_with(&prefix))
        .peekable();
    named.peek().is_some() && !named.any(|s| site.keys.contains(&crate::keys::command(&s.name)))
}

/// The environment assignments a pitfall writes out (`OMP_NUM_THREADS=1`,
/// `MKL_NUM_THREADS=1`): code that already makes all of them follows its advice.
pub fn assignments_written(entry: &Entry) -> Vec<(String, String)> {
    let text = entry.text.replace(['`', '"', '\''], "");
    let mut out = Vec::new();
    for word in text.split(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | '(' | ')')) {
        let Some((name, value)) = word.split_once('=') else {
            continue;
        };
        let value = value.trim_end_matches('.');
        if crate::symbols::is_env_var(name)
            && !value.is_empty()
            && value
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        {
            out.push((name.to_string(), value.to_string()));
        }
    }
    out
}

#[derive(Debug, Clone, PartialEq)]
pub enum Mention {
    Keyword(String),
    /// `(keyword if known, value)`.
    Value(Option<String>, String),
}

/// Whether a pitfall linked to `site` applies to it as written.
pub fn applies(entry: &Entry, site: &CallSite) -> bool {
    if names_other_subcommand(entry, site) {
        return false;
    }
    let (about, advice) = mentions(entry, &site.callee);
    let mut subjects = subjects_of(entry, about);
    // A bare word the skills leave unowned (`ngl` in "`ase.gui`, `ngl`, `x3d`") reads as
    // a keyword or a value; where the call passes it as a value, it is that value.
    let passed = |name: &str| {
        site.keywords
            .iter()
            .any(|a| a.values.iter().any(|v| v.value == name))
    };
    let (as_values, keywords): (Vec<String>, Vec<String>) = std::mem::take(&mut subjects.keywords)
        .into_iter()
        .partition(|k| passed(k) && !site.keywords.iter().any(|a| &a.name == k));
    // Words listed with it are its alternatives (`x3d`): the values decide.
    if as_values.is_empty() {
        subjects.keywords = keywords;
    }
    subjects
        .values
        .extend(as_values.into_iter().map(|v| (None, v)));
    if about_a_member_only(entry, &site.callee) {
        return false;
    }
    let has_kw = |k: &str| site.keywords.iter().any(|a| a.name == k);
    let has_value = |k: &Option<String>, v: &str| {
        site.keywords.iter().any(|a| {
            k.as_deref().is_none_or(|k| a.name == k) && a.values.iter().any(|x| x.value == v)
        })
    };
    // Values whose keyword is unknown are subjects only when no keyword is: in
    // "pass `num_threads` (an integer or `"max"`)" the value belongs to the keyword.
    let values: Vec<&(Option<String>, String)> = subjects
        .values
        .iter()
        .filter(|(k, _)| k.is_some() || subjects.keywords.is_empty())
        .collect();
    if !values.is_empty() {
        // About specific values: the call must pass one of them; or, for an absence
        // ("unless `scale_atoms=True` is passed"), none.
        let passes = values.iter().any(|(k, v)| has_value(k, v));
        return passes != subjects.absence;
    }
    match subjects.keywords.split_last() {
        // Only advice ("Fix: enable `savemetrics`"): it applies where the call does not
        // take it yet.
        None => !advice
            .iter()
            .any(|m| matches!(m, Mention::Keyword(k) if has_kw(k))),
        Some((last, before)) if subjects.absence => {
            !has_kw(last) && before.iter().all(|k| has_kw(k))
        }
        Some(_) => subjects.keywords.iter().any(|k| has_kw(k)),
    }
}

/// Where the advice of a lowercased pitfall text begins (its first redirect word), or
/// `usize::MAX` when it gives none.
fn advice_start(text: &str) -> usize {
    // Leading space so that a redirect opening the text ("Use `x`...") is found.
    let spaced = format!(" {text}");
    REDIRECTS
        .iter()
        .filter_map(|w| spaced.find(w))
        .min()
        .map_or(usize::MAX, |p| p.saturating_sub(1))
}

/// Whether the pitfall's advice calls `name` (`` call `.download()` first ``, "prefer
/// byte units and `num_entries_for`").
pub fn advises_calling(entry: &Entry, name: &str) -> bool {
    let text = entry.text.to_lowercase();
    let Some(advice) = text.get(advice_start(&text)..) else {
        return false;
    };
    let name = name.to_lowercase();
    [
        format!("`.{name}("),
        format!("`{name}("),
        format!(".{name}()`"),
        format!("`{name}`"),
    ]
    .iter()
    .any(|form| advice.contains(form.as_str()))
}

impl Subjects {
    /// Whether these are `keyword`, or values of it ("`tcut=None` disables ..."),
    /// whatever the call passes: hovering the keyword, the user asks what the skills
    /// say about it.
    pub fn about_keyword(&self, keyword: &str) -> bool {
        self.keywords.iter().any(|k| k == keyword)
            || self
                .values
                .iter()
                .any(|(k, _)| k.as_deref() == Some(keyword))
    }
}

/// Whether the pitfall's advice (what it says to do) names `keyword` for this call.
pub fn advises(entry: &Entry, site: &CallSite, keyword: &str) -> bool {
    mentions(entry, &site.callee)
        .1
        .iter()
        .any(|m| matches!(m, Mention::Keyword(k) if k == keyword))
}

/// `Psi4.read` fails ...: a pitfall about a member of a class, which names the class
/// only as the member's owner, is not about calls of the class itself.
pub fn about_a_member_only(entry: &Entry, symbol: &str) -> bool {
    // Allocation-free: this runs for every hit of every hover.
    let names_member = entry.symbols.iter().any(|s| {
        s.kind == SymbolKind::Qualified
            && s.name
                .strip_prefix(symbol)
                .is_some_and(|rest| rest.starts_with('.'))
    });
    if !names_member {
        return false;
    }
    let last = crate::keys::last_component(symbol);
    !crate::symbols::inline_code(&entry.text).iter().any(|span| {
        *span == symbol
            || *span == last
            || span
                .strip_prefix(last)
                .is_some_and(|rest| rest.starts_with('('))
    })
}

/// Words after which a pitfall about an input file's keyword names what it must be
/// ("requires `scf.SpinPolarization on`", "must be `nc`"), besides [`REDIRECTS`].
const SETTING_REQUIREMENTS: [&str; 4] = [" require", " must ", " should ", " only "];

/// Whether a pitfall linked to an input file's setting (`site`: the keyword, with the
/// settings of its group as keywords) applies to it as written: it warns about a value
/// of this keyword (named before its advice: "use", "requires", "must") and the file
/// sets that value (or, for an absence, does not). A pitfall naming the keyword and no
/// value it warns about informs the hover only.
pub fn applies_to_setting(entry: &Entry, site: &CallSite) -> bool {
    let text = entry.text.to_lowercase();
    let cut = advice_start(&text).min(
        SETTING_REQUIREMENTS
            .iter()
            .filter_map(|w| text.find(w))
            .min()
            .unwrap_or(usize::MAX),
    );
    let written: Vec<&str> = site
        .keywords
        .iter()
        .filter(|a| a.name == site.callee)
        .flat_map(|a| a.values.iter().map(|v| v.value.as_str()))
        .collect();
    let Some(value) = written.first() else {
        return false;
    };
    let values = |owned: bool| {
        entry.symbols.iter().filter(move |s| {
            s.kind == SymbolKind::SettingValue
                && if owned {
                    s.owner.as_deref() == Some(site.callee.as_str())
                } else {
                    s.owner.is_none()
                }
        })
    };
    // Values listed beside an owned one are its alternatives (`on` or `nc`).
    let alternatives = values(true).next().is_some();
    // Values named after the advice are what it requires; they are not checked: what
    // makes them required ("DFT+U requires `scf.SpinPolarization on`") is most often
    // prose no key can test.
    let mut warned = Vec::new();
    for s in values(true).chain(values(false).filter(|_| alternatives)) {
        match word_position(&text, &s.name) {
            Some(pos) if pos <= cut => warned.push(s.name.as_str()),
            _ => {}
        }
    }
    let absence = ABSENCE.iter().any(|w| text.contains(w));
    !warned.is_empty() && warned.contains(value) != absence
}

/// The byte position of `word` in `text` where it stands as a word of its own.
fn word_position(text: &str, word: &str) -> Option<usize> {
    let bounded = |c: Option<char>| c.is_none_or(|c| !(c.is_alphanumeric() || c == '_'));
    text.match_indices(word).map(|(i, _)| i).find(|&i| {
        bounded(text[..i].chars().next_back()) && bounded(text[i + word.len()..].chars().next())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::code::python::PyDocument;
    use crate::model::{EntryKind, Symbol};

    const PSI4: &str = "ase.calculators.psi4.Psi4";

    fn pitfall(text: &str, symbols: Vec<Symbol>) -> Entry {
        let mut e = Entry::new(EntryKind::Pitfall, "Pitfalls", text.into(), "f", 1);
        e.symbols = symbols;
        e
    }

    fn site(code: &str) -> CallSite {
        let src = format!("from ase.calculators.psi4 import Psi4\nimport oqupy\n{code}\n");
        PyDocument::parse(src).unwrap().call_sites().remove(0)
    }

    fn kw(name: &str, owner: &str) -> Symbol {
        Symbol::owned(SymbolKind::Keyword, name, owner)
    }

    #[test]
    fn redirected_keyword_is_not_a_subject() {
        let p = pitfall(
            "`xc` is rejected; use `method` instead.",
            vec![kw("xc", PSI4), kw("method", PSI4)],
        );
        assert_eq!(subjects(&p, PSI4).keywords, vec!["xc"]);
        assert!(applies(&p, &site("Psi4(xc='b3lyp')")));
        assert!(!applies(&p, &site("Psi4(method='b3lyp')")));
    }

    #[test]
    fn advice_only_applies_where_the_call_does_not_follow_it() {
        let p = pitfall(
            "Pitfall: No runtime diagnostics. Fix: enable `savemetrics` and inspect runtime.",
            vec![kw("savemetrics", PSI4)],
        );
        assert!(applies(&p, &site("Psi4(method='b3lyp')")));
        assert!(!applies(&p, &site("Psi4(savemetrics=True)")));
        let p = pitfall(
            "Forgetting to pass model parameters (`params`) to the solver.",
            vec![kw("params", PSI4)],
        );
        assert!(applies(&p, &site("Psi4()")));
        assert!(!applies(&p, &site("Psi4(params=params)")));
    }

    #[test]
    fn advice_to_call_a_method_is_told_from_its_subject() {
        let p = pitfall(
            "Treating `SearchResult` like data: call `.download()` / `.download_all()` first.",
            vec![],
        );
        assert!(advises_calling(&p, "download") && advises_calling(&p, "download_all"));
        let p = pitfall("`read()` fails for output files without a header.", vec![]);
        assert!(!advises_calling(&p, "read"));
    }

    #[test]
    fn absence_pitfall_applies_only_when_the_keyword_is_missing() {
        let p = pitfall(
            "Psi4 defaults to a single thread unless `num_threads` is set.",
            vec![kw("num_threads", PSI4)],
        );
        assert!(applies(&p, &site("Psi4(method='b3lyp')")));
        assert!(!applies(&p, &site("Psi4(method='b3lyp', num_threads=4)")));
    }

    #[test]
    fn an_unowned_word_the_call_passes_as_a_value_is_that_value() {
        let p = pitfall(
            "Viewer capabilities differ (`ase.gui`, `ngl`, `x3d`), so pick by context.",
            vec![
                Symbol::new(SymbolKind::Keyword, "ngl"),
                Symbol::new(SymbolKind::Keyword, "x3d"),
            ],
        );
        assert!(applies(&p, &site("Psi4(viewer='ngl')")));
        assert!(!applies(&p, &site("Psi4(viewer='vmd')")));
    }

    #[test]
    fn absence_of_a_value_applies_only_without_it() {
        let p = pitfall(
            "`set_cell()` does not move atoms unless `scale_atoms=True` is passed.",
            vec![
                kw("scale_atoms", PSI4),
                Symbol::owned(SymbolKind::Value, "True", format!("{PSI4}:scale_atoms")),
            ],
        );
        assert!(applies(&p, &site("Psi4(method='b3lyp')")));
        assert!(!applies(&p, &site("Psi4(scale_atoms=True)")));
    }

    #[test]
    fn value_pitfalls_need_their_value() {
        let owner = "oqupy.PtTebd:backend_config";
        let p = pitfall(
            "`\"multiprocess\"` has higher overhead; try `\"multithread\"` first.",
            vec![
                Symbol::owned(SymbolKind::Value, "multiprocess", owner),
                Symbol::owned(SymbolKind::Value, "multithread", owner),
            ],
        );
        assert!(applies(
            &p,
            &site("oqupy.PtTebd(backend_config={'parallel': 'multiprocess'})")
        ));
        assert!(!applies(
            &p,
            &site("oqupy.PtTebd(backend_config={'parallel': 'multithread'})")
        ));
        // The examples do not show `"multiprocess"`: its owner is unknown, it still leads.
        let p = pitfall(
            "`\"multiprocess\"` has higher overhead; begin with `\"multithread\"`.",
            vec![
                Symbol::new(SymbolKind::Value, "multiprocess"),
                Symbol::owned(SymbolKind::Value, "multithread", owner),
            ],
        );
        assert!(!applies(
            &p,
            &site("oqupy.PtTebd(backend_config={'parallel': 'multithread'})")
        ));
        assert!(applies(
            &p,
            &site("oqupy.PtTebd(backend_config={'parallel': 'multiprocess'})")
        ));
    }

    #[test]
    fn member_pitfalls_do_not_apply_to_the_class_call() {
        let p = pitfall(
            "`Psi4.read` needs the `!ASE Information` block.",
            vec![
                Symbol::new(SymbolKind::Qualified, PSI4),
                Symbol::new(SymbolKind::Qualified, format!("{PSI4}.read")),
            ],
        );
        assert!(!applies(&p, &site("Psi4(method='b3lyp')")));
    }
}
