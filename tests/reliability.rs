//! Crash safety of the persisted index, several servers on one cache, unusable cache
//! directories, and hostile packs: the server always serves, never a corrupt index, and
//! never reads or links outside a pack's root.

mod common;

use common::lsp::{full_capabilities, position_of, uri_of, Client};
use serde_json::{json, Value};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// A pack with many skills, so that a build takes long enough to be interrupted.
fn big_pack(root: &Path, skills: usize) {
    for i in 0..skills {
        let body: String = (0..40)
            .map(|k| format!("- `bigpkg.fn{k}` pitfall {k} of skill {i} (`doc/p{k}.rst`).\n"))
            .collect();
        write(
            &root.join(format!("skills/bigpkg-s{i}/SKILL.md")),
            &format!("---\nname: bigpkg-s{i}\ndescription: d\n---\n# s{i}\n\n### Pitfalls\n{body}"),
        );
    }
}

#[test]
fn kill_9_during_builds_never_leaves_a_corrupt_index() {
    let ws = tempfile::tempdir().unwrap();
    big_pack(ws.path(), 60);
    let cache = tempfile::tempdir().unwrap();
    let dir = ws.path().to_str().unwrap();
    let mut survived = 0;
    for round in 0..12u64 {
        // Touch a skill so every round rebuilds that pack.
        let skill = ws
            .path()
            .join(format!("skills/bigpkg-s{}/SKILL.md", round % 60));
        let text = std::fs::read_to_string(&skill).unwrap();
        std::fs::write(&skill, format!("{text}- `bigpkg.round{round}` marker.\n")).unwrap();
        let mut child = Command::new(common::bin())
            .args(["index", dir])
            .env("SKILL_LSP_CACHE_DIR", cache.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Kill at a different point of the build each round (0-55 ms in).
        std::thread::sleep(Duration::from_millis(round * 5));
        let _ = child.kill();
        let _ = child.wait();
        // The next start serves: search answers, with this round's marker.
        let out = common::run(
            &["search", "--json", &format!("bigpkg.round{round}"), dir],
            ws.path(),
            cache.path(),
        );
        let json = common::json_of(&out);
        assert!(
            json["results"][0]["text"]
                .as_str()
                .is_some_and(|t| t.contains(&format!("round{round}"))),
            "round {round}: {json:#}"
        );
        survived += 1;
    }
    let _ = std::io::Write::write_fmt(
        &mut std::io::stderr(),
        format_args!("kill -9 points survived: {survived}\n"),
    );
}

#[test]
fn several_servers_on_one_cache_all_serve() {
    let ws = tempfile::tempdir().unwrap();
    big_pack(ws.path(), 20);
    let cache = tempfile::tempdir().unwrap();
    let py = "import bigpkg\nbigpkg.fn3()\n";
    let uri = uri_of(&ws.path().join("x.py"));
    for count in [2, 4] {
        let mut clients: Vec<Client> = (0..count)
            .map(|_| Client::start_with_cache(ws.path(), cache.path()))
            .collect();
        for c in &mut clients {
            c.initialize(ws.path(), full_capabilities(), Value::Null);
        }
        for c in &mut clients {
            c.open(&uri, "python", py);
            let (l, col) = position_of(py, "fn3", 0);
            let hover = c.hover(&uri, l, col);
            assert!(
                hover["contents"]["value"]
                    .as_str()
                    .is_some_and(|v| v.contains("pitfall 3")),
                "{hover}"
            );
        }
        for c in clients {
            assert!(c.shutdown().success());
        }
    }
}

#[test]
fn an_unusable_cache_falls_back_to_memory_with_a_warning() {
    let ws = tempfile::tempdir().unwrap();
    write(
        &ws.path().join("skills/pkg-a/SKILL.md"),
        "---\nname: pkg-a\ndescription: d\n---\n### Pitfalls\n- `pkg.a` slow.\n",
    );
    // A cache "directory" below a regular file cannot be created, even by root.
    let blocker = tempfile::NamedTempFile::new().unwrap();
    let cache = blocker.path().join("cache");
    let out = common::run(&["index", ws.path().to_str().unwrap()], ws.path(), &cache);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("index: in memory (cannot create"),
        "{stdout}"
    );
    let out = common::run(
        &["search", "--json", "pkg.a", ws.path().to_str().unwrap()],
        ws.path(),
        &cache,
    );
    assert_eq!(common::json_of(&out)["results"][0]["skill"], "pkg-a");

    // The server too.
    let mut client = Client::start(
        ws.path(),
        &[("SKILL_LSP_CACHE_DIR", cache.to_str().unwrap())],
    );
    client.initialize(ws.path(), full_capabilities(), Value::Null);
    let py = "import pkg\npkg.a()\n";
    let uri = uri_of(&ws.path().join("m.py"));
    client.open(&uri, "python", py);
    let hover = client.hover(&uri, 1, 4);
    assert!(
        hover["contents"]["value"]
            .as_str()
            .is_some_and(|v| v.contains("slow")),
        "{hover}"
    );
    assert!(client.shutdown().success());
}

#[test]
fn hostile_packs_are_reported_and_never_escape_their_root() {
    let outside = tempfile::tempdir().unwrap();
    write(&outside.path().join("secret.rst"), "SECRET\n");
    let ws = tempfile::tempdir().unwrap();
    let root = ws.path();
    // CRLF and a BOM: still a good skill.
    write(&root.join("skills/pkg-crlf/SKILL.md"), "\u{feff}---\r\nname: pkg-crlf\r\ndescription: d\r\n---\r\n### Pitfalls\r\n- `pkg.crlf` works.\r\n");
    // Cited paths outside the root, absolute and relative.
    let secret = outside.path().join("secret.rst");
    let rel = format!("../../../../../../..{}", secret.display());
    let hostile = format!(
        "---\nname: pkg-escape\ndescription: d\n---\n### Pitfalls\n- `pkg.escape` see (`{}`) and (`{rel}`) and (`../../../../etc/passwd`).\n",
        secret.display()
    );
    let hostile_path = root.join("skills/pkg-escape/SKILL.md");
    write(&hostile_path, &hostile);
    // A symlink loop and a duplicate skill name.
    #[cfg(unix)]
    std::os::unix::fs::symlink(root.join("skills/loop"), root.join("skills/loop")).unwrap();
    write(
        &root.join("skills/pkg-dup/SKILL.md"),
        "---\nname: pkg-crlf\ndescription: d\n---\n# dup\n",
    );
    // A deeply nested list.
    let nested: String = (0..1000)
        .map(|i| format!("{}- level {i}\n", "  ".repeat(i)))
        .collect();
    write(
        &root.join("skills/pkg-deep/SKILL.md"),
        &format!("---\nname: pkg-deep\ndescription: d\n---\n### Pitfalls\n{nested}"),
    );

    let out = common::run(
        &["skills", "--json", root.to_str().unwrap()],
        root,
        &root.join(".cache"),
    );
    let json = common::json_of(&out);
    let names = common::skill_names(&json);
    for want in ["pkg-crlf", "pkg-escape", "pkg-deep"] {
        assert!(names.contains(&want), "{want} indexed: {names:?}");
    }
    let problems = json["problems"].to_string();
    assert!(
        problems.contains("used twice"),
        "duplicate names reported: {problems}"
    );

    // The editor never gets a link or a read of the outside file.
    let mut client = Client::start(root, &[]);
    client.initialize(root, full_capabilities(), Value::Null);
    let uri = uri_of(&hostile_path.canonicalize().unwrap());
    client.open(&uri, "markdown", &hostile);
    let links = client.call(
        "textDocument/documentLink",
        json!({"textDocument": {"uri": uri}}),
    );
    assert!(
        links.as_array().unwrap().is_empty(),
        "no links outside the root: {links}"
    );
    let diags = client.diagnostics(&uri);
    assert!(
        diags.iter().filter(|d| d["code"] == "dead-path").count() >= 3,
        "outside paths are dead paths: {diags:#?}"
    );
    let py = "import pkg\npkg.escape()\n";
    let py_uri = uri_of(&root.join("m.py"));
    client.open(&py_uri, "python", py);
    let hover = client.hover(&py_uri, 1, 5);
    let text = hover["contents"]["value"]
        .as_str()
        .unwrap_or("")
        .to_string();
    assert!(
        !text.contains("file://") || !text.contains("secret.rst](file"),
        "{text}"
    );
    assert!(
        !text.contains(&format!("file://{}", secret.display())),
        "{text}"
    );
    assert!(client.shutdown().success());
}

#[test]
fn a_ten_megabyte_python_file_is_served() {
    let (mut client, _ws) = {
        let ws = tempfile::tempdir().unwrap();
        let mut c = Client::start(ws.path(), &[]);
        c.initialize(ws.path(), full_capabilities(), Value::Null);
        (c, ws)
    };
    let mut text = String::from("from ase.io import read\n");
    let filler = "value = compute(1, 2, 3)  # filler ħω\n";
    while text.len() < 10 * 1024 * 1024 {
        text.push_str(filler);
    }
    text.push_str("atoms = read('x')\n");
    let uri = "file:///tmp/skill_lsp_big.py";
    client.open(uri, "python", &text);
    let (line, col) = position_of(&text, "read('x')", 0);
    let hover = client.hover(uri, line, col);
    assert!(
        hover["contents"]["value"]
            .as_str()
            .is_some_and(|v| v.contains("ase.io.read")),
        "{hover}"
    );
    assert!(client.shutdown().success());
}

/// Skills of the pack read last (12,000 entries).
const SLOW_PACK_SKILLS: usize = 300;

/// At start-up the server answers from the packs read so far; a hover that finds
/// nothing there waits (bounded) for the rest instead of answering null while the file's
/// pack is still loading.
#[test]
fn a_hover_during_the_first_load_waits_for_the_files_pack() {
    let dir = tempfile::tempdir().unwrap();
    let mut paths = Vec::new();
    // Small packs read first; the file's pack last and bigger.
    for p in 0..4 {
        let root = dir.path().join(format!("filler{p}"));
        big_pack(&root, 2);
        paths.push(root);
    }
    let last = dir.path().join("lastpkg");
    big_pack(&last, SLOW_PACK_SKILLS);
    write(
        &last.join("skills/lastpkg-basics/SKILL.md"),
        "---\nname: lastpkg-basics\ndescription: d\n---\n# Basics\n\n\
         ### Pitfalls\n- `lastpkg.run` ignores `threads` unless `OMP_NUM_THREADS` is set.\n",
    );
    paths.push(last);
    let ws = dir.path().join("ws");
    std::fs::create_dir_all(&ws).unwrap();
    let text = "import lastpkg\nlastpkg.run(3)\n";
    let file = ws.join("job.py");
    write(&file, text);
    let cache = dir.path().join("cache");
    let mut client = Client::start_with_cache(&ws, &cache);
    client.initialize(&ws, full_capabilities(), json!({ "skillPaths": paths }));
    let uri = uri_of(&file);
    client.open(&uri, "python", text);
    let (line, col) = position_of(text, "run(", 0);
    let hover = client.hover(&uri, line, col);
    let md = hover["contents"]["value"].as_str().unwrap_or("");
    assert!(
        md.contains("OMP_NUM_THREADS"),
        "the first hover answered before the file's pack was read: {hover}"
    );
}
