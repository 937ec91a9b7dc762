#!/usr/bin/env bash
# make test: throwaway database, install the module (no demo), run its whole test suite
# with pytest-odoo (HttpCase/tours included: Odoo's HTTP server + headless chromium),
# uninstall the modules and check nothing is left (whole runs), copy the tours'
# screenshots of the main screens to docs/screenshots/ (whole runs), drop the database.
# Exits non-zero on any failure, including "no test collected".
#
#   PYTEST_ARGS="-k name -x"   extra pytest arguments
#   KEEP_DB=1                  keep the test database (and say its name) for debugging
set -euo pipefail
# shellcheck source=tools/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

TEST_DB="after_sales_test_$$"
require_module
setup_all chromium-required

# HttpCase tests need both; Odoo would silently skip them otherwise.
find_chrome >/dev/null || die "chromium/chrome not found: HttpCase tests cannot run"
"$PY" -c 'import websocket' 2>/dev/null ||
    die "python package websocket-client missing in $VENV: HttpCase tests cannot run (pip install websocket-client)"

[ "$(pgtool db-exists "$TEST_DB")" = no ] || die "database $TEST_DB already exists"

drop_on_exit "$TEST_DB"

log="$LOGS/test-install-$TEST_DB.log"
say "Installing $MODULES (no demo) into throwaway database $TEST_DB (log: $log)"
start=$SECONDS
ODOO_STEP_MODULES="${MODULES//,/ }" odoo_step "$TEST_DB" "$log" -i "$MODULES" ||
    die "installing $MODULES failed (full log: $log)"
log_errors "$log" || die "ERROR lines logged while installing $MODULES (full log: $log)"
say "Installed in $((SECONDS - start)) s"
rm -f "$log"

tests=()
for dir in "${MODULE_DIRS[@]}"; do
    t="$dir/tests"
    [ -d "$t" ] || die "no tests directory: $t"
    case "$t" in "$ROOT"/*) t="${t#"$ROOT"/}" ;; esac
    tests+=("$t")
done

say "Running the test suite: pytest ${tests[*]}"
start=$SECONDS
# PYTEST_ARGS is split like a shell command line, so -k 'a or b' works
eval "extra=(${PYTEST_ARGS:-})"
set +e
(
    cd "$ROOT"
    PYTHONPATH="$ROOT/tools${PYTHONPATH:+:$PYTHONPATH}" "$PY" -m pytest \
        -p pytest_odoo_strict \
        -o cache_dir="$LOCAL/pytest_cache" \
        --odoo-config="$CONF" --odoo-database="$TEST_DB" --odoo-http \
        --odoo-log-level=warn \
        -W "ignore:'crypt' is deprecated:DeprecationWarning" \
        -W "ignore:'cgi' is deprecated:DeprecationWarning" \
        "${tests[@]}" "${extra[@]}"
)
rc=$?
set -e
case "$rc" in
    0) say "Tests passed ($((SECONDS - start)) s)" ;;
    5) die "pytest collected no test in ${tests[*]}: that counts as a failure" ;;
    *) die "tests failed (pytest exit code $rc)" ;;
esac

# a whole run ends by uninstalling the modules: nothing of theirs may be left
if [ -z "${PYTEST_ARGS:-}" ]; then
    say "Uninstalling $MODULES from $TEST_DB"
    "$PY" "$ROOT/tools/uninstall_check.py" "$CONF" "$TEST_DB" "$MODULES" ||
        die "uninstalling $MODULES left data behind (see above)"
fi

# the tours' screenshots (odoo.conf: screenshots = $SCREENSHOTS); a whole run that
# passed refreshes the README's pictures in docs/screenshots/
shots="$SCREENSHOTS/$TEST_DB/screenshots"
if [ -z "${PYTEST_ARGS:-}" ]; then
    publish_screenshots "$shots" || die "the tours saved no screenshot in $shots"
    rm -rf -- "${SCREENSHOTS:?}/$TEST_DB"
elif [ -d "$shots" ]; then
    say "Screenshots of this run (docs/screenshots/ is refreshed by whole runs only): $shots"
fi
