#!/usr/bin/env bash
# make run: set everything up, install/upgrade the module in $DB, start Odoo on 127.0.0.1:$HTTP_PORT
set -euo pipefail
# shellcheck source=tools/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DB="${DB:-after_sales_demo}"
case "$DB" in
    after_sales_test_* | after_sales_bench_*) die "DB=$DB is a name reserved for throwaway test/bench databases" ;;
esac

require_module
setup_all

hash_file="$STATE/$DB.module.sha256"
new_hash="$(module_hash)"
state="$(pgtool module-state "$DB" "$MODULE")" || die "cannot query database $DB (see above)"

if [ "$state" != installed ]; then
    log="$LOGS/install-$DB.log"
    created=
    [ "$state" = nodb ] && created=1
    say "Installing $MODULES with demo data into database $DB (log: $log)"
    start=$SECONDS
    if ! ODOO_STEP_MODULES="${MODULES//,/ }" odoo_step "$DB" "$log" -i "$MODULES" --with-demo; then
        if [ -n "$created" ] && [ -z "${KEEP_DB:-}" ]; then
            pgtool drop-db "$DB" || true
            rm -rf "$LOCAL/data/filestore/$DB"
            say "dropped the half-installed database $DB (KEEP_DB=1 keeps it)"
        fi
        die "installing $MODULE into $DB failed (full log: $log)"
    fi
    printf '%s\n' "$new_hash" >"$hash_file"
    say "Installed in $((SECONDS - start)) s"
elif [ "$(cat "$hash_file" 2>/dev/null)" != "$new_hash" ]; then
    log="$LOGS/upgrade-$DB.log"
    say "Module files changed: upgrading $MODULES in $DB (log: $log)"
    start=$SECONDS
    ODOO_STEP_MODULES="${MODULES//,/ }" odoo_step "$DB" "$log" -u "$MODULES" -i "$MODULES" || die "upgrading $MODULES in $DB failed (full log: $log)"
    printf '%s\n' "$new_hash" >"$hash_file"
    say "Upgraded in $((SECONDS - start)) s"
else
    say "Database $DB is up to date with $MODULE"
fi

cat >&2 <<EOF2

  Odoo:   http://127.0.0.1:$HTTP_PORT/odoo   (database: $DB)
  Login:  admin / admin
  Stop:   Ctrl-C

EOF2
# shellcheck disable=SC2086
exec "$PY" "$ODOO_SRC/odoo-bin" -c "$CONF" -d "$DB" --db-filter="^${DB}\$" \
    --http-interface=127.0.0.1 --http-port="$HTTP_PORT" ${ODOO_ARGS:-}
