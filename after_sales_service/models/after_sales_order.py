from collections import defaultdict
from datetime import datetime, time, timedelta

import pytz

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Domain
from odoo.tools import format_duration

from .after_sales_contract_sla import PRIORITIES
from .coverage import SHARES, describe_coverage
from .sequence import next_sequence_names
from .utils import (
    company_local_date,
    company_tz,
    count_by,
    technician_forbidden_fields,
    window_action,
)

ORDER_STATES = [
    ("new", "New"),
    ("scheduled", "Scheduled"),
    ("in_progress", "In Progress"),
    ("done", "Done"),
    ("cancelled", "Cancelled"),
]
CLOSED_STATES = ("done", "cancelled")
COVERAGE_SOURCES = [
    ("warranty", "Warranty"),
    ("contract", "Contract"),
    ("none", "Not Covered"),
]
SLA_RESULTS = [
    ("met", "Met"),
    ("missed", "Missed"),
    ("none", "No SLA"),
]
# What may still change on a done order: its conversation.
DONE_WRITABLE_FIELDS = {
    "message_main_attachment_id",
    "activity_ids",
    "message_follower_ids",
}
# The customer's sign-off, which may follow the work (until it is confirmed).
SIGN_OFF_FIELDS = {"signed_by", "signature", "signed_on"}
# What a technician (who is not a service user) may write on their own orders;
# the state only through its transition rules, the lines through their own rules.
TECHNICIAN_WRITABLE_FIELDS = (
    {
        "findings",
        "state",
        "task_ids",
        "line_ids",
        "part_ids",
        "meter_reading_ids",
    }
    | SIGN_OFF_FIELDS
    | DONE_WRITABLE_FIELDS
)
# The states a technician (who is not a service user) may move their orders to: they
# start and finish the work; scheduling, resetting and cancelling are the planner's.
TECHNICIAN_STATES = ("in_progress", "done")
# Allowed state changes: {new state: states it may come from}.
STATE_TRANSITIONS = {
    "new": ("scheduled", "cancelled"),
    "scheduled": ("new",),
    "in_progress": ("new", "scheduled"),
    "done": ("in_progress",),
    "cancelled": ("new", "scheduled", "in_progress"),
}


class AfterSalesOrder(models.Model):
    """A service order: one visit or job for a customer's equipment."""

    _name = "after_sales.order"
    _description = "Service Order"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "priority desc, planned_date_start, id desc"
    _check_company_auto = True

    name = fields.Char(
        string="Reference", required=True, copy=False, readonly=True, default="/", index="trigram"
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    service_type_id = fields.Many2one(
        "after_sales.service.type", string="Type", required=True, index=True, tracking=True
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        tracking=True,
        check_company=True,
    )
    equipment_id = fields.Many2one(
        "after_sales.equipment",
        index="btree_not_null",
        tracking=True,
        check_company=True,
        domain="[('partner_id', 'child_of', partner_id)]",
    )
    contract_id = fields.Many2one(
        "after_sales.contract",
        compute="_compute_contract_id",
        store=True,
        readonly=False,
        index="btree_not_null",
        check_company=True,
        tracking=True,
    )
    plan_id = fields.Many2one(
        "after_sales.plan", string="Maintenance Plan", readonly=True, index="btree_not_null"
    )
    is_usage_triggered = fields.Boolean(
        string="Triggered by Usage",
        readonly=True,
        help="Generated because the meter reached the plan's usage interval.",
    )
    plan_date = fields.Date(
        string="Due Date",
        readonly=True,
        help="The date the maintenance plan asked for this order (before moving it to a working day).",
    )
    priority = fields.Selection(PRIORITIES, default="1", required=True, index=True, tracking=True)
    description = fields.Html()
    date_received = fields.Datetime(
        string="Received",
        default=fields.Datetime.now,
        required=True,
        help="When the customer's request came in: SLA times count from here.",
    )
    planned_date_start = fields.Datetime(string="Planned Start", tracking=True, index=True)
    planned_date_end = fields.Datetime(string="Planned End")
    technician_ids = fields.Many2many(
        "res.users",
        "after_sales_order_technician_rel",
        "order_id",
        "user_id",
        string="Technicians",
        domain="[('share', '=', False), ('company_ids', 'in', company_id)]",
        tracking=True,
        check_company=True,
    )
    user_id = fields.Many2one(
        "res.users",
        string="Responsible",
        default=lambda self: self.env.user,
        domain="[('share', '=', False)]",
        check_company=True,
    )
    state = fields.Selection(
        ORDER_STATES, default="new", required=True, copy=False, index=True, tracking=True
    )
    date_started = fields.Datetime(copy=False, readonly=True)
    date_done = fields.Datetime(copy=False, readonly=True)

    # SLA
    response_deadline = fields.Datetime(compute="_compute_deadlines", store=True, index=True)
    resolution_deadline = fields.Datetime(compute="_compute_deadlines", store=True, index=True)
    is_late = fields.Boolean(compute="_compute_is_late", search="_search_is_late")
    sla_response_result = fields.Selection(
        SLA_RESULTS,
        string="Response SLA",
        copy=False,
        readonly=True,
        help="Stored when the order closes: was the response in time?",
    )
    sla_resolution_result = fields.Selection(
        SLA_RESULTS,
        string="Resolution SLA",
        copy=False,
        readonly=True,
        index=True,
        help="Stored when the order closes: was the work done in time?",
    )
    sla_late_hours = fields.Float(
        string="Hours Late",
        copy=False,
        readonly=True,
        help="Stored when the order closes: how long after the resolution deadline it was done.",
    )
    sla_status = fields.Char(string="SLA", compute="_compute_is_late")

    # Coverage, from the one coverage rule on the equipment
    coverage_source = fields.Selection(
        COVERAGE_SOURCES, compute="_compute_coverage", store=True, index=True
    )
    coverage_parts_pct = fields.Float(
        string="Parts Covered %", compute="_compute_coverage", store=True
    )
    coverage_labour_pct = fields.Float(
        string="Labour Covered %", compute="_compute_coverage", store=True
    )
    coverage_travel_pct = fields.Float(
        string="Travel Covered %", compute="_compute_coverage", store=True
    )
    coverage_parts_source = fields.Selection(
        COVERAGE_SOURCES, string="Parts Paid By", compute="_compute_coverage", store=True
    )
    coverage_labour_source = fields.Selection(
        COVERAGE_SOURCES, string="Labour Paid By", compute="_compute_coverage", store=True
    )
    coverage_travel_source = fields.Selection(
        COVERAGE_SOURCES, string="Travel Paid By", compute="_compute_coverage", store=True
    )
    # worded when read, in the reader's language, from the facts stored above
    # sudo: worded from the facts above, which a portal reader may not read one by one
    coverage_reason = fields.Char(
        string="Coverage", compute="_compute_coverage_reason", compute_sudo=True
    )

    # Work
    checklist_template_id = fields.Many2one(
        "after_sales.checklist.template",
        string="Checklist",
        compute="_compute_checklist_template",
        store=True,
        readonly=False,
        check_company=True,
    )
    task_ids = fields.One2many("after_sales.order.task", "order_id", string="Tasks", copy=True)
    task_progress = fields.Float(compute="_compute_task_progress", string="Progress")
    expected_minutes = fields.Integer(compute="_compute_task_progress")
    findings = fields.Html()
    meter_reading_ids = fields.One2many(
        "after_sales.meter.reading",
        "order_id",
        string="Meter Readings",
        groups="after_sales_service.group_technician",
    )
    loan_ids = fields.One2many(
        "after_sales.loan",
        "order_id",
        string="Loaners",
        groups="after_sales_service.group_technician",
    )
    loan_count = fields.Integer(
        compute="_compute_loan_count", groups="after_sales_service.group_technician"
    )

    # Customer sign-off
    signed_by = fields.Char(copy=False)
    signature = fields.Binary(copy=False, attachment=True)
    signed_on = fields.Datetime(copy=False, readonly=True)

    _plan_date_unique = models.UniqueIndex(
        "(plan_id, plan_date) WHERE plan_id IS NOT NULL",
        "This maintenance plan already has an order for this due date.",
    )
    _late_idx = models.Index("(resolution_deadline) WHERE state NOT IN ('done', 'cancelled')")

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------
    def _coverages(self, use_warranty=True):
        """{order id: Coverage} on the day each order was received, from the one
        coverage rule of the equipment (orders without equipment are left out)."""
        by_key = {}
        for order in self.filtered("equipment_id"):
            # the day it is where the company works (00:30 in Amsterdam is not UTC's day)
            day = company_local_date(order.company_id, order.date_received or fields.Datetime.now())
            by_key.setdefault((day, order.service_type_id), []).append(order)
        result = {}
        for (day, service_type), orders in by_key.items():
            equipment = self.env["after_sales.equipment"].browse(
                {order.equipment_id.id for order in orders}
            )
            coverages = equipment._get_coverage_batch(day, service_type, use_warranty)
            for order in orders:
                result[order.id] = coverages[order.equipment_id.id]
        return result

    @api.depends("equipment_id", "service_type_id", "date_received")
    def _compute_coverage(self):
        coverages = self._coverages()
        for order in self:
            coverage = coverages.get(order.id)
            order.coverage_source = coverage.source if coverage else "none"
            order.coverage_parts_pct = coverage.parts_pct if coverage else 0.0
            order.coverage_labour_pct = coverage.labour_pct if coverage else 0.0
            order.coverage_travel_pct = coverage.travel_pct if coverage else 0.0
            for share in SHARES:
                order[f"coverage_{share}_source"] = (
                    getattr(coverage, f"{share}_source") if coverage else "none"
                )

    @api.depends(
        "equipment_id.warranty_end_date",
        "contract_id.name",
        "coverage_parts_source",
        "coverage_labour_source",
        "coverage_travel_source",
        "coverage_parts_pct",
        "coverage_labour_pct",
        "coverage_travel_pct",
    )
    @api.depends_context("lang")
    def _compute_coverage_reason(self):
        for order in self:
            if not order.equipment_id:
                order.coverage_reason = self.env._("No equipment")
                continue
            shares = {
                share: (order[f"coverage_{share}_source"], order[f"coverage_{share}_pct"])
                for share in SHARES
            }
            order.coverage_reason, _fragments = describe_coverage(
                self.env,
                shares,
                warranty_end=fields.Date.to_string(order.equipment_id.warranty_end_date),
                contract_name=order.contract_id.name if order.coverage_source != "none" else "",
            )

    @api.depends("equipment_id", "service_type_id", "date_received")
    def _compute_contract_id(self):
        """The contract whose SLA applies: the one covering the equipment for this
        type of service, even while the warranty pays."""
        coverages = self._coverages(use_warranty=False)
        for order in self:
            coverage = coverages.get(order.id)
            order.contract_id = coverage.contract_id if coverage else False

    @api.depends(
        "contract_id",
        "priority",
        "date_received",
        "plan_date",
        "plan_id.tolerance_days",
        "contract_id.sla_ids.response_hours",
        "contract_id.sla_ids.resolution_hours",
    )
    def _compute_deadlines(self):
        for order in self:
            if order.state in CLOSED_STATES and order._origin.id:
                # the promise of a closed order is history: keep its stored deadlines
                continue
            if order.plan_id and order.plan_date:
                # preventive work has a due date (and a tolerance), not an SLA
                last_day = order.plan_date + timedelta(days=order.plan_id.tolerance_days)
                order.response_deadline = False
                order.resolution_deadline = order._end_of_day_utc(last_day)
            elif order.contract_id:
                response, resolution = order.contract_id._get_sla_deadlines(
                    order.priority, order.date_received
                )
                order.response_deadline = response
                order.resolution_deadline = resolution
            else:
                order.response_deadline = order.resolution_deadline = False

    def _end_of_day_utc(self, day):
        local = company_tz(self.company_id).localize(datetime.combine(day, time(23, 59, 59)))
        return local.astimezone(pytz.utc).replace(tzinfo=None)

    @api.depends("state", "response_deadline", "resolution_deadline", "date_started")
    @api.depends_context("now")
    def _compute_is_late(self):
        now = self._now()
        for order in self:
            deadline, label = order._next_deadline()
            if not deadline:
                order.is_late = False
                order.sla_status = False
                continue
            remaining = deadline - now
            order.is_late = remaining.total_seconds() < 0
            if order.is_late:
                order.sla_status = self.env._(
                    "%(what)s late by %(time)s", what=label, time=_format_delta(-remaining)
                )
            else:
                order.sla_status = self.env._(
                    "%(what)s in %(time)s", what=label, time=_format_delta(remaining)
                )

    def _next_deadline(self):
        """(deadline, label) of the next SLA promise this order must keep."""
        if self.state in CLOSED_STATES:
            return False, ""
        if self.response_deadline and not self.date_started:
            return self.response_deadline, self.env._("Response")
        if self.resolution_deadline:
            return self.resolution_deadline, self.env._("Resolution")
        return False, ""

    def _search_is_late(self, operator, value):
        if operator not in ("in", "not in"):
            return NotImplemented
        now = self._now()
        open_orders = Domain("state", "not in", CLOSED_STATES)
        late = open_orders & (
            (Domain("response_deadline", "<", now) & Domain("date_started", "=", False))
            | Domain("resolution_deadline", "<", now)
        )
        wants_late = True in value
        if operator == "not in":
            wants_late = not wants_late
        return late if wants_late else ~late

    def _now(self):
        return fields.Datetime.to_datetime(self.env.context.get("now")) or fields.Datetime.now()

    @api.depends("service_type_id")
    def _compute_checklist_template(self):
        templates = self.env["after_sales.checklist.template"].search(
            [
                ("service_type_id", "in", self.service_type_id.ids),
                ("company_id", "in", [False, *self.company_id.ids]),
            ]
        )
        by_key = {}
        for template in templates:
            by_key.setdefault((template.service_type_id, template.company_id), template)
        for order in self:
            if order.plan_id.checklist_template_id:
                order.checklist_template_id = order.plan_id.checklist_template_id
            else:
                # the company's own checklist first, else one shared by all companies
                order.checklist_template_id = by_key.get(
                    (order.service_type_id, order.company_id)
                ) or by_key.get((order.service_type_id, order.company_id.browse()), False)

    @api.depends("task_ids.is_done", "task_ids.expected_minutes")
    def _compute_task_progress(self):
        for order in self:
            tasks = order.task_ids
            order.expected_minutes = sum(tasks.mapped("expected_minutes"))
            order.task_progress = (
                100.0 * len(tasks.filtered("is_done")) / len(tasks) if tasks else 0.0
            )

    def _compute_loan_count(self):
        counts = count_by(self.env["after_sales.loan"], "order_id", self)
        for order in self:
            order.loan_count = counts.get(order, 0)

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        unnamed = defaultdict(list)  # company id: vals without a name
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                unnamed[vals.get("company_id") or self.env.company.id].append(vals)
        for company_id, company_vals in unnamed.items():
            company = self.env["res.company"].browse(company_id)
            names = next_sequence_names(self.env, "after_sales.order", company, len(company_vals))
            for vals, name in zip(company_vals, names, strict=True):
                vals["name"] = name
        for vals in vals_list:
            if vals.get("state", "new") != "new":
                raise UserError(self.env._("A service order starts as New."))
        orders = super().create(vals_list)
        orders.filtered(lambda o: not o.task_ids)._load_checklist()
        return orders

    def write(self, vals):
        self._check_technician_write(vals)
        if SIGN_OFF_FIELDS & set(vals):
            self._check_sign_off(vals)
        self._check_done_write(vals)
        if "equipment_id" in vals:
            self._check_readings_kept(vals["equipment_id"])
        if "state" in vals:
            vals = self._prepare_state_change(vals)
        result = super().write(vals)
        if vals.get("state") == "done":
            # the SLA result is written once, when the order closes
            for order in self:
                super(AfterSalesOrder, order).write(order._sla_result_vals())
            self._record_completion()
        return result

    def _check_technician_write(self, vals):
        """A technician works on their orders (tasks, findings, readings, time,
        parts, sign-off, state by its rules) and changes nothing else of them."""
        forbidden = technician_forbidden_fields(self, vals, TECHNICIAN_WRITABLE_FIELDS)
        if forbidden:
            raise AccessError(
                self.env._(
                    "As a technician you cannot change %(fields)s of a service order.",
                    fields=forbidden,
                )
            )
        if (
            "state" in vals
            and vals["state"] not in TECHNICIAN_STATES
            and technician_forbidden_fields(self, {"state": vals["state"]}, set())
        ):
            raise AccessError(
                self.env._(
                    "As a technician you can start and finish your service orders; "
                    "scheduling, resetting and cancelling them is up to the service team."
                )
            )

    def _check_readings_kept(self, equipment_id):
        """Meter readings taken during an order are readings of its unit: an order
        with readings keeps its unit."""
        moved = self.sudo().filtered(
            lambda o: o.meter_reading_ids and o.equipment_id.id != equipment_id
        )
        if moved:
            raise UserError(
                self.env._(
                    "Service order %(name)s has meter readings of %(unit)s: "
                    "its unit cannot change.",
                    name=moved[0].name,
                    unit=moved[0].equipment_id.display_name,
                )
            )

    def _check_done_write(self, vals):
        """A done order is history; only its conversation, and a sign-off that was
        not given yet, may still be added."""
        fnames = set(vals)
        done = self.filtered(lambda o: o.state == "done")
        if not done or fnames <= DONE_WRITABLE_FIELDS:
            return
        if fnames <= DONE_WRITABLE_FIELDS | SIGN_OFF_FIELDS and not done.filtered("signed_on"):
            return
        raise UserError(
            self.env._(
                "Service order %(name)s is done and can no longer be changed.",
                name=done[0].name,
            )
        )

    def _prepare_state_change(self, vals):
        """Check the state change of ``vals`` against the rules of each state (for
        every caller: buttons, forms and RPC alike) and add its dates."""
        new_state = vals["state"]
        if new_state not in STATE_TRANSITIONS:
            raise UserError(self.env._("Unknown state %(state)s.", state=new_state))
        changing = self.filtered(lambda o: o.state != new_state)
        changing._check_state(STATE_TRANSITIONS[new_state], self._state_verb(new_state))
        if new_state == "scheduled":
            changing._check_schedulable(vals)
        elif new_state == "done":
            changing._check_mandatory_tasks()
        vals = dict(vals)
        now = fields.Datetime.now()
        if new_state == "in_progress":
            vals.setdefault("date_started", now)
        elif new_state == "done":
            vals.setdefault("date_done", now)
        elif new_state == "new":
            vals.update(date_started=False, date_done=False)
        return vals

    def _state_verb(self, state):
        return {
            "new": self.env._("reset"),
            "scheduled": self.env._("scheduled"),
            "in_progress": self.env._("started"),
            "done": self.env._("completed"),
            "cancelled": self.env._("cancelled"),
        }[state]

    def _check_schedulable(self, vals):
        missing = self.filtered(
            lambda o: (
                not (vals.get("technician_ids") or o.technician_ids)
                or not (vals.get("planned_date_start") or o.planned_date_start)
            )
        )
        if missing:
            raise UserError(
                self.env._(
                    "Assign a technician and a planned start to %(name)s before scheduling it.",
                    name=missing[0].name,
                )
            )

    def _check_mandatory_tasks(self):
        for order in self:
            open_tasks = order.task_ids.filtered(lambda t: t.is_mandatory and not t.is_done)
            if open_tasks:
                raise UserError(
                    self.env._(
                        "Service order %(name)s still has mandatory tasks to do: %(tasks)s.",
                        name=order.name,
                        tasks=", ".join(open_tasks.mapped("name")),
                    )
                )

    def _check_sign_off(self, vals):
        """The sign-off is confirmed once, with the customer's name and signature;
        a confirmed signature is never replaced."""
        if self.filtered("signed_on"):
            raise UserError(
                self.env._(
                    "The customer already signed off %(name)s: the signature cannot be replaced.",
                    name=self.filtered("signed_on")[0].name,
                )
            )
        if not vals.get("signed_on"):
            return
        for order in self:
            if not vals.get("signed_by", order.signed_by) or not vals.get(
                "signature", order.signature
            ):
                raise UserError(
                    self.env._("The customer's name and signature are both needed to sign off.")
                )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_started(self):
        started = self.filtered(lambda o: o.state in ("in_progress", "done"))
        if started:
            raise UserError(
                self.env._(
                    "Service order %(name)s was started: cancel it instead of deleting it.",
                    name=started[0].name,
                )
            )

    def _check_tasks_editable(self):
        """Tasks and parts of a done or cancelled order are history."""
        closed = self.filtered(lambda o: o.state in CLOSED_STATES)
        if closed:
            raise UserError(
                self.env._(
                    "The work of %(name)s is closed and can no longer be changed.",
                    name=closed[0].name,
                )
            )

    def _load_checklist(self):
        """Create the tasks of each order's checklist template, in one batch."""
        vals_list = [
            {
                "order_id": order.id,
                "sequence": line.sequence,
                "name": line.name,
                "expected_minutes": line.expected_minutes,
                "is_mandatory": line.is_mandatory,
            }
            for order in self
            for line in order.checklist_template_id.line_ids
        ]
        if vals_list:
            self.env["after_sales.order.task"].create(vals_list)

    @api.constrains("planned_date_start", "planned_date_end")
    def _check_planned_dates(self):
        for order in self:
            start, end = order.planned_date_start, order.planned_date_end
            if start and end and end < start:
                raise ValidationError(
                    self.env._("Service order %(name)s ends before it starts.", name=order.name)
                )

    @api.onchange("equipment_id")
    def _onchange_equipment_id(self):
        if self.equipment_id.partner_id:
            self.partner_id = self.equipment_id.partner_id

    # ------------------------------------------------------------------
    # State buttons
    # ------------------------------------------------------------------
    def _check_state(self, allowed, action):
        wrong = self.filtered(lambda o: o.state not in allowed)
        if wrong:
            raise UserError(
                self.env._(
                    "Service order %(name)s is %(state)s: it cannot be %(action)s.",
                    name=wrong[0].name,
                    state=dict(self._fields["state"]._description_selection(self.env))[
                        wrong[0].state
                    ],
                    action=action,
                )
            )

    def action_schedule(self):
        self.check_access("write")
        self.write({"state": "scheduled"})
        return True

    def action_start(self):
        self.check_access("write")
        self.write({"state": "in_progress"})
        return True

    def action_done(self):
        self.check_access("write")
        self.write({"state": "done"})
        return True

    def action_cancel(self):
        self.check_access("write")
        self.write({"state": "cancelled"})
        return True

    def action_reset(self):
        self.check_access("write")
        self.write({"state": "new"})
        return True

    def action_sign(self):
        """Confirm the customer's sign-off (name and signature come from the form),
        also after the work is done."""
        self.check_access("write")
        self.write({"signed_on": fields.Datetime.now()})
        return True

    def _record_completion(self):
        """Consequences of finished orders: the unit's installation date, the
        visit that restarts its maintenance plan."""
        # consequences for the unit and the plan, which a technician may not edit
        # by hand: they follow from the order the technician was allowed to close
        orders = self.sudo()
        installations = orders.filtered(
            lambda o: o.service_type_id.code == "installation" and o.equipment_id
        )
        for order in installations:
            order.equipment_id._set_installation_date(
                company_local_date(order.company_id, order.date_done)
            )
        orders.filtered("plan_id").plan_id._restart_after_visit(orders)

    def _sla_result_vals(self):
        """Whether the order kept its SLA promises, as values to store at closing."""
        self.ensure_one()

        def result(deadline, moment):
            if not deadline:
                return "none", 0.0
            late = (moment - deadline).total_seconds() / 3600 if moment else 0.0
            return ("missed", late) if late > 0 else ("met", 0.0)

        response, _late = result(self.response_deadline, self.date_started or self.date_done)
        resolution, late_hours = result(self.resolution_deadline, self.date_done)
        return {
            "sla_response_result": response,
            "sla_resolution_result": resolution,
            "sla_late_hours": round(late_hours, 2),
        }

    def action_view_loans(self):
        self.ensure_one()
        return window_action(
            self.env,
            "after_sales_service.after_sales_loan_action",
            [("order_id", "=", self.id)],
            {"default_order_id": self.id, "default_partner_id": self.partner_id.id},
        )

    def _cancel_after(self, day, reason):
        """Cancel the open orders of ``self`` due after ``day``, with a message."""
        to_cancel = self.filtered(
            lambda o: o.state in ("new", "scheduled") and o.plan_date and o.plan_date > day
        )
        for order in to_cancel:
            order.message_post(body=reason)
        to_cancel.write({"state": "cancelled"})
        return to_cancel


def _format_delta(delta):
    """A time span as Odoo shows durations (hours:minutes, "26:30")."""
    return format_duration(delta.total_seconds() / 3600)
