//! An untrusted workspace, tried as an attacker would: nothing in it runs, nothing
//! outside a pack's root is read, and no file hangs, bloats or breaks the server. Each
//! test here failed on the code before its fix.

mod common;

use common::lsp::{full_capabilities, uri_of, Client};
use serde_json::{json, Value};
use std::path::Path;
use std::process::Command;
use std::time::Duration;

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// A fresh folder (kept alive by the first value) and its canonical path.
fn temp_root() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().canonicalize().unwrap();
    (dir, path)
}

/// A pack at `root` with one skill `name` whose one pitfall is `pitfall`.
fn one_skill(root: &Path, name: &str, pitfall: &str) {
    write(
        &root.join(format!("skills/{name}/SKILL.md")),
        &format!("---\nname: {name}\ndescription: d\n---\n### Pitfalls\n- {pitfall}\n"),
    );
}

/// A server for `ws` with no interpreter named and no environment active: what a user
/// who just cloned a repository runs.
fn server_without_interpreter(ws: &Path, cache: &Path) -> Client {
    let mut cmd = Command::new(common::bin());
    cmd.arg("lsp")
        .current_dir(ws)
        .env("SKILL_LSP_CACHE_DIR", cache)
        .env_remove("SKILL_LSP_SKILLS")
        .env_remove("SKILL_LSP_PYTHON")
        .env_remove("VIRTUAL_ENV")
        .env_remove("CONDA_PREFIX");
    Client::spawn(cmd)
}

/// [`server_without_interpreter`] with a private cache (kept alive by the first value),
/// initialized as a full client with no options.
fn initialized_server(ws: &Path) -> (tempfile::TempDir, Client) {
    let cache = tempfile::tempdir().unwrap();
    let mut client = server_without_interpreter(ws, cache.path());
    client.initialize(ws, full_capabilities(), Value::Null);
    (cache, client)
}

/// Opens `file` with `text` (`read` called on its second line) and hovers `read`: the
/// embedded ase pack's pitfall answers.
fn assert_read_hovers(client: &mut Client, file: &Path, text: &str) -> String {
    let uri = uri_of(file);
    client.open(&uri, "python", text);
    let hover = client.hover(&uri, 1, 9);
    assert!(hover.to_string().contains("ase.io.read"), "{hover}");
    uri
}

/// A workspace whose `.venv/bin/python` leaves a marker when run, with `ase` installed in
/// its site-packages.
fn booby_trapped_workspace(ws: &Path) -> std::path::PathBuf {
    let marker = ws.join("interpreter-ran");
    let python = ws.join(".venv/bin/python");
    write(
        &python,
        &format!("#!/bin/sh\ntouch '{}'\necho '[]'\n", marker.display()),
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&python, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    write(&ws.join(".venv/pyvenv.cfg"), "home = /usr/bin\n");
    let site = ws.join(".venv/lib/python3.11/site-packages/ase");
    write(&site.join("__init__.py"), "");
    write(&site.join("parallel.py"), "world = None\n");
    write(
        &site.join("io/__init__.py"),
        "from .formats import (\n    read,\n)\n",
    );
    write(
        &site.join("io/formats.py"),
        "def read(filename, index=None):\n    pass\n",
    );
    write(
        &ws.join("run.py"),
        "from ase.io import read\natoms = read('start.traj')\n",
    );
    marker
}

#[test]
fn a_workspace_interpreter_is_never_run_and_its_packages_are_still_found() {
    let (_ws, ws) = temp_root();
    let cache = tempfile::tempdir().unwrap();
    let marker = booby_trapped_workspace(&ws);

    let out = Command::new(common::bin())
        .args(["explain", "--json", "run.py:2:9"])
        .current_dir(&ws)
        .env("SKILL_LSP_CACHE_DIR", cache.path())
        .env_remove("SKILL_LSP_SKILLS")
        .env_remove("SKILL_LSP_PYTHON")
        .env_remove("VIRTUAL_ENV")
        .env_remove("CONDA_PREFIX")
        .output()
        .unwrap();
    let json = common::json_of(&out);
    assert!(!marker.exists(), "explain ran the workspace's interpreter");
    let site = ws.join(".venv/lib/python3.11/site-packages");
    assert!(
        json.to_string().contains(&site.display().to_string()),
        "package sources found by reading the file system: {json:#}"
    );

    let mut client = server_without_interpreter(&ws, cache.path());
    client.initialize(&ws, full_capabilities(), Value::Null);
    assert_read_hovers(
        &mut client,
        &ws.join("run.py"),
        "from ase.io import read\natoms = read('start.traj')\n",
    );
    client.pump(Duration::from_millis(500));
    assert!(
        !marker.exists(),
        "the server ran the workspace's interpreter"
    );
    assert!(client.shutdown().success());

    // Named by the user, the interpreter is run: the trap above would have fired.
    let out = Command::new(common::bin())
        .args(["explain", "--json", "run.py:2:9"])
        .current_dir(&ws)
        .env("SKILL_LSP_CACHE_DIR", cache.path())
        .env("SKILL_LSP_PYTHON", ws.join(".venv/bin/python"))
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(marker.exists(), "a named interpreter is asked for sys.path");
}

/// A pack whose SKILL.md cites a path climbing out of `references/` and a symlink out of
/// the root, and whose root holds `FILES.txt` as `kind` ("fifo" or "dev-zero").
fn hostile_pack(root: &Path, files_txt: &str) -> (std::path::PathBuf, String) {
    let skill = root.join("skills/pkg-trust/SKILL.md");
    let text = "---\nname: pkg-trust\ndescription: d\n---\n### Pitfalls\n- `pkg.run` see `references/../../../../../../../../etc/passwd` and `references/link.md` and `doc/missing.rst`.\n";
    write(&skill, text);
    write(&root.join("doc/here.rst"), "here\n");
    #[cfg(unix)]
    std::os::unix::fs::symlink(
        "/etc/passwd",
        root.join("skills/pkg-trust/references/link.md"),
    )
    .unwrap_or_else(|_| {
        std::fs::create_dir_all(root.join("skills/pkg-trust/references")).unwrap();
        std::os::unix::fs::symlink(
            "/etc/passwd",
            root.join("skills/pkg-trust/references/link.md"),
        )
        .unwrap()
    });
    let listing = root.join("FILES.txt");
    match files_txt {
        "fifo" => {
            let status = Command::new("mkfifo").arg(&listing).status().unwrap();
            assert!(status.success(), "mkfifo");
        }
        "dev-zero" => std::os::unix::fs::symlink("/dev/zero", &listing).unwrap(),
        _ => write(&listing, files_txt),
    }
    (skill, text.to_string())
}

#[test]
fn cited_paths_never_leave_the_root_and_files_txt_cannot_wedge_or_bloat() {
    for kind in [
        "fifo",
        "dev-zero",
        "doc/here.rst\nskills/pkg-trust/SKILL.md\n",
    ] {
        let (_ws, root) = temp_root();
        std::fs::create_dir_all(root.join("skills/pkg-trust/references")).unwrap();
        let (skill, text) = hostile_pack(&root, kind);
        let (_cache, mut client) = initialized_server(&root);
        let uri = uri_of(&skill);
        client.open(&uri, "markdown", &text);
        // Answers at all (a FIFO used to block every request), and links only inside.
        let links = client.call(
            "textDocument/documentLink",
            json!({"textDocument": {"uri": uri}}),
        );
        for link in links.as_array().unwrap() {
            let target = link["target"].as_str().unwrap_or("");
            assert!(
                target.starts_with(&uri_of(&root)),
                "{kind}: link out of the root: {link}"
            );
        }
        // The symlink out of the root tells nothing about /etc/passwd.
        let line = text.lines().position(|l| l.contains("link.md")).unwrap() as u32;
        let col = text
            .lines()
            .nth(line as usize)
            .unwrap()
            .find("link.md")
            .unwrap() as u32;
        let hover = client.hover(&uri, line, col);
        assert!(
            !hover.to_string().contains("passwd") && !hover.to_string().contains("root:"),
            "{kind}: {hover}"
        );
        let stats = client.call(
            "workspace/executeCommand",
            json!({"command": "skill-lsp.stats", "arguments": []}),
        );
        assert!(stats.get("requests").is_some(), "{kind}: {stats}");
        let rss = vm_hwm_kib(client.pid());
        assert!(rss < 400 * 1024, "{kind}: peak RSS {rss} KiB");
        assert!(client.shutdown().success());
    }
}

/// One memory figure of a process from /proc (`VmHWM`, `VmRSS`), in KiB (0 where /proc
/// does not say).
fn proc_status_kib(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

/// Peak resident memory of a process, in KiB.
fn vm_hwm_kib(pid: u32) -> u64 {
    proc_status_kib(pid, "VmHWM")
}

#[test]
fn raw_html_in_a_pack_reaches_the_hover_as_text() {
    let (_ws, root) = temp_root();
    one_skill(&root, "pkg-html", "`pkg.run` <script>alert(1)</script> <img src=\"https://evil.example/x.png\"> <a href=\"command:workbench.action.terminal.new\">click</a> keeps `a<b>` as code.");
    let (_cache, mut client) = initialized_server(&root);
    let uri = uri_of(&root.join("m.py"));
    client.open(&uri, "python", "import pkg\npkg.run()\n");
    let hover = client.hover(&uri, 1, 5);
    let text = hover["contents"]["value"]
        .as_str()
        .unwrap_or("")
        .to_string();
    assert!(text.contains("pkg.run"), "{hover}");
    for raw in ["<script", "<img", "<a href"] {
        assert!(!text.contains(raw), "{raw} reached the hover: {text}");
    }
    assert!(text.contains("`a<b>`"), "code spans stay literal: {text}");
    assert!(client.shutdown().success());
}

#[test]
fn a_two_gigabyte_source_file_is_not_read() {
    let (_ws, ws) = temp_root();
    // Sparse: 2 GB long, no disk used.
    std::fs::create_dir_all(ws.join("ase")).unwrap();
    write(&ws.join("ase/__init__.py"), "");
    let big = std::fs::File::create(ws.join("ase/io.py")).unwrap();
    big.set_len(2 * 1024 * 1024 * 1024).unwrap();
    let (_cache, mut client) = initialized_server(&ws);
    let uri = assert_read_hovers(
        &mut client,
        &ws.join("run.py"),
        "from ase.io import read\natoms = read('start.traj')\n",
    );
    for _ in 0..2 {
        let hover = client.hover(&uri, 1, 9);
        assert!(hover.to_string().contains("ase.io.read"), "{hover}");
    }
    let rss = vm_hwm_kib(client.pid());
    assert!(rss < 400 * 1024, "peak RSS {rss} KiB");
    assert!(client.shutdown().success());
}

#[test]
fn a_pack_listed_twice_shows_each_pitfall_once() {
    let (_ws, root) = temp_root();
    let pack = root.join("packs/pkg");
    one_skill(&pack, "pkg-once", "`pkg.run` needs a warm-up call first.");
    let other = root.join("packs/other");
    one_skill(&other, "other-x", "`other.go` is slow.");
    let cache = tempfile::tempdir().unwrap();
    let mut client = server_without_interpreter(&root, cache.path());
    let paths = json!([pack, other, pack.join("skills")]);
    client.initialize(&root, full_capabilities(), json!({"skillPaths": paths}));
    let uri = uri_of(&root.join("m.py"));
    client.open(&uri, "python", "import pkg\npkg.run()\n");
    let hover = client.hover(&uri, 1, 5);
    let text = hover["contents"]["value"]
        .as_str()
        .unwrap_or("")
        .to_string();
    assert_eq!(text.matches("warm-up call").count(), 1, "{text}");
    assert!(client.shutdown().success());
}

#[test]
fn a_relative_or_empty_cache_dir_never_writes_into_the_workspace() {
    for cache_dir in ["", ".", "cache"] {
        let (_ws, root) = temp_root();
        write(&root.join("m.py"), "x = 1\n");
        let before: Vec<_> = std::fs::read_dir(&root)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .collect();
        let cache = tempfile::tempdir().unwrap();
        let mut client = server_without_interpreter(&root, cache.path());
        client.initialize(&root, full_capabilities(), json!({"cacheDir": cache_dir}));
        client.pump(Duration::from_millis(300));
        let after: Vec<_> = std::fs::read_dir(&root)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .collect();
        assert_eq!(
            before, after,
            "cacheDir {cache_dir:?} wrote into the workspace"
        );
        assert!(client.shutdown().success());
    }
}

#[test]
fn a_garbled_index_segment_is_set_aside_and_rebuilt() {
    let (_ws, root) = temp_root();
    one_skill(&root, "pkg-seg", "`pkg.run` needs a warm-up call first.");
    let mut kinds_garbled = 0;
    for suffix in ["idx", "store", "term", "pos", "fast", "fieldnorm"] {
        let cache = tempfile::tempdir().unwrap();
        let built = common::run(&["index", root.to_str().unwrap()], &root, cache.path());
        assert!(built.status.success(), "{built:?}");
        let mut garbled = 0;
        for file in walk(cache.path()) {
            if file.extension().is_some_and(|e| e == suffix) {
                let len = std::fs::metadata(&file).unwrap().len();
                std::fs::write(&file, vec![0x5a; (len / 2) as usize]).unwrap();
                garbled += 1;
            }
        }
        if garbled == 0 {
            continue;
        }
        kinds_garbled += 1;
        for _ in 0..2 {
            let out = common::run(&["search", "--json", "warm-up"], &root, cache.path());
            let json = common::json_of(&out);
            assert!(
                json.to_string().contains("warm-up call"),
                ".{suffix} garbled: {json}"
            );
        }
    }
    assert!(
        kinds_garbled >= 4,
        "only {kinds_garbled} kinds of segment file found"
    );
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[test]
fn a_lone_carriage_return_ends_a_line() {
    let (_ws, root) = temp_root();
    let (_cache, mut client) = initialized_server(&root);
    assert_read_hovers(
        &mut client,
        &root.join("cr.py"),
        "from ase.io import read\ratoms = read('start.traj')\r",
    );
    assert!(client.shutdown().success());
}

#[test]
fn a_snapshot_replaced_by_another_packs_is_refused() {
    let (_ws, root) = temp_root();
    let a = root.join("alpha");
    let b = root.join("beta");
    one_skill(&a, "alpha-x", "`alpha.run` needs the zebra option.");
    one_skill(&b, "beta-x", "`beta.go` needs the walrus option.");
    let cache = tempfile::tempdir().unwrap();
    let dirs = [a.to_str().unwrap(), b.to_str().unwrap()];
    let built = common::run(&["index", dirs[0], dirs[1]], &root, cache.path());
    assert!(built.status.success(), "{built:?}");
    let snapshots: Vec<_> = walk(cache.path())
        .into_iter()
        .filter(|p| p.parent().is_some_and(|d| d.ends_with("packs")))
        .collect();
    assert_eq!(snapshots.len(), 2, "{snapshots:?}");
    let alpha_file = snapshots
        .iter()
        .find(|p| std::fs::read_to_string(p).unwrap().contains("zebra"))
        .unwrap();
    let beta_file = snapshots.iter().find(|p| *p != alpha_file).unwrap();
    std::fs::copy(beta_file, alpha_file).unwrap();
    let out = common::run(&["skills", "--json", dirs[0], dirs[1]], &root, cache.path());
    let json = common::json_of(&out);
    let names = common::skill_names(&json);
    assert_eq!(names, vec!["alpha-x", "beta-x"], "{json:#}");
}

#[test]
fn a_cache_folder_that_is_a_link_is_never_followed() {
    let (_ws, root) = temp_root();
    one_skill(&root, "pkg-link", "`pkg.run` needs the zebra option.");
    let cache = tempfile::tempdir().unwrap();
    let built = common::run(&["index", root.to_str().unwrap()], &root, cache.path());
    assert!(built.status.success(), "{built:?}");
    let folder = std::fs::read_dir(cache.path())
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.file_name().unwrap().to_string_lossy().starts_with('v'))
        .expect("a versioned cache folder");
    // The folder, then its index folder, replaced by links to someone's files.
    for link_at in [folder.clone(), folder.join("tantivy")] {
        let victim = tempfile::tempdir().unwrap();
        write(&victim.path().join("tantivy/precious.txt"), "keep me\n");
        write(&victim.path().join("precious.txt"), "keep me\n");
        let _ = std::fs::remove_dir_all(&link_at);
        std::os::unix::fs::symlink(victim.path(), &link_at).unwrap();
        // A changed pack forces a rebuild.
        write(
            &root.join("skills/pkg-link/SKILL.md"),
            &format!("---\nname: pkg-link\ndescription: d\n---\n### Pitfalls\n- `pkg.run` needs the zebra option {}.\n", link_at.display()),
        );
        let out = common::run(&["search", "--json", "zebra"], &root, cache.path());
        let json = common::json_of(&out);
        assert!(json.to_string().contains("zebra"), "{json}");
        assert!(
            victim.path().join("precious.txt").is_file(),
            "{} followed",
            link_at.display()
        );
        assert!(
            victim.path().join("tantivy/precious.txt").is_file(),
            "{} followed",
            link_at.display()
        );
        std::fs::remove_file(&link_at).unwrap();
        if link_at == folder {
            let rebuilt = common::run(&["index", root.to_str().unwrap()], &root, cache.path());
            assert!(rebuilt.status.success(), "{rebuilt:?}");
        }
    }
}

/// Closes `uri`, then waits for a request to be answered: notifications are handled in
/// order, so the close has been applied by then.
fn close_and_settle(client: &mut Client, uri: &str) {
    client.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": uri}}),
    );
    client.call(
        "workspace/executeCommand",
        json!({"command": "skill-lsp.stats"}),
    );
}

/// Replaces `range` ((line, character) to (line, character)) of `uri` with `text`.
fn edit(client: &mut Client, uri: &str, version: i32, range: ((u32, u32), (u32, u32)), text: &str) {
    let ((l0, c0), (l1, c1)) = range;
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": version},
               "contentChanges": [{"range": {"start": {"line": l0, "character": c0},
                                             "end": {"line": l1, "character": c1}},
                                   "text": text}]}),
    );
}

/// `from ase.io import read`, then `line` repeated until the text is `bytes` long.
fn long_script(line: &str, bytes: usize) -> String {
    let mut text = String::from("from ase.io import read\n");
    while text.len() < bytes {
        text.push_str(line);
        text.push('\n');
    }
    text
}

#[test]
fn a_huge_document_is_kept_as_text_and_a_closed_one_gives_its_memory_back() {
    let (_ws, ws) = temp_root();
    let (_cache, mut client) = initialized_server(&ws);
    let base = proc_status_kib(client.pid(), "VmRSS");

    // 51 MB: past the parse limit, kept whole as text; it answers at once, with nothing.
    let uri = uri_of(&ws.join("generated.py"));
    let huge = long_script("y = compute(x, 3)", 51_000_000);
    client.open(&uri, "python", &huge);
    assert_eq!(client.hover(&uri, 1, 6), Value::Null);
    let peak = vm_hwm_kib(client.pid());
    assert!(
        peak < 1024 * 1024,
        "peak RSS {peak} KiB for a 51 MB document"
    );
    // Cut down to a short script (nothing the user wrote was lost), it is Python again.
    edit(&mut client, &uri, 2, ((2, 0), (2_900_000, 0)), "");
    edit(
        &mut client,
        &uri,
        3,
        ((1, 0), (1, 17)),
        "atoms = read('a.traj')",
    );
    let hover = client.hover(&uri, 1, 9);
    assert!(hover.to_string().contains("ase.io.read"), "{hover}");
    close_and_settle(&mut client, &uri);

    // 2 MB: parsed and answered; closed, its parse is given back to the system.
    let uri = uri_of(&ws.join("long.py"));
    client.open(
        &uri,
        "python",
        &long_script("atoms = read('x.xyz', index=':')", 2_000_000),
    );
    let hover = client.hover(&uri, 5, 9);
    assert!(hover.to_string().contains("ase.io.read"), "{hover}");
    let open = proc_status_kib(client.pid(), "VmRSS");
    close_and_settle(&mut client, &uri);
    let closed = proc_status_kib(client.pid(), "VmRSS");
    assert!(
        closed < base + (open - base) / 2,
        "RSS {closed} KiB after close, {open} KiB open, {base} KiB before"
    );

    // 10,000 small documents opened and closed leave (almost) nothing behind.
    for i in 0..10_000 {
        let uri = uri_of(&ws.join(format!("d{i}.py")));
        client.open(
            &uri,
            "python",
            "from ase.io import read\natoms = read('x')\n",
        );
        close_and_settle(&mut client, &uri);
    }
    let after = proc_status_kib(client.pid(), "VmRSS");
    assert!(
        after < closed + 100 * 1024,
        "RSS {after} KiB after 10,000 documents"
    );
    assert!(client.shutdown().success());
}

/// Runs the binary with `args` in `cwd` as a user who may read `cache` but not write it:
/// as root (who may write anywhere) through `setpriv` as `nobody`, else with write
/// permission removed. `None` (said out loud) where neither is possible.
fn run_with_read_only_cache(
    args: &[&str],
    cwd: &Path,
    cache: &Path,
) -> Option<std::process::Output> {
    use std::os::unix::fs::PermissionsExt;
    let root = std::fs::read_to_string("/proc/self/status")
        .ok()?
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))
        .and_then(|v| v.split_whitespace().next().map(|u| u == "0"))
        .unwrap_or(false);
    let mut cmd = if root {
        if Command::new("setpriv").arg("--version").output().is_err() {
            common::say_skipped(module_path!(), "running as root and no setpriv to drop it");
            return None;
        }
        // Everything the other user needs is made readable (not writable) to it.
        for dir in [cwd, cache] {
            Command::new("chmod")
                .args(["-R", "a+rX,go-w"])
                .arg(dir)
                .status()
                .ok()?;
        }
        let mut cmd = Command::new("setpriv");
        cmd.args([
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            common::bin(),
        ]);
        cmd
    } else {
        for entry in walk(cache).into_iter().chain([cache.to_path_buf()]) {
            if entry.is_dir() {
                std::fs::set_permissions(&entry, std::fs::Permissions::from_mode(0o555)).ok()?;
            }
        }
        Command::new(common::bin())
    };
    cmd.args(args)
        .current_dir(cwd)
        .env("SKILL_LSP_CACHE_DIR", cache)
        .env_remove("SKILL_LSP_SKILLS");
    cmd.output().ok()
}

#[test]
fn a_read_only_cache_serves_read_only() {
    let (_ws, ws) = temp_root();
    write(
        &ws.join("run.py"),
        "from ase.io import read\natoms = read('a.traj')\n",
    );
    let (_cache, cache) = temp_root();
    // Built and up to date, by its owner.
    let built = common::run(&["explain", "run.py:2:9"], &ws, &cache);
    assert!(String::from_utf8_lossy(&built.stdout).contains("ase.io.read"));
    let Some(out) = run_with_read_only_cache(&["explain", "run.py:2:9"], &ws, &cache) else {
        return;
    };
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "exit {:?}: {stderr}", out.status);
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("ase.io.read"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("corrupt"),
        "a read-only index is not corrupt: {stderr}"
    );
    // Stale (the workspace gained a pack): answered from memory, with one warning.
    one_skill(&ws, "pkg-ro", "`pkg.run` fails on Tuesdays.");
    let out = run_with_read_only_cache(&["search", "pkg.run"], &ws, &cache).unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "exit {:?}: {stderr}", out.status);
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("Tuesdays"),
        "{stderr}"
    );
}
