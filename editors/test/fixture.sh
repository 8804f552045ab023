# Sourced by the editor tests: a pack beside the embedded ones, and files of the kinds
# beyond Python it answers in (an input deck, a Julia script), written into a workspace.
#   other_kinds_fixture RUN_DIR WS_DIR   -> sets SKILL_LSP_SKILLS for the server
# The embedded packs are listed from index/ on disk: a configured pack folder replaces
# the embedded default, and the Python checks still want ase and oqupy.
other_kinds_fixture() {
  local run=$1 ws=$2 root
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
  local pack=$run/packs/spinx
  mkdir -p "$pack/skills/spinx-inputs"
  # The package's Julia module is named by its Project.toml (pack identity).
  printf 'name = "Latx"\n' > "$pack/Project.toml"
  cat > "$pack/skills/spinx-inputs/SKILL.md" <<'SKILL'
---
name: spinx-inputs
description: Writing spinx input decks and driving its Julia models.
---
# spinx inputs

## Workflow
1. Start from `runs/water.in` and change one block at a time.

### Pitfalls and fixes
- `mixing.scheme broyden` diverges for magnetic cells; use `pulay` there.
- `hamiltonian(...)` is built lazily: call it with concrete parameters before `spectrum`.
SKILL
  printf '# water\nsystem.name     water\nmixing.scheme   broyden\nscf.maxiter     60\n' > "$ws/water.in"
  printf 'using Latx\nh = hamiltonian(lat, hopping(1))\n' > "$ws/model.jl"
  export SKILL_LSP_SKILLS="$root/index/ase:$root/index/oqupy:$pack"
}
