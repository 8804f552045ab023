//! Synthetic skill packs with the shape and size distribution of ../shared/corpus, for the
//! scaling benchmark: 3-20 skills per pack (an index skill first), SKILL.md files of
//! about 3-5 KB with a Python example and 6-12 pitfalls naming qualified symbols,
//! keywords, values and environment variables, doc maps of 3-25 entries, source maps of
//! 10-22 ranked entries, and for about 2 packs in 9 a reStructuredText doc tree of 20-150
//! files documenting the package's functions (as ase and oqupy have). Every pack is its
//! own Python package `synpkgNNNN`, so symbols never collide across packs.
//!
//! Deterministic: pack `i` is always the same text.
#![allow(dead_code)]

use std::fmt::Write as _;
use std::io;
use std::path::{Path, PathBuf};

const MODULES: [&str; 8] = [
    "io",
    "calculators",
    "md",
    "optimize",
    "analysis",
    "parallel",
    "build",
    "utils",
];
const VERBS: [&str; 10] = [
    "read", "write", "run", "compute", "load", "relax", "fit", "plot", "evolve", "sample",
];
const NOUNS: [&str; 10] = [
    "trajectory",
    "energy",
    "forces",
    "cell",
    "bands",
    "density",
    "spectrum",
    "lattice",
    "chain",
    "state",
];
const KEYWORDS: [&str; 10] = [
    "parallel",
    "nthreads",
    "comm",
    "index",
    "format",
    "tolerance",
    "steps",
    "dt",
    "backend",
    "precision",
];
const VALUES: [&str; 6] = ["multithread", "serial", "mpi", "float32", "auto", "gpu"];
const ENV: [&str; 4] = [
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "CUDA_VISIBLE_DEVICES",
];
const TOPICS: [&str; 20] = [
    "getting-started",
    "api-and-scripting",
    "parallel-hpc",
    "io-and-formats",
    "simulation-workflows",
    "advanced-topics",
    "build-and-install",
    "developer-guide",
    "examples-and-tutorials",
    "analysis-and-output",
    "calculators",
    "molecular-dynamics",
    "optimization",
    "band-structure",
    "transport",
    "visualization",
    "testing",
    "troubleshooting",
    "configuration",
    "interfaces",
];

/// xorshift64: enough randomness for text shapes, seeded per pack.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn between(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

pub fn package(index: usize) -> String {
    format!("synpkg{index:04}")
}

fn function(rng: &mut Rng) -> String {
    format!("{}_{}", rng.pick(&VERBS), rng.pick(&NOUNS))
}

fn class(rng: &mut Rng) -> String {
    let noun = rng.pick(&NOUNS);
    let suffix = rng.pick(&["Calculator", "Writer", "Reader", "Solver", "Builder"]);
    format!("{}{}{suffix}", noun[..1].to_uppercase(), &noun[1..])
}

fn title(topic: &str) -> String {
    topic
        .split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect::<String>())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The doc files of a pack's tree (also cited by its doc maps when the tree exists).
fn doc_paths(rng: &mut Rng, count: usize) -> Vec<String> {
    (0..count)
        .map(|i| {
            let section = rng.pick(&["tutorials", "user", "guide", "api", "howto"]);
            format!("doc/{section}/{}_{i}.rst", rng.pick(&NOUNS))
        })
        .collect()
}

/// Writes pack `index` under `parent/synpkgNNNN`; returns its root.
pub fn write_pack(parent: &Path, index: usize) -> io::Result<PathBuf> {
    let pkg = package(index);
    let root = parent.join(&pkg);
    let mut rng = Rng::new(index as u64 + 1);
    let has_docs = rng.below(9) < 2;
    let docs = if has_docs {
        let n = rng.between(20, 150);
        doc_paths(&mut rng, n)
    } else {
        doc_paths(&mut rng, 40)
    };
    if has_docs {
        for path in &docs {
            let file = root.join(path);
            if let Some(dir) = file.parent() {
                std::fs::create_dir_all(dir)?;
            }
            std::fs::write(file, doc_text(&mut rng, &pkg))?;
        }
    }
    let skills = rng.between(3, 20);
    for s in 0..skills {
        let topic = if s == 0 {
            "index"
        } else {
            TOPICS[(s - 1) % TOPICS.len()]
        };
        let name = format!("{pkg}-{topic}");
        let dir = root.join("skills").join(&name);
        std::fs::create_dir_all(dir.join("references"))?;
        std::fs::write(
            dir.join("SKILL.md"),
            skill_text(&mut rng, &pkg, topic, &docs),
        )?;
        std::fs::write(
            dir.join("references/doc_map.md"),
            doc_map_text(&mut rng, &pkg, topic, &docs),
        )?;
        std::fs::write(
            dir.join("references/source_map.md"),
            source_map_text(&mut rng, &pkg, topic),
        )?;
    }
    Ok(root)
}

fn skill_text(rng: &mut Rng, pkg: &str, topic: &str, docs: &[String]) -> String {
    let mut s = String::new();
    let _ = write!(
        s,
        "---\nname: {pkg}-{topic}\ndescription: This skill should be used when users ask about {} in {pkg}; it prioritizes documentation references and then source inspection only for unresolved details.\n---\n\n# {pkg}: {}\n\n## High-Signal Playbook\n- Route the request:\n",
        topic.replace('-', " "),
        title(topic)
    );
    for _ in 0..rng.between(2, 4) {
        let other = rng.pick(&TOPICS);
        let _ = writeln!(
            s,
            "  - \"How do I {} the {} faster?\" -> use `{pkg}-{other}`.",
            rng.pick(&VERBS),
            rng.pick(&NOUNS)
        );
    }
    let module = rng.pick(&MODULES);
    let func = function(rng);
    let cls = class(rng);
    let (kw, kw2) = (rng.pick(&KEYWORDS), rng.pick(&KEYWORDS));
    let (val, val2) = (rng.pick(&VALUES), rng.pick(&VALUES));
    let _ = write!(
        s,
        "- Minimal working example:\n```python\nimport {pkg}\nfrom {pkg}.{module} import {func}\n\nresult = {func}(\"input.dat\", {kw}=\"{val}\")\nsolver = {pkg}.{cls}({kw2}=\"{val2}\")\nsolver.run(steps=100)\n```\n- Pitfalls:\n"
    );
    for _ in 0..rng.between(6, 12) {
        let m = rng.pick(&MODULES);
        let f = function(rng);
        let k = rng.pick(&KEYWORDS);
        let v = rng.pick(&VALUES);
        let line = match rng.below(4) {
            0 => format!("`{pkg}.{m}.{f}` with `{k}=\"{v}\"` reads every frame on every rank; use `{k}=\"serial\"` on the master rank and broadcast instead."),
            1 => format!("`{pkg}.{m}.{f}` ignores `{k}` unless `{pkg}.{cls}` is built with `{kw2}=\"{v}\"`; check the returned object before relying on it."),
            2 => format!("Set `{}=1` when `{pkg}.{m}.{f}` already runs with `{k}=\"{v}\"`, or the threads oversubscribe the node.", rng.pick(&ENV)),
            _ => format!("`{func}` returns a view for `{k}=\"{v}\"`; copy it before the next call to `{pkg}.{m}.{f}`."),
        };
        let _ = writeln!(s, "  - {line}");
    }
    s.push_str("\n## Scope\n- Handle questions about this topic for the package.\n- Keep responses abstract and architectural for large codebases.\n\n## Primary documentation references\n");
    for _ in 0..rng.between(2, 6) {
        let _ = writeln!(s, "- `{}`", docs[rng.below(docs.len())]);
    }
    s.push_str("\n## Workflow\n- Start with the primary references above.\n- If details are missing, inspect `references/doc_map.md` for the complete topic document list.\n- Use tests as behavior or regression references when available.\n- If ambiguity remains after docs, inspect `references/source_map.md` and start with the ranked source entry points.\n- Cite exact documentation file paths in responses.\n\n## Source entry points for unresolved issues\n");
    for _ in 0..rng.between(8, 12) {
        let _ = writeln!(s, "- `{pkg}/{}.py`", rng.pick(&MODULES));
    }
    let _ = writeln!(
        s,
        "- Prefer targeted source search (for example: `rg -n \"<symbol_or_keyword>\" {pkg}`)."
    );
    s
}

fn doc_map_text(rng: &mut Rng, pkg: &str, topic: &str, docs: &[String]) -> String {
    let n = rng.between(3, 25);
    let mut s = format!(
        "# {pkg} documentation map: {}\n\nGenerated from documentation roots:\n- `doc`\n\nTotal docs grouped in this topic: {n}\n\n## File inventory\n",
        title(topic)
    );
    for _ in 0..n {
        let path = &docs[rng.below(docs.len())];
        let noun = rng.pick(&NOUNS);
        let _ = writeln!(
            s,
            "- `{path}` | title: Working with {noun} | headings: Overview; {} the {noun}; Parallel runs; Reference",
            title(rng.pick(&VERBS))
        );
    }
    s
}

fn source_map_text(rng: &mut Rng, pkg: &str, topic: &str) -> String {
    let mut s = format!(
        "# {pkg} source map: {}\n\nGenerated from source roots:\n- `{pkg}`\n\nUse this map only after exhausting the topic docs in `./doc_map.md`.\n\n## Topic query tokens\n",
        title(topic)
    );
    for _ in 0..rng.between(10, 25) {
        let _ = writeln!(s, "- `{}`", rng.pick(&KEYWORDS));
    }
    s.push_str("\n## Fast source navigation\n- `rg -n \"<symbol_or_keyword>\" src`\n\n## Suggested source entry points\n");
    let n = rng.between(10, 22);
    for i in 0..n {
        let module = rng.pick(&MODULES);
        if i < n / 3 {
            let _ = writeln!(
                s,
                "- `{pkg}/{module}.py` | score: {} | matched tokens: {}, {}",
                12 - i.min(10),
                rng.pick(&KEYWORDS),
                rng.pick(&KEYWORDS)
            );
        } else {
            let _ = writeln!(s, "- `{pkg}/{module}.py` | fallback entry point");
        }
    }
    s
}

fn doc_text(rng: &mut Rng, pkg: &str) -> String {
    let module = rng.pick(&MODULES);
    let func = function(rng);
    let cls = class(rng);
    let noun = rng.pick(&NOUNS);
    let mut s = format!(
        "Working with {noun}\n===================\n\n.. module:: {pkg}.{module}\n\n.. autofunction:: {pkg}.{module}.{func}\n\n.. autoclass:: {pkg}.{cls}\n   :members:\n\n"
    );
    for _ in 0..rng.between(3, 12) {
        let _ = write!(
            s,
            "The function :func:`{pkg}.{module}.{func}` computes the {} of the {noun}. Call\n``{pkg}.{module}.{func}`` with ``{}`` set when running in parallel; the result is\ncached per rank.\n\n",
            rng.pick(&NOUNS),
            rng.pick(&KEYWORDS)
        );
    }
    let _ = write!(
        s,
        "Example\n-------\n\n.. code-block:: python\n\n   from {pkg}.{module} import {func}\n   result = {func}('input.dat', {}='{}')\n",
        rng.pick(&KEYWORDS),
        rng.pick(&VALUES)
    );
    s
}

/// Python lines that use pack `index`'s first skill example (matched calls), with a needle
/// whose first occurrence is a hover position on the call.
pub fn usage(parent: &Path, index: usize) -> Option<(String, String)> {
    let pkg = package(index);
    let skill = std::fs::read_dir(parent.join(&pkg).join("skills"))
        .ok()?
        .flatten()
        .map(|e| e.path())
        .min()?;
    let text = std::fs::read_to_string(skill.join("SKILL.md")).ok()?;
    let start = text.find("```python\n")? + "```python\n".len();
    let end = start + text[start..].find("```")?;
    let code = text[start..end].to_string();
    let call = code.lines().find(|l| l.starts_with("result = "))?;
    let needle = call["result = ".len()..].to_string();
    Some((code, needle))
}
