#!/usr/bin/env bash
# make i18n: export every module's terms to i18n/<module>.pot (from a database with
# the modules installed without demo data, as `make test` installs them), then merge
# the template into i18n/nl.po: new terms appear untranslated, removed ones become
# obsolete. Prints how many Dutch terms are missing per module; the test
# tests/test_i18n.py fails while any is.
set -euo pipefail
# shellcheck source=tools/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

I18N_DB="${I18N_DB:-after_sales_i18n}"
require_module
setup_all

log="$LOGS/i18n-$I18N_DB.log"
state="$(pgtool module-state "$I18N_DB" "$MODULE")"
if [ "$state" = installed ]; then
    say "Upgrading $MODULES in $I18N_DB (log: $log)"
    ODOO_STEP_MODULES="${MODULES//,/ }" odoo_step "$I18N_DB" "$log" -u "$MODULES" -i "$MODULES" ||
        die "upgrading $MODULES failed (full log: $log)"
else
    say "Installing $MODULES (no demo) into $I18N_DB (log: $log)"
    ODOO_STEP_MODULES="${MODULES//,/ }" odoo_step "$I18N_DB" "$log" -i "$MODULES" ||
        die "installing $MODULES failed (full log: $log)"
fi

say "Exporting the templates"
# shellcheck disable=SC2086
odoo_bin i18n export -c "$CONF" -d "$I18N_DB" ${MODULES//,/ } >>"$log" 2>&1 ||
    { tail_log "$log" 30; die "export failed (full log: $log)"; }

for dir in "${MODULE_DIRS[@]}"; do
    "$PY" - "$dir" <<'PY'
import sys
from pathlib import Path

import polib

folder = Path(sys.argv[1]) / "i18n"
module = folder.parent.name
pot = polib.pofile(str(folder / f"{module}.pot"))
po_path = folder / "nl.po"
if po_path.exists():
    po = polib.pofile(str(po_path))
else:
    po = polib.POFile()
    po.metadata = dict(pot.metadata)
    po.metadata.update({"Language": "nl", "Plural-Forms": "nplurals=2; plural=(n != 1);"})
po.merge(pot)
po.save(str(po_path))
missing = [e for e in po if not e.obsolete and (not e.msgstr.strip() or "fuzzy" in e.flags)]
print(f"{module}: {len(pot)} terms, {len(missing)} without a Dutch translation")
PY
done
