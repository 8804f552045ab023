#!/bin/bash
# Headless end-to-end test of the skill-lsp VS Code extension in real VS Code
# (code-server 4.100.3 = VS Code 1.100.3, driven by Debian chromium through playwright-core)
# against the real skill-lsp binary.
#
#   test/setup.sh                                   # once: installs the tools (idempotent)
#   test/run.sh [/abs/path/to/skill-lsp]            # or SKILL_LSP_BIN=/abs/path test/run.sh
#
# Default binary: <repo>/target/release/skill-lsp. How the extension finds it, SERVER_MODE=
#   setting (default)  "skillLsp.server.path" in the user settings
#   bundled            built into the .vsix as server/skill-lsp (no setting)
#   path               `skill-lsp` in ~/.cargo/bin (as `cargo install` puts it), on PATH,
#                      with a per-run HOME (no setting)
#   venv               `skill-lsp` in the workspace's .venv/bin (as `pip install skill-lsp`
#                      into the project's environment puts it; no setting)
# Builds the .vsix (scripts/build-vsix.sh) unless SKIP_BUILD=1 and skill-lsp.vsix exists
# (not with SERVER_MODE=bundled). Each run gets a fresh folder under
# test/runs/ (workspace copy, user data, XDG dirs, logs, screenshots); the last 3 are kept.
# Exit code: 0 all checks passed; 1 a check failed; 2 harness error in drive.js;
# 3 code-server did not start; 4 a tool or the binary is missing (run test/setup.sh).
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
EXT=$(cd "$HERE/.." && pwd)
REPO=$(cd "$EXT/../.." && pwd)
TOOLS=${SKILL_LSP_VSCODE_TOOLS:-$EXT/.test-tools}
CS=$TOOLS/cs/node_modules/.bin/code-server
BIN=${1:-${SKILL_LSP_BIN:-$REPO/target/release/skill-lsp}}
SERVER_MODE=${SERVER_MODE:-setting}
case "$SERVER_MODE" in setting|bundled|path|venv) ;; *) echo "SERVER_MODE must be setting, bundled, path or venv" >&2; exit 4;; esac
PORT=${PORT:-$((18000 + RANDOM % 2000))}
SHOTS=${SCREENSHOT_DIR:-$REPO/docs/img}
T0=$(date +%s)

loud() { echo; echo "=================================================="; echo "$*"; echo "=================================================="; }

# --- what must be there --------------------------------------------------------------------
missing=()
[ -x "$CS" ] || missing+=("code-server ($CS)")
[ -d "$TOOLS/node/node_modules/playwright-core" ] || missing+=("playwright-core ($TOOLS/node)")
[ -x "$TOOLS/node/node_modules/.bin/vsce" ] || missing+=("@vscode/vsce ($TOOLS/node)")
[ -x /usr/bin/chromium ] || missing+=("chromium (/usr/bin/chromium)")
case "$BIN" in /*) ;; *) BIN=$(cd "$(dirname "$BIN")" 2>/dev/null && pwd)/$(basename "$BIN");; esac
[ -x "$BIN" ] || missing+=("skill-lsp binary ($BIN: build it with cargo build --release)")
if [ ${#missing[@]} -gt 0 ]; then
  loud "VS Code test FAILED: not installed: ${missing[*]} -- run editors/vscode/test/setup.sh"
  exit 4
fi

# --- build the extension ------------------------------------------------------------------
VSIX=$EXT/skill-lsp.vsix
if [ "$SERVER_MODE" = bundled ]; then
  VSIX=$TOOLS/skill-lsp-bundled.vsix
  echo "[run] building $VSIX with $BIN bundled"
  VSIX_OUT=$VSIX VSCE=$TOOLS/node/node_modules/.bin/vsce "$EXT/scripts/build-vsix.sh" "$BIN" > "$TOOLS/build-vsix.log" 2>&1 \
    || { tail -30 "$TOOLS/build-vsix.log"; loud "VS Code test FAILED: the .vsix did not build (log: $TOOLS/build-vsix.log)"; exit 4; }
  rm -rf "$EXT/server"
elif [ "${SKIP_BUILD:-0}" = 1 ] && [ -f "$VSIX" ]; then
  echo "[run] SKIP_BUILD=1: using existing $VSIX"
else
  echo "[run] building $VSIX"
  VSCE=$TOOLS/node/node_modules/.bin/vsce "$EXT/scripts/build-vsix.sh" > "$TOOLS/build-vsix.log" 2>&1 \
    || { tail -30 "$TOOLS/build-vsix.log"; loud "VS Code test FAILED: the .vsix did not build (log: $TOOLS/build-vsix.log)"; exit 4; }
fi
T_BUILD=$(date +%s)

# --- a fresh run folder ---------------------------------------------------------------------
mkdir -p "$HERE/runs"
# keep the 3 newest runs
ls -1dt "$HERE"/runs/run.* 2>/dev/null | tail -n +3 | xargs -r rm -rf
RUN=$(mktemp -d "$HERE/runs/run.XXXX")
mkdir -p "$RUN/ud/User" "$RUN/ext" "$RUN/ws" "$RUN/cache" "$RUN/shots"
# keep code-server / chromium / skill-lsp state out of $HOME
export XDG_CONFIG_HOME=$RUN/xdg/config XDG_DATA_HOME=$RUN/xdg/data XDG_STATE_HOME=$RUN/xdg/state XDG_CACHE_HOME=$RUN/xdg/cache
export SKILL_LSP_CACHE_DIR=$RUN/cache
cp "$REPO/examples/parallel_md.py" "$REPO/examples/psi4_settings.py" "$REPO/examples/notebook_md.ipynb" "$RUN/ws/"
# An input deck and a Julia script, and the pack answering in them (skillLsp.skillPaths).
# shellcheck source=../../test/fixture.sh
. "$REPO/editors/test/fixture.sh"
other_kinds_fixture "$RUN" "$RUN/ws"
SETTINGS=$RUN/ud/User/settings.json
python3 - "$SETTINGS" "$BIN" "$RUN/cache" "$SERVER_MODE" "$SKILL_LSP_SKILLS" <<'PY'
import json, sys
path, binary, cache, mode, packs = sys.argv[1:6]
settings = {
    "workbench.startupEditor": "none", "security.workspace.trust.enabled": False,
    "telemetry.telemetryLevel": "off", "files.autoSave": "off", "update.mode": "none",
    "extensions.autoCheckUpdates": False, "extensions.autoUpdate": False,
    "workbench.enableExperiments": False, "editor.hover.delay": 100,
    "workbench.tips.enabled": False, "chat.disableAIFeatures": True,
    "editor.lightbulb.enabled": "off", "editor.minimap.enabled": False,
    # the run folder sits inside the project's git checkout: no git prompts/toasts
    "git.enabled": False, "git.openRepositoryInParentFolders": "never",
    "editor.hover.above": False,
    "skillLsp.server.path": binary,
    "skillLsp.cacheDir": cache,
    "skillLsp.trace.server": "verbose",
    "skillLsp.skillPaths": packs.split(":"),
}
if mode != "setting":
    del settings["skillLsp.server.path"]
json.dump(settings, open(path, "w"), indent=2)
PY
# The packs reach the server through the setting only, as a user's would.
unset SKILL_LSP_SKILLS

"$CS" --user-data-dir "$RUN/ud" --extensions-dir "$RUN/ext" \
      --install-extension "$VSIX" > "$RUN/install-extension.log" 2>&1 \
  || { cat "$RUN/install-extension.log"; loud "VS Code test FAILED: code-server could not install $VSIX"; exit 3; }

if [ "$SERVER_MODE" = path ]; then
  # VS Code replaces the extension host's PATH by the one of a login shell, so a PATH
  # entry made here is lost: put the binary where `cargo install` would (~/.cargo/bin)
  # under a per-run HOME, which the extension also searches, and on PATH.
  mkdir -p "$RUN/home/.cargo/bin" && ln -s "$BIN" "$RUN/home/.cargo/bin/skill-lsp"
  export HOME=$RUN/home PATH="$RUN/home/.cargo/bin:$PATH"
fi
if [ "$SERVER_MODE" = venv ]; then
  mkdir -p "$RUN/ws/.venv/bin" && ln -s "$BIN" "$RUN/ws/.venv/bin/skill-lsp"
fi
echo "[run] server: $BIN, found by the extension through: $SERVER_MODE"

# --- code-server, bounded -------------------------------------------------------------------
timeout 300 "$CS" --auth none --bind-addr 127.0.0.1:$PORT --disable-telemetry \
   --disable-update-check --disable-workspace-trust --disable-getting-started-override \
   --user-data-dir "$RUN/ud" --extensions-dir "$RUN/ext" "$RUN/ws" > "$RUN/code-server.log" 2>&1 &
CSPID=$!
cleanup() { kill "$CSPID" 2>/dev/null; wait "$CSPID" 2>/dev/null; }
trap cleanup EXIT
for _ in $(seq 1 60); do curl -fs -o /dev/null "http://127.0.0.1:$PORT/healthz" && break; sleep 0.5; done
if ! curl -fs -o /dev/null "http://127.0.0.1:$PORT/healthz"; then
  cat "$RUN/code-server.log"; loud "VS Code test FAILED: code-server did not start on port $PORT"; exit 3
fi
T_START=$(date +%s)

timeout 240 node "$HERE/drive.js" "http://127.0.0.1:$PORT/?folder=$RUN/ws" "$RUN" "$TOOLS" "$SERVER_MODE" "$BIN"
RC=$?
cleanup
trap - EXIT
[ $RC = 124 ] && RC=2
T_END=$(date +%s)
# publish the hover screenshot for the docs
if [ $RC = 0 ] && [ -f "$RUN/shots/vscode-hover.png" ] && [ "${PUBLISH_SCREENSHOT:-1}" = 1 ]; then
  mkdir -p "$SHOTS" && cp "$RUN/shots/vscode-hover.png" "$SHOTS/vscode-hover.png"
fi
echo "[run] times: build $((T_BUILD - T0)) s, code-server up $((T_START - T_BUILD)) s, drive $((T_END - T_START)) s, total $((T_END - T0)) s"
echo "[run] logs, screenshots and the server's output in $RUN"
if [ $RC = 0 ]; then
  echo "VS Code test PASSED"
else
  # CI removes the run folder: print what explains a failure here
  for f in "$RUN"/ud/logs/*/remoteagent.log "$RUN"/ud/logs/*/exthost*/remoteexthost.log \
           "$RUN"/ud/logs/*/exthost*/output_logging_*/*skill-lsp*.log; do
    [ -f "$f" ] && { echo "--- last lines of ${f#"$RUN"/}"; tail -n 40 "$f"; }
  done
  echo "--- last lines of code-server.log"; tail -n 20 "$RUN/code-server.log"
  loud "VS Code test FAILED (drive.js rc=$RC; logs in $RUN)"
fi
exit $RC
