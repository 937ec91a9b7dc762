from collections import defaultdict
from contextlib import contextmanager
from datetime import timedelta

import psycopg2.errors
from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Command, Domain
from odoo.tools import clean_context, format_date

# Entries that follow a customer invoice or credit note: undone with it.
FOLLOWING_ENTRY_KINDS = ("provision", "deferral", "recognition")
# Context of the batch creation of entries (no chatter message per entry).
QUIET_CONTEXT = {
    "tracking_disable": True,
    "mail_create_nolog": True,
    "mail_create_nosubscribe": True,
    "mail_notrack": True,
}


def monthly_shares(start, end, amount, currency):
    """[(date, share)] of ``amount`` spread over the calendar months of the period
    [start, end] by days: one share per month, dated the month's last day (the
    period's end for the last); the last share takes the remainder, so that the
    shares add up to ``amount`` exactly in ``currency``."""
    total_days = (end - start).days + 1
    shares = []
    month_start = start
    while month_start <= end:
        month_end = min(month_start + relativedelta(day=31), end)
        days = (month_end - month_start).days + 1
        shares.append([month_end, currency.round(amount * days / total_days)])
        month_start = month_end + timedelta(days=1)
    shares[-1][1] = currency.round(amount - sum(share for _date, share in shares[:-1]))
    return [tuple(share) for share in shares]


@contextmanager
def refuse_double_billing(env, orders):
    """Run the block and write what it did; when the unique index of the invoice
    lines refuses it (another invoice bills one of the service ``orders`` by now,
    maybe from another transaction), raise a clear error instead."""
    try:
        with env.cr.savepoint(flush=False):
            yield
            env.flush_all()
    except psycopg2.errors.UniqueViolation as error:
        if not (error.diag.constraint_name or "").endswith("after_sales_billing_unique"):
            raise
        raise UserError(
            env._(
                "Service order %(orders)s is already invoiced by another invoice: cancel or "
                "credit that invoice first.",
                orders=", ".join(orders.mapped("name")),
            )
        ) from error


def spans_months(start, end):
    """Whether the period [start, end] covers more than one calendar month."""
    return (start.year, start.month) != (end.year, end.month)


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
            ("remeasurement", "Provision Re-measurement"),
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
        # a posted entry outlives a draft invoice deleted after its reset
        ondelete="set null",
        help="The customer invoice or credit note this provision or deferral entry follows.",
    )
    after_sales_entry_ids = fields.One2many(
        "account.move",
        "after_sales_source_move_id",
        string="After-Sales Entries",
        readonly=True,
        help="Warranty provision, revenue deferral and recognition entries of this invoice.",
    )
    after_sales_entry_count = fields.Integer(compute="_compute_after_sales_entry_count")
    after_sales_cost_order_id = fields.Many2one(
        "after_sales.order",
        string="Cost of Service Order",
        copy=False,
        readonly=True,
        index="btree_not_null",
        ondelete="restrict",
        check_company=True,
        help="The done service order whose cost this entry charges.",
    )

    # One live cost entry per order: a double click, a second worker or a re-run
    # cannot charge the same work twice (a cancelled entry frees the order).
    _after_sales_cost_order_unique = models.UniqueIndex(
        "(after_sales_cost_order_id) WHERE after_sales_cost_order_id IS NOT NULL "
        "AND state != 'cancel'",
        "This service order already has its cost entry.",
    )

    # One live invoice per contract period: a second worker or a re-run cannot bill twice.
    # Credit notes of a contract (out_refund) are not counted.
    _after_sales_period_unique = models.UniqueIndex(
        "(after_sales_contract_id, after_sales_period_start) "
        "WHERE after_sales_contract_id IS NOT NULL AND move_type = 'out_invoice' "
        "AND state != 'cancel'",
        "This contract period is already invoiced.",
    )

    @api.depends("after_sales_entry_ids")
    def _compute_after_sales_entry_count(self):
        for move in self:
            move.after_sales_entry_count = len(move.after_sales_entry_ids)

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
        unposted = self.filtered(lambda move: move.state == "posted" and vals["state"] != "posted")
        revived = self.filtered(lambda move: move.state == "cancel" and vals["state"] != "cancel")
        result = super().write(vals)
        # the contract's invoicing dates are bookkeeping, kept right whoever cancels
        contracts.sudo()._resume_invoicing()
        unposted._after_sales_on_unpost()
        # an invoice back from cancelled bills its service orders again: unless
        # another invoice bills them by now
        revived._after_sales_check_billing()
        return result

    def unlink(self):
        contracts = self._get_contract_invoices().after_sales_contract_id
        result = super().unlink()
        contracts.sudo()._resume_invoicing()
        return result

    def copy_data(self, default=None):
        """Only a customer invoice bills a service order: its credit note (a
        reversal copies the order of each line) does not. A reversal of an
        after-sales entry stays an after-sales entry of the same invoice."""
        vals_list = super().copy_data(default)
        is_reversal = self.env.context.get("include_business_fields") and (default or {}).get(
            "reversed_entry_id"
        )
        for move, vals in zip(self, vals_list, strict=True):
            if vals.get("move_type", move.move_type) != "out_invoice":
                for command in vals.get("line_ids", []):
                    if command[0] == Command.CREATE and isinstance(command[2], dict):
                        command[2]["after_sales_is_billing"] = False
            if is_reversal and move.after_sales_entry_kind:
                vals.setdefault("after_sales_entry_kind", move.after_sales_entry_kind)
                vals.setdefault("after_sales_source_move_id", move.after_sales_source_move_id.id)
        return vals_list

    # ------------------------------------------------------------------
    # Posting and unposting customer invoices
    # ------------------------------------------------------------------
    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        customer_documents = posted.filtered(
            lambda move: move.move_type in ("out_invoice", "out_refund")
        )
        if customer_documents:
            customer_documents._after_sales_credit_invoices()
            customer_documents._after_sales_create_entries()
        # a supplier's credit note clears the warranty claims it answers
        supplier_refunds = posted.filtered(lambda move: move.move_type == "in_refund")
        if supplier_refunds:
            self.env["after_sales.supplier.claim"].sudo().search(
                [("credit_note_id", "in", supplier_refunds.ids)]
            )._reconcile_credit_note()
        return posted

    def _after_sales_on_unpost(self):
        """A customer invoice or credit note reset to draft or cancelled: undo what
        its posting did (its entries, the freeing of the orders it credited)."""
        documents = self.filtered(lambda move: move.move_type in ("out_invoice", "out_refund"))
        if not documents:
            return
        documents._after_sales_undo_entries()
        documents._after_sales_uncredit_invoices()

    def action_view_after_sales_entries(self):
        self.ensure_one()
        return self.after_sales_entry_ids._get_records_action(
            name=self.env._("After-Sales Entries")
        )

    # ------------------------------------------------------------------
    # Service orders billed by customer invoices
    # ------------------------------------------------------------------
    def _after_sales_credit_invoices(self):
        """Posted credit notes free the service orders of the invoices they reverse."""
        refunds = self.filtered(lambda m: m.move_type == "out_refund" and m.reversed_entry_id)
        lines = refunds.reversed_entry_id.line_ids.filtered(
            lambda line: line.after_sales_is_billing and not line.after_sales_credited
        )
        if lines:
            lines.after_sales_credited = True
            # before anything else: a new invoice of the freed orders may follow
            lines.flush_recordset(["after_sales_credited"])

    def _after_sales_uncredit_invoices(self):
        """A credit note reset or cancelled no longer frees the orders of its invoice
        (unless another posted credit note reverses it): the invoice bills them again."""
        refunds = self.filtered(lambda m: m.move_type == "out_refund" and m.reversed_entry_id)
        if not refunds:
            return
        invoices = refunds.reversed_entry_id
        still_credited = self.search(
            Domain("reversed_entry_id", "in", invoices.ids)
            & Domain("move_type", "=", "out_refund")
            & Domain("state", "=", "posted")
            & Domain("id", "not in", refunds.ids)
        ).reversed_entry_id
        lines = (invoices - still_credited).line_ids.filtered(
            lambda line: line.after_sales_is_billing and line.after_sales_credited
        )
        if lines:
            lines.after_sales_credited = False
            invoices._after_sales_check_billing()

    def _after_sales_check_billing(self):
        """Write now what makes the order lines of these invoices billed, and refuse
        with a clear message when another invoice bills one of them already (the
        unique index on the invoice lines is the guarantee)."""
        orders = self.line_ids.filtered("after_sales_is_billing").after_sales_order_id
        if orders:
            with refuse_double_billing(self.env, orders):
                pass

    def _after_sales_fix_included_taxes(self):
        """Invoice lines of service orders with a price-included tax: the unit price
        includes that tax, so that the untaxed amount stays the customer's part."""
        lines = self.invoice_line_ids.filtered(
            lambda line: line.after_sales_is_billing and any(line.tax_ids.mapped("price_include"))
        )
        for line in lines:
            untaxed = line.after_sales_order_line_id.billable_amount
            details = line.tax_ids._get_tax_details(
                untaxed,
                1.0,
                rounding_method="round_globally",
                product=line.product_id,
                product_uom=line.product_uom_id,
                special_mode="total_excluded",
            )
            included = sum(
                tax_data["tax_amount"]
                for tax_data in details["taxes_data"]
                if tax_data["tax"].price_include
            )
            line.price_unit = (untaxed + included) / line.quantity

    # ------------------------------------------------------------------
    # After-sales entries that follow a customer invoice
    # ------------------------------------------------------------------
    def _after_sales_live_entries(self):
        """The after-sales entries that follow ``self`` and are not undone (posted, or
        draft waiting for their date; neither a reversal nor reversed)."""
        return self.search(
            Domain("after_sales_source_move_id", "in", self.ids)
            & Domain("after_sales_entry_kind", "in", FOLLOWING_ENTRY_KINDS)
            & Domain("reversed_entry_id", "=", False)
            & Domain("state", "!=", "cancel")
        ).filtered(lambda entry: not entry.reversal_move_ids)

    def _after_sales_create_entries(self):
        """The warranty provision and the revenue deferral of posted customer
        invoices and credit notes, in one batch; never twice for one document."""
        done = {
            (entry.after_sales_source_move_id.id, entry.after_sales_entry_kind)
            for entry in self._after_sales_live_entries()
        }
        self.filtered(
            lambda move: (move.id, "provision") not in done
        )._after_sales_freeze_categories()
        vals_list = []
        releases = self._after_sales_mirrored_releases()
        for move in self:
            if (move.id, "provision") not in done:
                vals_list += move._prepare_after_sales_provision_vals(releases.get(move))
            if (move.id, "deferral") not in done:
                vals_list += move._prepare_after_sales_deferral_vals()
        if not vals_list:
            return
        entries = (
            self.env["account.move"]
            .with_context(clean_context(self.env.context), **QUIET_CONTEXT)
            .create(vals_list)
        )
        today = fields.Date.context_today(self)
        # recognitions wait for their date: the auto-post cron of Odoo posts them
        entries.filtered(lambda entry: entry.auto_post == "no" or entry.date <= today)._post(
            soft=False
        )

    def _after_sales_undo_entries(self):
        """Delete the entries of ``self`` still waiting for their date, reverse the
        posted ones (the reversal of an accrual is tagged as a release)."""
        entries = self._after_sales_live_entries()
        posted = entries.filtered(lambda entry: entry.state == "posted")
        (entries - posted).unlink()
        if not posted:
            return
        today = fields.Date.context_today(self)
        reversals = posted.with_context(**QUIET_CONTEXT)._reverse_moves(
            [
                {
                    "date": max(entry.date, today),
                    "ref": self.env._(
                        "Reversal of %(entry)s: %(invoice)s reset",
                        entry=entry.name,
                        invoice=entry.after_sales_source_move_id.name,
                    ),
                    "after_sales_entry_kind": entry.after_sales_entry_kind,
                    "after_sales_source_move_id": entry.after_sales_source_move_id.id,
                }
                for entry in posted
            ]
        )
        reversals._post(soft=False)

    def _after_sales_entry_vals(self, kind, date, ref, line_vals_list):
        """Values of an after-sales entry of ``kind`` that follows ``self``."""
        company = self.company_id
        return {
            "move_type": "entry",
            "company_id": company.id,
            "journal_id": company.after_sales_journal_id.id,
            "currency_id": company.currency_id.id,
            "date": date,
            "ref": ref,
            "after_sales_entry_kind": kind,
            "after_sales_source_move_id": self.id,
            "line_ids": [
                Command.create({"partner_id": self.commercial_partner_id.id, **line_vals})
                for line_vals in line_vals_list
            ],
        }

    def _after_sales_accruing_lines(self):
        """The product lines of these invoices (credit notes) that accrue a warranty
        provision at posting: products with a warranty, of a category with a rate."""
        return self.invoice_line_ids.filtered(
            lambda line: (
                line.display_type == "product"
                and line.product_id.warranty_months > 0
                and line.product_id.categ_id.after_sales_provision_rate > 0
            )
        )

    def _after_sales_freeze_categories(self):
        """Write on the product lines of these invoices (credit notes) the terms of
        what they sell, once, at posting: the category they accrue the provision of,
        the product's warranty months and the cohort (the month of sale). A credit
        note of an invoice takes the terms of the invoice's line of the same product;
        other lines have none."""
        groups = defaultdict(lambda: self.env["account.move.line"])
        for move in self:
            invoice = move.reversed_entry_id if move.move_type == "out_refund" else None
            if invoice:
                terms = {
                    line.product_id: (
                        line.after_sales_categ_id,
                        line.after_sales_warranty_months,
                        line.after_sales_cohort_date,
                    )
                    for line in invoice.invoice_line_ids.filtered("after_sales_categ_id")
                }
                for line in move.invoice_line_ids.filtered(
                    lambda line: line.display_type == "product"
                ):
                    groups[terms.get(line.product_id, (False, 0, False))] |= line
                continue
            cohort = move.date.replace(day=1)
            accruing = move._after_sales_accruing_lines()
            for line in move.invoice_line_ids - accruing:
                groups[False, 0, False] |= line
            for line in accruing:
                product = line.product_id
                groups[product.categ_id, product.warranty_months, cohort] |= line
        for (categ, months, cohort), lines in groups.items():
            lines = lines.filtered(
                lambda line, categ=categ, months=months, cohort=cohort: (
                    line.after_sales_categ_id.id != (categ.id if categ else False)
                    or line.after_sales_warranty_months != months
                    or line.after_sales_cohort_date != cohort
                )
            )
            if lines:
                lines.write(
                    {
                        "after_sales_categ_id": categ.id if categ else False,
                        "after_sales_warranty_months": months,
                        "after_sales_cohort_date": cohort,
                    }
                )

    def _after_sales_provision_by_categ(self):
        """{(invoice, category): provision} of the live provision entries of these
        invoices (credit notes), in company currency: positive for what an invoice
        accrued, negative for what a credit note released."""
        entries = self._after_sales_live_entries().filtered(
            lambda entry: entry.after_sales_entry_kind == "provision"
        )
        result = defaultdict(float)
        for entry in entries:
            account = entry.company_id.after_sales_provision_account_id
            for line in entry.line_ids.filtered(lambda line: line.account_id == account):
                result[entry.after_sales_source_move_id, line.after_sales_categ_id] -= line.balance
        return result

    def _after_sales_mirrored_releases(self):
        """{credit note: {category: release}} of the credit notes among ``self`` that
        reverse an invoice: each releases the provision the invoice accrued, pro rata
        of the revenue it credits per product (in the invoice's currency), whatever
        the category, its rate, the exchange rate or the warranty terms are now; never
        more than what other credit notes of the invoice left (company currency)."""
        refunds = self.filtered(
            lambda move: move.move_type == "out_refund" and move.reversed_entry_id
        )
        if not refunds:
            return {}
        invoices = refunds.reversed_entry_id
        others = self.search(
            Domain("reversed_entry_id", "in", invoices.ids)
            & Domain("move_type", "=", "out_refund")
            & Domain("state", "=", "posted")
            & Domain("id", "not in", refunds.ids)
        )
        booked = (invoices | others)._after_sales_provision_by_categ()
        left = defaultdict(float)  # (invoice, category): provision not released yet
        for (move, categ), amount in booked.items():
            left[move.reversed_entry_id or move, categ] += amount
        result = {}
        for refund in refunds:
            invoice = refund.reversed_entry_id
            accrued = {categ: amount for (move, categ), amount in booked.items() if move == invoice}
            if not accrued:
                result[refund] = {}
                continue
            same_currency = refund.currency_id == invoice.currency_id
            field = "amount_currency" if same_currency else "balance"
            # the invoice's accruing revenue per (product, category), the category
            # frozen on its lines at posting (invoices of older versions: the product's)
            invoiced = defaultdict(float)
            frozen = invoice.invoice_line_ids.filtered("after_sales_categ_id")
            for line in frozen or invoice._after_sales_accruing_lines():
                categ = line.after_sales_categ_id or line.product_id.categ_id
                if categ in accrued:
                    invoiced[line.product_id, categ] -= line[field]
            credited = defaultdict(float)
            for line in refund.invoice_line_ids.filtered(
                lambda line: line.display_type == "product"
            ):
                credited[line.product_id] += line[field]
            categ_revenue = defaultdict(float)
            product_revenue = defaultdict(float)
            for (product, categ), amount in invoiced.items():
                categ_revenue[categ] += amount
                product_revenue[product] += amount
            share = defaultdict(float)  # category: credited share of its accrual
            for (product, categ), amount in invoiced.items():
                if amount > 0 and product_revenue[product] > 0:
                    ratio = min(max(credited[product] / product_revenue[product], 0.0), 1.0)
                    share[categ] += ratio * amount / categ_revenue[categ]
            currency = refund.company_id.currency_id
            releases = {}
            for categ, amount in accrued.items():
                release = currency.round(amount * min(share[categ], 1.0))
                release = min(release, currency.round(left[invoice, categ]))
                if currency.compare_amounts(release, 0.0) > 0:
                    releases[categ] = release
                    left[invoice, categ] -= release
            result[refund] = releases
        return result

    def _prepare_after_sales_provision_vals(self, releases=None):
        """[values] of the warranty provision entry of this posted invoice (credit
        note): per product category, rate x revenue of the products with a warranty,
        Dr warranty expense / Cr warranty provision. A credit note of an invoice
        releases ``releases`` ({category: amount}, what the invoice accrued, see
        ``_after_sales_mirrored_releases``): Dr provision / Cr warranty expense; a
        credit note of no invoice releases rate x revenue."""
        self.ensure_one()
        company = self.company_id
        currency = company.currency_id
        if releases is not None:
            amounts = {categ: -amount for categ, amount in releases.items()}
            labels = {
                categ: self.env._(
                    "Release of the warranty provision of %(invoice)s on %(category)s",
                    invoice=self.reversed_entry_id.name,
                    category=categ.display_name or self.env._("Undefined"),
                )
                for categ in amounts
            }
        else:
            revenue = defaultdict(float)  # category: revenue in company currency
            for line in self._after_sales_accruing_lines():
                revenue[line.product_id.categ_id] -= line.balance
            amounts = {
                categ: currency.round(amount * categ.after_sales_provision_rate / 100.0)
                for categ, amount in revenue.items()
            }
            labels = {
                categ: self.env._(
                    "Warranty provision %(rate)s %% on %(category)s",
                    rate=f"{categ.after_sales_provision_rate:g}",
                    category=categ.display_name,
                )
                for categ in amounts
            }
        amounts = {categ: amount for categ, amount in amounts.items() if amount}
        if not amounts:
            return []
        company._after_sales_check_accounting()
        # the cohort of what is sold (or credited): the month of the sale
        cohort = (self.reversed_entry_id if releases is not None else self).date.replace(day=1)
        lines = []
        for categ, amount in amounts.items():
            label = labels[categ]
            lines += [
                {
                    "name": label,
                    "account_id": company.after_sales_warranty_expense_account_id.id,
                    "balance": amount,
                    "after_sales_categ_id": categ.id,
                },
                {
                    "name": label,
                    "account_id": company.after_sales_provision_account_id.id,
                    "balance": -amount,
                    "after_sales_categ_id": categ.id,
                    "after_sales_provision_kind": "accrual" if amount > 0 else "release",
                    "after_sales_cohort_date": cohort,
                },
            ]
        ref = self.env._("Warranty provision of %(invoice)s", invoice=self.name)
        return [self._after_sales_entry_vals("provision", self.date, ref, lines)]

    def _prepare_after_sales_deferral_vals(self):
        """[values] of the revenue deferral of this posted invoice (credit note):
        the revenue of each line whose service period covers several calendar
        months moves to deferred revenue on the invoice date (Dr revenue / Cr
        deferred), and back to revenue month by month, by days (Dr deferred /
        Cr revenue), in recognition entries dated each month's end that wait for
        their date (auto-post). A credit note: the reverse."""
        self.ensure_one()
        lines = self.invoice_line_ids.filtered(
            lambda line: (
                line.display_type == "product"
                and line.after_sales_period_start
                and line.after_sales_period_end
                and spans_months(line.after_sales_period_start, line.after_sales_period_end)
                and not line.company_currency_id.is_zero(line.balance)
            )
        )
        if not lines:
            return []
        company = self.company_id
        company._after_sales_check_accounting()
        currency = company.currency_id
        deferred_account = company.after_sales_deferred_revenue_account_id
        deferral_lines = []
        recognition_lines = defaultdict(list)  # date: line values
        for line in lines:
            revenue = -line.balance
            label = self.env._(
                "%(label)s (%(start)s - %(end)s)",
                label=line.name or line.product_id.display_name,
                start=format_date(self.env, line.after_sales_period_start),
                end=format_date(self.env, line.after_sales_period_end),
            )
            deferral_lines += [
                {
                    "name": label,
                    "account_id": line.account_id.id,
                    "balance": revenue,
                    "analytic_distribution": line.analytic_distribution,
                },
                {"name": label, "account_id": deferred_account.id, "balance": -revenue},
            ]
            for date, share in monthly_shares(
                line.after_sales_period_start, line.after_sales_period_end, revenue, currency
            ):
                if currency.is_zero(share):
                    continue
                recognition_lines[date] += [
                    {"name": label, "account_id": deferred_account.id, "balance": share},
                    {
                        "name": label,
                        "account_id": line.account_id.id,
                        "balance": -share,
                        "analytic_distribution": line.analytic_distribution,
                    },
                ]
        vals_list = [
            self._after_sales_entry_vals(
                "deferral",
                self.date,
                self.env._("Revenue deferral of %(invoice)s", invoice=self.name),
                deferral_lines,
            )
        ]
        for date, line_vals_list in sorted(recognition_lines.items()):
            vals = self._after_sales_entry_vals(
                "recognition",
                date,
                self.env._(
                    "Revenue recognition of %(invoice)s, %(month)s",
                    invoice=self.name,
                    month=format_date(self.env, date, date_format="MMMM y"),
                ),
                line_vals_list,
            )
            vals["auto_post"] = "at_date"
            vals_list.append(vals)
        return vals_list

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
