#!/bin/bash
# Install everything the headless VS Code test needs (idempotent), into
# editors/vscode/.test-tools (gitignored):
#   - Debian packages: chromium, ripgrep, libkrb5-dev (+ g++/make for native modules)
#   - code-server 4.100.3 (= VS Code 1.100.3) from the npm registry, without github.com
#   - @vscode/vsce 3.9.2 (packages the .vsix) and playwright-core 1.65.1 (drives chromium)
# Adapted from shared/editor-harness (setup_all.sh, cs/install_code_server.sh).
# Exit code: 0 ready, non-zero with a loud "SETUP FAILED: <what>" line otherwise.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
EXT=$(cd "$HERE/.." && pwd)
TOOLS=${SKILL_LSP_VSCODE_TOOLS:-$EXT/.test-tools}
CS_VERSION=4.100.3
mkdir -p "$TOOLS"

fail() { echo; echo "=================================================="; echo "SETUP FAILED: $*"; echo "=================================================="; exit 1; }

# 1. Debian packages -------------------------------------------------------------------
missing=()
for p in chromium ripgrep libkrb5-dev g++ make python3; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "[setup] apt-get install ${missing[*]}"
  SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
  { $SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "${missing[@]}"; } \
    > "$TOOLS/apt.log" 2>&1 || { tail -30 "$TOOLS/apt.log"; fail "apt-get install ${missing[*]} (log: $TOOLS/apt.log)"; }
fi
[ -x /usr/bin/chromium ] || fail "/usr/bin/chromium missing after apt-get install chromium"
[ -x /usr/bin/rg ] || fail "/usr/bin/rg missing after apt-get install ripgrep"

# 2. code-server -------------------------------------------------------------------------
CS=$TOOLS/cs/node_modules/.bin/code-server
if [ -x "$CS" ] && [ -f "$TOOLS/cs/.installed-$CS_VERSION" ]; then
  echo "[setup] code-server $CS_VERSION already installed"
else
  echo "[setup] installing code-server $CS_VERSION (a few minutes: native modules build from source)"
  (
    set -euo pipefail
    # node-pty's postinstall runs `npx node-gyp ...`; an ~/.npmrc with yes=false would block it
    export npm_config_yes=true
    mkdir -p "$TOOLS/cs" && cd "$TOOLS/cs"
    [ -f package.json ] || echo '{"name":"cs-harness","private":true}' > package.json
    npm install --no-audit --no-fund --ignore-scripts code-server@$CS_VERSION
    npm rebuild --foreground-scripts argon2          # prebuilt lives on github: build from source
    cd node_modules/code-server/lib/vscode
    npm install --no-audit --no-fund --omit=dev --ignore-scripts
    # @vscode/ripgrep's postinstall downloads rg from github: use Debian's instead
    mkdir -p node_modules/@vscode/ripgrep/bin && cp /usr/bin/rg node_modules/@vscode/ripgrep/bin/rg
    npm rebuild --foreground-scripts                 # node-pty, spdlog, watcher, kerberos, ...
    # the rest of code-server's own postinstall.sh
    ln -sfn node_modules node_modules.asar
    (cd bin/remote-cli && ln -sfn code-linux.sh code-server)
    (cd bin/helpers && ln -sfn browser-linux.sh browser.sh)
    cd extensions && npm install --no-audit --no-fund --omit=dev --foreground-scripts
  ) > "$TOOLS/cs-install.log" 2>&1 || { tail -40 "$TOOLS/cs-install.log"; fail "code-server $CS_VERSION install (log: $TOOLS/cs-install.log)"; }
  "$CS" --version >/dev/null 2>&1 || fail "code-server installed but does not run (log: $TOOLS/cs-install.log)"
  touch "$TOOLS/cs/.installed-$CS_VERSION"
fi
echo "[setup] code-server: $("$CS" --version | head -1)"

# 3. vsce + playwright-core ----------------------------------------------------------------
if [ -x "$TOOLS/node/node_modules/.bin/vsce" ] && [ -d "$TOOLS/node/node_modules/playwright-core" ] \
   && grep -q '"version": "1.65.1"' "$TOOLS/node/node_modules/playwright-core/package.json" 2>/dev/null; then
  echo "[setup] vsce + playwright-core already installed"
else
  echo "[setup] installing @vscode/vsce@3.9.2 playwright-core@1.65.1"
  (
    set -euo pipefail
    mkdir -p "$TOOLS/node" && cd "$TOOLS/node"
    [ -f package.json ] || echo '{"name":"skill-lsp-vscode-test-tools","private":true}' > package.json
    npm install --no-audit --no-fund @vscode/vsce@3.9.2 playwright-core@1.65.1
  ) > "$TOOLS/node-install.log" 2>&1 || { tail -30 "$TOOLS/node-install.log"; fail "npm install @vscode/vsce playwright-core (log: $TOOLS/node-install.log)"; }
fi

# 4. the extension's own npm dependencies (vscode-languageclient, typescript, ...) -------------
if [ ! -d "$EXT/node_modules/vscode-languageclient" ] || [ ! -x "$EXT/node_modules/.bin/tsc" ]; then
  echo "[setup] npm install in $EXT"
  ( cd "$EXT" && if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi ) \
    > "$TOOLS/ext-install.log" 2>&1 || { tail -30 "$TOOLS/ext-install.log"; fail "npm install of the extension's dependencies (log: $TOOLS/ext-install.log)"; }
fi
echo "[setup] OK: tools in $TOOLS"
