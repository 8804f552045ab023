#!/usr/bin/env bash
# Real JupyterLab + jupyterlab-lsp, headless, against the real skill-lsp binary: starts
# `jupyter lab` with editors/jupyterlab/jupyter_server_config.json (its argv pointed at the
# binary under test) in a per-run folder, then drives it with drive.js.
# Needs editors/test/setup.sh (JupyterLab from PyPI, chromium, playwright-core).
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../../.." && pwd)
BIN=${SKILL_LSP_BIN:-$ROOT/target/release/skill-lsp}
JUPYTER=$ROOT/.editor-tools/jupyter/bin/jupyter
PLAYWRIGHT=$ROOT/editors/vscode/.test-tools/node/node_modules/playwright-core
NODE=$(command -v node)
for need in "$JUPYTER" "$BIN" /usr/bin/chromium; do
  [ -x "$need" ] || { echo "FAILED: $need is missing; run editors/test/setup.sh" >&2; exit 4; }
done
[ -d "$PLAYWRIGHT" ] || { echo "FAILED: $PLAYWRIGHT is missing; run editors/test/setup.sh" >&2; exit 4; }
RUN=$(mktemp -d "${TMPDIR:-/tmp}/skill-lsp-jupyterlab.XXXX")
mkdir -p "$RUN/ws" "$RUN/config" "$RUN/data" "$RUN/runtime" "$RUN/settings" "$RUN/home"
cp "$ROOT/examples/notebook_md.ipynb" "$RUN/ws/"
# The shipped spec, with the binary under test.
python3 - "$ROOT/editors/jupyterlab/jupyter_server_config.json" "$RUN/config/jupyter_server_config.json" "$BIN" <<'PY'
import json, sys
spec = json.load(open(sys.argv[1]))
spec["LanguageServerManager"]["language_servers"]["skill-lsp"]["argv"][0] = sys.argv[3]
spec["LanguageServerManager"]["autodetect"] = False
json.dump(spec, open(sys.argv[2], "w"), indent=1)
PY
export HOME=$RUN/home JUPYTER_CONFIG_DIR=$RUN/config JUPYTER_DATA_DIR=$RUN/data JUPYTER_RUNTIME_DIR=$RUN/runtime
export JUPYTERLAB_SETTINGS_DIR=$RUN/settings SKILL_LSP_CACHE_DIR=$RUN/cache
PORT=$((19000 + RANDOM % 2000))
timeout 300 "$JUPYTER" lab --no-browser --port "$PORT" --allow-root --IdentityProvider.token= --ServerApp.password= \
  --ServerApp.root_dir="$RUN/ws" --ServerApp.disable_check_xsrf=True > "$RUN/jupyter.log" 2>&1 &
LAB=$!
trap 'kill $LAB 2>/dev/null; wait $LAB 2>/dev/null' EXIT
for _ in $(seq 1 120); do
  curl -sf "http://127.0.0.1:$PORT/api" >/dev/null && break
  sleep 0.5
done
timeout 240 "$NODE" "$HERE/drive.js" "http://127.0.0.1:$PORT/lab/tree/notebook_md.ipynb" "$RUN" "$PLAYWRIGHT"
rc=$?
if [ $rc -ne 0 ]; then
  echo "--- jupyter log (last 40 lines) ---"; tail -40 "$RUN/jupyter.log"
  echo "run folder kept: $RUN"
  trap 'kill $LAB 2>/dev/null; wait $LAB 2>/dev/null' EXIT
else
  trap 'kill $LAB 2>/dev/null; wait $LAB 2>/dev/null; rm -rf "$RUN"' EXIT
fi
exit $rc
