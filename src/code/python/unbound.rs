//! Names a file uses but never binds at module level: Python's builtins, the names a
//! function, loop, comprehension, `with` or `except` binds for its own body, and the
//! rest, which come from a star import or an import the file does not show (a notebook
//! cell or a doc snippet whose imports are elsewhere). The rest resolve to
//! `?.<name>` (`keys::unbound`); matching names them through the packs, or leaves them.

use tree_sitter::Node;

/// Python's builtin functions, types, constants and exceptions (3.12): a name here is
/// never a package's.
const BUILTINS: &[&str] = &[
    "abs",
    "aiter",
    "all",
    "anext",
    "any",
    "ascii",
    "bin",
    "bool",
    "breakpoint",
    "bytearray",
    "bytes",
    "callable",
    "chr",
    "classmethod",
    "compile",
    "complex",
    "copyright",
    "credits",
    "delattr",
    "dict",
    "dir",
    "display",
    "divmod",
    "enumerate",
    "eval",
    "exec",
    "exit",
    "filter",
    "float",
    "format",
    "frozenset",
    "get_ipython",
    "getattr",
    "globals",
    "hasattr",
    "hash",
    "help",
    "hex",
    "id",
    "input",
    "int",
    "isinstance",
    "issubclass",
    "iter",
    "len",
    "license",
    "list",
    "locals",
    "map",
    "max",
    "memoryview",
    "min",
    "next",
    "object",
    "oct",
    "open",
    "ord",
    "pow",
    "print",
    "property",
    "quit",
    "range",
    "repr",
    "reversed",
    "round",
    "set",
    "setattr",
    "slice",
    "sorted",
    "staticmethod",
    "str",
    "sum",
    "super",
    "tuple",
    "type",
    "vars",
    "zip",
    "__import__",
    "__name__",
    "__file__",
    "__doc__",
    "__spec__",
    "__builtins__",
    "None",
    "True",
    "False",
    "Ellipsis",
    "NotImplemented",
    "self",
    "cls",
];

/// Whether `name` is a builtin: an exception or warning class counts too.
pub(super) fn is_builtin(name: &str) -> bool {
    let exception_stem = ["Error", "Warning", "Exception"]
        .iter()
        .find_map(|suffix| name.strip_suffix(suffix));
    BUILTINS.contains(&name)
        || exception_stem.is_some_and(|stem| BUILTIN_EXCEPTION_STEMS.contains(&stem))
        || matches!(name, "StopIteration" | "KeyboardInterrupt" | "SystemExit")
}

/// The builtin exception and warning classes, by their name before `Error`, `Warning`
/// or `Exception` (`Exception` and `BaseException` themselves too).
const BUILTIN_EXCEPTION_STEMS: &[&str] = &[
    "",
    "Base",
    "Arithmetic",
    "Assertion",
    "Attribute",
    "Blocking",
    "BrokenPipe",
    "Buffer",
    "Bytes",
    "ChildProcess",
    "Connection",
    "Deprecation",
    "EOF",
    "Environment",
    "FileExists",
    "FileNotFound",
    "FloatingPoint",
    "Future",
    "Import",
    "Indentation",
    "Index",
    "Interrupted",
    "IsADirectory",
    "Key",
    "Lookup",
    "Memory",
    "ModuleNotFound",
    "Name",
    "NotADirectory",
    "NotImplemented",
    "OS",
    "Overflow",
    "PendingDeprecation",
    "Permission",
    "ProcessLookup",
    "Recursion",
    "Reference",
    "Resource",
    "Runtime",
    "Syntax",
    "System",
    "Tab",
    "Timeout",
    "Type",
    "UnboundLocal",
    "Unicode",
    "User",
    "Value",
    "ZeroDivision",
    "IO",
];

/// Whether a scope around `node` binds `name` for it: a parameter of an enclosing
/// function or lambda, the target of an enclosing `for` or comprehension, a `with … as`
/// or `except … as` name. The module-level map of bindings does not see these.
pub(super) fn bound_around(node: Node<'_>, name: &str, src: &[u8]) -> bool {
    let mut current = node;
    while let Some(parent) = current.parent() {
        let binds = match parent.kind() {
            "function_definition" | "lambda" => parent
                .child_by_field_name("parameters")
                .is_some_and(|p| parameter_names(p, src).any(|n| n == name)),
            "for_statement" | "for_in_clause" => parent
                .child_by_field_name("left")
                .is_some_and(|left| identifiers(left, src).any(|n| n == name)),
            "list_comprehension"
            | "set_comprehension"
            | "dictionary_comprehension"
            | "generator_expression" => {
                let mut cursor = parent.walk();
                let clauses: Vec<Node<'_>> = parent
                    .named_children(&mut cursor)
                    .filter(|c| c.kind() == "for_in_clause")
                    .collect();
                clauses.into_iter().any(|clause| {
                    clause
                        .child_by_field_name("left")
                        .is_some_and(|left| identifiers(left, src).any(|n| n == name))
                })
            }
            "with_statement" | "try_statement" => aliases(parent, src).any(|n| n == name),
            _ => false,
        };
        if binds {
            return true;
        }
        current = parent;
    }
    false
}

fn text<'a>(node: Node<'_>, src: &'a [u8]) -> &'a str {
    std::str::from_utf8(&src[node.byte_range()]).unwrap_or("")
}

/// The identifiers of a target (`x`, `(i, atoms)`, `*rest`), not of subscripts or
/// attributes in it.
fn identifiers<'a>(target: Node<'_>, src: &'a [u8]) -> impl Iterator<Item = &'a str> {
    let mut names = Vec::new();
    let mut stack = vec![target];
    while let Some(node) = stack.pop() {
        match node.kind() {
            "identifier" => names.push(text(node, src)),
            "pattern_list"
            | "tuple_pattern"
            | "list_pattern"
            | "list_splat_pattern"
            | "tuple"
            | "list"
            | "parenthesized_expression"
            | "as_pattern_target" => {
                let mut cursor = node.walk();
                stack.extend(node.named_children(&mut cursor));
            }
            _ => {}
        }
    }
    names.into_iter()
}

/// The names a parameter list binds (not its defaults or annotations).
fn parameter_names<'a>(parameters: Node<'_>, src: &'a [u8]) -> impl Iterator<Item = &'a str> {
    let mut names = Vec::new();
    let mut cursor = parameters.walk();
    for parameter in parameters.named_children(&mut cursor) {
        let name = match parameter.kind() {
            "identifier" => Some(parameter),
            "default_parameter" | "typed_default_parameter" => {
                parameter.child_by_field_name("name")
            }
            "typed_parameter" | "list_splat_pattern" | "dictionary_splat_pattern" => {
                parameter.named_child(0)
            }
            _ => None,
        };
        if let Some(name) = name.filter(|n| n.kind() == "identifier") {
            names.push(text(name, src));
        }
    }
    names.into_iter()
}

/// The `as` names of a `with` statement's items or a `try` statement's `except` clauses.
fn aliases<'a>(statement: Node<'_>, src: &'a [u8]) -> impl Iterator<Item = &'a str> {
    let mut names = Vec::new();
    let mut stack = vec![statement];
    while let Some(node) = stack.pop() {
        match node.kind() {
            "as_pattern" => {
                if let Some(alias) = node.child_by_field_name("alias") {
                    names.extend(identifiers(alias, src));
                }
            }
            // `except E as e:` holds an `as_pattern` (or, in the grammar's other form, an
            // `alias` field); a `with` item holds an `as_pattern` too.
            "with_statement" | "with_clause" | "with_item" | "try_statement" | "except_clause" => {
                if let Some(alias) = node.child_by_field_name("alias") {
                    names.extend(identifiers(alias, src));
                }
                let mut cursor = node.walk();
                stack.extend(node.named_children(&mut cursor));
            }
            _ => {}
        }
    }
    names.into_iter()
}
