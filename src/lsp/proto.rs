//! Every conversion between LSP types and the core's: positions in the negotiated
//! encoding, ranges, URIs. Nothing else in the server computes a column.

use crate::text::{offset_of, position_of, ColumnUnit};
use std::path::{Path, PathBuf};
use tower_lsp_server::ls_types::{Position, PositionEncodingKind, Range, Uri};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Encoding(pub ColumnUnit);

impl Encoding {
    /// UTF-8 when the client offers it, else UTF-16 (the protocol default).
    pub fn negotiate(offered: Option<&[PositionEncodingKind]>) -> Self {
        match offered {
            Some(list) if list.contains(&PositionEncodingKind::UTF8) => Encoding(ColumnUnit::Utf8),
            _ => Encoding(ColumnUnit::Utf16),
        }
    }

    pub fn kind(self) -> PositionEncodingKind {
        match self.0 {
            ColumnUnit::Utf8 => PositionEncodingKind::UTF8,
            _ => PositionEncodingKind::UTF16,
        }
    }

    /// Byte offset of a position; `None` when the line is past the end.
    pub fn offset(self, text: &str, position: Position) -> Option<usize> {
        offset_of(text, position.line, position.character, self.0)
    }

    pub fn position(self, text: &str, offset: usize) -> Position {
        let (line, character) = position_of(text, offset, self.0);
        Position { line, character }
    }

    pub fn range(self, text: &str, start: usize, end: usize) -> Range {
        Range {
            start: self.position(text, start),
            end: self.position(text, end),
        }
    }
}

pub fn file_path(uri: &Uri) -> Option<PathBuf> {
    if uri.scheme().as_str() != "file" {
        return None;
    }
    uri.to_file_path().map(|p| p.into_owned())
}

pub fn file_uri(path: &Path) -> Option<Uri> {
    Uri::from_file_path(path)
}

/// Whether a document is markdown (skill files), by language id or extension.
pub fn is_markdown(uri: &Uri, language_id: Option<&str>) -> bool {
    language_id.is_some_and(|l| l == "markdown") || uri.path().as_str().ends_with(".md")
}
