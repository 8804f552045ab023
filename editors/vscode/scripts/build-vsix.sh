#!/bin/bash
# Build the skill-lsp VS Code extension into editors/vscode/skill-lsp.vsix.
#
#   scripts/build-vsix.sh                      # extension only: finds skill-lsp via settings/PATH
#   scripts/build-vsix.sh path/to/skill-lsp    # also bundle that binary as server/skill-lsp
#
# Needs node >= 18 + npm. vsce comes from $VSCE, else the test tools folder
# (.test-tools/node, see test/setup.sh), else `npx @vscode/vsce@3.9.2`.
set -euo pipefail
EXT=$(cd "$(dirname "$0")/.." && pwd)
REPO=$(cd "$EXT/../.." && pwd)
OUT=${VSIX_OUT:-$EXT/skill-lsp.vsix}
BIN=${1:-}
cd "$EXT"

# 1. dependencies (vscode-languageclient; typescript + @types for the build)
if [ -f package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
else
  npm install --no-audit --no-fund --loglevel=error
fi

# 2. compile src/*.ts -> out/*.js
rm -rf out
node_modules/.bin/tsc -p ./

# 3. optional bundled server binary
rm -rf server
if [ -n "$BIN" ]; then
  [ -x "$BIN" ] || { echo "build-vsix: $BIN is not an executable file" >&2; exit 1; }
  mkdir -p server && cp "$BIN" server/skill-lsp && chmod 755 server/skill-lsp
  echo "build-vsix: bundling $(server/skill-lsp --version 2>/dev/null || echo "$BIN") as server/skill-lsp"
fi

# 4. the repository's license goes into the package; the packaged README drops the
#    screenshot, whose relative path (../../docs/img) only resolves inside the repository
cp "$REPO/LICENSE" "$EXT/LICENSE"
trap 'rm -f "$EXT/LICENSE"' EXIT
mkdir -p "$EXT/.build"
grep -v '](../../docs/img/' "$EXT/README.md" > "$EXT/.build/README.md"

# 5. package
if [ -n "${VSCE:-}" ]; then
  vsce=("$VSCE")
elif [ -x "$EXT/.test-tools/node/node_modules/.bin/vsce" ]; then
  vsce=("$EXT/.test-tools/node/node_modules/.bin/vsce")
else
  vsce=(npx --yes @vscode/vsce@3.9.2)
fi
# With a bundled binary the package is for one platform (`vsce --target`): the
# Marketplace then offers each user the .vsix of their machine. VSIX_TARGET overrides
# the target of this machine (linux-x64, linux-arm64, darwin-arm64, ...).
target=()
if [ -n "$BIN" ]; then
  case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) detected=linux-x64 ;;
    Linux-aarch64) detected=linux-arm64 ;;
    Darwin-arm64) detected=darwin-arm64 ;;
    Darwin-x86_64) detected=darwin-x64 ;;
    *) detected= ;;
  esac
  if [ -n "${VSIX_TARGET:-$detected}" ]; then
    target=(--target "${VSIX_TARGET:-$detected}")
  fi
fi
rm -f "$OUT"
"${vsce[@]}" package --allow-missing-repository --readme-path .build/README.md "${target[@]}" -o "$OUT"
echo "build-vsix: wrote $OUT ($(du -h "$OUT" | cut -f1))"
