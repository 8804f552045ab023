//! The tantivy schema: one document per entry. Bump `SCHEMA_VERSION` whenever the schema
//! or the meaning of a field changes; an index of another version is rebuilt.

use tantivy::schema::{Field, Schema, STORED, STRING, TEXT};

pub const SCHEMA_VERSION: u32 = 1;

#[derive(Clone, Copy)]
pub struct Fields {
    /// The pack key (its root) — the unit of incremental refresh.
    pub pack: Field,
    /// The entry's position in its pack (see `Pack::entries`).
    pub ordinal: Field,
    pub kind: Field,
    pub skill: Field,
    /// Exact match keys (`sym:ase.io.read`, `kw:oqupy.PtTebd:backend_config`).
    pub keys: Field,
    /// Last components of symbol names, for queries that name a bare symbol (`read`).
    pub names: Field,
    /// Entry text, section, title and headings, for BM25.
    pub text: Field,
    /// Symbol names and cited paths, tokenized.
    pub symbols: Field,
}

pub fn build() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let fields = Fields {
        pack: b.add_text_field("pack", STRING | STORED),
        ordinal: b.add_u64_field("ordinal", STORED),
        kind: b.add_text_field("kind", STRING),
        skill: b.add_text_field("skill", STRING),
        keys: b.add_text_field("keys", STRING),
        names: b.add_text_field("names", STRING),
        text: b.add_text_field("text", TEXT),
        symbols: b.add_text_field("symbols", TEXT),
    };
    (b.build(), fields)
}

pub fn fields_of(schema: &Schema) -> Option<Fields> {
    let f = |name: &str| schema.get_field(name).ok();
    Some(Fields {
        pack: f("pack")?,
        ordinal: f("ordinal")?,
        kind: f("kind")?,
        skill: f("skill")?,
        keys: f("keys")?,
        names: f("names")?,
        text: f("text")?,
        symbols: f("symbols")?,
    })
}
