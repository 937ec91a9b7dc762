#!/usr/bin/env bash
# make upgrade-test: install the previous release of the module (with demo data) from
# git, use it (the demo's orders, contracts, claims, invoices), then upgrade to the
# working tree and check that every record is still there, unchanged, and that the
# migration filled what the new release stores. Throwaway database.
#   UPGRADE_FROM=<git ref>   default: the commit before the last version bump
set -euo pipefail
# shellcheck source=tools/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

UPGRADE_DB="after_sales_test_upgrade_$$"
require_module
setup_all

manifest="${MODULE_DIR#"$ROOT"/}/__manifest__.py"
if [ -z "${UPGRADE_FROM:-}" ]; then
    bump="$(git -C "$ROOT" log --format=%H -1 -G'"version"' -- "$manifest")"
    [ -n "$bump" ] || die "no version bump of $manifest in git history"
    UPGRADE_FROM="$(git -C "$ROOT" rev-parse "$bump^")"
fi
old_version="$(git -C "$ROOT" show "$UPGRADE_FROM:$manifest" | sed -n 's/.*"version": *"\([^"]*\)".*/\1/p')"
new_version="$(sed -n 's/.*"version": *"\([^"]*\)".*/\1/p' "$ROOT/$manifest")"
[ "$old_version" != "$new_version" ] || die "$UPGRADE_FROM has the same version $new_version"

old="$LOCAL/upgrade/old"
rm -rf "$old"
mkdir -p "$old"
git -C "$ROOT" archive "$UPGRADE_FROM" "$MODULE" | tar -x -C "$old"
old_conf="$LOCAL/upgrade/odoo.conf"
# the previous release alone: its own copy of the module instead of the repository's
sed "s#^addons_path = .*#addons_path = $ODOO_SRC/addons,$ODOO_SRC/odoo/addons,$old#" "$CONF" >"$old_conf"

drop_on_exit "$UPGRADE_DB"

log="$LOGS/upgrade-test.log"
say "Installing $MODULE $old_version ($(git -C "$ROOT" rev-parse --short "$UPGRADE_FROM")) with demo data into $UPGRADE_DB (log: $log)"
CONF="$old_conf" odoo_step "$UPGRADE_DB" "$log" -i "$MODULE" --with-demo ||
    die "installing the previous release failed (log: $log)"

snapshot="$LOCAL/upgrade/before.json"
"$PY" "$ROOT/tools/upgrade_check.py" snapshot "$UPGRADE_DB" "$snapshot"

say "Upgrading to $new_version from the working tree"
ODOO_STEP_MODULES="$MODULE" odoo_step "$UPGRADE_DB" "$log" -u "$MODULE" ||
    die "the upgrade failed (log: $log)"
log_errors "$log" || die "ERROR lines logged while upgrading (log: $log)"

"$PY" "$ROOT/tools/upgrade_check.py" compare "$UPGRADE_DB" "$snapshot" "$old_version"
