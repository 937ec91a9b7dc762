"""19.0.1.1.0: the reliability facts of the orders are stored (first-time fix, repeat
visits, failure-free days, repeat failures); fill them for the orders of every company
in one statement per company."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    for company in env["res.company"].search([]):
        env["after_sales.order"]._kpi_refresh_facts(company_ids=company.ids)
