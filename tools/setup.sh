#!/usr/bin/env bash
# make setup: venv + Odoo tree + chromium + PostgreSQL + .local/odoo.conf (idempotent, fast when done)
set -euo pipefail
# shellcheck source=tools/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

setup_all
say "Setup done: venv $VENV, Odoo $ODOO_SRC, config $CONF"
