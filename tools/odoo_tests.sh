#!/usr/bin/env bash
# make odoo-tests: Odoo's own post-install tests of the apps the modules extend, on a
# database with the modules installed and on one without (both throwaway, no demo);
# fails on a test that fails only with the modules (a test that fails without them
# too is Odoo's, reported but not counted).
#
#   ODOO_TESTS=ci     (default) the selection CI can afford (ODOO_TEST_TAGS_CI below)
#   ODOO_TESTS=full   every post-install test of account, stock_account, sale, purchase
#   ODOO_TEST_TAGS=…  any --test-tags selection instead
#   KEEP_DB=1         keep both databases (their names are said)
set -euo pipefail
# shellcheck source=tools/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

APPS="account,stock_account,sale,purchase"
# What CI can afford (a few minutes a database): the branch tests of invoices and
# bills, credit notes, stock_account's post-install tests, sales and purchases to
# invoice. The whole invoice/bill/reconcile classes take ~25 min a database (full).
ODOO_TEST_TAGS_CI="/account:TestAccountMoveOutInvoiceOnchanges.test_out_invoice_create_cross_branch_refund"
ODOO_TEST_TAGS_CI+=",/account:TestAccountMoveOutInvoiceOnchanges.test_out_invoice_line_product_taxes_on_branch"
ODOO_TEST_TAGS_CI+=",/account:TestAccountMoveInInvoiceOnchanges.test_in_invoice_line_product_taxes_on_branch"
ODOO_TEST_TAGS_CI+=",/account:TestAccountMoveOutRefundOnchanges"
ODOO_TEST_TAGS_CI+=",/stock_account,/sale:TestSaleToInvoice,/purchase:TestPurchaseToInvoice"
case "${ODOO_TESTS:-ci}" in
    ci) TAGS="${ODOO_TEST_TAGS:-$ODOO_TEST_TAGS_CI}" ;;
    full) TAGS="${ODOO_TEST_TAGS:-/account,/stock_account,/sale,/purchase}" ;;
    *) die "ODOO_TESTS is ci or full, not ${ODOO_TESTS}" ;;
esac
# post-install tests only: each "/module[:Class[.test]]" becomes "post_install/module…"
TAGS="$(echo "$TAGS" | sed -E 's#(^|,)/#\1post_install/#g')"

require_module
setup_all chromium-required

WITH_DB="after_sales_odoo_tests_with_$$"
WITHOUT_DB="after_sales_odoo_tests_without_$$"
for db in "$WITH_DB" "$WITHOUT_DB"; do
    [ "$(pgtool db-exists "$db")" = no ] || die "database $db already exists"
done
_drop_both() {
    local rc=$?
    trap - EXIT INT TERM
    if [ -n "${KEEP_DB:-}" ]; then
        say "KEEP_DB set: kept databases $WITH_DB and $WITHOUT_DB"
    else
        local db
        for db in "$WITH_DB" "$WITHOUT_DB"; do
            pgtool drop-db "$db" 2>/dev/null || true
            rm -rf "$LOCAL/data/filestore/$db" 2>/dev/null || true
        done
    fi
    exit "$rc"
}
trap _drop_both EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# failed_tests LOG: the tests a run failed, one "module: Class.test" a line
failed_tests() {
    { grep -oE 'odoo\.addons\.[a-z0-9_]+\.tests\.[A-Za-z0-9_.]+: (FAIL|ERROR): [A-Za-z0-9_.]+( \([^)]*\))?' "$1" || true; } |
        sed -E 's/^odoo\.addons\.([a-z0-9_]+)\.tests\.[A-Za-z0-9_.]+: (FAIL|ERROR): /\1: /' | LC_ALL=C sort -u
}

# run_suite DB MODULES: install MODULES (no demo), run the selection; the log's path
run_suite() {
    local db="$1" modules="$2" log="$LOGS/odoo-tests-$1.log" start=$SECONDS
    say "$db: installing $modules" >&2
    ODOO_STEP_MODULES="${modules//,/ }" odoo_step "$db" "$log.install" -i "$modules" ||
        die "installing $modules failed (log: $log.install)"
    rm -f "$log.install"
    say "$db: Odoo's tests $TAGS" >&2
    # an HTTP port of its own: HttpCase tests need the server
    odoo_bin -c "$CONF" -d "$db" --stop-after-init --log-level=test \
        --http-port="$((20000 + $$ % 20000))" --test-tags "$TAGS" >"$log" 2>&1 || true
    grep -qE 'odoo\.tests\.result: .* of [0-9]+ tests' "$log" ||
        die "$db: the test run did not finish (log: $log)"
    say "$db: $(grep -oE '[0-9]+ failed, [0-9]+ error\(s\) of [0-9]+ tests' "$log" | tail -1) in $((SECONDS - start)) s" >&2
    echo "$log"
}

start=$SECONDS
without_log="$(run_suite "$WITHOUT_DB" "$APPS")"
with_log="$(run_suite "$WITH_DB" "$APPS,$MODULES")"
failed_tests "$without_log" >"$LOGS/odoo-tests-failed-without.txt"
failed_tests "$with_log" >"$LOGS/odoo-tests-failed-with.txt"
odoo_own="$(LC_ALL=C comm -12 "$LOGS/odoo-tests-failed-with.txt" "$LOGS/odoo-tests-failed-without.txt")"
ours="$(LC_ALL=C comm -23 "$LOGS/odoo-tests-failed-with.txt" "$LOGS/odoo-tests-failed-without.txt")"
[ -z "$odoo_own" ] || warn "failing without the modules too (Odoo's, not counted): $(echo "$odoo_own" | tr '\n' ' ')"
say "Odoo's tests, both databases: $((SECONDS - start)) s"
if [ -n "$ours" ]; then
    printf 'Failing only with %s (logs: %s, %s):\n%s\n' "$MODULES" "$with_log" "$without_log" "$ours" >&2
    exit 1
fi
say "No test of Odoo fails because of $MODULES"
