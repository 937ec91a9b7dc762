#!/usr/bin/env bash
# make bench: throwaway database after_sales_bench_<pid>, install the module (no demo),
# run tools/bench.py against it, drop the database.
#
#   .local/bench_addons/        extra add-ons for comparisons (e.g. unpacked OCA wheels);
#                               added to the addons path when present (also its odoo/addons
#                               and */odoo/addons sub-folders)
#   tools/bench_prepare.py      when present, run first (unless BENCH_OCA=0): it unpacks the
#                               comparison add-ons into .local/bench_addons and prints the
#                               comma-separated modules to install as well
#   BENCH_CORE=repair,...       Odoo apps installed for comparisons (default
#                               repair,sale_management; empty: none)
#   BENCH_INSTALL=mod1,mod2     extra modules to install in the bench database (a module
#                               listed twice, or also printed by bench_prepare, installs once)
#   BENCH_ARGS="..."            extra arguments for tools/bench.py (e.g. --quick,
#                               --only contracts|plans|orders, --plan-sizes 1000,10000)
#   KEEP_DB=1                   keep the bench database and its config
#                               .local/odoo-bench-<db>.conf, to re-run tools/bench.py on it:
#     .venv/bin/python tools/bench.py --config .local/odoo-bench-<db>.conf --database <db> ...
#
# Each run has its own Odoo config, .local/odoo-bench-<db>.conf (removed at the end
# unless KEEP_DB is set), so that concurrent runs do not overwrite each other's.
set -euo pipefail
# shellcheck source=tools/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

BENCH_DB="after_sales_bench_$$"
BENCH_CONF="$LOCAL/odoo-bench-$BENCH_DB.conf"
require_module
ensure_odoo_src
ensure_venv
ensure_pg

dedup_csv() { # dedup_csv "a, b,,a" -> "a,b": blanks dropped, first occurrence kept
    local m out=""
    local -A seen=()
    local -a items=()
    IFS=, read -r -a items <<<"$1"
    for m in ${items[@]+"${items[@]}"}; do
        m="${m//[[:space:]]/}"
        [ -z "$m" ] && continue
        [ -n "${seen[$m]:-}" ] && continue
        seen[$m]=1
        out="${out:+$out,}$m"
    done
    printf '%s\n' "$out"
}

# Odoo's own apps compared against (the repair-flow bench, tools/bench_repair.py)
BENCH_CORE="${BENCH_CORE-repair,sale_management}"
install="$MODULES${BENCH_CORE:+,$BENCH_CORE}${BENCH_INSTALL:+,$BENCH_INSTALL}"
if [ -f "$ROOT/tools/bench_prepare.py" ] && [ "${BENCH_OCA:-1}" != 0 ]; then
    prepared="$("$PY" "$ROOT/tools/bench_prepare.py")" || die "tools/bench_prepare.py failed"
    prepared="$(printf '%s' "$prepared" | tr -d '[:space:]')"
    [ -n "$prepared" ] && install="$install,$prepared"
fi
install="$(dedup_csv "$install")"

extra=()
if [ -d "$LOCAL/bench_addons" ]; then
    shopt -s nullglob
    for d in "$LOCAL/bench_addons" "$LOCAL/bench_addons"/* \
        "$LOCAL/bench_addons/odoo/addons" "$LOCAL/bench_addons"/*/odoo/addons; do
        [ -d "$d" ] || continue
        mods=("$d"/*/__manifest__.py)
        [ "${#mods[@]}" -gt 0 ] && extra+=("$d")
    done
    shopt -u nullglob
    [ "${#extra[@]}" -gt 0 ] && say "Extra bench addons: ${extra[*]}"
fi
drop_on_exit "$BENCH_DB" "$BENCH_CONF"
write_odoo_conf "$BENCH_CONF" ${extra[@]+"${extra[@]}"}
CONF="$BENCH_CONF"  # used by odoo_step

log="$LOGS/bench-install-$BENCH_DB.log"
say "Installing $install into throwaway database $BENCH_DB (log: $log)"
start=$SECONDS
odoo_step "$BENCH_DB" "$log" -i "$install" || die "installing $install failed (full log: $log)"
IFS=, read -r -a mods <<<"$install"
for m in "${mods[@]}"; do
    [ -z "$m" ] && continue
    st="$(pgtool module-state "$BENCH_DB" "$m")"
    [ "$st" = installed ] || {
        tail_log "$log" 40
        die "module $m is '$st' in $BENCH_DB (not on the addons path?)"
    }
done
say "Installed in $((SECONDS - start)) s"
rm -f "$log"

say "Running tools/bench.py"
# shellcheck disable=SC2086
"$PY" "$ROOT/tools/bench.py" --config "$BENCH_CONF" --database "$BENCH_DB" \
    --module "$MODULE" ${BENCH_ARGS:-}
