#!/usr/bin/env bash
# make loadtest: real multi-worker Odoo servers on a database with demo data, and
# tools/loadtest.py's users against them over JSON-RPC. Three scenarios, each printing
# its table and checking that every acknowledged create exists exactly once:
#   single   one server, --workers=2 --max-cron-threads=1
#   proxy    two such servers (crons in both) sharing database and filestore, behind nginx
#   replica  the single server with db_replica_host/port: read-only calls (lists,
#            forms, the KPI dashboard, the provision reconciliation) go to a streaming
#            replica of the database
#   faults   the single server; an HTTP worker killed mid-request, then PostgreSQL
#            restarted, during the run
#   crons    generation, invoicing and dispatcher crons in two processes at once; a
#            generation run killed after its first batch, then run again
# The database lives in a private primary PostgreSQL cluster with a streaming standby
# (under .local/loadtest/, run as the postgres system user when called as root).
#   LOAD_USERS=20 LOAD_SECONDS=60 LOAD_PORT=8090 LOAD_SCENARIOS="single proxy replica"
set -euo pipefail
# shellcheck source=tools/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

LOAD_DB="${LOAD_DB:-after_sales_load}"
LOAD_PORT="${LOAD_PORT:-8090}"
LOAD_USERS="${LOAD_USERS:-20}"
LOAD_SECONDS="${LOAD_SECONDS:-60}"
LOAD_SCENARIOS="${LOAD_SCENARIOS:-single proxy replica faults crons}"
HERE="$LOCAL/loadtest"

require_module
setup_all
mkdir -p "$HERE"

# ------------------------------------------------------------ PostgreSQL pair ----
bindir="$(_find_pg_bindir)" || die "no PostgreSQL server binaries (initdb, pg_ctl) found"
run_as=()
if is_root; then
    run_as=(runuser -u postgres --)
fi
primary="$HERE/primary"
standby="$HERE/standby"
pg_port="$(pgtool free-port 55432)"
pg_ctl() { "${run_as[@]}" "$bindir/pg_ctl" "$@"; }
stop_pg() {
    pg_ctl -D "$standby" -m fast stop >/dev/null 2>&1 || true
    pg_ctl -D "$primary" -m fast stop >/dev/null 2>&1 || true
}
pids=()
stop_all() { # stop the servers (and nginx) started so far
    local pid
    for pid in ${pids[@]+"${pids[@]}"}; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in ${pids[@]+"${pids[@]}"}; do
        wait "$pid" 2>/dev/null || true
    done
    pids=()
}
cleanup() {
    stop_all
    stop_pg
}
trap cleanup EXIT
stop_pg
rm -rf "$primary" "$standby" "$HERE"/*.log
mkdir -p "$primary" "$standby"
is_root && chown postgres: "$primary" "$standby" "$HERE"
chmod 700 "$primary" "$standby"
say "PostgreSQL primary on 127.0.0.1:$pg_port, streaming standby on $((pg_port + 1)) ($HERE)"
"${run_as[@]}" "$bindir/initdb" -D "$primary" -U odoo --auth=trust -E UTF8 --no-locale \
    >"$LOGS/loadtest-initdb.log" 2>&1 || { tail_log "$LOGS/loadtest-initdb.log" 20; die "initdb failed"; }
pg_ctl -D "$primary" -l "$primary/server.log" -w -t 60 -o "-c listen_addresses=127.0.0.1 \
-p $pg_port -c unix_socket_directories='' -c max_connections=200 -c wal_level=replica \
-c max_wal_senders=5 -c hot_standby=on" start >/dev/null || die "the primary did not start ($primary/server.log)"
"${run_as[@]}" "$bindir/pg_basebackup" -h 127.0.0.1 -p "$pg_port" -U odoo -D "$standby" -R \
    -X stream >"$LOGS/loadtest-basebackup.log" 2>&1 || die "pg_basebackup failed ($LOGS/loadtest-basebackup.log)"
pg_ctl -D "$standby" -l "$standby/server.log" -w -t 60 -o "-c listen_addresses=127.0.0.1 \
-p $((pg_port + 1)) -c unix_socket_directories='' -c max_connections=200" start >/dev/null ||
    die "the standby did not start ($standby/server.log)"

# ------------------------------------------------------------ Odoo ----
export DB_HOST=127.0.0.1 DB_PORT="$pg_port" DB_USER=odoo DB_PASSWORD=
export PGHOST=127.0.0.1 PGPORT="$pg_port" PGUSER=odoo
CONF="$HERE/odoo.conf"
write_odoo_conf "$CONF"
printf 'proxy_mode = True\n' >>"$CONF"
replica_conf="$HERE/odoo-replica.conf"
{
    cat "$CONF"
    printf 'db_replica_host = 127.0.0.1\ndb_replica_port = %s\n' $((pg_port + 1))
} >"$replica_conf"
rm -rf "$LOCAL/data/filestore/$LOAD_DB"
log="$LOGS/loadtest-install.log"
say "Installing $MODULES with demo data into $LOAD_DB (log: $log)"
ODOO_STEP_MODULES="${MODULES//,/ }" odoo_step "$LOAD_DB" "$log" -i "$MODULES" --with-demo ||
    die "installing into $LOAD_DB failed (full log: $log)"

# start_server NAME PORT CONF: an Odoo server with 2 workers and a cron thread
start_server() {
    local name="$1" port="$2" conf="$3"
    "$PY" "$ODOO_SRC/odoo-bin" -c "$conf" -d "$LOAD_DB" --db-filter="^${LOAD_DB}\$" \
        --http-interface=127.0.0.1 --http-port="$port" --gevent-port=$((port + 1)) \
        --workers=2 --max-cron-threads=1 --limit-time-real=300 --limit-time-cpu=300 \
        --logfile="$HERE/$name.log" &
    pids+=($!)
}
wait_http() {
    local port="$1"
    for _ in $(seq 1 120); do
        curl -fs "http://127.0.0.1:$port/web/health" >/dev/null 2>&1 && return 0
        sleep 1
    done
    die "nothing answers on port $port"
}
start_nginx() {
    local ngx="$HERE/nginx" a="$1" b="$2"
    command -v nginx >/dev/null 2>&1 || apt_install nginx || die "nginx is missing (apt-get install nginx)"
    mkdir -p "$ngx/tmp"
    cat >"$ngx/nginx.conf" <<EOF
worker_processes 2;
daemon off;
pid $ngx/nginx.pid;
error_log $ngx/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $ngx/tmp/body;
    proxy_temp_path $ngx/tmp/proxy;
    fastcgi_temp_path $ngx/tmp/fastcgi;
    uwsgi_temp_path $ngx/tmp/uwsgi;
    scgi_temp_path $ngx/tmp/scgi;
    client_max_body_size 64m;
    upstream odoo { server 127.0.0.1:$a; server 127.0.0.1:$b; keepalive 32; }
    upstream odoochat { server 127.0.0.1:$((a + 1)); server 127.0.0.1:$((b + 1)); }
    map \$http_upgrade \$connection_upgrade { default upgrade; '' close; }
    server {
        listen 127.0.0.1:$LOAD_PORT;
        proxy_read_timeout 720s;
        proxy_connect_timeout 10s;
        proxy_set_header Host \$http_host;
        proxy_set_header X-Forwarded-Host \$http_host;
        proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto \$scheme;
        proxy_set_header X-Real-IP \$remote_addr;
        location /websocket {
            proxy_pass http://odoochat;
            proxy_http_version 1.1;
            proxy_set_header Upgrade \$http_upgrade;
            proxy_set_header Connection \$connection_upgrade;
        }
        location / {
            proxy_pass http://odoo;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_redirect off;
        }
    }
}
EOF
    nginx -c "$ngx/nginx.conf" -p "$ngx" &
    pids+=($!)
}
xacts() { # committed transactions of LOAD_DB on the server of port $1
    psql -h 127.0.0.1 -p "$1" -U odoo -d "$LOAD_DB" -tAc \
        "SELECT xact_commit FROM pg_stat_database WHERE datname = '$LOAD_DB'"
}

dsn="dbname=$LOAD_DB host=127.0.0.1 port=$pg_port user=odoo"

# faults: the load runs while an HTTP worker is killed mid-request (a quarter in) and
# the database server restarts (halfway); the client logs in again and goes on
run_faults() {
    local master="${pids[-1]}" client worker result=0
    "$PY" "$ROOT/tools/loadtest.py" --url "http://127.0.0.1:$LOAD_PORT" --db "$LOAD_DB" \
        --dsn "$dsn" --users "$LOAD_USERS" --duration "$LOAD_SECONDS" --scenario faults \
        --faults --json "$HERE/faults.json" &
    client=$!
    sleep $((LOAD_SECONDS / 4 + 5))
    # an HTTP worker: a process of the server that has just answered a request
    worker="$(grep -E '^[0-9-]+ [0-9:,]+ [0-9]+ INFO .* werkzeug: ' "$HERE/faults.log" |
        tail -1 | cut -d' ' -f3)"
    if [ -n "$worker" ] && [ "$(ps -o ppid= -p "$worker" | tr -d ' ')" = "$master" ]; then
        kill -9 "$worker"
        say "killed HTTP worker $worker with SIGKILL (the server starts another)"
    else
        warn "no HTTP worker found to kill"
        result=1
    fi
    sleep $((LOAD_SECONDS / 4))
    say "restarting the PostgreSQL primary"
    pg_ctl -D "$primary" -m fast -w restart >/dev/null || die "the primary did not restart"
    wait "$client" || result=1
    return "$result"
}

generated() { # orders generated so far for the plans of tag $1
    psql -h 127.0.0.1 -p "$pg_port" -U odoo -d "$LOAD_DB" -tAc \
        "SELECT count(*) FROM after_sales_order o JOIN after_sales_plan p ON p.id = o.plan_id
          WHERE p.name LIKE 'Cron plan $1-%'"
}

# crons: the order generation, invoicing and dispatcher crons in two processes at once
# over 2,000 due plans and 200 contracts; then plan generation killed after its first
# committed batch and run again
run_crons() {
    local tag since a b gen pid made result=0
    local crons_py=("$PY" "$ROOT/tools/loadtest_crons.py")
    tag="$(date +%s)"
    since="$(date -u '+%F %T')"
    "${crons_py[@]}" prepare "$CONF" "$LOAD_DB" "$tag" 2000
    gen="after_sales.plan:_cron_generate_orders:200"
    set -- "$gen" after_sales.contract:_cron_create_invoices:50 \
        after_sales.order.dispatch:_cron_plan_orders
    say "the three crons in two processes at once"
    "${crons_py[@]}" run "$CONF" "$LOAD_DB" "$@" &
    a=$!
    "${crons_py[@]}" run "$CONF" "$LOAD_DB" "$@" &
    b=$!
    wait "$a" || result=1
    wait "$b" || result=1
    "${crons_py[@]}" check "$CONF" "$LOAD_DB" "$tag" 2000 "$since" || result=1

    tag="$((tag + 1))"
    since="$(date -u '+%F %T')"
    "${crons_py[@]}" prepare "$CONF" "$LOAD_DB" "$tag" 3000
    "${crons_py[@]}" run "$CONF" "$LOAD_DB" "after_sales.plan:_cron_generate_orders:50" &
    pid=$!
    made=0
    for _ in $(seq 1 1200); do
        made="$(generated "$tag")"
        [ "$made" -gt 0 ] && break
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    made="$(generated "$tag")"
    [ "$made" -lt 3000 ] || { warn "the run ended before it was killed"; result=1; }
    say "plan generation killed with SIGKILL after $made of 3000 orders; running it again"
    "${crons_py[@]}" run "$CONF" "$LOAD_DB" "$gen" after_sales.contract:_cron_create_invoices:50
    "${crons_py[@]}" check "$CONF" "$LOAD_DB" "$tag" 3000 "$since" || result=1
    return "$result"
}
rc=0
for scenario in $LOAD_SCENARIOS; do
    printf '\n%s== scenario: %s ==%s\n' "$_B" "$scenario" "$_N"
    case "$scenario" in
        single)
            start_server single "$LOAD_PORT" "$CONF"
            wait_http "$LOAD_PORT"
            ;;
        proxy)
            start_server proxy-a $((LOAD_PORT + 2)) "$CONF"
            start_server proxy-b $((LOAD_PORT + 4)) "$CONF"
            wait_http $((LOAD_PORT + 2))
            wait_http $((LOAD_PORT + 4))
            start_nginx $((LOAD_PORT + 2)) $((LOAD_PORT + 4))
            wait_http "$LOAD_PORT"
            ;;
        replica)
            start_server replica "$LOAD_PORT" "$replica_conf"
            wait_http "$LOAD_PORT"
            ;;
        faults)
            start_server faults "$LOAD_PORT" "$CONF"
            wait_http "$LOAD_PORT"
            run_faults || rc=1
            stop_all
            continue
            ;;
        crons)
            run_crons || rc=1
            continue
            ;;
        *) die "unknown scenario $scenario (single, proxy, replica, faults, crons)" ;;
    esac
    primary_before="$(xacts "$pg_port")"
    standby_before="$(xacts $((pg_port + 1)))"
    "$PY" "$ROOT/tools/loadtest.py" --url "http://127.0.0.1:$LOAD_PORT" --db "$LOAD_DB" \
        --dsn "$dsn" --users "$LOAD_USERS" --duration "$LOAD_SECONDS" --scenario "$scenario" \
        --json "$HERE/$scenario.json" || rc=1
    printf 'transactions committed: primary %s, replica %s\n' \
        $(($(xacts "$pg_port") - primary_before)) $(($(xacts $((pg_port + 1))) - standby_before))
    for log in "$HERE/$scenario"*.log; do
        printf '%s: %s requests, %s retried serialization conflicts, %s other ERROR lines\n' \
            "$(basename "$log" .log)" "$(grep -c 'POST /web/dataset' "$log" || true)" \
            "$(grep -c 'could not serialize access' "$log" || true)" \
            "$(grep ' ERROR ' "$log" | grep -vc 'bad query' || true)"
    done
    stop_all
done
exit "$rc"
