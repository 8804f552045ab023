//! The one vocabulary shared by skill symbols and keys resolved from code, so that
//! matching is a lookup of equal strings.
//!
//! - `sym:ase.io.read`            a qualified (or bare) name
//! - `kw:oqupy.PtTebd:backend_config` / `kw:*:xc`   a keyword argument and its owner
//! - `val:oqupy.PtTebd:backend_config:multithread` / `val:*:multithread`   a literal value
//! - `env:OMP_NUM_THREADS`        an environment variable
//! - `path:doc/ase/parallel.rst`  a repository path
//! - `cmd:mpiexec`                a shell command
//! - `flag:mpiexec:-np`           a command's flag (its owner is the command)
//! - `set:scf.spinpolarization` / `set:hamiltonian/dftb/scc`   an input file's keyword
//!   (lowercased), alone and under its group
//! - `setval:scf.spinpolarization:on` / `setval:*:on`   a keyword's value
//! - `member:get_operation_results`   a method or attribute of an object the file does
//!   not type (`client.get_operation_results(...)` with `client` a parameter), or a
//!   keyword of a call nothing names: looked up by name in the packs the file imports,
//!   never as a qualified symbol
//! - `?.VelocityVerlet` (inside `sym:`/`kw:`/`val:` keys) a name the file never binds,
//!   named by `matching::unbound` before matching, or left matching nothing

use crate::model::{Symbol, SymbolKind};
use std::fmt;
use std::str::FromStr;

pub const ANY_OWNER: &str = "*";

/// A key, typed: what the strings above spell. Keys are stored and compared as those
/// strings (the catalog's key map, the persisted index, `explain --json`); code that
/// needs a key's parts parses it here, once, rather than splitting on `:` itself.
///
/// The grammar: parts are separated by a single `:`; a `::` belongs to the part (C++
/// `mfem::ParMesh`, Fortran `mod::proc` owners), and a value is the rest of the key, so
/// it may hold anything (`cuda:0`, `mysql://host`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Key {
    /// `sym:NAME`
    Symbol(String),
    /// `kw:OWNER:NAME`; OWNER is [`ANY_OWNER`] when the skills do not say.
    Keyword { owner: String, name: String },
    /// `val:CALLEE:KEYWORD:VALUE`, or `val:*:VALUE` (`keyword` is then `None`).
    Value {
        callee: String,
        keyword: Option<String>,
        value: String,
    },
    /// `env:NAME`
    Env(String),
    /// `path:REL`
    Path(String),
    /// `cmd:NAME` (also `cmd:git pull`: a command with its subcommand)
    Command(String),
    /// `flag:COMMAND:FLAG`
    Flag { command: String, flag: String },
    /// `member:NAME`
    Member(String),
    /// `set:NAME` (lowercased; `group/name` under its group)
    Setting(String),
    /// `setval:SETTING:VALUE` (SETTING is [`ANY_OWNER`] for any)
    SettingValue { setting: String, value: String },
}

impl Key {
    /// The key a string spells; `None` for a string that is no key.
    pub fn parse(key: &str) -> Option<Key> {
        key.parse().ok()
    }

    /// The package scope of a symbol, keyword or value key: the top-level module of its
    /// name or owner. Environment variables, commands, paths, members and input-file
    /// settings belong to no package.
    pub fn module(&self) -> Option<&str> {
        match self {
            Key::Symbol(name) => Some(top_module(name)),
            Key::Keyword { owner, .. } => Some(top_module(owner)),
            Key::Value { callee, .. } => Some(top_module(callee)),
            _ => None,
        }
    }

    /// The name the key's entity goes by, last: a symbol's last component is not taken
    /// here (`sym:a.b.fold` -> `a.b.fold`), a keyword's name, a value, a flag, a setting's
    /// value, an environment variable, a command, a member, a setting.
    pub fn name(&self) -> &str {
        match self {
            Key::Symbol(n)
            | Key::Env(n)
            | Key::Path(n)
            | Key::Command(n)
            | Key::Member(n)
            | Key::Setting(n) => n,
            Key::Keyword { name, .. } => name,
            Key::Value { value, .. } | Key::SettingValue { value, .. } => value,
            Key::Flag { flag, .. } => flag,
        }
    }
}

/// [`Key::module`] without parsing the whole key (matching asks it of every key of a
/// hover, for every entry it scopes).
pub fn module_of(key: &str) -> Option<&str> {
    let (kind, rest) = key.split_once(':')?;
    let owner = match kind {
        "sym" => rest,
        "kw" => split_last_part(rest)?.0,
        "val" => split_part(rest)?.0,
        _ => return None,
    };
    Some(top_module(owner))
}

/// The byte positions of the single `:`s of `text` (those not part of a `::`).
fn single_colons(text: &str) -> impl DoubleEndedIterator<Item = usize> + '_ {
    let bytes = text.as_bytes();
    (0..bytes.len()).filter(move |&i| {
        bytes[i] == b':' && (i == 0 || bytes[i - 1] != b':') && bytes.get(i + 1) != Some(&b':')
    })
}

/// Splits `text` at its first single `:`.
fn split_part(text: &str) -> Option<(&str, &str)> {
    single_colons(text)
        .next()
        .map(|i| (&text[..i], &text[i + 1..]))
}

/// Splits `text` at its last single `:`.
fn split_last_part(text: &str) -> Option<(&str, &str)> {
    single_colons(text)
        .next_back()
        .map(|i| (&text[..i], &text[i + 1..]))
}

/// A string that spells no key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a key: `{0}`")]
pub struct NotAKey(pub String);

impl FromStr for Key {
    type Err = NotAKey;

    fn from_str(key: &str) -> Result<Key, NotAKey> {
        let bad = || NotAKey(key.to_string());
        let (kind, rest) = key.split_once(':').ok_or_else(bad)?;
        let owned = |s: &str| s.to_string();
        Ok(match kind {
            "sym" => Key::Symbol(owned(rest)),
            "env" => Key::Env(owned(rest)),
            "path" => Key::Path(owned(rest)),
            "cmd" => Key::Command(owned(rest)),
            "member" => Key::Member(owned(rest)),
            "set" => Key::Setting(owned(rest)),
            "kw" => {
                let (owner, name) = split_last_part(rest).ok_or_else(bad)?;
                Key::Keyword {
                    owner: owned(owner),
                    name: owned(name),
                }
            }
            "val" => {
                let (callee, rest) = split_part(rest).ok_or_else(bad)?;
                if callee == ANY_OWNER {
                    Key::Value {
                        callee: owned(callee),
                        keyword: None,
                        value: owned(rest),
                    }
                } else {
                    let (keyword, value) = split_part(rest).ok_or_else(bad)?;
                    Key::Value {
                        callee: owned(callee),
                        keyword: Some(owned(keyword)),
                        value: owned(value),
                    }
                }
            }
            "flag" => {
                // A flag holds no `:`; the command may (`make contact` holds a space).
                let (command, flag) = split_last_part(rest).ok_or_else(bad)?;
                Key::Flag {
                    command: owned(command),
                    flag: owned(flag),
                }
            }
            "setval" => {
                let (setting, value) = split_part(rest).ok_or_else(bad)?;
                Key::SettingValue {
                    setting: owned(setting),
                    value: owned(value),
                }
            }
            _ => return Err(bad()),
        })
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Key::Symbol(n) => write!(f, "sym:{n}"),
            Key::Env(n) => write!(f, "env:{n}"),
            Key::Path(n) => write!(f, "path:{n}"),
            Key::Command(n) => write!(f, "cmd:{n}"),
            Key::Member(n) => write!(f, "member:{n}"),
            Key::Setting(n) => write!(f, "set:{n}"),
            Key::Keyword { owner, name } => write!(f, "kw:{owner}:{name}"),
            Key::Value {
                callee,
                keyword: Some(keyword),
                value,
            } => write!(f, "val:{callee}:{keyword}:{value}"),
            Key::Value {
                callee,
                keyword: None,
                value,
            } => write!(f, "val:{callee}:{value}"),
            Key::Flag { command, flag } => write!(f, "flag:{command}:{flag}"),
            Key::SettingValue { setting, value } => write!(f, "setval:{setting}:{value}"),
        }
    }
}

pub fn symbol_key(symbol: &Symbol) -> String {
    let owner = symbol.owner.as_deref().unwrap_or(ANY_OWNER);
    match symbol.kind {
        SymbolKind::Qualified | SymbolKind::Bare => format!("sym:{}", symbol.name),
        SymbolKind::Keyword => format!("kw:{owner}:{}", symbol.name),
        SymbolKind::Value => format!("val:{owner}:{}", symbol.name),
        SymbolKind::EnvVar => format!("env:{}", symbol.name),
        SymbolKind::Path => format!("path:{}", symbol.name),
        SymbolKind::Command => format!("cmd:{}", symbol.name),
        SymbolKind::Flag => format!("flag:{owner}:{}", symbol.name),
        SymbolKind::Setting => format!("set:{}", symbol.name),
        SymbolKind::SettingValue => format!("setval:{owner}:{}", symbol.name),
    }
}

pub fn sym(name: &str) -> String {
    format!("sym:{name}")
}

pub fn kw(owner: &str, name: &str) -> String {
    format!("kw:{owner}:{name}")
}

pub fn val(owner: &str, value: &str) -> String {
    format!("val:{owner}:{value}")
}

/// A value passed to `keyword` of `callee`: `val:CALLEE:KEYWORD:VALUE`.
pub fn value_of(callee: &str, keyword: &str, value: &str) -> String {
    format!("val:{callee}:{keyword}:{value}")
}

/// The owner a value symbol carries: the call and the keyword it is passed to.
pub fn value_owner(callee: &str, keyword: &str) -> String {
    format!("{callee}:{keyword}")
}

/// A value owner's parts: `oqupy.PtTebd:backend_config` -> (`oqupy.PtTebd`,
/// `backend_config`), by the keys' grammar (a `::` stays in the callee).
pub fn split_value_owner(owner: &str) -> Option<(&str, &str)> {
    split_last_part(owner)
}

pub fn env(name: &str) -> String {
    format!("env:{name}")
}

pub fn command(name: &str) -> String {
    format!("cmd:{name}")
}

pub fn flag(command: &str, flag: &str) -> String {
    format!("flag:{command}:{flag}")
}

/// What starts a name the file uses but never binds (`?.VelocityVerlet`): no package's;
/// `matching::unbound` names it through the packs or leaves it unresolved.
pub const UNBOUND_PREFIX: &str = "?.";

pub fn unbound(name: &str) -> String {
    format!("{UNBOUND_PREFIX}{name}")
}

/// The unbound name a qualified name starts from (`?.dyn.run` -> `dyn`).
pub fn unbound_name(qualified: &str) -> Option<&str> {
    let rest = qualified.strip_prefix(UNBOUND_PREFIX)?;
    let end = rest
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(rest.len());
    Some(&rest[..end]).filter(|name| !name.is_empty())
}

/// The keyword argparse makes of a command-line flag long enough to stand for one:
/// `--sweep-mode` -> `sweep_mode`, `-fft` -> `fft`; `-n` and `-1.5` name none.
pub fn flag_keyword(flag: &str) -> Option<String> {
    let name = flag
        .strip_prefix('-')?
        .trim_start_matches('-')
        .replace('-', "_");
    (name.len() >= MIN_FLAG_KEYWORD && is_identifier(&name)).then_some(name)
}

/// The flag families a flag belongs to, as skills write them: `-l1` is in `-l*`,
/// `--mesh-order` in `--mesh*` and `--mesh-*`. At least one letter stays before the `*`.
pub fn flag_families(flag: &str) -> Vec<String> {
    let dashes = flag.len() - flag.trim_start_matches('-').len();
    (dashes + 1..flag.len())
        .filter(|&end| flag.is_char_boundary(end))
        .map(|end| format!("{}*", &flag[..end]))
        .collect()
}

/// Shortest flag name that stands for a keyword (`-np`, `-n` are too common).
const MIN_FLAG_KEYWORD: usize = 3;

/// A member of an object whose type the file does not say.
pub fn member(name: &str) -> String {
    format!("member:{name}")
}

/// An input file's keyword (already lowercased).
pub fn setting(name: &str) -> String {
    format!("set:{name}")
}

/// A value of an input file's keyword (both lowercased).
pub fn setting_value(setting: &str, value: &str) -> String {
    format!("setval:{setting}:{value}")
}

/// Whether a key is an input file's (`set:`, `setval:`): it is looked up only in the
/// packs that own the file, never in every pack.
pub fn is_setting_key(key: &str) -> bool {
    key.starts_with("set:") || key.starts_with("setval:")
}

/// A name as names are compared across spellings: ASCII letters and digits, lowercased
/// (`DFT-D3`, `dftd3` and `DFTD3` are one name; `download_all` is `downloadall`).
pub fn alnum_lower(name: &str) -> String {
    name.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// A Python identifier (ASCII).
pub fn is_identifier(s: &str) -> bool {
    s.chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The last dotted component: `ase.io.read` -> `read`.
pub fn last_component(name: &str) -> &str {
    name.rsplit('.').next().unwrap_or(name)
}

/// The top-level module: `ase.io.read` -> `ase`.
pub fn top_module(name: &str) -> &str {
    name.split('.').next().unwrap_or(name)
}

#[cfg(test)]
mod tests {
    use super::Key;

    #[test]
    fn keys_round_trip_through_their_strings() {
        for text in [
            "sym:ase.io.read",
            "sym:mfem::ParMesh",
            "kw:oqupy.PtTebd:backend_config",
            "kw:*:xc",
            "kw:mfem::ParMesh:order",
            "val:oqupy.PtTebd:backend_config:multithread",
            "val:*:multithread",
            "val:mfem::Device:device:cuda:0",
            "val:sqlalchemy.create_engine:url:mysql://host/db",
            "env:OMP_NUM_THREADS",
            "path:doc/ase/parallel.rst",
            "cmd:mpiexec",
            "cmd:git pull",
            "flag:mpiexec:-np",
            "flag:*:-urf",
            "member:get_operation_results",
            "set:hamiltonian/dftb/scc",
            "setval:scf.spinpolarization:on",
            "setval:*:on",
            "setval:run_hours:",
        ] {
            let key = Key::parse(text).unwrap_or_else(|| panic!("{text} is a key"));
            assert_eq!(key.to_string(), text);
        }
    }

    #[test]
    fn a_flag_belongs_to_the_families_skills_write() {
        assert_eq!(super::flag_families("-l1"), ["-l*"]);
        assert_eq!(
            super::flag_families("--mesh-o"),
            ["--m*", "--me*", "--mes*", "--mesh*", "--mesh-*"]
        );
        assert!(super::flag_families("-n").is_empty());
    }

    #[test]
    fn parts_are_split_at_single_colons_only() {
        assert_eq!(
            Key::parse("kw:mfem::ParMesh:order"),
            Some(Key::Keyword {
                owner: "mfem::ParMesh".into(),
                name: "order".into()
            })
        );
        assert_eq!(
            Key::parse("val:mfem::Device:device:cuda:0"),
            Some(Key::Value {
                callee: "mfem::Device".into(),
                keyword: Some("device".into()),
                value: "cuda:0".into()
            })
        );
        assert_eq!(
            Key::parse("val:*:a:b"),
            Some(Key::Value {
                callee: "*".into(),
                keyword: None,
                value: "a:b".into()
            })
        );
        assert_eq!(
            Key::parse("sym:mfem::ParMesh").and_then(|k| k.module().map(String::from)),
            Some("mfem::ParMesh".into())
        );
        assert_eq!(super::module_of("kw:solve:tol"), Some("solve"));
        assert_eq!(super::module_of("val:ase.io.read:format:vasp"), Some("ase"));
        assert_eq!(super::module_of("env:OMP_NUM_THREADS"), None);
        assert_eq!(Key::parse("nonsense"), None);
        assert_eq!(Key::parse("kw:noowner"), None);
        assert_eq!(Key::parse("what:x"), None);
    }
}
