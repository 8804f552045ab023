//! workspace/symbol: search the knowledge base (skills, pitfalls, docs, source entries).

use super::proto::file_uri;
use crate::catalog::Catalog;
use crate::model::EntryKind;
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::{Location, OneOf, Position, Range, SymbolKind, WorkspaceSymbol};

pub fn symbols(catalog: &Catalog, query: &str) -> Result<Vec<WorkspaceSymbol>> {
    if query.trim().is_empty() {
        return Ok(Vec::new());
    }
    let hits = catalog
        .search(query, 50)
        .map_err(|e| Error::invalid_params(e.to_string()))?;
    Ok(hits
        .into_iter()
        .filter_map(|hit| {
            let (_, skill, entry) = catalog.entry(hit.id);
            let uri = file_uri(std::path::Path::new(&entry.file))?;
            let line = entry.line.saturating_sub(1);
            let text: String = entry.text.split_whitespace().collect::<Vec<_>>().join(" ");
            let name = if text.chars().count() > 100 {
                format!("{}…", text.chars().take(99).collect::<String>())
            } else {
                text
            };
            Some(WorkspaceSymbol {
                name: format!("{}: {name}", entry.kind),
                kind: match entry.kind {
                    EntryKind::Pitfall => SymbolKind::EVENT,
                    EntryKind::DocMap | EntryKind::PrimaryDoc => SymbolKind::FILE,
                    EntryKind::SourceMap | EntryKind::SourceEntry => SymbolKind::MODULE,
                    EntryKind::Example => SymbolKind::FUNCTION,
                    _ => SymbolKind::STRING,
                },
                tags: None,
                container_name: Some(skill.name.clone()),
                location: OneOf::Left(Location::new(
                    uri,
                    Range::new(Position::new(line, 0), Position::new(line, 0)),
                )),
                data: None,
            })
        })
        .collect())
}
