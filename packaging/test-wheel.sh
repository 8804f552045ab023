#!/usr/bin/env bash
# The wheel, as a user gets it: builds it with maturin from the release build (the same
# target/, so it costs seconds after `cargo test --release`), installs it into a fresh
# venv with pip, and checks the installed binary: `--version`, `check` on examples/, and
# one hover over LSP. Run by .ci/run after the cargo tests (a nested cargo inside
# `cargo test` would wait forever on the lock cargo holds while tests run).
# Prints loudly and exits non-zero on any failure.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TOOLS=$ROOT/.editor-tools
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
fail() { echo "WHEEL TEST FAILED: $*" >&2; exit 1; }

# `--wheel-dir DIR`: test the wheel already in DIR (the manylinux release) instead.
if [ "${1:-}" = "--wheel-dir" ]; then
  [ -n "${2:-}" ] || fail "--wheel-dir needs a folder"
  mkdir -p "$WORK/wheels" && cp "$2"/skill_lsp-*.whl "$WORK/wheels/" || fail "no wheel in $2"
elif [ ! -x "$TOOLS/maturin/bin/maturin" ]; then
  echo "wheel test: maturin from PyPI"
  mkdir -p "$TOOLS"
  python3 -m venv "$TOOLS/maturin" && "$TOOLS/maturin/bin/pip" install -q "maturin>=1.9,<2" \
    || fail "could not install maturin from PyPI"
fi
if [ ! -d "$WORK/wheels" ]; then
  (cd "$ROOT" && "$TOOLS/maturin/bin/maturin" build --release --out "$WORK/wheels" >"$WORK/build.log" 2>&1) \
    || { cat "$WORK/build.log" >&2; fail "maturin build"; }
fi
wheel=$(ls "$WORK"/wheels/skill_lsp-*.whl) || fail "no wheel in $WORK/wheels"
echo "wheel test: built $(basename "$wheel") ($(du -h "$wheel" | cut -f1))"

python3 -m venv "$WORK/venv"
"$WORK/venv/bin/pip" install -q --no-index "$wheel" || fail "pip install $(basename "$wheel")"
bin=$WORK/venv/bin/skill-lsp
[ -x "$bin" ] || fail "the wheel put no skill-lsp in the venv's bin/"
export SKILL_LSP_CACHE_DIR=$WORK/cache
unset SKILL_LSP_SKILLS

version=$("$bin" --version)
expected=$(sed -n 's/^version = "\(.*\)"/\1/p' "$ROOT/Cargo.toml" | head -1)
[ "$version" = "skill-lsp $expected" ] || fail "--version says '$version', Cargo.toml $expected"

# `check` exits 1 on findings: the examples have some.
set +e
"$bin" check "$ROOT/examples/" >"$WORK/check.txt" 2>"$WORK/check.err"
status=$?
set -e
[ "$status" = 1 ] || { cat "$WORK/check.err" >&2; fail "check examples/ exited $status, expected 1 (findings)"; }
grep -q "ase-parallel-hpc" "$WORK/check.txt" || { cat "$WORK/check.txt" >&2; fail "check printed no ase-parallel-hpc finding"; }

hover=$(python3 "$ROOT/packaging/lsp_hover.py" "$bin" "$ROOT/examples/parallel_md.py" 11 9) \
  || fail "LSP hover through the installed binary"
case "$hover" in
  *"ase.io.read"*"master rank"*) ;;
  *) echo "$hover" >&2; fail "the hover on read( shows no MPI read pitfall" ;;
esac
echo "wheel test: ok (--version, check, LSP hover through the installed binary)"
