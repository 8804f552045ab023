//! A fuzz harness that runs under `cargo test`: mutated real inputs (corpus skill files,
//! the embedded packs, the example scripts, LSP frames) through every parser. A short run
//! by default; `SKILL_LSP_FUZZ_ITERS=200000 cargo test --release --test fuzz -- --nocapture`
//! for long runs. Any panic is a failure; each crash found becomes a case in `regressions`.

mod common;

use skill_lsp::code::python::PyDocument;
use skill_lsp::model::EntryKind;
use skill_lsp::skill::{markdown, references, skill_md};
use std::io::Write;
use std::path::Path;

const TOKENS: &[&str] = &[
    "```",
    "```python\n",
    "- ",
    "  - ",
    "1. ",
    "### Pitfalls\n",
    "- Pitfalls (HPC-specific):\n",
    "`",
    "---\n",
    ": ",
    "\n",
    "\r\n",
    "\u{feff}",
    "é",
    "😀",
    "| ",
    "(",
    ")",
    "{",
    "}",
    "[",
    "]",
    "\"",
    "'",
    "import ",
    "from ase.io import *\n",
    "os.environ[\"",
    "=",
    ",",
    ".",
    "oqupy.PtTebd(",
    "backend_config={\"parallel\": \"",
    "\\",
    "#",
    "\t",
    "\0",
    "<!--",
    ">",
    " | score: ",
    " | title: ",
    "`doc/x.rst`",
    "../../etc/passwd",
    "Content-Length: ",
    "\r\n\r\n",
];

fn mutate(rng: &mut common::Rng, seed: &[u8]) -> Vec<u8> {
    let mut data = seed.to_vec();
    for _ in 0..1 + rng.below(8) {
        let at = rng.below(data.len() + 1);
        match rng.below(6) {
            0 => {
                let t = TOKENS[rng.below(TOKENS.len())].as_bytes();
                data.splice(at..at, t.iter().copied());
            }
            1 if !data.is_empty() => {
                let end = (at + rng.below(64)).min(data.len());
                data.drain(at.min(end)..end);
            }
            2 if at < data.len() => data[at] = rng.next() as u8,
            3 => {
                let len = rng.below(128).min(data.len().saturating_sub(at));
                let slice = data[at..at + len].to_vec();
                let to = rng.below(data.len() + 1);
                data.splice(to..to, slice);
            }
            4 => data.truncate(at),
            _ => {
                let t = TOKENS[rng.below(TOKENS.len())].repeat(1 + rng.below(50));
                data.splice(at..at, t.bytes());
            }
        }
    }
    data
}

fn seeds(exts: &[&str]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut dirs = vec![root.join("index"), root.join("examples")];
    if let Some(corpus) = common::corpus() {
        dirs.push(corpus);
    }
    for dir in dirs {
        for entry in ignore::WalkBuilder::new(dir).build().flatten() {
            let p = entry.path();
            if p.is_file() && exts.iter().any(|e| p.extension().is_some_and(|x| x == *e)) {
                if let Ok(bytes) = std::fs::read(p) {
                    if bytes.len() < 200_000 {
                        out.push(bytes);
                    }
                }
            }
        }
    }
    out
}

fn iterations() -> usize {
    std::env::var("SKILL_LSP_FUZZ_ITERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1500)
}

fn say(what: &str, n: usize) {
    let _ = writeln!(
        std::io::stderr(),
        "fuzz: {what}: {n} executions without a crash"
    );
}

#[test]
fn fuzz_skill_and_reference_parsers() {
    let seeds = seeds(&["md"]);
    assert!(!seeds.is_empty());
    let mut rng = common::Rng(0x1234_5678_9abc_def1);
    let n = iterations();
    for i in 0..n {
        let input = mutate(&mut rng, &seeds[i % seeds.len()]);
        let text = String::from_utf8_lossy(&input);
        let mut problems = Vec::new();
        if let Ok(skill) = skill_md::read(&text, "f/SKILL.md", "f", &mut problems) {
            // The symbol extractor, over whatever the parser made of it.
            let mut pack = skill_lsp::model::Pack {
                name: "ase".into(),
                root: "/nonexistent".into(),
                skills_dir: "/nonexistent/skills".into(),
                modules: vec!["ase".into(), "oqupy".into()],
                skills: vec![skill],
                doc_symbols: Vec::new(),
                embedded: false,
            };
            skill_lsp::symbols::annotate_pack(&mut pack);
        }
        for name in ["doc_map.md", "source_map.md", "test_map.md", "other.md"] {
            let _ = references::read(&text, "f", name);
        }
        let lines = markdown::LineIndex::new(&text, 1);
        let doc = markdown::read(&text, "f", &lines, EntryKind::Generic);
        let max_line = text.lines().count() as u32 + 1;
        assert!(
            doc.entries
                .iter()
                .all(|e| e.line >= 1 && e.line <= max_line + 1),
            "lines within the file"
        );
        let _ = skill_lsp::docs_tree::scan_rst(&text, &["ase".to_string()]);
    }
    say(
        "SKILL.md/references parsers, symbol extractor, rst scanner",
        n,
    );
}

#[test]
fn fuzz_python_resolver() {
    let seeds = seeds(&["py"]);
    let mut rng = common::Rng(0xfeed_beef_1234_5678);
    let n = iterations();
    for i in 0..n {
        let input = mutate(&mut rng, &seeds[i % seeds.len()]);
        let text = String::from_utf8_lossy(&input).into_owned();
        let Some(mut doc) = PyDocument::parse(text) else {
            continue;
        };
        let len = doc.source.len();
        for _ in 0..8 {
            let _ = doc.keys_at(rng.below(len + 1));
        }
        let _ = doc.call_sites();
        let a = rng.below(len + 1);
        let b = rng.below(len + 1);
        let _ = doc.edit(a.min(b), a.max(b), TOKENS[rng.below(TOKENS.len())]);
        let _ = doc.call_sites();
        for unit in [
            skill_lsp::text::ColumnUnit::Utf8,
            skill_lsp::text::ColumnUnit::Utf16,
            skill_lsp::text::ColumnUnit::Chars,
        ] {
            let off = skill_lsp::text::offset_of(
                &doc.source,
                rng.below(50) as u32,
                rng.below(200) as u32,
                unit,
            );
            if let Some(off) = off {
                assert!(doc.source.is_char_boundary(off));
            }
        }
    }
    say(
        "python resolver (parse, keys at random offsets, call sites, edits)",
        n,
    );
}

/// Job scripts and notebooks, mutated from the examples and the corpus' own: the shell
/// reader and the notebook reader never panic, and what they give back stays in range.
#[test]
fn fuzz_shell_and_notebook_readers() {
    use skill_lsp::code::{Code, FileKind, SourceFile};
    let mut shell_seeds = seeds(&["sh", "slurm", "bash"]);
    shell_seeds.push(b"#!/bin/bash\n#SBATCH --ntasks=3\nexport OMP_NUM_THREADS=8\nOMP_PROC_BIND=close mpiexec -np 3 gpaw-python run.py ${X:-1} $((N)/2)\nunset KMP\n".to_vec());
    let notebook_seeds = seeds(&["ipynb"]);
    let mut rng = common::Rng(0x5be1_1a0d_0000_0001);
    let n = iterations();
    for i in 0..n {
        let input = mutate(&mut rng, &shell_seeds[i % shell_seeds.len()]);
        let text = String::from_utf8_lossy(&input).into_owned();
        let Ok(mut doc) = Code::parse(FileKind::Shell, text) else {
            continue;
        };
        let len = keys_stay_inside(&doc, &mut rng);
        for site in doc.call_sites() {
            assert!(site.start <= site.end && site.end <= len);
        }
        let a = rng.below(len + 1);
        let b = rng.below(len + 1);
        if doc.edit_deferred(a.min(b), a.max(b), TOKENS[rng.below(TOKENS.len())]) {
            doc.refresh();
            let _ = doc.call_sites();
        }
    }
    for i in 0..n.min(notebook_seeds.len() * 20).max(1) {
        let Some(seed) = notebook_seeds.get(i % notebook_seeds.len().max(1)) else {
            break;
        };
        let input = mutate(&mut rng, seed);
        let text = String::from_utf8_lossy(&input).into_owned();
        let Ok(read) = SourceFile::read("fuzz.ipynb", text) else {
            continue;
        };
        let len = read.code.source().len();
        for _ in 0..4 {
            let at = rng.below(len + 1);
            let _ = read.locate(at, skill_lsp::text::ColumnUnit::Utf16);
            let _ = read.code.keys_at(at);
        }
    }
    say("shell reader, notebook reader", n);
}

/// Input files (namelists, HSD, decks, `#command:` files, parameter files), C/C++ and
/// Julia sources, mutated from
/// the corpus' own and from malformed seeds (unbalanced braces, a namelist with no `/`,
/// binary data): the reader never panics, and what it gives back stays in range.
#[test]
fn fuzz_input_file_cpp_fortran_and_julia_readers() {
    use skill_lsp::code::{Code, FileKind};
    let mut input_seeds = seeds(&["in", "inp", "hsd", "dat", "par", "nml", "input"]);
    input_seeds.push(
        b"&time_control\n run_hours = 12, run_minutes = 0,\n start_year = 2019, 2019,\n".to_vec(),
    );
    input_seeds.push(b"Hamiltonian = DFTB {\n  SCC = Yes\n  MaxAngularMomentum = {\n    C = \"p\"\n  Filling = Fermi {\n".to_vec());
    input_seeds.push(b"}}}\n<Atoms.Unit.Vectors\n 1 0 0\n$scc\n temp=300\n$end\n*STEP, NLGEOM\n**c\n#domain: 0.1 0.1\nKPP%\n%KPP\ngeometry\nend\n".to_vec());
    input_seeds.push(vec![
        0xff, 0x00, b'=', b'{', 0xc3, b'&', b'\n', b'/', b'$', 0x80, b'#', b':',
    ]);
    let mut rng = common::Rng(0x1a9e_7f11_0000_0002);
    let n = iterations();
    for i in 0..n {
        let input = mutate(&mut rng, &input_seeds[i % input_seeds.len()]);
        let text = String::from_utf8_lossy(&input).into_owned();
        let Ok(mut doc) = Code::parse_named(FileKind::Input, "fuzz.in", text) else {
            panic!("the input reader never gives up");
        };
        let len = doc.source().len();
        for _ in 0..8 {
            if let Some(r) = doc.keys_at(rng.below(len + 1)) {
                assert!(
                    r.start <= r.end && r.end <= len,
                    "{}..{} of {len}",
                    r.start,
                    r.end
                );
                assert!(doc.source().is_char_boundary(r.start));
            }
        }
        for site in doc.call_sites() {
            assert!(site.start <= site.end && site.end <= site.statement_end);
            assert!(site.statement_end <= len);
            for kw in &site.keywords {
                for v in &kw.values {
                    assert!(v.start <= v.end && v.end <= len);
                }
            }
        }
        let a = rng.below(len + 1);
        let b = rng.below(len + 1);
        if doc.edit_deferred(a.min(b), a.max(b), TOKENS[rng.below(TOKENS.len())]) {
            doc.refresh();
            let _ = doc.call_sites();
        }
    }
    say("input file reader", n);

    // C and C++, Fortran, Julia: the same properties through their tree-sitter readers.
    let mut cpp_seeds = seeds(&["cpp", "c", "h", "hpp", "cc"]);
    cpp_seeds.push(b"#include \"mfem.hpp\"\nusing namespace mfem;\nint main(){ args.AddOption(&v, \"-no-vis\", \"--x\"); Mpi::Init(); ParMesh *p = new ParMesh(c, m);\n#ifdef MFEM_USE_MPI\n#endif\n".to_vec());
    let julia_seeds = vec![b"using Quantica\nimport QuantumOptics: SpinBasis\nh = lattice(sublat((0,0)); bravais = ((1,0),)) |> hamiltonian(@hopping((r, dr) -> 1; range = 1))\nQuantica.spectrum(h; solver = :arpack, name = \"x\")\n".to_vec()];
    let fortran_seeds = vec![b"program p\n  use dftd4, only : d4_model, get_dispersion, &\n    & new_d4_model\n  use mctc_env\n  type(d4_model) :: model\n  real(wp) :: xyz(3, 2)\n  call new_d4_model(error, model, mol, ref=\"pbe\")\n  call model%get_c6(x)\n  x = xyz(1, 2)\nend program\n".to_vec()];
    for (kind, kind_seeds, name) in [
        (FileKind::Cpp, &cpp_seeds, "C/C++ reader"),
        (FileKind::Fortran, &fortran_seeds, "Fortran reader"),
        (FileKind::Julia, &julia_seeds, "Julia reader"),
    ] {
        for i in 0..n {
            let input = mutate(&mut rng, &kind_seeds[i % kind_seeds.len()]);
            let text = String::from_utf8_lossy(&input).into_owned();
            let Ok(mut doc) = Code::parse(kind, text) else {
                continue;
            };
            let len = keys_stay_inside(&doc, &mut rng);
            for site in doc.call_sites() {
                assert!(site.start <= site.end && site.end <= site.statement_end);
                assert!(site.statement_end <= len);
            }
            let a = rng.below(len + 1);
            let b = rng.below(len + 1);
            if doc.edit_deferred(a.min(b), a.max(b), TOKENS[rng.below(TOKENS.len())]) {
                doc.refresh();
                let _ = doc.call_sites();
            }
        }
        say(name, n);
    }
}

#[test]
fn fuzz_lsp_framing() {
    let mut rng = common::Rng(0xabad_1dea_0000_0001);
    let n = iterations() / 5;
    let valid =
        b"Content-Length: 40\r\n\r\n{\"jsonrpc\":\"2.0\",\"method\":\"initialized\"}".to_vec();
    for _ in 0..n {
        let mut input = mutate(&mut rng, &valid);
        // Always end with a well-formed frame: it must come through.
        input.extend_from_slice(&valid);
        // Fed in random pieces, as reads from a pipe arrive.
        let mut filter = skill_lsp::lsp::transport::FrameFilter::default();
        let mut forwarded = Vec::new();
        let mut rest = &input[..];
        while !rest.is_empty() {
            let n = 1 + rng.below(rest.len().min(4096));
            filter.push(&rest[..n], |frame| forwarded.extend(frame), |_| {});
            rest = &rest[n..];
        }
        // Everything forwarded is well-formed frames of valid JSON.
        let mut rest = &forwarded[..];
        while !rest.is_empty() {
            let header_end = rest
                .windows(4)
                .position(|w| w == b"\r\n\r\n")
                .expect("header");
            let header = std::str::from_utf8(&rest[..header_end]).expect("utf-8 header");
            let len: usize = header
                .trim_start_matches("Content-Length: ")
                .parse()
                .expect("length");
            let body = &rest[header_end + 4..header_end + 4 + len];
            serde_json::from_slice::<serde_json::Value>(body).expect("valid JSON forwarded");
            rest = &rest[header_end + 4 + len..];
        }
    }
    say("LSP framing filter", n);
}

/// Hostile shapes, parsed on a thread with the 2 MiB stack of a tokio worker.
#[test]
fn regressions_deep_nesting_does_not_exhaust_the_stack() {
    let handle = std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(|| {
            let nested_list: String = (0..5000)
                .map(|i| format!("{}- item {i}\n", "  ".repeat(i)))
                .collect();
            let mut problems = Vec::new();
            let skill =
                format!("---\nname: deep\ndescription: d\n---\n### Pitfalls\n{nested_list}");
            assert!(skill_md::read(&skill, "f", "deep", &mut problems).is_ok());
            let parens = format!("x = {}1{}\n", "(".repeat(100_000), ")".repeat(100_000));
            let doc = PyDocument::parse(parens).expect("parse");
            let _ = doc.call_sites();
            let _ = doc.keys_at(50_000);
            let chain = format!("import ase\nase{}.read()\n", ".x".repeat(100_000));
            let doc = PyDocument::parse(chain).expect("parse");
            let _ = doc.call_sites();
            let _ = doc.keys_at(doc.source.len() - 5);
            let dicts = format!(
                "import oqupy\noqupy.PtTebd(backend_config={}\"v\"{})\n",
                "{\"k\": ".repeat(10_000),
                "}".repeat(10_000)
            );
            let doc = PyDocument::parse(dicts).expect("parse");
            let _ = doc.call_sites();
        })
        .expect("thread");
    handle.join().expect("no stack overflow");
}

/// The keys at eight random offsets of `doc` lie inside its text; its length.
fn keys_stay_inside(doc: &skill_lsp::code::Code, rng: &mut common::Rng) -> usize {
    let len = doc.source().len();
    for _ in 0..8 {
        if let Some(r) = doc.keys_at(rng.below(len + 1)) {
            assert!(
                r.start <= r.end && r.end <= len,
                "{}..{} of {len}",
                r.start,
                r.end
            );
        }
    }
    len
}
