//! The `skill-lsp` binary: a thin front end over the library.

fn main() -> std::process::ExitCode {
    skill_lsp::cli::main()
}
