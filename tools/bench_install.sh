#!/usr/bin/env bash
# Benchmark of the installation on a database with two years of deliveries:
# throwaway database after_sales_bench_install_<pid> with stock, sale_stock, repair,
# maintenance and account; tools/bench_install.py generate writes the history; the
# module is installed (timed); tools/bench_install.py measure runs the import of past
# deliveries and prints its figures; the database is dropped.
#
#   BENCH_ARGS="--lines 20000 --returns 4 --workers 2 --batch-size 500"
#                     arguments of tools/bench_install.py (both steps get them)
#   KEEP_DB=1         keep the database and its config .local/odoo-bench-<db>.conf
#
# Run it with: bash tools/bench_install.sh
set -euo pipefail
# shellcheck source=tools/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

BENCH_DB="after_sales_bench_install_$$"
BENCH_CONF="$LOCAL/odoo-bench-$BENCH_DB.conf"
BASE_MODULES="stock,sale_stock,repair,maintenance,account"
require_module
ensure_odoo_src
ensure_venv
ensure_pg

drop_on_exit "$BENCH_DB" "$BENCH_CONF"
write_odoo_conf "$BENCH_CONF"
CONF="$BENCH_CONF" # used by odoo_step

log="$LOGS/bench-install-$BENCH_DB.log"
say "Installing $BASE_MODULES into throwaway database $BENCH_DB (log: $log)"
start=$SECONDS
ODOO_STEP_MODULES="${BASE_MODULES//,/ }" odoo_step "$BENCH_DB" "$log" -i "$BASE_MODULES" ||
    die "installing $BASE_MODULES failed (full log: $log)"
say "Installed in $((SECONDS - start)) s"

say "Generating two years of deliveries"
start=$SECONDS
# shellcheck disable=SC2086
"$PY" "$ROOT/tools/bench_install.py" generate --config "$BENCH_CONF" --database "$BENCH_DB" \
    ${BENCH_ARGS:-}
say "Generated in $((SECONDS - start)) s"

say "Installing $MODULE (its post_init_hook only starts the import)"
start=$(date +%s.%N)
odoo_step "$BENCH_DB" "$log" -i "$MODULE" || die "installing $MODULE failed (full log: $log)"
say "Installed $MODULE in $(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }') s"
rm -f "$log"

say "Running the import of past deliveries"
# shellcheck disable=SC2086
"$PY" "$ROOT/tools/bench_install.py" measure --config "$BENCH_CONF" --database "$BENCH_DB" \
    ${BENCH_ARGS:-}
