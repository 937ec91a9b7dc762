from collections import defaultdict

import psycopg2.errors

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Command, Domain
from odoo.tools import SQL, clean_context

from .account_move import refuse_double_billing
from .utils import window_action

INVOICE_STATUSES = [
    ("no", "Nothing to Invoice"),
    ("to_invoice", "To Invoice"),
    ("invoiced", "Invoiced"),
]
ACCOUNTING_GROUPS = "account.group_account_invoice,account.group_account_readonly"


class AfterSalesOrder(models.Model):
    """Invoicing of service orders: the part of the work the customer pays (after
    warranty, contract and goodwill) on one customer invoice per customer."""

    _inherit = "after_sales.order"

    invoice_status = fields.Selection(
        INVOICE_STATUSES,
        compute="_compute_invoice_status",
        store=True,
        index=True,
        copy=False,
        help="Nothing to invoice: not done yet, or fully covered (warranty, contract, "
        "goodwill). To invoice: done and the customer pays a part that no live invoice "
        "bills. Invoiced: a customer invoice bills it (cancelled invoices and invoices "
        "reversed by a posted credit note do not count).",
    )
    invoice_line_ids = fields.One2many(
        "account.move.line",
        "after_sales_order_id",
        string="Invoice Lines",
        domain=[("after_sales_is_billing", "=", True)],
        readonly=True,
        copy=False,
        groups=ACCOUNTING_GROUPS,
    )
    invoice_ids = fields.Many2many(
        "account.move",
        string="Invoices",
        compute="_compute_invoice_ids",
        groups=ACCOUNTING_GROUPS,
        help="The customer invoices of this order and the credit notes that reverse them.",
    )
    invoice_count = fields.Integer(compute="_compute_invoice_ids", groups=ACCOUNTING_GROUPS)

    @api.depends(
        "state",
        "line_ids.billable_amount",
        "invoice_line_ids.parent_state",
        "invoice_line_ids.after_sales_credited",
        "invoice_line_ids.after_sales_order_line_id",
    )
    def _compute_invoice_status(self):
        billed = self._billed_order_lines()
        for order in self:
            billable = order._billable_lines()
            if order.state != "done" or not billable:
                order.invoice_status = "no"
            elif billable <= billed:
                order.invoice_status = "invoiced"
            else:
                order.invoice_status = "to_invoice"

    def _billable_lines(self):
        """The lines of the order the customer pays a part of."""
        self.ensure_one()
        currency = self.currency_id or self.company_id.currency_id
        return self.line_ids.filtered(
            lambda line: currency.compare_amounts(line.billable_amount, 0) > 0
        )

    def _billed_order_lines(self):
        """The order lines of ``self`` that a live invoice line bills (neither
        cancelled nor reversed by a posted credit note)."""
        return (
            self.sudo()
            .invoice_line_ids.filtered(
                lambda line: line.parent_state != "cancel" and not line.after_sales_credited
            )
            .after_sales_order_line_id.sudo(False)
        )

    @api.depends("invoice_line_ids")
    def _compute_invoice_ids(self):
        refunds = self.env["account.move"].search(
            Domain("reversed_entry_id", "in", self.invoice_line_ids.move_id.ids)
            & Domain("move_type", "=", "out_refund")
        )
        for order in self:
            invoices = order.invoice_line_ids.move_id
            order.invoice_ids = invoices | refunds.filtered(
                lambda refund, invoices=invoices: refund.reversed_entry_id in invoices
            )
            order.invoice_count = len(order.invoice_ids)

    def action_view_invoices(self):
        self.ensure_one()
        return window_action(
            self.env,
            "account.action_move_out_invoice_type",
            [("id", "in", self.invoice_ids.ids)],
            {"default_move_type": "out_invoice", "create": False},
        )

    # ------------------------------------------------------------------
    # Invoicing
    # ------------------------------------------------------------------
    def action_create_invoice(self):
        """Create Invoice (form button and list action): one draft customer invoice
        per customer and company for the billable part of the selected orders."""
        self.env["account.move"].check_access("create")
        invoices = self._create_invoices()
        return invoices._get_records_action(name=self.env._("Service Invoices"))

    def _create_invoices(self):
        """One draft customer invoice per commercial partner and company for the
        billable part of the done orders of ``self``: one invoice line per order
        line the customer pays a part of, whose untaxed amount is that part.
        Refuses, and writes nothing, when an order is not done, has nothing to
        invoice or is invoiced already, also when another user invoices it at the
        same moment (row lock, then the unique index of the invoice lines)."""
        if not self:
            raise UserError(self.env._("Select the service orders to invoice."))
        self._lock_for_invoicing()
        to_invoice = self._get_lines_to_invoice()
        groups = defaultdict(self.browse)
        for order in self:
            groups[order.partner_id.commercial_partner_id, order.company_id] |= order
        journals = {}
        vals_list = []
        for (commercial_partner, company), orders in groups.items():
            if company not in journals:
                journals[company] = (
                    self.env["account.move"]
                    .with_company(company)
                    .new({"move_type": "out_invoice", "company_id": company.id})
                    ._search_default_journal()
                )
            vals_list.append(
                orders._prepare_invoice_vals(commercial_partner, journals[company], to_invoice)
            )
        Move = self.env["account.move"].with_context(
            clean_context(self.env.context),
            default_move_type="out_invoice",
            tracking_disable=True,
            mail_create_nolog=True,
            mail_create_nosubscribe=True,
        )
        # what freed the orders first (cancelled, credited), then the new lines; the
        # unique index refuses a line billed meanwhile by another transaction
        self.env["account.move.line"].flush_model(["parent_state", "after_sales_credited"])
        with refuse_double_billing(self.env, self):
            invoices = Move.create(vals_list)
            invoices._after_sales_fix_included_taxes()
        return invoices.with_env(self.env)

    def _lock_for_invoicing(self):
        """Lock the rows of the orders for this transaction, or refuse at once when
        another transaction holds one (or changed one since this one started)."""
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    SQL(
                        "SELECT id FROM %s WHERE id IN %s FOR NO KEY UPDATE NOWAIT",
                        SQL.identifier(self._table),
                        tuple(self.ids),
                    ),
                    log_exceptions=False,  # expected: told to the user
                )
        except (psycopg2.errors.LockNotAvailable, psycopg2.errors.SerializationFailure) as error:
            raise UserError(
                self.env._(
                    "Service order %(orders)s is being invoiced by someone else at this "
                    "moment: reload it and try again.",
                    orders=", ".join(self.mapped("name")),
                )
            ) from error

    def _get_lines_to_invoice(self):
        """{order: the lines to invoice}; refuses an order not done, with nothing
        the customer pays, or invoiced already."""
        billed = self._billed_order_lines()
        result = {}
        for order in self:
            if order.state != "done":
                raise UserError(
                    self.env._(
                        "Service order %(name)s is not done: only finished work is invoiced.",
                        name=order.name,
                    )
                )
            billable = order._billable_lines()
            if not billable:
                raise UserError(
                    self.env._(
                        "Service order %(name)s has nothing to invoice: warranty, contract or "
                        "goodwill pay all of it.",
                        name=order.name,
                    )
                )
            lines = billable - billed
            if not lines:
                raise UserError(
                    self.env._(
                        "Service order %(name)s is already invoiced (%(invoices)s).",
                        name=order.name,
                        invoices=", ".join(
                            order.sudo()
                            .invoice_line_ids.filtered(
                                lambda line: (
                                    line.parent_state != "cancel" and not line.after_sales_credited
                                )
                            )
                            .move_id.mapped("display_name")
                        ),
                    )
                )
            result[order] = lines
        return result

    def _prepare_invoice_vals(self, commercial_partner, journal, lines_by_order):
        """Values of the customer invoice of the orders ``self`` (one customer, one
        company): the lines ``lines_by_order`` of each order."""
        partners = self.partner_id
        partner = partners if len(partners) == 1 else commercial_partner
        # a document for the customer: in the customer's language
        orders = self.with_context(lang=partner.lang or self.env.lang)
        company = self.company_id
        return {
            "move_type": "out_invoice",
            "partner_id": partner.address_get(["invoice"])["invoice"],
            "company_id": company.id,
            "currency_id": company.currency_id.id,
            "journal_id": journal.id,
            "invoice_origin": ", ".join(self.mapped("name")),
            "invoice_line_ids": [
                Command.create(order._prepare_invoice_line_vals(line))
                for order in orders
                for line in lines_by_order[order].with_env(orders.env)
            ],
        }

    def _prepare_invoice_line_vals(self, line):
        """Values of the invoice line of the order line ``line``: the used quantity,
        at the unit price that makes its untaxed amount the customer's part."""
        self.ensure_one()
        label = self.env._(
            "%(order)s - %(line)s: %(reason)s",
            order=self.name,
            line=line.name or line.product_id.display_name,
            reason=line.split_reason,
        )
        vals = {
            "name": label,
            "quantity": line.quantity_done,
            "price_unit": line.billable_amount / line.quantity_done,
            "after_sales_order_id": self.id,
            "after_sales_order_line_id": line.id,
            "after_sales_is_billing": True,
        }
        if line.product_id:
            vals["product_id"] = line.product_id.id
        if line.product_uom_id:
            vals["product_uom_id"] = line.product_uom_id.id
        if "analytic_distribution" in self._fields and self.analytic_distribution:
            vals["analytic_distribution"] = self.analytic_distribution
        return vals
