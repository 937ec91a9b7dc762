import logging
from datetime import timedelta

import psycopg2.errors
import pytz
from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.fields import Command, Domain
from odoo.tools import format_date

from .billing import BILLING_PERIODS, PERIOD_MONTHS, billing_period, billing_periods
from .coverage import check_percentages
from .sequence import company_sequence
from .utils import (
    check_before_insert,
    company_today,
    count_by,
    error_message,
    locked_batches,
    notify_failure,
    window_action,
)

_logger = logging.getLogger(__name__)

# Fields whose Python checks must run before the INSERT (the database checks them too).
CHECKED_ON_CREATE = (
    "name",
    "date_start",
    "date_end",
    "parts_pct",
    "labour_pct",
    "travel_pct",
    "price",
    "notice_days",
    "reminder_days",
)


class AfterSalesContract(models.Model):
    """A service contract: what it covers, how fast, for how much, and for how long.

    One record is one term; renewal creates the next term as a new record linked
    through ``previous_contract_id``.
    """

    _name = "after_sales.contract"
    _description = "Service Contract"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date_start desc, id desc"
    _check_company_auto = True

    name = fields.Char(
        string="Reference",
        required=True,
        copy=False,
        readonly=True,
        default="/",
        index="trigram",
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    currency_id = fields.Many2one(
        "res.currency",
        compute="_compute_currency_id",
        store=True,
        readonly=False,
        precompute=True,
        required=True,
        copy=True,
        tracking=True,
        help="Currency of the price and of the invoices; the company's currency by default.",
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        tracking=True,
        check_company=True,
    )
    user_id = fields.Many2one(
        "res.users",
        string="Responsible",
        default=lambda self: self.env.user,
        tracking=True,
        domain="[('share', '=', False)]",
        check_company=True,
    )
    equipment_ids = fields.Many2many(
        "after_sales.equipment",
        "after_sales_contract_equipment_rel",
        "contract_id",
        "equipment_id",
        string="Covered Equipment",
        check_company=True,
        domain="[('partner_id', 'child_of', partner_id)]",
    )
    equipment_count = fields.Integer(compute="_compute_equipment_count")
    date_start = fields.Date(
        string="Start Date",
        required=True,
        default=fields.Date.context_today,
        tracking=True,
    )
    date_end = fields.Date(
        string="End Date",
        required=True,
        default=lambda self: fields.Date.context_today(self) + relativedelta(years=1, days=-1),
        tracking=True,
        index=True,
    )
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("running", "Running"),
            ("expired", "Expired"),
            ("cancelled", "Cancelled"),
        ],
        default="draft",
        required=True,
        copy=False,
        tracking=True,
        index=True,
    )
    service_type_ids = fields.Many2many(
        "after_sales.service.type",
        string="Covered Service Types",
        help="Leave empty to cover every type of service.",
    )
    parts_pct = fields.Float(string="Parts %", default=100.0, tracking=True)
    labour_pct = fields.Float(string="Labour %", default=100.0, tracking=True)
    travel_pct = fields.Float(string="Travel %", default=100.0, tracking=True)
    sla_ids = fields.One2many("after_sales.contract.sla", "contract_id", string="SLA", copy=True)
    resource_calendar_id = fields.Many2one(
        "resource.calendar",
        string="Working Hours",
        compute="_compute_resource_calendar_id",
        store=True,
        readonly=False,
        precompute=True,
        copy=True,
        check_company=True,
        help="SLA hours are counted in this calendar: weekends and public holidays excluded.",
    )
    price = fields.Monetary(
        string="Price per Period",
        tracking=True,
        help="Amount invoiced for each billing period (prorated for a shorter last period).",
    )
    billing_period = fields.Selection(
        BILLING_PERIODS,
        default="monthly",
        required=True,
        tracking=True,
    )
    product_id = fields.Many2one(
        "product.product",
        string="Invoiced Product",
        compute="_compute_product_id",
        store=True,
        readonly=False,
        precompute=True,
        copy=True,
        check_company=True,
        domain="[('type', '=', 'service')]",
    )
    next_invoice_date = fields.Date(
        copy=False,
        index=True,
        help="Start of the next period to invoice. Empty when everything is invoiced.",
    )
    invoice_ids = fields.One2many(
        "account.move",
        "after_sales_contract_id",
        string="Invoices",
        copy=False,
    )
    invoice_count = fields.Integer(compute="_compute_invoice_count")
    is_auto_renew = fields.Boolean(
        string="Automatic Renewal",
        tracking=True,
        help="At the end of the term, the next term of the same length starts by itself.",
    )
    notice_days = fields.Integer(
        string="Notice Period (days)",
        default=30,
        help="Automatic renewal can be stopped until this many days before the end date.",
    )
    reminder_days = fields.Integer(
        string="Reminder (days before end)",
        default=30,
        help="The responsible gets an activity this many days before the end date.",
    )
    reminder_date = fields.Date(compute="_compute_reminder_date", store=True, index=True)
    is_reminder_done = fields.Boolean(copy=False)
    previous_contract_id = fields.Many2one(
        "after_sales.contract",
        string="Previous Term",
        copy=False,
        readonly=True,
        index="btree_not_null",
        check_company=True,
    )
    next_contract_ids = fields.One2many("after_sales.contract", "previous_contract_id")
    next_contract_id = fields.Many2one(
        "after_sales.contract",
        string="Next Term",
        compute="_compute_next_contract",
    )
    note = fields.Html(string="Terms and Conditions")
    plan_ids = fields.One2many("after_sales.plan", "contract_id", string="Maintenance Plans")
    plan_count = fields.Integer(compute="_compute_plan_count")

    _previous_unique = models.UniqueIndex(
        "(previous_contract_id) WHERE previous_contract_id IS NOT NULL",
        "This contract term was already renewed.",
    )
    # The database holds the rules it can; the Python checks below give the clear message.
    _dates_ordered = models.Constraint(
        "CHECK (date_end >= date_start)",
        "A contract cannot end before it starts.",
    )
    _coverage_range = models.Constraint(
        "CHECK (parts_pct BETWEEN 0 AND 100 AND labour_pct BETWEEN 0 AND 100 "
        "AND travel_pct BETWEEN 0 AND 100)",
        "Coverage percentages must be between 0 and 100 %.",
    )
    _price_positive = models.Constraint(
        "CHECK (price >= 0)",
        "The contract price cannot be negative.",
    )
    _days_positive = models.Constraint(
        "CHECK (notice_days >= 0 AND reminder_days >= 0)",
        "Notice and reminder periods cannot be negative.",
    )

    # ------------------------------------------------------------------
    # Computes and constraints
    # ------------------------------------------------------------------
    @api.depends("company_id")
    def _compute_currency_id(self):
        for contract in self:
            contract.currency_id = contract.company_id.currency_id

    @api.depends("company_id")
    def _compute_resource_calendar_id(self):
        for contract in self:
            contract.resource_calendar_id = contract.company_id.resource_calendar_id

    @api.depends("company_id")
    def _compute_product_id(self):
        product = self.env.ref(
            "after_sales_service.product_service_contract", raise_if_not_found=False
        )
        for contract in self:
            contract.product_id = product and product.filtered_domain(
                product._check_company_domain(contract.company_id)
            )

    def _compute_equipment_count(self):
        for contract in self:
            contract.equipment_count = len(contract.equipment_ids)

    def _compute_invoice_count(self):
        counts = count_by(self.env["account.move"], "after_sales_contract_id", self)
        for contract in self:
            contract.invoice_count = counts.get(contract, 0)

    @api.depends("date_end", "reminder_days")
    def _compute_reminder_date(self):
        for contract in self:
            contract.reminder_date = contract.date_end and contract.date_end - timedelta(
                days=contract.reminder_days
            )

    @api.depends("next_contract_ids")
    def _compute_next_contract(self):
        for contract in self:
            contract.next_contract_id = contract.next_contract_ids[:1]

    def _compute_plan_count(self):
        plans = self.env["after_sales.plan"].with_context(active_test=False)
        counts = count_by(plans, "contract_id", self)
        for contract in self:
            contract.plan_count = counts.get(contract, 0)

    def action_view_plans(self):
        self.ensure_one()
        return window_action(
            self.env,
            "after_sales_service.after_sales_plan_action",
            [("contract_id", "=", self.id)],
            {"default_contract_id": self.id, "active_test": False},
        )

    @api.constrains("date_start", "date_end")
    def _check_dates(self):
        for contract in self:
            if (
                contract.date_start
                and contract.date_end
                and contract.date_end < contract.date_start
            ):
                raise ValidationError(
                    self.env._(
                        "Contract %(name)s ends (%(end)s) before it starts (%(start)s).",
                        name=contract.name,
                        end=contract.date_end,
                        start=contract.date_start,
                    )
                )

    @api.constrains("parts_pct", "labour_pct", "travel_pct")
    def _check_coverage(self):
        check_percentages(self)

    @api.constrains("notice_days", "reminder_days", "price")
    def _check_positive_terms(self):
        for contract in self:
            if contract.notice_days < 0 or contract.reminder_days < 0:
                raise ValidationError(self.env._("Notice and reminder periods cannot be negative."))
            if contract.price < 0:
                raise ValidationError(self.env._("The contract price cannot be negative."))

    @api.constrains("date_end")
    def _check_end_after_invoiced_periods(self):
        last_ends = dict(
            self.env["account.move"]._read_group(
                self._live_invoices_domain(),
                ["after_sales_contract_id"],
                ["after_sales_period_end:max"],
            )
        )
        for contract in self:
            last_end = last_ends.get(contract)
            if last_end and contract.date_end < last_end:
                raise ValidationError(
                    self.env._(
                        "Contract %(name)s is invoiced until %(date)s: it cannot end earlier. "
                        "Cancel or credit the invoices of the later periods first.",
                        name=contract.name,
                        date=format_date(self.env, last_end),
                    )
                )

    def _check_equipment_owner(self, added=None):
        """A contract covers units of its customer. Checked for the units being
        added (``added``: {contract: units}, default all of them): a unit that was
        returned or resold later stays listed on its former owner's contract,
        which must remain editable."""
        for contract in self:
            customer = contract.partner_id.commercial_partner_id
            units = contract.equipment_ids if added is None else added.get(contract)
            foreign = (units or contract.equipment_ids.browse()).filtered(
                lambda e, customer=customer: e.partner_id.commercial_partner_id != customer
            )
            if foreign:
                raise ValidationError(
                    self.env._(
                        "Contract %(name)s can only cover equipment of %(customer)s, "
                        "not %(equipment)s.",
                        name=contract.name,
                        customer=customer.display_name,
                        equipment=", ".join(foreign.mapped("display_name")),
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                company = self.env["res.company"].browse(vals.get("company_id"))
                company = company or self.env.company
                # each company numbers its own contracts
                company_sequence(self.env, "after_sales.contract", company)
                vals["name"] = (
                    self.env["ir.sequence"]
                    .with_company(company)
                    .next_by_code("after_sales.contract")
                    or "/"
                )
        check_before_insert(
            self,
            vals_list,
            CHECKED_ON_CREATE,
            type(self)._check_dates,
            type(self)._check_coverage,
            type(self)._check_positive_terms,
        )
        contracts = super().create(vals_list)
        contracts._check_equipment_owner()
        return contracts

    def write(self, vals):
        if "is_auto_renew" in vals and not vals["is_auto_renew"]:
            self._check_renewal_can_stop()
        before = {}
        if "equipment_ids" in vals:
            before = {contract: contract.equipment_ids for contract in self}
        result = super().write(vals)
        if "partner_id" in vals:
            self._check_equipment_owner()
        elif "equipment_ids" in vals:
            self._check_equipment_owner(
                {contract: contract.equipment_ids - before[contract] for contract in self}
            )
        if "date_end" in vals:
            self.filtered(
                lambda c: not c.next_invoice_date or c.next_invoice_date > c.date_end
            )._resume_invoicing()
        return result

    @api.ondelete(at_uninstall=False)
    def _unlink_except_invoiced(self):
        # whoever deletes the contract, its invoices count (also without accounting rights)
        invoiced = self.filtered(lambda contract: contract.sudo().invoice_ids)
        if invoiced:
            raise UserError(
                self.env._(
                    "Contract %(name)s has invoices and cannot be deleted; cancel it instead.",
                    name=invoiced[0].name,
                )
            )

    # ------------------------------------------------------------------
    # Life cycle
    # ------------------------------------------------------------------
    def action_start(self):
        for contract in self:
            if contract.state != "draft":
                raise UserError(
                    self.env._(
                        "Only a draft contract can be started (%(name)s).", name=contract.name
                    )
                )
            if not contract.product_id and contract.price:
                raise UserError(
                    self.env._("Set the invoiced product of %(name)s first.", name=contract.name)
                )
        for contract in self:
            contract.sudo().write(
                {
                    "state": "running",
                    "next_invoice_date": contract.next_invoice_date or contract.date_start,
                }
            )
            if contract.previous_contract_id.plan_ids:
                contract.previous_contract_id.plan_ids.write({"contract_id": contract.id})
        return True

    def action_cancel(self):
        """Cancel the contracts from today (company-local): plans stop, draft invoices
        of later periods are cancelled, and the unused part of posted invoices gets a
        draft credit note, returned for review."""
        if any(contract.state == "expired" for contract in self):
            raise UserError(self.env._("An expired contract cannot be cancelled."))
        self.sudo().write({"state": "cancelled", "next_invoice_date": False})
        credit_notes = self.env["account.move"]
        for contract in self:
            today = company_today(contract.company_id)
            contract.plan_ids._stop(
                today,
                self.env._("Cancelled: contract %(name)s was cancelled.", name=contract.name),
            )
            credit_notes |= contract._settle_invoices_after(today)
        if credit_notes:
            return credit_notes._get_records_action(name=self.env._("Proposed Credit Notes"))
        return True

    def _settle_invoices_after(self, today):
        """Undo the billing of the days after ``today``: cancel the draft invoices of
        later periods, propose credit notes for posted invoices; a draft invoice of
        the current period is left to the user (with a message). Returns the credit notes."""
        self.ensure_one()
        invoices = self.invoice_ids.filtered(
            lambda m: (
                m.move_type == "out_invoice"
                and m.state != "cancel"
                and m.after_sales_period_end > today
            )
        )
        later_drafts = invoices.filtered(
            lambda m: m.state == "draft" and m.after_sales_period_start > today
        )
        later_drafts.button_cancel()
        current_drafts = invoices.filtered(lambda m: m.state == "draft") - later_drafts
        for draft in current_drafts:
            self.message_post(
                body=self.env._(
                    "Invoice %(invoice)s of the current period is still draft: "
                    "adjust or cancel it by hand.",
                    invoice=draft._get_html_link(),
                )
            )
        posted = invoices.filtered(lambda m: m.state == "posted")
        if not posted:
            return self.env["account.move"]
        return self.env["account.move"].create(
            [invoice._prepare_after_sales_credit_note_vals(today) for invoice in posted]
        )

    def action_draft(self):
        if any(contract.state != "cancelled" for contract in self):
            raise UserError(self.env._("Only a cancelled contract can be set back to draft."))
        self.sudo().write({"state": "draft"})
        return True

    def action_stop_renewal(self):
        """Stop automatic renewal; allowed until the notice period starts."""
        self.write({"is_auto_renew": False})
        return True

    def _check_renewal_can_stop(self):
        """Once the notice period started, a running contract renews: refuse to stop it."""
        for contract in self.filtered(lambda c: c.state == "running" and c.is_auto_renew):
            deadline = contract.date_end - timedelta(days=contract.notice_days)
            if company_today(contract.company_id) > deadline:
                raise UserError(
                    self.env._(
                        "The notice period of %(name)s ended on %(deadline)s: "
                        "the contract renews automatically.",
                        name=contract.name,
                        deadline=format_date(self.env, deadline),
                    )
                )

    def action_renew(self):
        """Create the next term (in draft) and open it."""
        self.ensure_one()
        next_term = self._create_next_terms(state="draft")
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": next_term.id,
            "view_mode": "form",
        }

    def _get_next_term_dates(self):
        """(start, end) of the term that follows this one, of the same length."""
        self.ensure_one()
        length = relativedelta(self.date_end + timedelta(days=1), self.date_start)
        start = self.date_end + timedelta(days=1)
        return start, start + length - timedelta(days=1)

    def _create_next_terms(self, state="running"):
        already = self.filtered("next_contract_id")
        if already:
            raise UserError(
                self.env._(
                    "Contract %(name)s was already renewed as %(next)s.",
                    name=already[0].name,
                    next=already[0].next_contract_id.name,
                )
            )
        next_terms = self.browse()
        for contract in self:
            start, end = contract._get_next_term_dates()
            kept = contract._get_equipment_still_owned()
            next_term = contract.copy(
                {
                    "date_start": start,
                    "date_end": end,
                    "previous_contract_id": contract.id,
                    "equipment_ids": [Command.set(kept.ids)],
                    "service_type_ids": [Command.set(contract.service_type_ids.ids)],
                }
            )
            dropped = contract.equipment_ids - kept
            if dropped:
                next_term.message_post(
                    body=self.env._(
                        "Not renewed, no longer owned by the customer: %(equipment)s",
                        equipment=", ".join(dropped.mapped("display_name")),
                    )
                )
            if state == "running":
                next_term.action_start()
            contract.message_post(
                body=self.env._("Renewed as %(next)s.", next=next_term._get_html_link())
            )
            next_terms |= next_term
        return next_terms

    def _get_equipment_still_owned(self):
        """Covered units still owned by the customer (not returned nor resold)."""
        self.ensure_one()
        customer = self.partner_id.commercial_partner_id
        return self.equipment_ids.filtered(
            lambda e: e.partner_id and e.partner_id.commercial_partner_id == customer
        )

    # ------------------------------------------------------------------
    # SLA
    # ------------------------------------------------------------------
    def _get_sla_deadlines(self, priority, start):
        """Response and resolution deadlines (naive UTC datetimes or False) for a
        request of ``priority`` received at ``start``, in working hours."""
        self.ensure_one()
        sla = self.sla_ids.filtered(lambda line: line.priority == priority)[:1]
        calendar = self.resource_calendar_id or self.company_id.resource_calendar_id
        if not sla or not calendar:
            return False, False
        utc_start = pytz.utc.localize(fields.Datetime.to_datetime(start).replace(tzinfo=None))

        def plan(hours):
            if not hours:
                return False
            deadline = calendar.plan_hours(hours, utc_start, compute_leaves=True)
            return deadline and deadline.astimezone(pytz.utc).replace(tzinfo=None)

        return plan(sla.response_hours), plan(sla.resolution_hours)

    # ------------------------------------------------------------------
    # Invoicing
    # ------------------------------------------------------------------
    def _get_periods(self):
        """Every (start, end, factor) billing period of the term."""
        self.ensure_one()
        return billing_periods(self.date_start, self.date_end, PERIOD_MONTHS[self.billing_period])

    def _get_period(self, day):
        """(start, end, factor) of the billing period holding ``day``; ``factor`` < 1
        for a last period cut short by the end date."""
        self.ensure_one()
        return billing_period(
            self.date_start, self.date_end, PERIOD_MONTHS[self.billing_period], day
        )

    def _prepare_invoice_vals(self, period_start):
        self.ensure_one()
        start, end, factor = self._get_period(period_start)
        # a document for the customer: in the customer's language
        env = self.with_context(lang=self.partner_id.lang or self.env.lang).env
        label = env._(
            "%(contract)s: service from %(start)s to %(end)s",
            contract=self.name,
            start=format_date(env, start),
            end=format_date(env, end),
        )
        line_vals = {
            "name": label,
            "quantity": 1.0,
            "price_unit": self.currency_id.round(self.price * factor),
            "after_sales_period_start": start,
            "after_sales_period_end": end,
        }
        if self.product_id:
            line_vals["product_id"] = self.product_id.id
        return {
            "move_type": "out_invoice",
            "partner_id": self.partner_id.id,
            "company_id": self.company_id.id,
            "currency_id": self.currency_id.id,
            "invoice_date": start,
            "invoice_origin": self.name,
            "invoice_user_id": self.user_id.id,
            "after_sales_contract_id": self.id,
            "after_sales_period_start": start,
            "after_sales_period_end": end,
            "invoice_line_ids": [Command.create(line_vals)],
        }

    def _get_default_journals(self):
        """{(company, currency): the journal account.move picks by default for a
        customer invoice}, asked once per pair of the batch."""
        Move = self.env["account.move"]
        return {
            (company, currency): Move.new(
                {"move_type": "out_invoice", "company_id": company.id, "currency_id": currency.id}
            )._search_default_journal()
            for company, currency in {(c.company_id, c.currency_id) for c in self}
        }

    def _live_invoices_domain(self):
        """Customer invoices of these contracts that bill their period (not cancelled)."""
        return (
            Domain("after_sales_contract_id", "in", self.ids)
            & Domain("move_type", "=", "out_invoice")
            & Domain("state", "!=", "cancel")
        )

    def _get_invoiced_periods(self):
        """{(contract id, period start)} of the live invoices of ``self``, one query."""
        moves = self.env["account.move"].search_fetch(
            self._live_invoices_domain(), ["after_sales_contract_id", "after_sales_period_start"]
        )
        return {(m.after_sales_contract_id.id, m.after_sales_period_start) for m in moves}

    def _set_next_invoice_date(self, since=None, invoiced=None):
        """Move the next invoice date of the running contracts to the first period
        start, from ``since`` (a {contract: date}; default the term's start) up to
        the end date, that has no live invoice; empty when every period is billed.
        ``invoiced``: the {(contract id, period start)} with a live invoice, when
        the caller knows them already."""
        running = self.filtered(lambda c: c.state == "running")
        if not running:
            return
        if invoiced is None:
            invoiced = running._get_invoiced_periods()
        for contract in running:
            contract.next_invoice_date = contract._next_free_period(
                (since or {}).get(contract, contract.date_start), invoiced
            )

    def _next_free_period(self, since, invoiced):
        """The start of the first period from ``since`` without a live invoice
        (False when there is none before the end date), stepping period by period."""
        self.ensure_one()
        day = since
        while self.date_end is False or day <= self.date_end:
            start, end, _factor = self._get_period(day)
            if start >= since and (self.id, start) not in invoiced:
                return start
            day = end + timedelta(days=1)
        return False

    def _resume_invoicing(self):
        """A period was freed (invoice cancelled or deleted, term extended): bill
        again from the earliest period without a live invoice."""
        self._set_next_invoice_date()

    def _advance_next_invoice_date(self, invoiced=None):
        """After the period at the next invoice date was billed: go to the next free one."""
        self._set_next_invoice_date(
            {
                c: c._get_period(c.next_invoice_date)[1] + timedelta(days=1)
                for c in self
                if c.next_invoice_date
            },
            invoiced,
        )

    def action_create_invoice(self):
        """Invoice the next period of each contract now (button)."""
        for contract in self:
            if contract.state != "running" or not contract.next_invoice_date:
                raise UserError(
                    self.env._(
                        "Contract %(name)s has no period left to invoice.", name=contract.name
                    )
                )
            if not contract.price:
                raise UserError(
                    self.env._(
                        "Contract %(name)s has no price: there is nothing to invoice.",
                        name=contract.name,
                    )
                )
        moves = self._invoice_next_period()
        return moves._get_records_action(name=self.env._("Contract Invoices"))

    def _already_invoiced(self, invoiced=None):
        """Contracts of ``self`` whose next period already has a live invoice
        (``invoiced``: the known {(contract id, period start)}, else searched)."""
        if not self:
            return self
        if invoiced is None:
            invoiced = self._get_invoiced_periods()
        return self.filtered(lambda c: (c.id, c._get_period(c.next_invoice_date)[0]) in invoiced)

    def _invoice_next_period(self, invoiced=None):
        """Create one draft invoice per contract for its next period and move the
        next invoice date on. Refuses a period that is already invoiced."""
        if not self:
            return self.env["account.move"]
        if invoiced is None:
            invoiced = self._get_invoiced_periods()
        duplicate = self._already_invoiced(invoiced)
        if duplicate:
            raise UserError(
                self.env._(
                    "Contract %(name)s is already invoiced for the period starting %(date)s.",
                    name=duplicate[0].name,
                    date=format_date(self.env, duplicate[0].next_invoice_date),
                )
            )
        journals = self._get_default_journals()
        vals_list = []
        for contract in self:
            vals = contract._prepare_invoice_vals(contract.next_invoice_date)
            vals["journal_id"] = journals[contract.company_id, contract.currency_id].id
            vals_list.append(vals)
        moves = (
            self.env["account.move"]
            .with_context(
                default_move_type="out_invoice",
                tracking_disable=True,
                mail_create_nolog=True,
                mail_create_nosubscribe=True,
                mail_notrack=True,
            )
            .create(vals_list)
        )
        # the periods just billed are invoiced too: no need to search them again
        invoiced = invoiced | {
            (m.after_sales_contract_id.id, m.after_sales_period_start) for m in moves
        }
        self._advance_next_invoice_date(invoiced)
        return moves

    @api.model
    def _company_today_domain(self, field_name, operator):
        """``field_name`` <operator> today, where today is each company's local date."""
        return Domain.OR(
            Domain("company_id", "=", company.id)
            & Domain(field_name, operator, company_today(company))
            for company in self.env["res.company"].sudo().search([])
        )

    @api.model
    def _due_for_invoicing_domain(self):
        return (
            Domain("state", "=", "running")
            & Domain("price", ">", 0)
            & self._company_today_domain("next_invoice_date", "<=")
        )

    @api.model
    def _cron_create_invoices(self, batch_size=1000):
        """Invoice every due period of every running contract, in batches.

        Safe to run twice at once: rows are locked (skip locked) before invoicing,
        and a unique index on (contract, period) refuses a second invoice. A contract
        that fails gets an activity with the error; the others go on.
        """
        domain = self._due_for_invoicing_domain()
        skipped_ids = []
        for locked in locked_batches(self, domain, batch_size, skipped_ids):
            result = locked._invoice_batch()
            skipped_ids += result["failed"].ids
            remaining = self.search_count(domain & Domain("id", "not in", skipped_ids))
            if self.env["ir.cron"]._commit_progress(len(result["done"]), remaining=remaining) <= 0:
                break

    def _invoice_batch(self):
        """Invoice the next period of the (locked) contracts in ``self``.

        Returns {"done": contracts invoiced, "failed": contracts whose invoice
        raised an error}.
        """
        # a period invoiced by another worker (or a re-run) is skipped, not billed again
        periods = self._get_invoiced_periods()
        invoiced = self._already_invoiced(periods)
        invoiced._advance_next_invoice_date(periods)
        to_invoice = self - invoiced
        try:
            with self.env.cr.savepoint():
                to_invoice._invoice_next_period(periods)
            return {"done": self, "failed": self.browse()}
        except (psycopg2.errors.UniqueViolation, UserError, ValidationError):
            _logger.info("Batch invoicing failed, invoicing contracts one by one", exc_info=True)
        except Exception:
            _logger.exception("Batch invoicing failed, invoicing contracts one by one")
        self.env.invalidate_all()
        failed = to_invoice._run_isolated(
            "_invoice_next_period",
            self.env._("Invoicing failed"),
            self.env._("The periodic invoice could not be created: %(error)s"),
        )
        return {"done": self - failed, "failed": failed}

    def _run_isolated(self, method_name, summary, note):
        """Call ``method_name`` on each contract in its own savepoint: one that fails
        is rolled back alone and its responsible gets one to-do ``summary`` (``note``
        formatted with the error). Returns the contracts that failed."""
        failed = self.browse()
        for contract in self:
            try:
                with self.env.cr.savepoint():
                    getattr(contract, method_name)()
            except Exception as error:  # noqa: BLE001 - one bad contract must not stop the others
                self.env.invalidate_all()
                failed |= contract
                contract._notify_problem(summary, note, error)
        return failed

    def _run_batch_or_isolated(self, method_name, summary, note):
        """Call ``method_name`` on the whole batch; when that fails, contract by
        contract (see ``_run_isolated``). Returns the contracts that failed."""
        if not self:
            return self
        try:
            with self.env.cr.savepoint():
                getattr(self, method_name)()
            return self.browse()
        except Exception:  # noqa: BLE001 - retried one by one just below
            _logger.info("%s failed for the batch, retrying one by one", method_name, exc_info=True)
            self.env.invalidate_all()
        return self._run_isolated(method_name, summary, note)

    def _notify_problem(self, summary, note, error):
        """One open to-do ``summary`` for the responsible, whatever the number of runs."""
        self.ensure_one()
        message = error_message(error)
        _logger.warning("Contract %s: %s: %s", self.name, summary, message)
        notify_failure(self, summary, note % {"error": message}, self.user_id or self.env.user)

    # ------------------------------------------------------------------
    # Reminders, expiry and renewal
    # ------------------------------------------------------------------
    @api.model
    def _cron_manage_terms(self, batch_size=200):
        """Remind responsibles before expiry, then expire or renew ended contracts.
        A contract that fails is isolated (savepoint) and gets a to-do; the others go on."""
        remind_domain = (
            Domain("state", "=", "running")
            & Domain("is_reminder_done", "=", False)
            & self._company_today_domain("reminder_date", "<=")
        )
        skipped_ids = []
        for locked in locked_batches(self, remind_domain, batch_size, skipped_ids):
            failed = locked._run_batch_or_isolated(
                "_send_expiry_reminders",
                self.env._("Expiry reminder failed"),
                self.env._("The expiry reminder could not be created: %(error)s"),
            )
            skipped_ids += failed.ids
            self.env["ir.cron"]._commit_progress(len(locked - failed))
        ended_domain = Domain("state", "=", "running") & self._company_today_domain("date_end", "<")
        skipped_ids = []
        for locked in locked_batches(self, ended_domain, batch_size, skipped_ids):
            locked._expire_or_renew()
            skipped_ids += locked.filtered(lambda c: c.state == "running").ids
            self.env["ir.cron"]._commit_progress(len(locked))

    def _send_expiry_reminders(self):
        todo = self.env.ref("mail.mail_activity_data_todo")
        model_id = self.env["ir.model"]._get_id(self._name)
        self.env["mail.activity"].create(
            [
                {
                    "activity_type_id": todo.id,
                    "res_model_id": model_id,
                    "res_id": contract.id,
                    "user_id": contract.user_id.id or self.env.uid,
                    "date_deadline": contract.date_end,
                    "summary": self.env._("Contract expires on %(date)s", date=contract.date_end),
                    "note": self.env._(
                        "Contract %(name)s of %(customer)s ends on %(date)s. %(renewal)s",
                        name=contract.name,
                        customer=contract.partner_id.display_name,
                        date=format_date(self.env, contract.date_end),
                        renewal=self.env._("It renews automatically.")
                        if contract.is_auto_renew
                        else self.env._("Propose a renewal to the customer."),
                    ),
                }
                for contract in self
            ]
        )
        self.write({"is_reminder_done": True})

    def _expire_or_renew(self):
        """End the terms of ``self``: renew those that renew automatically, then
        expire them all. A contract that cannot renew expires anyway, with a to-do."""
        self.filtered(lambda c: c.is_auto_renew and not c.next_contract_id)._run_batch_or_isolated(
            "_renew_automatically",
            self.env._("Automatic renewal failed"),
            self.env._("The contract expired without renewal: %(error)s"),
        )
        self._run_batch_or_isolated(
            "_expire",
            self.env._("Expiry failed"),
            self.env._("The contract could not be expired: %(error)s"),
        )

    def _renew_automatically(self):
        self._create_next_terms(state="running")

    def _expire(self):
        self.sudo().write({"state": "expired"})
        for contract in self:
            contract._hand_over_plans()

    def _hand_over_plans(self):
        """At the end of a term, its plans go on with a running next term, or stop."""
        self.ensure_one()
        if not self.plan_ids:
            return
        next_term = self.next_contract_id
        if next_term.state == "running":
            self.plan_ids.write({"contract_id": next_term.id})
        else:
            self.plan_ids._stop(
                self.date_end,
                self.env._(
                    "Cancelled: contract %(name)s ended on %(date)s.",
                    name=self.name,
                    date=format_date(self.env, self.date_end),
                ),
            )
