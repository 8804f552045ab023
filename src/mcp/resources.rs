//! The skills as MCP resources: a host can list the skills of the packs in scope and
//! read a SKILL.md (`skill://PACK/SKILL`) without file access of its own. Only skill files
//! the catalog loaded are served, read as the catalog reads them (inside the pack's root,
//! capped).

use super::session::Session;
use crate::catalog::Catalog;
use crate::model::{EntryKind, Pack, Skill};
use anyhow::Result;
use rmcp::model::Resource;

const SCHEME: &str = "skill://";

fn uri_of(pack: &Pack, skill: &Skill) -> String {
    format!("{SCHEME}{}/{}", pack.name, skill.name)
}

/// Every skill of the packs of the server's working directory.
pub fn list(session: &Session) -> Result<Vec<Resource>> {
    let catalog = session.catalog(&super::tools::packs_of(session, None)?)?;
    Ok(catalog
        .packs
        .iter()
        .flat_map(|pack| {
            pack.skills.iter().map(move |skill| {
                let about = if skill.description.is_empty() {
                    format!("{} pitfalls", skill.count(EntryKind::Pitfall))
                } else {
                    skill.description.clone()
                };
                Resource::new(uri_of(pack, skill), skill.name.clone())
                    .with_title(format!("{} ({})", skill.title, pack.name))
                    .with_description(about)
                    .with_mime_type("text/markdown")
            })
        })
        .collect())
}

/// The SKILL.md behind `uri`.
pub fn read(session: &Session, uri: &str) -> Result<String> {
    let catalog: std::sync::Arc<Catalog> =
        session.catalog(&super::tools::packs_of(session, None)?)?;
    let Some((pack, skill)) = catalog
        .packs
        .iter()
        .flat_map(|p| p.skills.iter().map(move |s| (p, s)))
        .find(|(p, s)| uri_of(p, s) == uri)
    else {
        anyhow::bail!("no skill `{uri}` in the packs loaded (see resources/list)");
    };
    crate::pack::skill_file_text(pack, &skill.file).map_err(|why| anyhow::anyhow!(why))
}
