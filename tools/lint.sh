#!/usr/bin/env bash
# make lint: ruff check + ruff format --check (module and tools/*.py), pylint with pylint-odoo.
# Runs every linter and fails at the end if any of them failed. Needs no database.
# make fix (--fix): apply ruff's fixes and formatting instead.
set -euo pipefail
# shellcheck source=tools/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

require_module
ensure_odoo_src
ensure_venv

cd "$ROOT"
targets=("${MODULE_DIRS[@]}")
shopt -s nullglob
py_tools=("$ROOT"/tools/*.py)
shopt -u nullglob
failed=()

if [ "${1:-}" = --fix ]; then
    "$VENV/bin/ruff" check --config "$ROOT/ruff.toml" --fix "${targets[@]}" "${py_tools[@]}" || true
    "$VENV/bin/ruff" format --config "$ROOT/ruff.toml" "${targets[@]}" "${py_tools[@]}"
    exit 0
fi

run() { # run NAME CMD...
    local name="$1"
    shift
    say "$name"
    if ! "$@"; then
        failed+=("$name")
    fi
}

run "ruff check" "$VENV/bin/ruff" check --config "$ROOT/ruff.toml" "${targets[@]}" "${py_tools[@]}"
run "ruff format --check" "$VENV/bin/ruff" format --config "$ROOT/ruff.toml" --check "${targets[@]}" "${py_tools[@]}"
run "pylint (pylint-odoo)" "$VENV/bin/pylint" --rcfile="$ROOT/.pylintrc" "${MODULE_DIRS[@]}"

if [ "${#failed[@]}" -gt 0 ]; then
    die "lint failed: ${failed[*]}  (auto-fix most ruff issues: make fix)"
fi
say "lint OK"
