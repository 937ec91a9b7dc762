"""Uninstall the after-sales modules from a database and check that nothing of theirs
is left: models, tables, columns added to Odoo's tables, menus, actions, crons, views,
sequences, mail templates, XML ids, and that no error was logged; the contracts'
analytic accounts (accounting history) stay, with their plan. Run by `make test` on its
throwaway database after the test suite; exits non-zero and lists what is left.

Usage: uninstall_check.py CONF DB MODULE[,MODULE...]
"""

import logging
import sys

import odoo
from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry

CHECKS = {
    "XML ids": "SELECT module || '.' || name FROM ir_model_data WHERE module = ANY(%(modules)s)",
    "models": "SELECT model FROM ir_model WHERE model LIKE 'after\\_sales.%%'",
    "tables": """SELECT table_name FROM information_schema.tables
                  WHERE table_schema = 'public' AND table_name LIKE 'after\\_sales\\_%%'""",
    "columns of other tables": """SELECT table_name || '.' || column_name
                                    FROM information_schema.columns
                                   WHERE table_schema = 'public'
                                     AND column_name LIKE 'after\\_sales%%'""",
    "menus": "SELECT id::text FROM ir_ui_menu WHERE name->>'en_US' LIKE 'After-Sales%%'",
    "crons": """SELECT c.cron_name FROM ir_cron c
                  JOIN ir_act_server s ON s.id = c.ir_actions_server_id
                  JOIN ir_model m ON m.id = s.model_id
                 WHERE m.model LIKE 'after\\_sales.%%' OR s.code LIKE '%%after\\_sales%%'""",
    "window actions": "SELECT res_model FROM ir_act_window WHERE res_model LIKE 'after\\_sales.%%'",
    "views": "SELECT name FROM ir_ui_view WHERE model LIKE 'after\\_sales.%%'",
    "sequences": "SELECT code FROM ir_sequence WHERE code LIKE 'after\\_sales.%%'",
    "mail templates": "SELECT model FROM mail_template WHERE model LIKE 'after\\_sales.%%'",
}


class ErrorCounter(logging.Handler):
    def __init__(self):
        super().__init__(logging.ERROR)
        self.records = []

    def emit(self, record):
        self.records.append(record.getMessage().splitlines()[0][:200])


def main():
    conf, db, modules = sys.argv[1], sys.argv[2], sys.argv[3].split(",")
    odoo.tools.config.parse_config(["-c", conf, "-d", db, "--log-level=warn"])
    errors = ErrorCounter()
    logging.getLogger().addHandler(errors)
    with Registry(db).cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        to_remove = env["ir.module.module"].search([("name", "in", modules)])
        if len(to_remove) != len(modules) or set(to_remove.mapped("state")) != {"installed"}:
            sys.exit(f"not all of {modules} are installed in {db}")
        # a contract's analytic account, with the accountant's history: it stays
        plan = env.ref("after_sales_service.analytic_plan_after_sales")
        kept = env["account.analytic.account"].create(
            {"name": "Uninstall check contract", "plan_id": plan.id}
        )
        # a company of its own gets its own numbering, made at run time
        from odoo.addons.after_sales_service.models.sequence import (  # noqa: PLC0415
            company_sequence,
        )

        other = env["res.company"].create({"name": "Uninstall check company"})
        company_sequence(env, "after_sales.order", other)
        cr.commit()
        # the bridges depend on the main module: uninstalling it takes them too
        to_remove.filtered(lambda m: m.name == modules[0]).button_immediate_uninstall()
    left = {}
    if errors.records:
        left["errors logged while uninstalling"] = errors.records
    with Registry(db).cursor() as cr:
        cr.execute("SELECT name, state FROM ir_module_module WHERE name = ANY(%s)", [modules])
        states = dict(cr.fetchall())
        still = {name: state for name, state in states.items() if state != "uninstalled"}
        if still:
            left["modules"] = [f"{name} ({state})" for name, state in still.items()]
        cr.execute(
            "SELECT count(*) FROM account_analytic_account WHERE id = %s AND plan_id = %s",
            [kept.id, plan.id],
        )
        if not cr.fetchone()[0]:
            left["the contracts' analytic accounts were deleted"] = [kept.id]
        for what, query in CHECKS.items():
            cr.execute(query, {"modules": modules})
            rows = [row[0] for row in cr.fetchall()]
            if rows:
                left[what] = rows
    if left:
        print("Left behind after uninstalling", ", ".join(modules))
        for what, rows in left.items():
            print(f"  {what} ({len(rows)}): {', '.join(map(str, rows[:15]))}")
        sys.exit(1)
    print(
        f"Uninstalled {', '.join(modules)}: nothing left ({len(CHECKS)} checks); the "
        "After-Sales analytic plan and its accounts stay as the accountant's data"
    )


if __name__ == "__main__":
    main()
