//! Server settings: from `initializationOptions`, `workspace/configuration` (section
//! `skillLsp`) and `workspace/didChangeConfiguration`. Unknown keys are ignored; a bad
//! value keeps the default and is reported.

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

impl Settings {
    /// Reads settings from a JSON value: either the settings object itself or one that
    /// holds it under `skillLsp`.
    pub fn from_json(value: &serde_json::Value) -> Result<Settings, String> {
        let inner = value.get("skillLsp").unwrap_or(value);
        if inner.is_null() {
            return Ok(Settings::default());
        }
        let mut settings: Settings = serde_json::from_value(inner.clone())
            .map_err(|e| format!("invalid skill-lsp settings: {e}"))?;
        // `""` means the default; a relative folder would put the cache inside whatever
        // workspace the server was started in.
        match &settings.cache_dir {
            Some(dir) if dir.as_os_str().is_empty() => settings.cache_dir = None,
            Some(dir) if dir.is_relative() => {
                return Err(format!(
                    "invalid skill-lsp settings: cacheDir must be an absolute path, not {:?} \
                     (leave it empty for the user cache folder)",
                    dir.display().to_string()
                ))
            }
            _ => {}
        }
        Ok(settings)
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
