#!/usr/bin/env bash
# make pg-stop:  stop the private PostgreSQL server under .local/ (if any)
# make clean-db: (--drop-db) drop $DB and forget its module hash instead
set -euo pipefail
# shellcheck source=tools/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if [ "${1:-}" = --drop-db ]; then
    DB="${DB:-after_sales_demo}"
    ensure_odoo_src
    ensure_venv
    ensure_pg
    pgtool drop-db "$DB" || die "could not drop database $DB"
    rm -rf "$LOCAL/data/filestore/$DB" "$STATE/$DB.module.sha256"
    say "Dropped database $DB"
    exit 0
fi

[ -f "$PRIVATE_PGENV" ] || {
    say "No private PostgreSQL server was set up under $LOCAL"
    exit 0
}
# shellcheck disable=SC1090
. "$PRIVATE_PGENV"
case "${PRIVATE_PGKIND:-}" in
    binaries)
        run_as=()
        is_root && run_as=(runuser -u postgres --)
        if "${run_as[@]}" "$PRIVATE_PGBINDIR/pg_ctl" -D "$PRIVATE_PGDATA" status >/dev/null 2>&1; then
            "${run_as[@]}" "$PRIVATE_PGBINDIR/pg_ctl" -D "$PRIVATE_PGDATA" -m fast -w stop
        else
            say "Private PostgreSQL is not running"
        fi
        ;;
    pgserver)
        "$PY" - "$LOCAL/pgserver" <<'PYEOF'
import pathlib, sys
import pgserver
pgserver.get_server(pathlib.Path(sys.argv[1]), cleanup_mode="stop")
PYEOF
        say "Private PostgreSQL (pgserver) stopped"
        ;;
    *) die "unknown PRIVATE_PGKIND in $PRIVATE_PGENV" ;;
esac
