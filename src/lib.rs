//! skill-lsp: the knowledge in scientific packages' skill documents, in the editor.
//!
//! One core library (packs, symbols, catalog, code resolution, matching, rendering) and
//! thin front ends (the CLI in `main.rs`, the language server).

pub mod analysis;
pub mod catalog;
pub mod cli;
pub mod code;
pub mod docs_tree;
pub mod front;
pub mod keys;
pub mod lint;
pub mod lsp;
pub mod manifest;
pub mod matching;
pub mod mcp;
pub mod memory;
pub mod model;
pub mod pack;
pub mod render;
pub mod skill;
pub mod skill_lint;
pub mod source;
pub mod symbols;
pub mod text;
