#!/usr/bin/env bash
# The release wheel for old HPC clusters: manylinux2014 (glibc 2.17), linked with zig
# (`ziglang` from PyPI) so that no old-glibc build machine is needed. Slower than the CI
# wheel (a second full build with its own target dir), so not part of every CI run.
# Test what it made with: packaging/test-wheel.sh --wheel-dir dist/  (see README).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TOOLS=$ROOT/.editor-tools
if [ ! -x "$TOOLS/maturin-zig/bin/maturin" ]; then
  python3 -m venv "$TOOLS/maturin-zig"
  "$TOOLS/maturin-zig/bin/pip" install -q "maturin>=1.9,<2" ziglang
fi
export PATH=$TOOLS/maturin-zig/bin:$PATH
cd "$ROOT"
CARGO_TARGET_DIR=$ROOT/target/manylinux maturin build --release --zig \
  --compatibility manylinux2014 --out "$ROOT/dist"
ls -l "$ROOT"/dist/skill_lsp-*manylinux*.whl
