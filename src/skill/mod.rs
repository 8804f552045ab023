//! Reading skill packs: SKILL.md and references/*.md into typed entries.

pub mod front_matter;
pub mod markdown;
pub mod references;
pub mod sections;
pub mod skill_md;
