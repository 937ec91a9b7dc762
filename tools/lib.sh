# shellcheck shell=bash
# Shared helpers for the tools/*.sh scripts. Source it, don't run it.
#
# Settings (environment variables, also settable as make variables):
#   ODOO_SRC    Odoo 19.0 source tree            (default ~/.cache/odoo/19.0)
#   VENV        virtualenv                        (default <repo>/.venv)
#   MODULE_DIR  the add-on under development      (default <repo>/after_sales_service)
#   PGHOST/PGPORT/PGUSER/PGPASSWORD  use this PostgreSQL server instead of auto-detection
#   PG_MODE     auto (default) | private: force the private server under .local/pgdata
#               (machine's initdb/pg_ctl, else the pgserver package) | pgserver: force pgserver
#   HTTP_PORT   port of `make run` (default 8069)

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
if [ -z "${HOME:-}" ]; then
    HOME="$(getent passwd "$(id -u)" | cut -d: -f6)"
    export HOME
fi
LOCAL="$ROOT/.local"
LOGS="$LOCAL/logs"
STATE="$LOCAL/state"
CONF="$LOCAL/odoo.conf"
SCREENSHOTS="$LOCAL/screenshots"

_abs() { # make a path absolute (relative to the repo root), expand a leading ~
    local p="$1"
    # shellcheck disable=SC2088 # a literal "~/" prefix is what we look for
    case "$p" in
        "~") p="$HOME" ;;
        "~/"*) p="$HOME/${p#"~/"}" ;;
    esac
    case "$p" in
        /*) printf '%s\n' "$p" ;;
        *) printf '%s\n' "$ROOT/$p" ;;
    esac
}

ODOO_SRC="$(_abs "${ODOO_SRC:-$HOME/.cache/odoo/19.0}")"
VENV="$(_abs "${VENV:-.venv}")"
MODULE_DIR="$(_abs "${MODULE_DIR:-after_sales_service}")"
MODULE_DIR="${MODULE_DIR%/}"
MODULE="$(basename "$MODULE_DIR")"
# Bridge modules beside the module (after_sales_* folders with a manifest, e.g.
# after_sales_purchase): installed, tested and linted with it.
BRIDGE_DIRS=()
for _d in "$(dirname "$MODULE_DIR")"/after_sales_*/; do
    _d="${_d%/}"
    [ "$_d" != "$MODULE_DIR" ] && [ -f "$_d/__manifest__.py" ] && BRIDGE_DIRS+=("$_d")
done
unset _d
MODULE_DIRS=("$MODULE_DIR" ${BRIDGE_DIRS[@]+"${BRIDGE_DIRS[@]}"})
MODULES="$MODULE"
for _d in ${BRIDGE_DIRS[@]+"${BRIDGE_DIRS[@]}"}; do MODULES="$MODULES,$(basename "$_d")"; done
unset _d
PY="$VENV/bin/python"
HTTP_PORT="${HTTP_PORT:-8069}"
PG_MODE="${PG_MODE:-auto}"
ODOO_GIT_URL="${ODOO_GIT_URL:-https://github.com/odoo/odoo.git}"
ODOO_BRANCH=19.0

# What the caller set for PostgreSQL, before we touch the PG* variables.
_USER_PGHOST="${PGHOST:-}"
_USER_PGPORT="${PGPORT:-}"
_USER_PGUSER="${PGUSER:-}"
_USER_PGPASSWORD="${PGPASSWORD:-}"

mkdir -p "$LOGS" "$STATE"

if [ -t 2 ] && [ -z "${NO_COLOR:-}" ]; then
    _B=$'\033[1m' _R=$'\033[31m' _Y=$'\033[33m' _N=$'\033[0m'
else
    _B='' _R='' _Y='' _N=''
fi
say() { printf '%s==>%s %s\n' "$_B" "$_N" "$*" >&2; }
warn() { printf '%sWARNING:%s %s\n' "$_Y" "$_N" "$*" >&2; }
die() {
    printf '%sERROR:%s %s\n' "$_R" "$_N" "$*" >&2
    exit 1
}

is_root() { [ "$(id -u)" = 0 ]; }

# tail_log FILE [N]: show the end of a log after a failure
tail_log() {
    local f="$1" n="${2:-60}"
    if [ -s "$f" ]; then
        printf -- '----- last %s lines of %s -----\n' "$n" "$f" >&2
        tail -n "$n" "$f" >&2
        printf -- '----- end of %s -----\n' "$f" >&2
    fi
}

sha256_of_files() { # hash of the given files' contents, in order
    cat -- "$@" | sha256sum | cut -d' ' -f1
}

# ---------------------------------------------------------------- apt ----

_APT_UPDATED=
apt_install() { # apt_install PKG...: root only; returns non-zero when it can't
    is_root || return 1
    command -v apt-get >/dev/null 2>&1 || return 1
    export DEBIAN_FRONTEND=noninteractive
    say "apt-get install -y $* (log: $LOGS/apt.log)"
    if [ -z "$_APT_UPDATED" ] && ! apt-cache show "$@" >/dev/null 2>&1; then
        apt-get update >>"$LOGS/apt.log" 2>&1 || true
        _APT_UPDATED=1
    fi
    if apt-get install -y "$@" >>"$LOGS/apt.log" 2>&1; then
        return 0
    fi
    if [ -z "$_APT_UPDATED" ]; then
        apt-get update >>"$LOGS/apt.log" 2>&1 || true
        _APT_UPDATED=1
        apt-get install -y "$@" >>"$LOGS/apt.log" 2>&1 && return 0
    fi
    tail_log "$LOGS/apt.log" 20
    return 1
}

# ---------------------------------------------------------------- Odoo tree ----

ensure_odoo_src() {
    if [ ! -f "$ODOO_SRC/odoo-bin" ]; then
        if [ -e "$ODOO_SRC" ] && [ -n "$(ls -A "$ODOO_SRC" 2>/dev/null)" ]; then
            die "ODOO_SRC=$ODOO_SRC exists but is not an Odoo source tree (no odoo-bin).
       Point ODOO_SRC to an Odoo 19.0 checkout, e.g. make run ODOO_SRC=/path/to/odoo-19.0"
        fi
        say "No Odoo tree at $ODOO_SRC: cloning $ODOO_GIT_URL (branch $ODOO_BRANCH)"
        mkdir -p "$(dirname "$ODOO_SRC")"
        if ! GIT_TERMINAL_PROMPT=0 git clone --quiet --depth 1 --branch "$ODOO_BRANCH" \
            "$ODOO_GIT_URL" "$ODOO_SRC" 2>"$LOGS/odoo-clone.log"; then
            tail_log "$LOGS/odoo-clone.log" 10
            rm -rf "$ODOO_SRC" 2>/dev/null || true
            die "No Odoo 19.0 source tree found and 'git clone' failed.
       Provide one of these:
         - put an Odoo 19.0 tree (with odoo-bin, odoo/, addons/) at $ODOO_SRC, or
         - set ODOO_SRC to an existing tree: make <target> ODOO_SRC=/path/to/odoo (or export ODOO_SRC=...)"
        fi
    fi
    if [ ! -d "$ODOO_SRC/odoo" ] || [ ! -d "$ODOO_SRC/addons" ]; then
        die "$ODOO_SRC is missing odoo/ or addons/: not a complete Odoo source tree"
    fi
    if ! grep -Eq '^version_info = \(19, ' "$ODOO_SRC/odoo/release.py" 2>/dev/null; then
        die "$ODOO_SRC is not Odoo 19.0 ($(grep -E '^version_info' "$ODOO_SRC/odoo/release.py" 2>/dev/null || echo 'no odoo/release.py'))"
    fi
    # Some trees ship views/res_config_settings.xml where the manifest wants
    # views/res_config_settings_views.xml: add the copy (no-op on a proper tree).
    local addon src dst
    for addon in iap lunch cloud_storage_migration l10n_account_withholding_tax l10n_ar_withholding; do
        src="$ODOO_SRC/addons/$addon/views/res_config_settings.xml"
        dst="$ODOO_SRC/addons/$addon/views/res_config_settings_views.xml"
        if [ -f "$src" ] && [ ! -e "$dst" ]; then
            cp -p "$src" "$dst" || die "could not copy $src to $dst (is $ODOO_SRC writable?)"
            say "added $dst"
        fi
    done
}

# ---------------------------------------------------------------- venv ----

_filtered_odoo_requirements() { # Odoo's requirements without python-ldap
    grep -viE '^[[:space:]]*python-ldap([^a-z0-9_-]|$)' "$ODOO_SRC/requirements.txt"
}

ensure_venv() {
    [ -f "$ODOO_SRC/requirements.txt" ] || die "$ODOO_SRC/requirements.txt not found"
    [ -f "$ROOT/requirements.txt" ] || die "$ROOT/requirements.txt not found"
    local req="$STATE/odoo-requirements.txt" stamp="$VENV/.after_sales_requirements.sha256" want
    _filtered_odoo_requirements >"$req.tmp"
    mv -f "$req.tmp" "$req"
    local boot='pip setuptools<81 wheel'
    want="$( { printf '%s\n' "$boot"; cat "$req" "$ROOT/requirements.txt"; } | sha256sum | cut -d' ' -f1)"
    if [ -x "$PY" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
        _write_odoo_pth
        return 0
    fi
    if [ ! -x "$PY" ]; then
        command -v python3 >/dev/null 2>&1 || die "python3 not found"
        say "Creating virtualenv $VENV"
        if ! python3 -m venv "$VENV" 2>"$LOGS/venv.log"; then
            tail_log "$LOGS/venv.log" 10
            die "python3 -m venv failed (on Debian: apt-get install python3-venv)"
        fi
    fi
    # psycopg2 builds from source and needs pg_config (libpq-dev) + a compiler.
    if ! command -v pg_config >/dev/null 2>&1 && ! "$PY" -c 'import psycopg2' 2>/dev/null; then
        apt_install libpq-dev gcc python3-dev ||
            warn "pg_config not found; building psycopg2 may fail (install libpq-dev)"
    fi
    say "Installing Python requirements into $VENV (Odoo's + ours; log: $LOGS/pip.log)"
    : >"$LOGS/pip.log"
    # shellcheck disable=SC2086
    if ! "$PY" -m pip install --disable-pip-version-check --upgrade $boot >>"$LOGS/pip.log" 2>&1 ||
        ! "$PY" -m pip install --disable-pip-version-check -r "$req" -r "$ROOT/requirements.txt" \
            >>"$LOGS/pip.log" 2>&1; then
        tail_log "$LOGS/pip.log" 40
        die "pip install failed (full log: $LOGS/pip.log)"
    fi
    printf '%s\n' "$want" >"$stamp"
    _write_odoo_pth
    say "Virtualenv ready"
}

_write_odoo_pth() { # make `import odoo` work in the venv (pytest, bench, pylint)
    local site pth
    site="$("$PY" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
    pth="$site/_after_sales_odoo_src.pth"
    if [ "$(cat "$pth" 2>/dev/null)" != "$ODOO_SRC" ]; then
        printf '%s\n' "$ODOO_SRC" >"$pth"
    fi
}

# ---------------------------------------------------------------- chromium ----

find_chrome() {
    if [ -n "${ODOO_BROWSER_BIN:-}" ] && [ -x "$ODOO_BROWSER_BIN" ]; then
        printf '%s\n' "$ODOO_BROWSER_BIN"
        return 0
    fi
    local b
    for b in google-chrome chromium chromium-browser google-chrome-stable; do
        if command -v "$b" >/dev/null 2>&1; then
            command -v "$b"
            return 0
        fi
    done
    return 1
}

# ensure_chromium [required]: install Debian's chromium when missing (as root)
ensure_chromium() {
    local required="${1:-}"
    find_chrome >/dev/null && return 0
    say "chromium not found (needed by HttpCase/tour tests)"
    if apt_install chromium && find_chrome >/dev/null; then
        return 0
    fi
    if [ -n "$required" ]; then
        die "chromium is required for the HttpCase (tour) tests and is not installed.
       Install it: apt-get install -y chromium (as root), or set ODOO_BROWSER_BIN=/path/to/chrome"
    fi
    warn "chromium is not installed: 'make test' will fail until it is (apt-get install -y chromium)"
}

# ensure_wkhtmltopdf: Odoo prints PDF reports (the service report) with wkhtmltopdf;
# without it, printing falls back to HTML. Best effort: never fails the set-up.
ensure_wkhtmltopdf() {
    command -v wkhtmltopdf >/dev/null 2>&1 && return 0
    say "wkhtmltopdf not found (needed to print PDF reports)"
    apt_install wkhtmltopdf && command -v wkhtmltopdf >/dev/null 2>&1 && return 0
    warn "wkhtmltopdf is not installed: reports print as HTML (apt-get install -y wkhtmltopdf)"
}

# ---------------------------------------------------------------- PostgreSQL ----

pgtool() { "$PY" "$ROOT/tools/pgtool.py" "$@"; }

_pg_use() { # _pg_use HOST PORT USER [PASSWORD]: export for libpq + remember for odoo.conf
    DB_HOST="$1" DB_PORT="$2" DB_USER="$3" DB_PASSWORD="${4:-}"
    unset PGHOST PGPORT PGUSER PGPASSWORD
    [ -n "$DB_HOST" ] && export PGHOST="$DB_HOST"
    [ -n "$DB_PORT" ] && export PGPORT="$DB_PORT"
    [ -n "$DB_USER" ] && export PGUSER="$DB_USER"
    [ -n "$DB_PASSWORD" ] && export PGPASSWORD="$DB_PASSWORD"
    return 0
}

_pg_answers() { # _pg_answers HOST PORT USER [PASSWORD]
    (
        _pg_use "$@"
        pgtool ping >/dev/null 2>&1
    )
}

_find_pg_bindir() { # directory holding initdb + pg_ctl + postgres
    local c d cands=()
    if c="$(command -v initdb 2>/dev/null)"; then
        cands+=("$(dirname "$(readlink -f "$c")")")
    fi
    while IFS= read -r d; do
        [ -n "$d" ] && cands+=("$d")
    done < <(printf '%s\n' /usr/lib/postgresql/*/bin | grep -v '\*' | sort -t/ -k4 -V -r)
    for d in "${cands[@]}"; do
        if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && [ -x "$d/postgres" ]; then
            printf '%s\n' "$d"
            return 0
        fi
    done
    return 1
}

PRIVATE_PGDATA="$LOCAL/pgdata"
PRIVATE_PGENV="$LOCAL/pg.env"
PRIVATE_PGROLE=odoo

# Private server from the machine's binaries; TCP on 127.0.0.1 only, trust auth.
_start_private_pg_binaries() {
    local bindir run_as=() port="" kind="" log
    bindir="$(_find_pg_bindir)" || return 1
    if is_root; then
        # initdb/postgres refuse to run as root: run them as the postgres system user
        id postgres >/dev/null 2>&1 || return 1
        command -v runuser >/dev/null 2>&1 || return 1
        mkdir -p "$PRIVATE_PGDATA"
        chown postgres: "$PRIVATE_PGDATA"
        chmod 700 "$PRIVATE_PGDATA"
        if ! runuser -u postgres -- test -w "$PRIVATE_PGDATA"; then
            warn "user postgres cannot reach $PRIVATE_PGDATA (directory permissions)"
            return 1
        fi
        run_as=(runuser -u postgres --)
    fi
    if [ -f "$PRIVATE_PGENV" ]; then
        # shellcheck disable=SC1090
        . "$PRIVATE_PGENV"
        port="${PRIVATE_PGPORT:-}" kind="${PRIVATE_PGKIND:-}"
    fi
    [ -n "$kind" ] && [ "$kind" != binaries ] && return 1
    if [ ! -f "$PRIVATE_PGDATA/PG_VERSION" ]; then
        say "Creating a private PostgreSQL cluster in $PRIVATE_PGDATA ($bindir)"
        mkdir -p "$PRIVATE_PGDATA"
        is_root && chown postgres: "$PRIVATE_PGDATA"
        chmod 700 "$PRIVATE_PGDATA"
        if ! "${run_as[@]}" "$bindir/initdb" -D "$PRIVATE_PGDATA" -U "$PRIVATE_PGROLE" \
            --auth=trust -E UTF8 --no-locale >"$LOGS/initdb.log" 2>&1; then
            tail_log "$LOGS/initdb.log" 20
            return 1
        fi
    fi
    log="$PRIVATE_PGDATA/server.log"
    if ! "${run_as[@]}" "$bindir/pg_ctl" -D "$PRIVATE_PGDATA" status >/dev/null 2>&1; then
        if [ -z "$port" ] || ! "$PY" "$ROOT/tools/pgtool.py" port-free "$port"; then
            port="$(pgtool free-port 54329)"
        fi
        say "Starting private PostgreSQL on 127.0.0.1:$port (data: $PRIVATE_PGDATA)"
        if ! "${run_as[@]}" "$bindir/pg_ctl" -D "$PRIVATE_PGDATA" -l "$log" -w -t 60 \
            -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=''" \
            start >"$LOGS/pg_ctl.log" 2>&1; then
            tail_log "$LOGS/pg_ctl.log" 10
            tail_log "$log" 20
            return 1
        fi
    fi
    printf 'PRIVATE_PGKIND=binaries\nPRIVATE_PGHOST=127.0.0.1\nPRIVATE_PGPORT=%s\nPRIVATE_PGBINDIR=%q\n' \
        "$port" "$bindir" >"$PRIVATE_PGENV"
    _pg_use 127.0.0.1 "$port" "$PRIVATE_PGROLE"
}

# Fallback: the pgserver PyPI package (bundles its own PostgreSQL; handles root).
_start_private_pg_pgserver() {
    local out
    if ! "$PY" -c 'import pgserver' 2>/dev/null; then
        say "Installing the pgserver package (private PostgreSQL)"
        "$PY" -m pip install --disable-pip-version-check pgserver >>"$LOGS/pip.log" 2>&1 || {
            tail_log "$LOGS/pip.log" 20
            return 1
        }
    fi
    say "Starting a private PostgreSQL with pgserver in $LOCAL/pgserver"
    out="$(pgtool pgserver-start "$LOCAL/pgserver" "$PRIVATE_PGROLE")" || return 1
    # out: "HOST PORT"
    printf 'PRIVATE_PGKIND=pgserver\nPRIVATE_PGHOST=%q\nPRIVATE_PGPORT=%s\n' \
        "${out% *}" "${out##* }" >"$PRIVATE_PGENV"
    _pg_use "${out% *}" "${out##* }" "$PRIVATE_PGROLE"
}

start_private_pg() {
    local kind=""
    if [ -f "$PRIVATE_PGENV" ]; then
        kind="$(sed -n 's/^PRIVATE_PGKIND=//p' "$PRIVATE_PGENV")"
    fi
    [ "$PG_MODE" = pgserver ] && [ -z "$kind" ] && kind=pgserver
    if [ "$kind" != pgserver ] && _start_private_pg_binaries; then
        return 0
    fi
    if [ "$kind" != binaries ] && _start_private_pg_pgserver; then
        return 0
    fi
    die "Could not start a private PostgreSQL server (logs in $LOGS).
       Start one yourself and set PGHOST/PGPORT/PGUSER (a superuser role other than 'postgres')."
}

# ensure_pg: pick the PostgreSQL server, export PG* for libpq, set DB_HOST/DB_PORT/DB_USER
ensure_pg() {
    local me h
    me="$(id -un)"
    case "$PG_MODE" in auto | private | pgserver) ;; *) die "PG_MODE must be auto, private or pgserver" ;; esac
    if [ "$PG_MODE" = auto ] && { [ -n "$_USER_PGHOST" ] || [ -n "$_USER_PGPORT" ] || [ -n "$_USER_PGUSER" ]; }; then
        _pg_use "$_USER_PGHOST" "$_USER_PGPORT" "${_USER_PGUSER:-$me}" "$_USER_PGPASSWORD"
        pgtool ping >/dev/null || die "PostgreSQL from PGHOST='${_USER_PGHOST}' PGPORT='${_USER_PGPORT}' PGUSER='${_USER_PGUSER}' does not answer (see above)"
        say "PostgreSQL: from the PG* environment variables (host=${DB_HOST:-default socket} port=${DB_PORT:-5432} user=$DB_USER)"
    elif [ "$PG_MODE" = private ] || [ "$PG_MODE" = pgserver ] || [ -f "$PRIVATE_PGENV" ]; then
        start_private_pg
        say "PostgreSQL: private server under .local (host=$DB_HOST port=$DB_PORT user=$DB_USER)"
    else
        DB_HOST=""
        for h in /var/run/postgresql /run/postgresql /tmp 127.0.0.1 localhost; do
            case "$h" in /*) [ -S "$h/.s.PGSQL.5432" ] || continue ;; esac
            if _pg_answers "$h" 5432 "$me"; then
                DB_HOST="$h"
                break
            fi
        done
        if [ -n "$DB_HOST" ]; then
            _pg_use "$DB_HOST" 5432 "$me"
            say "PostgreSQL: local server (host=$DB_HOST port=5432 user=$me)"
        else
            say "No PostgreSQL server answers on the local socket or 127.0.0.1:5432 for user '$me'"
            start_private_pg
            say "PostgreSQL: private server under .local (host=$DB_HOST port=$DB_PORT user=$DB_USER)"
        fi
    fi
    # Odoo refuses to run as the 'postgres' role: use a dedicated superuser role.
    if [ "$DB_USER" = postgres ]; then
        pgtool ensure-role "$PRIVATE_PGROLE" ||
            die "Odoo refuses the 'postgres' role and role '$PRIVATE_PGROLE' could not be created: set PGUSER to another superuser role"
        _pg_use "$DB_HOST" "$DB_PORT" "$PRIVATE_PGROLE" "$DB_PASSWORD"
        say "PostgreSQL: using role '$PRIVATE_PGROLE' (Odoo refuses 'postgres')"
    fi
    pgtool check-createdb ||
        die "PostgreSQL role '$DB_USER' may not create databases: use a role with CREATEDB (set PGUSER)"
}

# ---------------------------------------------------------------- Odoo config ----

# addons_path for odoo.conf: Odoo's, the repo root, the module's parent, extras
odoo_addons_path() {
    local p="$ODOO_SRC/addons,$ODOO_SRC/odoo/addons,$ROOT" parent extra
    parent="$(dirname "$MODULE_DIR")"
    [ "$parent" != "$ROOT" ] && p="$p,$parent"
    for extra in "$@"; do
        p="$p,$extra"
    done
    printf '%s\n' "$p"
}

# write_odoo_conf FILE [EXTRA_ADDONS_DIR...]
write_odoo_conf() {
    local file="$1"
    shift
    local tmp="$file.tmp"
    mkdir -p "$LOCAL/data"
    {
        printf '; Generated by tools/lib.sh (make run/test/bench): edits are overwritten.\n'
        printf '[options]\n'
        printf 'addons_path = %s\n' "$(odoo_addons_path "$@")"
        printf 'data_dir = %s\n' "$LOCAL/data"
        # browser tours: screenshots (the main screens, failures) in <dir>/<database>/screenshots
        printf 'screenshots = %s\n' "$SCREENSHOTS"
        if [ -n "${DB_HOST:-}" ]; then printf 'db_host = %s\n' "$DB_HOST"; fi
        if [ -n "${DB_PORT:-}" ]; then printf 'db_port = %s\n' "$DB_PORT"; fi
        if [ -n "${DB_USER:-}" ]; then printf 'db_user = %s\n' "$DB_USER"; fi
        if [ -n "${DB_PASSWORD:-}" ]; then printf 'db_password = %s\n' "$DB_PASSWORD"; fi
        printf 'http_interface = 127.0.0.1\n'
        printf 'http_port = %s\n' "$HTTP_PORT"
        printf 'admin_passwd = admin\n'
        printf 'list_db = True\n'
    } >"$tmp"
    if cmp -s "$tmp" "$file"; then
        rm -f "$tmp"
    else
        mv -f "$tmp" "$file"
    fi
}

# publish_screenshots DIR: the browser tours save a PNG of each main screen they show in
# DIR as after_sales_<screen>_<date>_<time>_<microseconds>_<test>.png (see
# after_sales_service/tests/common_screenshots.py); copy the newest of each screen to
# docs/screenshots/<screen>.png, the pictures of the README.
publish_screenshots() {
    local src="$1" dest="$ROOT/docs/screenshots" f base name stamp
    local re='^after_sales_([a-z][a-z0-9_]*)_([0-9]{8}_[0-9]{6}_[0-9]{6})_[A-Za-z0-9_]+[.]png$'
    local -A newest=() taken=()
    if [ -d "$src" ]; then
        for f in "$src"/after_sales_*.png; do
            [ -f "$f" ] || continue
            base="${f##*/}"
            [[ "$base" =~ $re ]] || continue
            name="${BASH_REMATCH[1]}" stamp="${BASH_REMATCH[2]}"
            if [ -z "${taken[$name]:-}" ] || [[ "$stamp" > "${taken[$name]}" ]]; then
                taken[$name]="$stamp"
                newest[$name]="$f"
            fi
        done
    fi
    if [ "${#newest[@]}" -eq 0 ]; then
        warn "no screenshot of a main screen in $src"
        return 1
    fi
    mkdir -p "$dest"
    for name in "${!newest[@]}"; do
        cp -f -- "${newest[$name]}" "$dest/$name.png"
    done
    say "Screenshots of ${#newest[@]} screens copied to ${dest#"$ROOT"/}: $(printf '%s\n' "${!newest[@]}" | sort | tr '\n' ' ')"
}

require_module() {
    [ -f "$MODULE_DIR/__manifest__.py" ] ||
        die "module not found: $MODULE_DIR/__manifest__.py does not exist"
}

# setup_all [chromium-required]: everything `make run/test/bench` need
# shellcheck disable=SC2120 # the argument is optional
setup_all() {
    ensure_odoo_src
    ensure_venv
    ensure_chromium "${1:-}"
    ensure_wkhtmltopdf
    ensure_pg
    write_odoo_conf "$CONF"
}

odoo_bin() { "$PY" "$ODOO_SRC/odoo-bin" "$@"; }

# drop_on_exit DB [CONF]: when the script ends (also on Ctrl-C or TERM), drop the
# throwaway database DB and its filestore, and remove CONF, unless KEEP_DB is set; the
# script's exit code is kept.
drop_on_exit() {
    _DROP_DB="$1" _DROP_CONF="${2:-}"
    trap _drop_on_exit EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
}
_drop_on_exit() {
    local rc=$?
    trap - EXIT INT TERM
    if [ -n "${KEEP_DB:-}" ]; then
        say "KEEP_DB set: kept database $_DROP_DB${_DROP_CONF:+ and its config $_DROP_CONF}"
    else
        pgtool drop-db "$_DROP_DB" || warn "could not drop database $_DROP_DB"
        rm -rf "$LOCAL/data/filestore/$_DROP_DB" 2>/dev/null || true
        [ -z "$_DROP_CONF" ] || rm -f "$_DROP_CONF" "$_DROP_CONF.tmp"
    fi
    exit "$rc"
}

# module_hash: hash of the module's files (paths + contents), ignoring caches
module_hash() {
    (
        cd "$(dirname "$MODULE_DIR")"
        find "${MODULE_DIRS[@]##*/}" -type f ! -path '*/__pycache__/*' ! -name '*.pyc' ! -name '*.pyo' \
            ! -name '*~' ! -name '.*.swp' -print0 | LC_ALL=C sort -z |
            xargs -0 -r sha256sum
    ) | sha256sum | cut -d' ' -f1
}

# odoo_install DB LOGFILE ARGS...: odoo-bin install/upgrade step with log + checks
odoo_step() {
    local db="$1" log="$2"
    shift 2
    : >"$log"
    if ! odoo_bin -c "$CONF" -d "$db" --stop-after-init --no-http --log-level=warn \
        --logfile="$log" "$@" >>"$log" 2>&1; then
        tail_log "$log" 60
        return 1
    fi
    local state
    local state m
    for m in ${ODOO_STEP_MODULES:-$MODULE}; do
        state="$(pgtool module-state "$db" "$m")"
        if [ "$state" != installed ]; then
            tail_log "$log" 60
            printf 'ERROR: module %s is "%s" in database %s after odoo-bin %s\n' "$m" "$state" "$db" "$*" >&2
            return 1
        fi
    done
}

# log_errors LOG: print ERROR/CRITICAL lines of an Odoo log; non-zero when there are some
log_errors() {
    local log="$1" re='^[0-9-]+ [0-9:,]+ [0-9]+ (ERROR|CRITICAL) '
    # optional pg_trgm extension missing (e.g. pgserver's PostgreSQL): Odoo works without it
    local ok='CREATE EXTENSION IF NOT EXISTS pg_trgm'
    if grep -E "$re" "$log" 2>/dev/null | grep -vqF "$ok"; then
        printf -- '----- ERROR lines in %s -----\n' "$log" >&2
        grep -E -A15 "$re" "$log" | head -n 80 >&2
        return 1
    fi
    return 0
}
