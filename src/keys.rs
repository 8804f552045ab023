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

pub const ANY_OWNER: &str = "*";

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
