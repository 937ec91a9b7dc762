"""Plan automatically: the preview wizard around the pure planner of
:mod:`..models.dispatch`. Compute turns technicians and unassigned orders into the
planner's dataclasses and shows its answer; nothing is written on orders before
Confirm."""

import logging
import math
from datetime import datetime, time, timedelta

import pytz

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.fields import Command
from odoo.tools import format_datetime, format_duration

from ..models import dispatch
from ..models.hr_employee import BUSY_STATES
from ..models.utils import (
    company_today,
    company_tz,
    error_message,
    notify_failure,
    try_lock,
    window_action,
)

_logger = logging.getLogger(__name__)

HORIZON_DAYS = 5
SOLVERS = [("optimiser", "Optimiser"), ("greedy", "Greedy")]


def _default_horizon_start(self):
    """Tomorrow 00:00 where the company works, as naive UTC."""
    company = self.env.company
    tomorrow = company_today(company) + timedelta(days=1)
    local = company_tz(company).localize(datetime.combine(tomorrow, time.min))
    return local.astimezone(pytz.utc).replace(tzinfo=None)


def _default_horizon_end(self):
    company = self.env.company
    day = company_today(company) + timedelta(days=1 + HORIZON_DAYS)
    local = company_tz(company).localize(datetime.combine(day, time.min))
    return local.astimezone(pytz.utc).replace(tzinfo=None)


class AfterSalesOrderDispatch(models.TransientModel):
    """Assign and schedule the unassigned new orders of a company over a horizon,
    with a preview. Orders that have a technician (fixed by a person), are in
    progress or done are never touched."""

    _name = "after_sales.order.dispatch"
    _description = "Plan Service Orders Automatically"
    _check_company_auto = True

    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    date_start = fields.Datetime(string="From", required=True, default=_default_horizon_start)
    date_end = fields.Datetime(string="To", required=True, default=_default_horizon_end)
    speed_kmh = fields.Float(
        string="Average Speed (km/h)",
        default=lambda self: self.env.company.after_sales_speed_kmh or dispatch.DEFAULT_SPEED_KMH,
        required=True,
        help="Travel time between two places is the straight-line distance at this speed.",
    )
    time_limit = fields.Integer(
        string="Time Limit (s)", default=10, required=True, help="For the optimiser."
    )
    solver = fields.Selection(SOLVERS, default="optimiser", required=True)
    line_ids = fields.One2many(
        "after_sales.order.dispatch.line", "dispatch_id", string="Proposal", readonly=True
    )
    planned_line_ids = fields.One2many(
        "after_sales.order.dispatch.line",
        "dispatch_id",
        domain=[("is_planned", "=", True)],
        string="Planned",
        readonly=True,
    )
    unplanned_line_ids = fields.One2many(
        "after_sales.order.dispatch.line",
        "dispatch_id",
        domain=[("is_planned", "=", False)],
        string="Not Planned",
        readonly=True,
    )
    is_computed = fields.Boolean(readonly=True)
    summary = fields.Char(readonly=True)

    @api.constrains("date_start", "date_end", "speed_kmh", "time_limit")
    def _check_parameters(self):
        for wizard in self:
            if wizard.date_end <= wizard.date_start:
                raise ValidationError(self.env._("The horizon must end after it starts."))
            if wizard.speed_kmh <= 0 or wizard.time_limit <= 0:
                raise ValidationError(self.env._("The speed and the time limit must be positive."))

    # ------------------------------------------------------------------
    # Input of the planner
    # ------------------------------------------------------------------
    def _minutes(self, moment, rounding=math.floor):
        return int(rounding((moment - self.date_start).total_seconds() / 60))

    def _moment(self, minutes):
        return self.date_start + timedelta(minutes=minutes)

    def _technician_employees(self):
        # sudo: service users plan technicians without HR rights on employees
        return (
            self.env["hr.employee"]
            .sudo()
            .search(
                [
                    ("is_after_sales_technician", "=", True),
                    ("company_id", "=", self.company_id.id),
                    ("user_id", "!=", False),
                ]
            )
        )

    def _orders_to_plan(self):
        """Unassigned new orders of the company: the ones a person has not fixed."""
        return self.env["after_sales.order"].search(
            [
                ("company_id", "=", self.company_id.id),
                ("state", "=", "new"),
                ("technician_ids", "=", False),
                ("planning_locked", "=", False),
                ("customer_confirmed", "=", False),
            ],
            order="resolution_deadline, priority desc, id",
        )

    def _employee_skills(self, employees):
        """{employee id: {skill id str: level progress}} of the skills valid today."""
        today = fields.Date.context_today(self)
        result = {employee.id: {} for employee in employees}
        for line in employees.employee_skill_ids:
            if (line.valid_from and line.valid_from > today) or (
                line.valid_to and line.valid_to < today
            ):
                continue
            skills = result[line.employee_id.id]
            key = str(line.skill_id.id)
            skills[key] = max(skills.get(key, 0), line.level_progress)
        return result

    def _make_technicians(self, employees):
        if not employees:
            return []
        free = employees._after_sales_availability(self.date_start, self.date_end)
        skills = self._employee_skills(employees)
        technicians = []
        for employee in employees:
            intervals = []
            for start, end in free.get(employee.id, ()):
                lo, hi = self._minutes(start, math.ceil), self._minutes(end)
                if hi > lo:
                    intervals.append((lo, hi))
            zone = employee.after_sales_zone_ids[:1]
            technicians.append(
                dispatch.Technician(
                    id=employee.id,
                    skills=skills[employee.id],
                    intervals=intervals,
                    home=employee._after_sales_home_coordinates(),
                    zone=str(zone.id) if zone else None,
                )
            )
        return technicians

    @staticmethod
    def _location(order):
        partner = order.sudo().partner_id
        if partner.partner_latitude or partner.partner_longitude:
            return partner.partner_latitude, partner.partner_longitude
        return None

    def _make_fixed_jobs(self, employees):
        """The orders already planned for the technicians inside the horizon, as fixed
        jobs: their time is not free anyway, but travel to and from them counts."""
        if not employees:
            return []
        orders = (
            self.env["after_sales.order"]
            .sudo()
            .search(
                [
                    ("technician_ids", "in", employees.user_id.ids),
                    ("state", "in", BUSY_STATES),
                    ("planned_date_start", ">=", self.date_start),
                    ("planned_date_start", "<", self.date_end),
                ]
            )
        )
        jobs = []
        for order in orders:
            start, end = order._planning_interval()
            _coordinates, zone, site = order._travel_place()
            for employee in employees.filtered(lambda e, o=order: e.user_id in o.technician_ids):
                jobs.append(
                    dispatch.Job(
                        id=f"fixed:{order.id}:{employee.id}",
                        duration=max(0, self._minutes(end, math.ceil) - self._minutes(start)),
                        location=self._location(order),
                        zone=zone,
                        site=site,
                        fixed=(employee.id, self._minutes(start)),
                    )
                )
        return jobs

    def _make_job(self, order, parts_expected=None):
        """The planner's job of ``order``; ``parts_expected``: the moment its missing
        parts are expected in its source location, before which it does not start."""
        deadline = order.resolution_deadline
        # the planning duration of the server's checks (a default when none is set)
        duration = round(order._planning_hours() * 60)
        window = None
        if order.window_start or order.window_end:
            # the planner bounds the start: (earliest start, latest start)
            earliest = self._minutes(order.window_start, math.ceil) if order.window_start else 0
            latest = (
                self._minutes(order.window_end) - duration
                if order.window_end
                else self._minutes(self.date_end)
            )
            window = (max(0, earliest), latest)
        if parts_expected:
            earliest = max(0, self._minutes(parts_expected, math.ceil))
            window = (
                (max(earliest, window[0]), window[1])
                if window
                else (
                    earliest,
                    self._minutes(self.date_end),
                )
            )
        _coordinates, zone, site = order._travel_place()
        return dispatch.Job(
            id=order.id,
            duration=duration,
            skills={str(skill.id): level for skill, level in order._required_skills().items()},
            window=window,
            deadline=self._minutes(deadline) if deadline else None,
            priority=int(order.priority or 0),
            location=self._location(order),
            zone=zone,
            site=site,
        )

    # ------------------------------------------------------------------
    # Texts
    # ------------------------------------------------------------------
    def _skill_names(self, skills):
        records = self.env["hr.skill"].sudo().browse(int(key) for key in skills)
        return ", ".join(
            f"{skill.display_name} ({skills[str(skill.id)]}%)" for skill in records.exists()
        )

    def _reason_text(self, key, params):
        """The translated text of a reason key of :func:`dispatch._unplanned_reason`."""
        if key == "no_technician":
            return self.env._(
                "No technician of %(company)s can be planned.", company=self.company_id.name
            )
        if key == "no_duration":
            return self.env._("The order has no planned duration.")
        if key == "no_skill":
            return self.env._(
                "No technician has the skills it needs: %(skills)s.",
                skills=self._skill_names(params.get("skills", {})),
            )
        if key == "no_availability":
            return self.env._(
                "The %(count)s qualified technicians have no free time in the horizon.",
                count=params.get("qualified", 0),
            )
        if key == "too_long":
            return self.env._(
                "It lasts %(duration)s hours, longer than any free slot of a qualified "
                "technician (%(longest)s hours at most).",
                duration=format_duration(params.get("duration", 0) / 60),
                longest=format_duration(params.get("longest", 0) / 60),
            )
        if key == "no_window_slot":
            return self.env._("No qualified technician is free within the customer's time window.")
        if key == "waiting_parts":
            if params.get("expected"):
                return self.env._(
                    "Its parts are missing in %(location)s and expected there on %(date)s, "
                    "after the horizon.",
                    location=params.get("location"),
                    date=format_datetime(
                        self.env,
                        params["expected"],
                        tz=company_tz(self.company_id).zone,
                        dt_format="short",
                    ),
                )
            return self.env._(
                "Its parts are missing in %(location)s and nothing planned brings them there.",
                location=params.get("location"),
            )
        if key == "fixed_unknown_technician":
            return self.env._("Its technician cannot be planned.")
        if key == "no_slot":
            return self.env._(
                "The %(count)s qualified technicians have no free slot left for it in the horizon.",
                count=params.get("qualified", 0),
            )
        return self.env._("Not planned (%(reason)s).", reason=key)

    def _origin_order(self, job_id):
        """The order of a job id: an order id, or "fixed:<order id>:<employee id>"."""
        if isinstance(job_id, str):
            job_id = int(job_id.split(":")[1])
        return self.env["after_sales.order"].sudo().browse(job_id)

    def _explanation_text(self, assignment, tz):
        reasons = assignment.reasons
        skills = {key: has for key, (_need, has) in reasons.get("skill_match", {}).items()}
        parts = [
            self.env._("Skills: %(skills)s.", skills=self._skill_names(skills))
            if skills
            else self.env._("No skill required."),
            self.env._(
                "Slot: %(start)s to %(end)s.",
                start=format_datetime(
                    self.env, self._moment(assignment.start), tz=tz, dt_format="short"
                ),
                end=format_datetime(
                    self.env, self._moment(assignment.end), tz=tz, dt_format="short"
                ),
            ),
        ]
        origin = reasons.get("travel_from")
        if origin == "home" or origin is None:
            parts.append(
                self.env._(
                    "Travel: %(minutes)s min from home.", minutes=reasons.get("travel_minutes", 0)
                )
            )
        else:
            parts.append(
                self.env._(
                    "Travel: %(minutes)s min from %(order)s.",
                    minutes=reasons.get("travel_minutes", 0),
                    order=self._origin_order(origin).name,
                )
            )
        if reasons.get("fallback_used"):
            parts.append(self.env._("Coordinates missing: travel estimated by zone."))
        margin = reasons.get("sla_margin")
        if margin is None:
            parts.append(self.env._("No SLA deadline."))
        elif margin >= 0:
            parts.append(
                self.env._(
                    "Ends %(hours)s hours before the SLA deadline.",
                    hours=format_duration(margin / 60),
                )
            )
        else:
            parts.append(
                self.env._(
                    "Ends %(hours)s hours after the SLA deadline.",
                    hours=format_duration(-margin / 60),
                )
            )
        return " ".join(parts)

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def _plan(self, technicians, jobs):
        if self.solver == "greedy":
            return dispatch.plan_greedy(technicians, jobs, speed_kmh=self.speed_kmh)
        return dispatch.plan_optimised(
            technicians, jobs, time_limit_s=self.time_limit, speed_kmh=self.speed_kmh
        )

    def action_compute(self):
        """Propose a plan in the preview lines. Writes nothing on orders."""
        self.ensure_one()
        employees = self._technician_employees()
        orders = self._orders_to_plan()
        technicians = self._make_technicians(employees)
        jobs, unplanned = [], {}
        shortages = orders._parts_shortage()
        for order in orders:
            shortage = shortages.get(order.id)
            if shortage and (not shortage["expected"] or shortage["expected"] >= self.date_end):
                # not before its parts are there: not in this horizon
                unplanned[order.id] = (
                    "waiting_parts",
                    {
                        "expected": shortage["expected"],
                        "location": shortage["location"].display_name,
                    },
                )
                continue
            job = self._make_job(order, shortage["expected"] if shortage else None)
            if job.duration <= 0:
                unplanned[order.id] = ("no_duration", {})
            else:
                jobs.append(job)
        plan = self._plan(technicians, jobs + self._make_fixed_jobs(employees))
        plan.assignments = [a for a in plan.assignments if not a.reasons.get("fixed")]
        unplanned.update(plan.unplanned)
        tz = company_tz(self.company_id).zone
        lines = [
            Command.create(
                {
                    "order_id": assignment.job_id,
                    "employee_id": assignment.technician_id,
                    "is_planned": True,
                    "date_start": self._moment(assignment.start),
                    "date_end": self._moment(assignment.end),
                    "travel_minutes": assignment.travel_before,
                    "sla_margin_hours": (
                        assignment.reasons["sla_margin"] / 60
                        if assignment.reasons.get("sla_margin") is not None
                        else 0.0
                    ),
                    "has_deadline": assignment.reasons.get("sla_margin") is not None,
                    "explanation": self._explanation_text(assignment, tz),
                }
            )
            for assignment in plan.assignments
        ]
        lines += [
            Command.create(
                {
                    "order_id": order.id,
                    "is_planned": False,
                    "explanation": self._reason_text(*unplanned[order.id]),
                }
            )
            for order in orders
            if order.id in unplanned
        ]
        self.write(
            {
                "line_ids": [Command.clear(), *lines],
                "is_computed": True,
                "summary": self.env._(
                    "%(planned)s of %(total)s orders planned over %(technicians)s technicians.",
                    planned=len(plan.assignments),
                    total=len(orders),
                    technicians=len(technicians),
                ),
            }
        )
        return self._reopen()

    def _reopen(self):
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
            "name": self.env._("Plan Automatically"),
        }

    def _lines_to_apply(self):
        """The proposed assignments still valid: their order is new, unassigned and
        not locked, and nobody else is writing it (row lock, skipped when taken)."""
        # sudo: a service user reads employees only through their public profile
        lines = self.planned_line_ids.filtered(lambda line: line.employee_id.sudo().user_id)
        if not lines:
            return lines
        self.env["after_sales.order"].flush_model()
        self.env.cr.execute(
            """
            SELECT o.id FROM after_sales_order o
             WHERE o.id IN %s AND o.state = 'new'
               AND NOT COALESCE(o.planning_locked, FALSE)
               AND NOT COALESCE(o.customer_confirmed, FALSE)
               AND NOT EXISTS (SELECT 1 FROM after_sales_order_technician_rel r
                                WHERE r.order_id = o.id)
               FOR UPDATE OF o SKIP LOCKED
            """,
            [tuple(lines.order_id.ids)],
        )
        free = {row[0] for row in self.env.cr.fetchall()}
        # another transaction may have assigned them before we locked
        lines.order_id.invalidate_recordset(["state", "technician_ids"])
        return lines.filtered(lambda line: line.order_id.id in free)

    def _apply_line(self, line):
        """Assign and schedule the order as a drop on the board does: its parts are
        reserved from then on."""
        line.order_id.write(
            {
                "technician_ids": [Command.set(line.employee_id.sudo().user_id.ids)],
                "planned_date_start": line.date_start,
                "planned_date_end": line.date_end,
                "state": "scheduled",
            }
        )

    def action_confirm(self):
        """Give each previewed order its technician and slot; the planning checks of
        the orders apply and any refusal undoes the whole confirmation. Orders that a
        person assigned, locked or started since Compute are left alone."""
        self.ensure_one()
        if not self.is_computed:
            raise UserError(self.env._("Compute a plan first."))
        lines = self._lines_to_apply()
        for line in lines:
            self._apply_line(line)
        return window_action(
            self.env,
            "after_sales_service.after_sales_order_action",
            [("id", "in", lines.order_id.ids)],
            {},
        )

    # ------------------------------------------------------------------
    # Nightly planning
    # ------------------------------------------------------------------
    @api.model
    def _cron_plan_orders(self):
        """Plan the unassigned new orders of the next days of every company that asks
        for it (its "automatic planning days"). Orders that have a technician, are
        locked, confirmed by the customer or in progress are never moved: only
        unassigned new orders are planned. An order the planning checks refuse gets
        an activity; the others go on. Two runs at once: the technicians of a company
        are locked for the run (the second run skips that company) and each order row
        is locked before it is written."""
        companies = self.env["res.company"].sudo().search([("after_sales_plan_days", ">", 0)])
        for index, company in enumerate(companies):
            try:
                with self.env.cr.savepoint():
                    self.with_company(company)._plan_company(company)
            except Exception as error:  # noqa: BLE001 - one company must not stop the others
                self.env.invalidate_all()
                _logger.warning(
                    "Automatic planning of %s failed: %s", company.name, error_message(error)
                )
            if self.env["ir.cron"]._commit_progress(1, remaining=len(companies) - index - 1) <= 0:
                break

    def _plan_company(self, company):
        start = _default_horizon_start(self.with_company(company))
        wizard = self.create(
            {
                "company_id": company.id,
                "date_start": start,
                "date_end": start + timedelta(days=company.after_sales_plan_days),
                "time_limit": 20,
            }
        )
        employees = wizard._technician_employees()
        if not employees or len(try_lock(employees)) < len(employees):
            _logger.info("Automatic planning of %s: skipped (no technicians or busy)", company.name)
            return
        wizard.action_compute()
        applied = 0
        for line in wizard._lines_to_apply():
            try:
                with self.env.cr.savepoint():
                    wizard._apply_line(line)
                applied += 1
            except Exception as error:  # noqa: BLE001 - one order must not stop the others
                self.env.invalidate_all()
                order = line.order_id
                notify_failure(
                    order,
                    self.env._("Automatic planning failed"),
                    self.env._(
                        "The automatic planning could not give this order to %(technician)s: "
                        "%(error)s",
                        technician=line.employee_id.name,
                        error=error_message(error),
                    ),
                    order.user_id or order.create_uid,
                )
        _logger.info("Automatic planning of %s: %s orders planned", company.name, applied)


class AfterSalesOrderDispatchLine(models.TransientModel):
    _name = "after_sales.order.dispatch.line"
    _description = "Proposed Order Assignment"
    _order = "is_planned desc, date_start, id"

    dispatch_id = fields.Many2one(
        "after_sales.order.dispatch", required=True, ondelete="cascade", index=True
    )
    order_id = fields.Many2one("after_sales.order", required=True, readonly=True)
    partner_id = fields.Many2one(related="order_id.partner_id")
    priority = fields.Selection(related="order_id.priority")
    resolution_deadline = fields.Datetime(related="order_id.resolution_deadline")
    is_planned = fields.Boolean(readonly=True)
    employee_id = fields.Many2one("hr.employee", string="Technician", readonly=True)
    date_start = fields.Datetime(string="Start", readonly=True)
    date_end = fields.Datetime(string="End", readonly=True)
    travel_minutes = fields.Integer(string="Travel (min)", readonly=True)
    has_deadline = fields.Boolean(readonly=True)
    sla_margin_hours = fields.Float(
        string="SLA Margin",
        readonly=True,
        help="Hours between the planned end and the SLA resolution deadline (negative when late).",
    )
    explanation = fields.Text(readonly=True)
    parts_expected_date = fields.Datetime(
        related="order_id.parts_expected_date",
        help="The order's parts are missing in its source location and expected then: "
        "it is not planned before.",
    )
