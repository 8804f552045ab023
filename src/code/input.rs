//! Input files of simulation codes (namelists, HSD, `key value` decks, `#command:`
//! files, `*CARD` decks and formats never seen before), read by [`reader`]: each
//! setting is a site whose callee is the keyword and whose keywords are the settings of
//! its group, so a pitfall saying one setting must accompany another can be checked.
//!
//! Keys: `set:hamiltonian/dftb/scc` (the keyword under its group) and `set:scc`; for a
//! value, `setval:scc:yes` and `setval:*:yes`. They never meet Python's keys. Which packs
//! answer is decided by what the file is (its name) and what it says (its keywords):
//! [`InputDocument::imported`] gives both to the matcher, which lets only the packs that
//! cite the file's name or share its keywords speak.

pub mod reader;

use super::{CallSite, KeywordArg, LiteralValue, Resolved};
use crate::keys;
use reader::{Read, Setting};
use std::sync::Arc;

/// The settings of a group a site carries: a pitfall naming two settings is checked
/// against the group; past this many, a huge flat file keeps each site small.
const MAX_GROUP_SETTINGS: usize = 64;

/// Distinct keywords of the file offered to the matcher to decide which packs it belongs
/// to (spread over the whole file): enough to tell a pack's format in a 600-line
/// `MOM_input` whose skills name a few of them, few enough to stay cheap per hover.
pub const MAX_OWNERSHIP_KEYWORDS: usize = 256;

/// A read input file. Cheap to clone (shared text and settings).
#[derive(Clone)]
pub struct InputDocument {
    pub source: Arc<String>,
    read: Arc<Read>,
    /// The file's name, lowercased (`namelist.input`), for which packs own it.
    name: Arc<str>,
    /// What [`Self::imported`] gives, made once per read.
    ownership: Arc<Vec<String>>,
    freshness: super::Freshness,
}

impl InputDocument {
    pub fn parse(source: String, name: &str) -> InputDocument {
        let name: Arc<str> = Arc::from(name.to_ascii_lowercase());
        let read = reader::read(&source);
        InputDocument {
            ownership: Arc::new(ownership(&name, &read)),
            read: Arc::new(read),
            source: Arc::new(source),
            name,
            freshness: super::Freshness::new(),
        }
    }

    /// Replaces `start..end` (bytes) with `text`; read at [`Self::refresh`] (the whole
    /// text again: one pass over lines, well under a millisecond for 5,000 lines).
    pub fn edit_deferred(&mut self, start: usize, end: usize, text: &str) -> bool {
        super::splice_deferred(&mut self.source, &mut self.freshness, (start, end), text)
    }

    pub fn refresh(&mut self) -> bool {
        if self.freshness.is_stale() {
            let read = reader::read(&self.source);
            self.ownership = Arc::new(ownership(&self.name, &read));
            self.read = Arc::new(read);
            self.freshness.parsed();
        }
        true
    }

    pub fn adopt(&mut self, parsed: &InputDocument) {
        if self.freshness.adoptable(&parsed.freshness) {
            self.read = parsed.read.clone();
            self.ownership = parsed.ownership.clone();
            self.freshness.parsed();
        }
    }

    pub fn is_stale(&self) -> bool {
        self.freshness.is_stale()
    }

    /// What starts a comment line in this file's format.
    pub fn line_comment(&self) -> &'static str {
        self.read.comment
    }

    /// What decides which packs speak: `file:<name>`, then the file's distinct keywords
    /// as `set:` keys (at most [`MAX_OWNERSHIP_KEYWORDS`], spread over the file).
    pub fn imported(&self) -> Vec<String> {
        self.ownership.to_vec()
    }

    pub fn call_sites(&self) -> Vec<CallSite> {
        let groups = self.group_arguments();
        (0..self.read.settings.len())
            .map(|i| self.site(i, &groups))
            .collect()
    }

    /// Each group's settings as keyword arguments, lowercased (the formats compare
    /// keywords and values without case).
    fn group_arguments(&self) -> Vec<Vec<KeywordArg>> {
        let mut groups: Vec<Vec<KeywordArg>> = vec![Vec::new(); self.read.groups.len()];
        for s in &self.read.settings {
            let args = &mut groups[s.group];
            if args.len() < MAX_GROUP_SETTINGS {
                args.push(argument(s));
            }
        }
        groups
    }

    fn site(&self, i: usize, groups: &[Vec<KeywordArg>]) -> CallSite {
        let s = &self.read.settings[i];
        CallSite {
            callee: reader::normalise(&s.name),
            start: s.start,
            end: s.end,
            statement_end: s.line_end,
            keywords: groups.get(s.group).cloned().unwrap_or_default(),
            keys: self.setting_keys(s),
        }
    }

    /// `set:` keys of a setting, most specific first, then its value's.
    fn setting_keys(&self, s: &Setting) -> Vec<String> {
        let name = reader::normalise(&s.name);
        let path = &self.read.groups[s.group].path;
        let mut out = Vec::with_capacity(4);
        if !path.is_empty() {
            out.push(keys::setting(&format!("{path}/{name}")));
        }
        out.push(keys::setting(&name));
        if let Some(value) = &s.value {
            let value = reader::normalise(&value.text);
            out.push(keys::setting_value(&name, &value));
        }
        out
    }

    /// The keys of the keyword or value under `offset`.
    pub fn keys_at(&self, offset: usize) -> Option<Resolved> {
        let settings = &self.read.settings;
        // Settings are in text order: the last one starting at or before the offset.
        let last = settings.partition_point(|s| s.start <= offset);
        let found = settings[..last].iter().rev().take(8).find(|s| {
            (s.start <= offset && offset <= s.end)
                || s.value
                    .as_ref()
                    .is_some_and(|v| v.start <= offset && offset <= v.end)
        });
        let Some(s) = found else {
            return self.value_to_come(offset);
        };
        let groups_needed = s.group;
        let mut keywords: Vec<KeywordArg> = settings
            .iter()
            .filter(|o| o.group == groups_needed)
            .take(MAX_GROUP_SETTINGS)
            .map(argument)
            .collect();
        keywords.shrink_to_fit();
        let site = CallSite {
            callee: reader::normalise(&s.name),
            start: s.start,
            end: s.end,
            statement_end: s.line_end,
            keywords,
            keys: self.setting_keys(s),
        };
        let path = &self.read.groups[s.group].path;
        let shown = if path.is_empty() {
            s.name.clone()
        } else {
            format!("{path}/{}", s.name)
        };
        let on_value = s
            .value
            .as_ref()
            .filter(|v| v.start <= offset && offset <= v.end && offset > s.end);
        let (symbol, keys, start, end) = match on_value {
            Some(v) => {
                let value = reader::normalise(&v.text);
                let name = reader::normalise(&s.name);
                let mut keys = vec![
                    keys::setting_value(&name, &value),
                    keys::setting_value(keys::ANY_OWNER, &value),
                ];
                // A value that is a name (`Type2FileNames`, `VelocityVerlet`) is one the
                // skills write about on its own.
                if reader::is_keyword(&v.text) {
                    keys.push(keys::setting(&value));
                }
                keys.extend(
                    site.keys
                        .iter()
                        .filter(|k| !k.starts_with("setval:"))
                        .cloned(),
                );
                (format!("{shown} = {}", v.text), keys, v.start, v.end)
            }
            None => (shown, site.keys.clone(), s.start, s.end),
        };
        Some(Resolved {
            symbol,
            keys,
            start,
            end,
            call: Some(site),
            imported: self.imported(),
            star_modules: Vec::new(),
        })
    }
}

/// `file:<name>` and up to [`MAX_OWNERSHIP_KEYWORDS`] distinct keywords, evenly spread
/// over the file.
fn ownership(name: &str, read: &Read) -> Vec<String> {
    let mut out = Vec::new();
    if !name.is_empty() {
        out.push(format!("file:{name}"));
    }
    let mut seen = std::collections::HashSet::new();
    let distinct: Vec<String> = read
        .settings
        .iter()
        .map(|s| keys::setting(&reader::normalise(&s.name)))
        .filter(|k| seen.insert(k.clone()))
        .collect();
    let step = distinct.len().div_ceil(MAX_OWNERSHIP_KEYWORDS).max(1);
    out.extend(distinct.into_iter().step_by(step));
    out
}

impl InputDocument {
    /// After a keyword with no value yet on its line (`scf.SpinPolarization |`): the
    /// place of its value, keyed `setval:<keyword>:` (nothing typed), for completion.
    fn value_to_come(&self, offset: usize) -> Option<Resolved> {
        let settings = &self.read.settings;
        let last = settings.partition_point(|s| s.start <= offset);
        let s = settings[..last].last()?;
        let between = self.source.get(s.end..offset)?;
        let separator = between.trim_matches(|c: char| c == ' ' || c == '\t');
        let waiting = s.value.is_none()
            && offset <= s.line_end
            && matches!(separator, "" | "=" | ":")
            && between.len() > separator.len();
        if !waiting {
            return None;
        }
        Some(Resolved {
            symbol: format!("{} = ...", s.name),
            keys: vec![keys::setting_value(&reader::normalise(&s.name), "")],
            start: offset,
            end: offset,
            call: None,
            imported: self.imported(),
            star_modules: Vec::new(),
        })
    }
}

fn argument(s: &Setting) -> KeywordArg {
    KeywordArg {
        name: reader::normalise(&s.name),
        start: s.start,
        end: s.end,
        values: s
            .value
            .iter()
            .map(|v| LiteralValue {
                value: reader::normalise(&v.text),
                start: v.start,
                end: v.end,
                dict_key: None,
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests;
