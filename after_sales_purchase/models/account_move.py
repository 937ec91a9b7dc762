from collections import defaultdict

from odoo import fields, models
from odoo.fields import Command, Domain
from odoo.tools import clean_context

from odoo.addons.after_sales_service.models.account_move import QUIET_CONTEXT
from odoo.addons.after_sales_service.models.after_sales_order_entry import (
    COST_SPLIT_ACCOUNTS,
    check_company_accounts,
)
from odoo.addons.after_sales_service.models.after_sales_order_line import _split

VENDOR_DOCUMENTS = ("in_invoice", "in_refund")


class AccountMove(models.Model):
    """A provider's bill of the work of a service order: posted, its cost is charged
    where the order's coverage puts it (warranty provision, contract, goodwill,
    customer) by a service cost entry that follows the bill; cancelled or reset,
    that entry is reversed."""

    _inherit = "account.move"

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        bills = posted.filtered(lambda move: move.move_type in VENDOR_DOCUMENTS)
        if bills:
            bills._after_sales_charge_provider_cost()
        return posted

    def _after_sales_on_unpost(self):
        result = super()._after_sales_on_unpost()
        bills = self.filtered(lambda move: move.move_type in VENDOR_DOCUMENTS)
        if bills:
            bills._after_sales_undo_provider_cost()
        return result

    def _after_sales_provider_bill_lines(self):
        """The lines of ``self`` that bill the work of a service order through its
        purchase order."""
        return self.sudo().invoice_line_ids.filtered(
            lambda line: line.purchase_line_id.after_sales_order_line_id
        )

    def _after_sales_provider_cost_entries(self):
        """The live (posted, not reversed) service cost entries following ``self``."""
        return (
            self.sudo()
            .search(
                Domain("after_sales_source_move_id", "in", self.ids)
                & Domain("after_sales_entry_kind", "=", "usage")
                & Domain("reversed_entry_id", "=", False)
                & Domain("state", "=", "posted")
            )
            .filtered(lambda entry: not entry.reversal_move_ids)
        )

    def _after_sales_charge_provider_cost(self):
        """One service cost entry per posted provider's bill (in one batch), never two:
        each bill line's amount split like the order line's cost, debited to who pays
        it, credited to the account the bill charged."""
        bill_lines = self._after_sales_provider_bill_lines()
        if not bill_lines:
            return
        done = set(
            bill_lines.move_id._after_sales_provider_cost_entries().after_sales_source_move_id.ids
        )
        vals_list = []
        for bill, lines in bill_lines.grouped("move_id").items():
            if bill.id in done:
                continue
            vals = bill._prepare_provider_cost_entry_vals(lines)
            if vals:
                vals_list.append(vals)
        if not vals_list:
            return
        entries = (
            self.env["account.move"]
            .sudo()
            .with_context(clean_context(self.env.context), **QUIET_CONTEXT)
            .create(vals_list)
        )
        entries._post(soft=False)

    def _prepare_provider_cost_entry_vals(self, bill_lines):
        """Values of the service cost entry of this posted bill (``bill_lines``: its
        lines of service order work), or None when they amount to nothing."""
        self.ensure_one()
        company = self.company_id
        currency = company.currency_id
        line_vals = []
        credit_by_key = defaultdict(float)
        for bill_line in bill_lines:
            order_line = bill_line.purchase_line_id.after_sales_order_line_id
            order = order_line.order_id
            basis = bill_line.balance
            if currency.is_zero(basis):
                continue
            split = _split(
                currency,
                basis,
                order_line.covered_source,
                order_line.covered_pct,
                order_line.goodwill_pct,
            )
            costs = {f"{part}_cost": amount for part, amount in split.items()}
            for vals in order._cost_split_vals(order_line, costs=costs):
                amount = vals.pop("amount")
                line_vals.append({**vals, "balance": amount, "partner_id": order.partner_id.id})
            credit_by_key[(bill_line.account_id, order)] += basis
        if not line_vals:
            return None
        company._after_sales_check_accounting()
        check_company_accounts(company, [fname for _cost, fname in COST_SPLIT_ACCOUNTS])
        for (account, order), amount in credit_by_key.items():
            line_vals.append(
                {
                    "name": self.env._(
                        "%(order)s: work billed by %(bill)s", order=order.name, bill=self.name
                    ),
                    "account_id": account.id,
                    "balance": -currency.round(amount),
                    "partner_id": order.partner_id.id,
                    "after_sales_order_id": order.id,
                    "analytic_distribution": False,
                }
            )
        orders = bill_lines.purchase_line_id.after_sales_order_line_id.order_id
        return {
            "move_type": "entry",
            "company_id": company.id,
            "journal_id": company.after_sales_journal_id.id,
            "currency_id": currency.id,
            "date": self.date,
            "ref": self.env._(
                "%(orders)s: cost billed by %(bill)s",
                orders=", ".join(orders.mapped("name")),
                bill=self.name,
            ),
            "after_sales_entry_kind": "usage",
            "after_sales_source_move_id": self.id,
            "line_ids": [Command.create(vals) for vals in line_vals],
        }

    def _after_sales_undo_provider_cost(self):
        """Reverse the service cost entries of provider's bills reset or cancelled."""
        entries = self._after_sales_provider_cost_entries()
        if not entries:
            return
        today = fields.Date.context_today(self)
        reversals = entries.with_context(**QUIET_CONTEXT)._reverse_moves(
            [
                {
                    "date": max(entry.date, today),
                    "ref": self.env._(
                        "Reversal of %(entry)s: %(bill)s reset",
                        entry=entry.name,
                        bill=entry.after_sales_source_move_id.name,
                    ),
                    "after_sales_entry_kind": "usage",
                    "after_sales_source_move_id": entry.after_sales_source_move_id.id,
                }
                for entry in entries
            ]
        )
        reversals._post(soft=False)
