//! Skill files in the editor: links on cited paths that exist, hover with the doc map's
//! title and headings. (Dead-path diagnostics are in `diagnostics`.)

use super::proto::{file_path, file_uri, Encoding};
use crate::catalog::Catalog;
use crate::skill_lint::{self, CitedPath};
use std::path::Path;
use tower_lsp_server::ls_types::{DocumentLink, Uri};

pub fn cited(catalog: &Catalog, path: &Path, text: &str) -> Vec<CitedPath> {
    let path = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    match skill_lint::pack_of(catalog, &path) {
        Some(pack) => skill_lint::cited_paths(catalog, pack, &path, text),
        None => Vec::new(),
    }
}

pub fn links(catalog: &Catalog, uri: &Uri, text: &str, encoding: Encoding) -> Vec<DocumentLink> {
    let Some(path) = file_path(uri) else {
        return Vec::new();
    };
    cited(catalog, &path, text)
        .into_iter()
        .filter_map(|c| {
            let target = file_uri(c.target.as_deref()?)?;
            Some(DocumentLink {
                range: encoding.range(text, c.start, c.end),
                target: Some(target),
                tooltip: c.title.clone().or_else(|| Some(format!("Open {}", c.path))),
                data: None,
            })
        })
        .collect()
}

/// Markdown for the cited path under `offset`, with its byte range.
pub fn hover(
    catalog: &Catalog,
    uri: &Uri,
    text: &str,
    offset: usize,
) -> Option<(String, usize, usize)> {
    let path = file_path(uri)?;
    let c = cited(catalog, &path, text)
        .into_iter()
        .find(|c| c.start <= offset && offset <= c.end)?;
    let mut md = format!("**`{}`**", c.path);
    if let Some(title) = &c.title {
        md.push_str(&format!(" — {title}"));
    }
    md.push('\n');
    if !c.headings.is_empty() {
        md.push_str(&format!("\nHeadings: {}\n", c.headings.join("; ")));
    }
    match c.exists {
        Some(true) => {}
        Some(false) => md.push_str("\nNot found in this pack's repository.\n"),
        None => md.push_str("\nThe repository is not on disk: existence not checked.\n"),
    }
    Some((md, c.start, c.end))
}
