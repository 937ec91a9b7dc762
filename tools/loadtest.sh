#!/usr/bin/env bash
# make loadtest: a real multi-worker server on a database with demo data, and
# tools/loadtest.py's users against it over JSON-RPC; prints the table and checks
# that every acknowledged create exists exactly once.
#   LOAD_USERS=20 LOAD_SECONDS=60 LOAD_PORT=8090 LOAD_DB=after_sales_load
set -euo pipefail
# shellcheck source=tools/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

LOAD_DB="${LOAD_DB:-after_sales_load}"
LOAD_PORT="${LOAD_PORT:-8090}"
LOAD_USERS="${LOAD_USERS:-20}"
LOAD_SECONDS="${LOAD_SECONDS:-60}"

require_module
setup_all

# a fresh database each run: the figures do not depend on earlier runs
if [ "$(pgtool module-state "$LOAD_DB" "$MODULE")" != nodb ]; then
    pgtool drop-db "$LOAD_DB"
    rm -rf "$LOCAL/data/filestore/$LOAD_DB"
fi
log="$LOGS/loadtest-install.log"
say "Installing $MODULES with demo data into $LOAD_DB (log: $log)"
ODOO_STEP_MODULES="${MODULES//,/ }" odoo_step "$LOAD_DB" "$log" -i "$MODULES" --with-demo ||
    die "installing into $LOAD_DB failed (full log: $log)"

server_log="$LOGS/loadtest-server.log"
say "Starting Odoo with --workers=2 --max-cron-threads=1 on port $LOAD_PORT (log: $server_log)"
"$PY" "$ODOO_SRC/odoo-bin" -c "$CONF" -d "$LOAD_DB" --db-filter="^${LOAD_DB}\$" --http-interface=127.0.0.1 \
    --http-port="$LOAD_PORT" --gevent-port=$((LOAD_PORT + 1)) --workers=2 \
    --max-cron-threads=1 --limit-time-real=300 --limit-time-cpu=300 \
    --logfile="$server_log" &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do
    curl -fs "http://127.0.0.1:$LOAD_PORT/web/health" >/dev/null 2>&1 && break
    kill -0 "$server" 2>/dev/null || die "the server stopped (log: $server_log)"
    sleep 1
done
curl -fs "http://127.0.0.1:$LOAD_PORT/web/health" >/dev/null || die "the server does not answer"

dsn="dbname=$LOAD_DB host=${PGHOST:-/var/run/postgresql} port=${PGPORT:-5432} user=${PGUSER:-$USER}"
rc=0
"$PY" "$ROOT/tools/loadtest.py" --url "http://127.0.0.1:$LOAD_PORT" --db "$LOAD_DB" \
    --dsn "$dsn" --users "$LOAD_USERS" --duration "$LOAD_SECONDS" \
    --json "$LOCAL/loadtest.json" || rc=$?
errors="$(grep -c ' ERROR ' "$server_log" || true)"
say "server log: $errors ERROR lines ($server_log)"
exit "$rc"
