"""19.0.1.1.0: the reliability facts of the orders are stored (first-time fix, repeat
visits, failure-free days, repeat failures); fill them for the orders of every company
in one statement per company. The warranty provision report no longer stores its
screens (a read-only client action): its table goes (the lines' table goes with their
model)."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    if not version:
        return
    cr.execute("DROP TABLE IF EXISTS after_sales_provision_report CASCADE")
    env = api.Environment(cr, SUPERUSER_ID, {})
    for company in env["res.company"].search([]):
        env["after_sales.order"]._kpi_refresh_facts(company_ids=company.ids)
