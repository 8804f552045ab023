#!/usr/bin/env bash
# Runs one real-editor test against the real binary: nvim07 | nvim011 | emacs |
# emacs-coexist | vscode | jupyterlab.
# Every process is bounded by a timeout; editor state lives in a per-run folder.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
EDITOR_NAME=${1:?usage: run.sh nvim07|nvim011|emacs|emacs-coexist|vscode|jupyterlab}
BIN=${SKILL_LSP_BIN:-$ROOT/target/release/skill-lsp}
[ -x "$BIN" ] || { echo "FAILED: no skill-lsp binary at $BIN (cargo build --release)" >&2; exit 2; }
RUN=$(mktemp -d "${TMPDIR:-/tmp}/skill-lsp-editor-$EDITOR_NAME.XXXX")
trap 'rm -rf "$RUN"' EXIT
mkdir -p "$RUN/ws"
cp "$ROOT/examples/parallel_md.py" "$ROOT/examples/psi4_settings.py" "$RUN/ws/"
# shellcheck source=fixture.sh
. "$ROOT/editors/test/fixture.sh"
other_kinds_fixture "$RUN" "$RUN/ws"
export XDG_CONFIG_HOME=$RUN/xdg/config XDG_DATA_HOME=$RUN/xdg/data XDG_STATE_HOME=$RUN/xdg/state XDG_CACHE_HOME=$RUN/xdg/cache
export HOME=$RUN/home SKILL_LSP_CACHE_DIR=$RUN/cache SKILL_LSP_BIN=$BIN TEST_WS=$RUN/ws
mkdir -p "$HOME"
case "$EDITOR_NAME" in
  nvim07)
    NVIM=$(command -v nvim) || { echo "FAILED: nvim (Debian neovim 0.7) is not installed; run editors/test/setup.sh" >&2; exit 2; }
    cd "$ROOT/editors/nvim" && PLUGIN_DIR=$PWD timeout 120 "$NVIM" --headless -u NONE -c 'luafile test/test.lua' ;;
  nvim011)
    NVIM=$ROOT/.editor-tools/nvim011/bin/nvim
    [ -x "$NVIM" ] || { echo "FAILED: Neovim 0.11 is not installed; run editors/test/setup.sh" >&2; exit 2; }
    cd "$ROOT/editors/nvim" && PLUGIN_DIR=$PWD timeout 120 "$NVIM" --headless -u NONE -c 'luafile test/test.lua' \
      && PLUGIN_DIR=$PWD timeout 120 "$NVIM" --headless -u NONE -c 'luafile test/enable.lua' ;;
  emacs)
    command -v emacs >/dev/null || { echo "FAILED: emacs is not installed; run editors/test/setup.sh" >&2; exit 2; }
    cd "$ROOT/editors/emacs" && timeout 180 emacs --batch -l test.el ;;
  emacs-coexist)
    command -v emacs >/dev/null || { echo "FAILED: emacs is not installed; run editors/test/setup.sh" >&2; exit 2; }
    COEXIST_BIN=$ROOT/.editor-tools/coexist/bin
    [ -x "$COEXIST_BIN/rass" ] && [ -x "$COEXIST_BIN/pylsp" ] || { echo "FAILED: rass and pylsp are not installed; run editors/test/setup.sh" >&2; exit 2; }
    cd "$ROOT/editors/emacs" && COEXIST_BIN=$COEXIST_BIN timeout 180 emacs --batch -l test-coexist.el ;;
  vscode)
    [ -x "$ROOT/editors/vscode/test/run.sh" ] || { echo "FAILED: editors/vscode/test/run.sh is missing" >&2; exit 2; }
    # The test keeps its screenshot in its run folder; docs/img is refreshed by hand
    # (editors/vscode/test/run.sh with PUBLISH_SCREENSHOT=1, the default there).
    PUBLISH_SCREENSHOT=0 SKILL_LSP_BIN=$BIN timeout 600 "$ROOT/editors/vscode/test/run.sh" ;;
  jupyterlab)
    SKILL_LSP_BIN=$BIN timeout 400 "$ROOT/editors/jupyterlab/test/run.sh" ;;
  *) echo "unknown editor $EDITOR_NAME" >&2; exit 2 ;;
esac
