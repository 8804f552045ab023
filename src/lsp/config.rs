//! Server settings: from `initializationOptions`, `workspace/configuration` (section
//! `skillLsp`) and `workspace/didChangeConfiguration`. Unknown keys are ignored; a bad
//! value keeps that key's default and is reported, the other keys apply.

use crate::render::HoverOptions;
use serde::Deserialize;
use std::path::PathBuf;
use tower_lsp_server::ls_types::DiagnosticSeverity;

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct Settings {
    /// Extra skill directories (repository roots holding skills/, or skills folders).
    pub skill_paths: Vec<PathBuf>,
    /// Interpreter whose sys.path locates package sources.
    pub python_path: Option<PathBuf>,
    pub diagnostics: DiagnosticSettings,
    pub hover: HoverSettings,
    /// Where the persisted index lives (default: the user cache dir).
    pub cache_dir: Option<PathBuf>,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct DiagnosticSettings {
    pub enabled: bool,
    /// `error`, `warning`, `information` or `hint`.
    pub severity: String,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct HoverSettings {
    pub pitfalls: bool,
    pub notes: bool,
    pub docs: bool,
    pub sources: bool,
    pub related: bool,
}

impl Default for DiagnosticSettings {
    fn default() -> Self {
        DiagnosticSettings {
            enabled: true,
            severity: "information".into(),
        }
    }
}

impl Default for HoverSettings {
    fn default() -> Self {
        HoverSettings {
            pitfalls: true,
            notes: true,
            docs: true,
            sources: true,
            related: true,
        }
    }
}

/// Severities a user may write.
const SEVERITIES: [&str; 4] = ["error", "warning", "information", "hint"];

/// `obj[key]` as a `T`; a missing key gives `None`, a value of the wrong type a warning
/// naming the key (and `None`: the default stays).
fn value_of<T: serde::de::DeserializeOwned>(
    obj: &serde_json::Map<String, serde_json::Value>,
    key: &str,
    path: &str,
    warnings: &mut Vec<String>,
) -> Option<T> {
    let value = obj.get(key).filter(|v| !v.is_null())?;
    match serde_json::from_value(value.clone()) {
        Ok(v) => Some(v),
        Err(e) => {
            warnings.push(format!(
                "skill-lsp setting {path}{key}: {e}; the default is kept"
            ));
            None
        }
    }
}

impl Settings {
    /// Reads settings from a JSON value: either the settings object itself or one that
    /// holds it under `skillLsp`. Key by key: a bad value keeps that key's default and
    /// is reported (in the returned warnings); the other keys still apply. Unknown keys
    /// are ignored.
    pub fn from_json(value: &serde_json::Value) -> (Settings, Vec<String>) {
        let mut warnings = Vec::new();
        let mut settings = Settings::default();
        let inner = value.get("skillLsp").unwrap_or(value);
        if inner.is_null() {
            return (settings, warnings);
        }
        let Some(obj) = inner.as_object() else {
            warnings.push(format!(
                "skill-lsp settings must be an object, not {inner}; the defaults are kept"
            ));
            return (settings, warnings);
        };
        let w = &mut warnings;
        if let Some(paths) = value_of(obj, "skillPaths", "", w) {
            settings.skill_paths = paths;
        }
        settings.python_path =
            value_of::<PathBuf>(obj, "pythonPath", "", w).filter(|p| !p.as_os_str().is_empty());
        // `""` means the default; a relative folder would put the cache inside whatever
        // workspace the server was started in.
        settings.cache_dir = match value_of::<PathBuf>(obj, "cacheDir", "", w) {
            Some(dir) if dir.as_os_str().is_empty() => None,
            Some(dir) if dir.is_relative() => {
                w.push(format!(
                    "skill-lsp setting cacheDir must be an absolute path, not {:?} \
                     (leave it empty for the user cache folder); the default is kept",
                    dir.display().to_string()
                ));
                None
            }
            dir => dir,
        };
        if let Some(diagnostics) = obj.get("diagnostics").and_then(|d| d.as_object()) {
            let d = &mut settings.diagnostics;
            if let Some(enabled) = value_of(diagnostics, "enabled", "diagnostics.", w) {
                d.enabled = enabled;
            }
            if let Some(severity) = value_of::<String>(diagnostics, "severity", "diagnostics.", w) {
                if SEVERITIES.contains(&severity.to_ascii_lowercase().as_str()) {
                    d.severity = severity;
                } else {
                    w.push(format!(
                        "skill-lsp setting diagnostics.severity: {severity:?} is none of {}; the default is kept",
                        SEVERITIES.join(", ")
                    ));
                }
            }
        }
        if let Some(hover) = obj.get("hover").and_then(|h| h.as_object()) {
            let h = &mut settings.hover;
            for (key, field) in [
                ("pitfalls", &mut h.pitfalls),
                ("notes", &mut h.notes),
                ("docs", &mut h.docs),
                ("sources", &mut h.sources),
                ("related", &mut h.related),
            ] {
                if let Some(on) = value_of(hover, key, "hover.", w) {
                    *field = on;
                }
            }
        }
        (settings, warnings)
    }

    pub fn severity(&self) -> DiagnosticSeverity {
        match self.diagnostics.severity.to_ascii_lowercase().as_str() {
            "error" => DiagnosticSeverity::ERROR,
            "warning" => DiagnosticSeverity::WARNING,
            "hint" => DiagnosticSeverity::HINT,
            _ => DiagnosticSeverity::INFORMATION,
        }
    }

    pub fn hover_options(&self) -> HoverOptions {
        HoverOptions {
            pitfalls: self.hover.pitfalls,
            notes: self.hover.notes,
            docs: self.hover.docs,
            sources: self.hover.sources,
            related: self.hover.related,
            ..HoverOptions::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn one_bad_value_keeps_the_other_keys() {
        let (s, warnings) = Settings::from_json(&json!({"skillLsp": {
            "skillPaths": ["/packs"],
            "diagnostics": {"enabled": "yes", "severity": "warning"},
            "hover": {"notes": false, "docs": 3},
            "cacheDir": "relative/cache",
        }}));
        assert_eq!(s.skill_paths, vec![PathBuf::from("/packs")]);
        assert!(s.diagnostics.enabled, "bad `enabled` keeps the default");
        assert_eq!(s.severity(), DiagnosticSeverity::WARNING);
        assert!(!s.hover.notes && s.hover.docs);
        assert_eq!(s.cache_dir, None);
        assert_eq!(warnings.len(), 3, "{warnings:?}");
        assert!(warnings.iter().any(|w| w.contains("cacheDir")));
        assert!(warnings.iter().any(|w| w.contains("diagnostics.enabled")));
        assert!(warnings.iter().any(|w| w.contains("hover.docs")));
        let (s, warnings) = Settings::from_json(&json!({"diagnostics": {"severity": "loud"}}));
        assert_eq!(s.severity(), DiagnosticSeverity::INFORMATION);
        assert!(warnings[0].contains("none of"), "{warnings:?}");
        let (_, warnings) = Settings::from_json(&json!([1, 2]));
        assert!(warnings[0].contains("must be an object"));
    }
}
