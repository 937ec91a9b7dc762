from datetime import timedelta

from odoo import fields, models
from odoo.fields import Command
from odoo.tools import format_date


class AccountMove(models.Model):
    _inherit = "account.move"

    after_sales_contract_id = fields.Many2one(
        "after_sales.contract",
        string="Service Contract",
        index="btree_not_null",
        copy=False,
        readonly=True,
        ondelete="restrict",
        check_company=True,
    )
    after_sales_period_start = fields.Date(
        string="Contract Period Start", copy=False, readonly=True
    )
    after_sales_period_end = fields.Date(string="Contract Period End", copy=False, readonly=True)
    # Entries of the after-sales accounting and the document they belong to
    after_sales_entry_kind = fields.Selection(
        [
            ("provision", "Warranty Provision"),
            ("usage", "Service Cost"),
            ("recovery", "Supplier Recovery"),
            ("deferral", "Revenue Deferral"),
            ("recognition", "Revenue Recognition"),
        ],
        string="After-Sales Entry",
        copy=False,
        readonly=True,
        index="btree_not_null",
    )
    after_sales_source_move_id = fields.Many2one(
        "account.move",
        string="For Invoice",
        copy=False,
        readonly=True,
        index="btree_not_null",
        ondelete="cascade",
        help="The customer invoice or credit note this provision or deferral entry follows.",
    )

    # One live invoice per contract period: a second worker or a re-run cannot bill twice.
    # Credit notes of a contract (out_refund) are not counted.
    _after_sales_period_unique = models.UniqueIndex(
        "(after_sales_contract_id, after_sales_period_start) "
        "WHERE after_sales_contract_id IS NOT NULL AND move_type = 'out_invoice' "
        "AND state != 'cancel'",
        "This contract period is already invoiced.",
    )

    def _get_contract_invoices(self):
        return self.filtered(
            lambda move: move.after_sales_contract_id and move.move_type == "out_invoice"
        )

    def write(self, vals):
        if "state" not in vals:
            return super().write(vals)
        # cancelled, or back from cancelled: the contract's next period to bill changes
        freed = self._get_contract_invoices().filtered(
            lambda move: (vals["state"] == "cancel") != (move.state == "cancel")
        )
        contracts = freed.after_sales_contract_id
        result = super().write(vals)
        # the contract's invoicing dates are bookkeeping, kept right whoever cancels
        contracts.sudo()._resume_invoicing()
        return result

    def unlink(self):
        contracts = self._get_contract_invoices().after_sales_contract_id
        result = super().unlink()
        contracts.sudo()._resume_invoicing()
        return result

    def _prepare_after_sales_credit_note_vals(self, today):
        """Draft credit note of the days of this contract invoice's period after
        ``today``, prorated by days, with the invoice's products and taxes."""
        self.ensure_one()
        start = max(self.after_sales_period_start, today + timedelta(days=1))
        end = self.after_sales_period_end
        factor = ((end - start).days + 1) / ((end - self.after_sales_period_start).days + 1)
        label = self.env._(
            "%(contract)s: unused service from %(start)s to %(end)s",
            contract=self.after_sales_contract_id.name,
            start=format_date(self.env, start),
            end=format_date(self.env, end),
        )
        return {
            "move_type": "out_refund",
            "partner_id": self.partner_id.id,
            "company_id": self.company_id.id,
            "currency_id": self.currency_id.id,
            "journal_id": self.journal_id.id,
            "reversed_entry_id": self.id,
            "invoice_origin": self.invoice_origin,
            "invoice_user_id": self.invoice_user_id.id,
            "after_sales_contract_id": self.after_sales_contract_id.id,
            "after_sales_period_start": start,
            "after_sales_period_end": end,
            "invoice_line_ids": [
                Command.create(
                    {
                        "name": label,
                        "product_id": line.product_id.id,
                        "account_id": line.account_id.id,
                        "quantity": line.quantity,
                        "price_unit": self.currency_id.round(line.price_unit * factor),
                        "tax_ids": [Command.set(line.tax_ids.ids)],
                        "after_sales_period_start": start,
                        "after_sales_period_end": end,
                    }
                )
                for line in self.invoice_line_ids.filtered(
                    lambda line: line.display_type == "product"
                )
            ],
        }
