#!/usr/bin/env bash
# Installs the language servers that `cargo bench --bench peers` compares against, into
# .bench-tools/ at the repository root (git-ignored):
#   .bench-tools/venv   python3 venv with jedi-language-server and ase (ase so that the
#                       peers can resolve `ase.io.read` in the benchmark script)
#   .bench-tools/npm    pyright (pyright-langserver)
# Idempotent: what is already installed is kept. Fails loudly when it cannot install.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="$root/.bench-tools"
venv="$tools/venv"
npm_prefix="$tools/npm"

die() {
    echo "peers-setup: ERROR: $*" >&2
    exit 1
}

mkdir -p "$tools"

# --- Python: jedi-language-server + ase -------------------------------------------------
if [[ -x "$venv/bin/jedi-language-server" ]] && "$venv/bin/python" -c 'import ase' 2>/dev/null; then
    echo "peers-setup: jedi-language-server and ase already in $venv"
else
    command -v python3 >/dev/null || die "python3 not found on PATH (needed for the jedi-language-server venv)"
    if [[ ! -x "$venv/bin/python" ]]; then
        echo "peers-setup: creating venv $venv"
        python3 -m venv "$venv" ||
            die "python3 -m venv failed (on Debian/Ubuntu: apt-get install python3-venv)"
    fi
    echo "peers-setup: pip install jedi-language-server ase"
    "$venv/bin/python" -m pip install --quiet --upgrade pip ||
        echo "peers-setup: warning: could not upgrade pip, continuing" >&2
    "$venv/bin/python" -m pip install --quiet jedi-language-server ase ||
        die "pip install jedi-language-server ase failed (network? proxy?)"
    [[ -x "$venv/bin/jedi-language-server" ]] ||
        die "pip succeeded but $venv/bin/jedi-language-server is missing"
    "$venv/bin/python" -c 'import ase' || die "ase does not import in $venv"
fi

# --- Node: pyright ----------------------------------------------------------------------
if [[ -x "$npm_prefix/node_modules/.bin/pyright-langserver" ]]; then
    echo "peers-setup: pyright already in $npm_prefix"
else
    command -v npm >/dev/null || die "npm not found on PATH (needed for pyright; install Node.js >= 14)"
    echo "peers-setup: npm install pyright"
    npm install --prefix "$npm_prefix" --no-audit --no-fund --loglevel=error pyright ||
        die "npm install pyright failed (network? proxy?)"
    [[ -x "$npm_prefix/node_modules/.bin/pyright-langserver" ]] ||
        die "npm succeeded but $npm_prefix/node_modules/.bin/pyright-langserver is missing"
fi

echo "peers-setup: versions"
"$venv/bin/jedi-language-server" --version 2>/dev/null | sed 's/^/  jedi-language-server /' || true
"$venv/bin/python" -c 'import ase, jedi; print("  ase", ase.__version__); print("  jedi", jedi.__version__)'
"$npm_prefix/node_modules/.bin/pyright" --version 2>/dev/null | sed 's/^/  /' || true
echo "peers-setup: done; run: cargo bench --bench peers"
