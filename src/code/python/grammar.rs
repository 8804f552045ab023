//! The tree-sitter side of the Python reader: the thread's parser, and the grammar's
//! kind and field ids, looked up once.

use tree_sitter::{Parser, Tree};

/// Grammar node kinds the whole-tree walks look for, as ids looked up once: comparing
/// `kind_id()`s avoids a C-string length and UTF-8 check per node (`Node::kind`), which
/// was a tenth of `check`'s time.
pub(super) struct KindIds {
    /// Kinds `Analysis::visit` acts on (imports, definitions, assignments).
    pub binding: [u16; 5],
    pub call: u16,
    pub subscript: u16,
    /// Kinds whose children are statements.
    pub statement_holders: [u16; 2],
    /// By kind id: expressions and literals, which hold no statement, so no binding: the
    /// bindings walk does not enter them (most of a script's nodes).
    pub holds_no_statement: Vec<bool>,
}

/// Expression and literal kinds of the Python grammar: no import, definition or
/// assignment can sit inside one (a lambda's body is an expression; a walrus is not an
/// assignment here). Missing a kind only costs speed, never a binding.
pub(super) const EXPRESSION_KINDS: [&str; 30] = [
    "call",
    "argument_list",
    "keyword_argument",
    "attribute",
    "subscript",
    "slice",
    "string",
    "concatenated_string",
    "integer",
    "float",
    "identifier",
    "true",
    "false",
    "none",
    "binary_operator",
    "unary_operator",
    "not_operator",
    "boolean_operator",
    "comparison_operator",
    "conditional_expression",
    "parenthesized_expression",
    "list",
    "tuple",
    "set",
    "dictionary",
    "list_comprehension",
    "dictionary_comprehension",
    "set_comprehension",
    "generator_expression",
    "lambda",
];

pub(super) fn kind_ids() -> &'static KindIds {
    static IDS: std::sync::OnceLock<KindIds> = std::sync::OnceLock::new();
    IDS.get_or_init(|| {
        let language: tree_sitter::Language = tree_sitter_python::LANGUAGE.into();
        let id = |kind: &str| language.id_for_node_kind(kind, true);
        KindIds {
            binding: [
                id("import_statement"),
                id("import_from_statement"),
                id("function_definition"),
                id("class_definition"),
                id("assignment"),
            ],
            call: id("call"),
            subscript: id("subscript"),
            statement_holders: [id("module"), id("block")],
            holds_no_statement: {
                let mut table = vec![false; language.node_kind_count()];
                for kind in EXPRESSION_KINDS {
                    if let Some(slot) = table.get_mut(usize::from(id(kind))) {
                        *slot = true;
                    }
                }
                table
            },
        }
    })
}

/// Grammar field ids, looked up once: `child_by_field_name` looks the name up among the
/// grammar's field names (`strncmp`) on every call, several times per statement.
pub(super) struct FieldIds {
    pub alias: u16,
    pub arguments: u16,
    pub attribute: u16,
    pub function: u16,
    pub key: u16,
    pub left: u16,
    pub module_name: u16,
    pub name: u16,
    pub object: u16,
    pub right: u16,
    pub subscript: u16,
    pub value: u16,
}

pub(super) fn field_ids() -> &'static FieldIds {
    static IDS: std::sync::OnceLock<FieldIds> = std::sync::OnceLock::new();
    IDS.get_or_init(|| {
        let language: tree_sitter::Language = tree_sitter_python::LANGUAGE.into();
        // A name missing from the grammar gets id 0, which no child carries: the lookup
        // finds nothing, as `child_by_field_name` would (a test checks every name).
        let id = |name: &str| language.field_id_for_name(name).map_or(0, |f| f.get());
        FieldIds {
            alias: id("alias"),
            arguments: id("arguments"),
            attribute: id("attribute"),
            function: id("function"),
            key: id("key"),
            left: id("left"),
            module_name: id("module_name"),
            name: id("name"),
            object: id("object"),
            right: id("right"),
            subscript: id("subscript"),
            value: id("value"),
        }
    })
}

/// Parses with this thread's parser: one parser (and its allocations) per thread, not
/// one per document or keystroke.
pub(super) fn parse(source: &str, old: Option<&Tree>) -> Option<Tree> {
    thread_local! {
        static PARSER: std::cell::RefCell<Parser> = std::cell::RefCell::new(parser());
    }
    PARSER.with_borrow_mut(|p| p.parse(source, old))
}

fn parser() -> Parser {
    let mut parser = Parser::new();
    // The grammar is compiled in; a version mismatch would be a build error, not input.
    parser
        .set_language(&tree_sitter_python::LANGUAGE.into())
        .unwrap_or_else(|e| panic!("tree-sitter-python grammar rejected: {e}"));
    parser
}
