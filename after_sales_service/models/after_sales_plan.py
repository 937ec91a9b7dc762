import bisect
import logging
from collections import defaultdict
from datetime import datetime, time, timedelta

import psycopg2.errors
import pytz
from dateutil import rrule

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.fields import Domain

from .after_sales_contract_sla import PRIORITIES
from .utils import (
    company_local_date,
    count_by,
    error_message,
    locked_batches,
    notify_failure,
    window_action,
)

_logger = logging.getLogger(__name__)

INTERVAL_UNITS = [
    ("day", "Days"),
    ("week", "Weeks"),
    ("month", "Months"),
    ("year", "Years"),
]
RRULE_FREQ = {
    "day": rrule.DAILY,
    "week": rrule.WEEKLY,
    "month": rrule.MONTHLY,
    "year": rrule.YEARLY,
}
WEEKDAY_FIELDS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
# Days ahead searched for a working day when a due date falls on a day off.
WORKING_DAY_LOOKAHEAD = 31
# Usage forecasts use the readings of this many days.
USAGE_WINDOW_DAYS = 365


class AfterSalesPlan(models.Model):
    """A periodic-maintenance schedule that generates service orders.

    Time-based (every N days/weeks/months/years, optionally on given weekdays),
    usage-based (every N units of a meter, due date forecast from the readings),
    or both, whichever comes first.
    """

    _name = "after_sales.plan"
    _description = "Maintenance Plan"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "next_due_date, id"
    _check_company_auto = True

    name = fields.Char(required=True)
    active = fields.Boolean(default=True, tracking=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    contract_id = fields.Many2one(
        "after_sales.contract", index="btree_not_null", check_company=True, tracking=True
    )
    equipment_id = fields.Many2one(
        "after_sales.equipment", index="btree_not_null", check_company=True, tracking=True
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        compute="_compute_partner_id",
        store=True,
        index=True,
    )
    service_type_id = fields.Many2one(
        "after_sales.service.type",
        required=True,
        default=lambda self: self.env.ref(
            "after_sales_service.service_type_preventive", raise_if_not_found=False
        ),
    )
    checklist_template_id = fields.Many2one(
        "after_sales.checklist.template", string="Checklist", check_company=True
    )
    priority = fields.Selection(PRIORITIES, default="1", required=True)
    description = fields.Html(help="Copied onto every generated order.")

    # Time-based recurrence
    interval_number = fields.Integer(string="Every", default=1)
    interval_unit = fields.Selection(INTERVAL_UNITS, default="month")
    mon = fields.Boolean()
    tue = fields.Boolean()
    wed = fields.Boolean()
    thu = fields.Boolean()
    fri = fields.Boolean()
    sat = fields.Boolean()
    sun = fields.Boolean()
    is_time_based = fields.Boolean(string="Time Based", default=True)

    # Usage-based trigger
    meter_id = fields.Many2one("after_sales.meter", string="Usage Meter")
    usage_interval = fields.Float(string="Every (units)")
    usage_baseline = fields.Float(
        string="Meter at Last Service",
        help="Meter value read at the last completed visit; the next is due at baseline + "
        "interval.",
    )
    cycle_date = fields.Date(
        string="Cycle Start",
        copy=False,
        help="The calendar recurrence counts from this date: the start date, or the last "
        "completed visit of a plan that has both a calendar and a usage trigger.",
    )
    usage_forecast_date = fields.Date(
        compute="_compute_usage_forecast_date",
        store=True,
        help="When the meter is expected to reach the next service, from the recorded readings.",
    )

    horizon_days = fields.Integer(
        string="Horizon (days)",
        default=30,
        help="Orders are created this many days before they are due.",
    )
    tolerance_days = fields.Integer(
        string="Tolerance (days)",
        default=7,
        help="An order is late this many days after its due date.",
    )
    date_start = fields.Date(
        compute="_compute_dates", store=True, readonly=False, required=True, precompute=True
    )
    date_end = fields.Date(compute="_compute_dates", store=True, readonly=False, precompute=True)

    next_time_date = fields.Date(
        string="Next Calendar Date",
        compute="_compute_next_time_date",
        store=True,
        readonly=False,
        copy=False,
        help="The next occurrence of the recurrence that has no order yet.",
    )
    next_due_date = fields.Date(compute="_compute_next_due_date", store=True, index=True)
    next_generation_date = fields.Date(
        compute="_compute_next_due_date",
        store=True,
        index=True,
        help="When the cron creates the next order (due date minus the horizon).",
    )
    order_ids = fields.One2many("after_sales.order", "plan_id", string="Orders")
    order_count = fields.Integer(compute="_compute_order_count")

    _generation_idx = models.Index("(next_generation_date, id) WHERE active IS TRUE")

    # ------------------------------------------------------------------
    # Computes and constraints
    # ------------------------------------------------------------------
    @api.depends("contract_id", "equipment_id")
    def _compute_partner_id(self):
        for plan in self:
            plan.partner_id = (
                plan.contract_id.partner_id.commercial_partner_id or plan.equipment_id.partner_id
            )

    @api.depends("contract_id", "contract_id.date_start", "contract_id.date_end")
    def _compute_dates(self):
        today = fields.Date.context_today(self)
        for plan in self:
            if plan.contract_id:
                plan.date_start = plan.contract_id.date_start
                plan.date_end = plan.contract_id.date_end
            elif not plan.date_start:
                plan.date_start = today

    @api.depends(
        "date_start",
        "interval_number",
        "interval_unit",
        "is_time_based",
        *WEEKDAY_FIELDS,
    )
    def _compute_next_time_date(self):
        for plan in self:
            if not plan.is_time_based or not plan.date_start or plan.interval_number <= 0:
                plan.next_time_date = False
                continue
            # a new or changed schedule starts from today: no orders for the past
            after = max(plan.date_start, fields.Date.context_today(plan))
            last = max(plan.order_ids.mapped("plan_date"), default=None) if plan.id else None
            if last:
                after = max(after, last + timedelta(days=1))
            plan.next_time_date = plan._next_occurrence(after)

    @api.depends(
        "meter_id",
        "usage_interval",
        "usage_baseline",
        "equipment_id.meter_reading_ids.value",
        "equipment_id.meter_reading_ids.date",
        "order_ids.state",
        "order_ids.is_usage_triggered",
    )
    def _compute_usage_forecast_date(self):
        readings_by_key = self._get_readings()
        waiting = self._plans_with_open_usage_order()
        for plan in self:
            if plan in waiting:
                # the visit the meter asked for is pending: the next cycle starts
                # when it is done
                plan.usage_forecast_date = False
                continue
            plan.usage_forecast_date = plan._forecast_usage_date(
                readings_by_key.get((plan.equipment_id.id, plan.meter_id.id), [])
            )

    @api.depends("next_time_date", "usage_forecast_date", "horizon_days", "date_end", "active")
    def _compute_next_due_date(self):
        for plan in self:
            candidates = [d for d in (plan.next_time_date, plan.usage_forecast_date) if d]
            due = min(candidates) if candidates else False
            if due and plan.date_end and due > plan.date_end:
                due = False
            plan.next_due_date = due
            plan.next_generation_date = due and due - timedelta(days=plan.horizon_days)

    def _compute_order_count(self):
        counts = count_by(self.env["after_sales.order"], "plan_id", self)
        for plan in self:
            plan.order_count = counts.get(plan, 0)

    @api.constrains(
        "interval_number",
        "horizon_days",
        "tolerance_days",
        "is_time_based",
        "meter_id",
        "usage_interval",
        "date_start",
        "date_end",
    )
    def _check_schedule(self):
        for plan in self:
            if plan.is_time_based and plan.interval_number <= 0:
                raise ValidationError(
                    self.env._("The interval of plan %(name)s must be at least 1.", name=plan.name)
                )
            if plan.horizon_days < 0 or plan.tolerance_days < 0:
                raise ValidationError(
                    self.env._(
                        "The horizon and tolerance of plan %(name)s cannot be negative.",
                        name=plan.name,
                    )
                )
            if plan.meter_id and plan.usage_interval <= 0:
                raise ValidationError(
                    self.env._(
                        "The usage interval of plan %(name)s must be positive.", name=plan.name
                    )
                )
            if plan.meter_id and not plan.equipment_id:
                raise ValidationError(
                    self.env._(
                        "A usage-based plan needs the equipment whose meter it reads (%(name)s).",
                        name=plan.name,
                    )
                )
            if not plan.is_time_based and not plan.meter_id:
                raise ValidationError(
                    self.env._(
                        "Plan %(name)s needs a recurrence, a usage meter, or both.", name=plan.name
                    )
                )
            if plan.date_end and plan.date_end < plan.date_start:
                raise ValidationError(
                    self.env._("Plan %(name)s ends before it starts.", name=plan.name)
                )

    @api.constrains("contract_id", "equipment_id")
    def _check_equipment_customer(self):
        for plan in self:
            if not plan.contract_id or not plan.equipment_id:
                continue
            customer = plan.contract_id.partner_id.commercial_partner_id
            if plan.equipment_id.partner_id.commercial_partner_id != customer:
                raise ValidationError(
                    self.env._(
                        "Plan %(name)s: %(equipment)s does not belong to %(customer)s, "
                        "the customer of contract %(contract)s.",
                        name=plan.name,
                        equipment=plan.equipment_id.display_name,
                        customer=customer.display_name,
                        contract=plan.contract_id.name,
                    )
                )

    # ------------------------------------------------------------------
    # Recurrence
    # ------------------------------------------------------------------
    def _rrule(self, dtstart):
        """The plan's recurrence as a ``dateutil.rrule``, anchored on ``date_start``.

        A monthly or yearly plan starting on the 29th-31st falls on the last day of
        shorter months (31 January, 28/29 February, 31 March...) instead of skipping
        them, and a yearly plan on 29 February falls on the 28th in common years.
        """
        start = datetime.combine(max(self.cycle_date or self.date_start, self.date_start), time())
        kwargs = {"dtstart": start, "interval": self.interval_number}
        if self.interval_unit == "week":
            weekdays = [i for i, name in enumerate(WEEKDAY_FIELDS) if self[name]]
            if weekdays:
                kwargs["byweekday"] = weekdays
        elif self.interval_unit in ("month", "year") and start.day > 28:
            kwargs["bymonthday"] = list(range(28, start.day + 1))
            kwargs["bysetpos"] = -1
            if self.interval_unit == "year":
                kwargs["bymonth"] = start.month
        return rrule.rrule(RRULE_FREQ[self.interval_unit], **kwargs)

    def _next_occurrence(self, after):
        """First occurrence on or after the date ``after`` (or False)."""
        self.ensure_one()
        if not self.is_time_based or self.interval_number <= 0:
            return False
        found = self._rrule(self.date_start).after(datetime.combine(after, time()), inc=True)
        return found.date() if found else False

    def _occurrences(self, date_from, date_to):
        """Occurrences of the recurrence between two dates, both included."""
        self.ensure_one()
        if not self.is_time_based or date_from > date_to:
            return []
        return [
            moment.date()
            for moment in self._rrule(self.date_start).between(
                datetime.combine(date_from, time()), datetime.combine(date_to, time()), inc=True
            )
        ]

    def _occurrences_until(self, date_from, date_to):
        """(occurrences from ``date_from`` to ``date_to`` included, the first one
        after ``date_to`` or False), in one pass over the recurrence."""
        self.ensure_one()
        dates = []
        for moment in self._rrule(self.date_start).xafter(
            datetime.combine(date_from, time()), inc=True
        ):
            day = moment.date()
            if day > date_to:
                return dates, day
            dates.append(day)
        return dates, False

    # ------------------------------------------------------------------
    # Usage forecast
    # ------------------------------------------------------------------
    def _get_readings(self):
        """{(equipment id, meter id): [(date, value), ...] oldest first}, one query."""
        usage_plans = self.filtered(lambda p: p.meter_id and p.equipment_id)
        if not usage_plans:
            return {}
        since = fields.Datetime.now() - timedelta(days=USAGE_WINDOW_DAYS)
        rows = self.env["after_sales.meter.reading"].search_read(
            [
                ("equipment_id", "in", usage_plans.equipment_id.ids),
                ("meter_id", "in", usage_plans.meter_id.ids),
                ("date", ">=", since),
            ],
            ["equipment_id", "meter_id", "date", "value"],
            order="date, id",
            load=None,
        )
        readings = {}
        for row in rows:
            readings.setdefault((row["equipment_id"], row["meter_id"]), []).append(
                (row["date"], row["value"])
            )
        return readings

    def _forecast_usage_date(self, readings):
        """When the meter reaches baseline + interval, by the average daily use of
        the readings (linear); today when it already has; False without two readings."""
        self.ensure_one()
        if not self.meter_id or self.usage_interval <= 0 or not readings:
            return False
        target = self.usage_baseline + self.usage_interval
        last_date, last_value = readings[-1]
        if last_value >= target:
            return last_date.date()
        first_date, first_value = readings[0]
        days = (last_date - first_date).total_seconds() / 86400
        if days <= 0 or last_value <= first_value:
            return False
        per_day = (last_value - first_value) / days
        return (last_date + timedelta(days=(target - last_value) / per_day)).date()

    # ------------------------------------------------------------------
    # Generation
    # ------------------------------------------------------------------
    def action_generate_now(self):
        """Create the orders of this plan that fall due inside its horizon."""
        orders = self._generate_orders(fields.Date.context_today(self))
        if not orders:
            raise UserError(self.env._("No order falls due within the horizon of this plan."))
        return orders._get_records_action(name=self.env._("Generated Orders"))

    @api.model
    def _cron_generate_orders(self, batch_size=1000):
        """Create the orders of every plan that falls due inside its horizon.

        Batches of ``batch_size`` plans, each committed with ``_commit_progress``.
        Safe to run twice at once: plan rows are locked (skip locked), and a
        unique index on (plan, due date) refuses a second order.
        """
        today = fields.Date.context_today(self)
        domain = Domain("active", "=", True) & Domain("next_generation_date", "<=", today)
        skipped_ids = []
        for locked in locked_batches(self, domain, batch_size, skipped_ids):
            try:
                with self.env.cr.savepoint():
                    orders = locked._generate_orders(today)
            except psycopg2.errors.UniqueViolation:
                # another worker created some of these orders: redo the batch plan by plan
                orders = locked._generate_orders_one_by_one(today)
            except Exception:  # noqa: BLE001 - one bad plan must not stop the others
                _logger.info("Batch generation failed, generating plan by plan", exc_info=True)
                self.env.invalidate_all()
                orders = locked._generate_orders_one_by_one(today)
            # plans still due (a fast-running meter, a failing plan) wait for the next run
            skipped_ids += locked.exists().filtered_domain(domain).ids
            _logger.info(
                "Maintenance plans: %s orders created for %s plans", len(orders), len(locked)
            )
            remaining = self.search_count(domain & Domain("id", "not in", skipped_ids))
            if self.env["ir.cron"]._commit_progress(len(locked), remaining=remaining) <= 0:
                break

    def _generate_orders_one_by_one(self, today):
        """Generate plan by plan: a plan another worker served is skipped, a plan
        that fails gets an activity with the error, the others go on."""
        orders = self.env["after_sales.order"]
        for plan in self:
            try:
                with self.env.cr.savepoint():
                    orders |= plan._generate_orders(today)
            except psycopg2.errors.UniqueViolation:
                self.env.invalidate_all()
            except Exception as error:  # noqa: BLE001 - one bad plan must not stop the others
                self.env.invalidate_all()
                plan._notify_generation_error(error)
        return orders

    def _notify_generation_error(self, error):
        self.ensure_one()
        message = error_message(error)
        _logger.warning("Maintenance plan %s could not generate its order: %s", self.id, message)
        notify_failure(
            self,
            self.env._("Order generation failed"),
            self.env._("The maintenance order could not be created: %(error)s", error=message),
            self.contract_id.user_id or self.env.user,
        )

    def _generate_orders(self, today):
        """Create, in one batch, the orders of ``self`` due up to today + horizon,
        and move each plan on to its next due date."""
        readings_by_key = self._get_readings()
        existing = self._existing_plan_dates()
        waiting = self._plans_with_open_usage_order()
        to_create = []  # (plan, due date, is usage-triggered)
        updates = defaultdict(self.browse)  # (field, value): plans
        for plan in self:
            if not plan._serves_unit_owner():
                continue
            until = today + timedelta(days=plan.horizon_days)
            if plan.date_end:
                until = min(until, plan.date_end)
            dates, following = [], False
            if plan.next_time_date:
                dates, following = plan._occurrences_until(
                    max(plan.next_time_date, plan.date_start), until
                )
            readings = readings_by_key.get((plan.equipment_id.id, plan.meter_id.id), [])
            # the usage cycle counts from the last completed visit: while its order
            # is open, the meter asks for nothing more
            usage_date = plan not in waiting and plan._forecast_usage_date(readings)
            if usage_date and usage_date <= until:
                usage_date = max(usage_date, today, plan.date_start)
                # whichever comes first: a calendar date within the tolerance of the
                # usage-triggered order is the same visit
                tolerance = timedelta(days=plan.tolerance_days)
                dates = [day for day in dates if abs(day - usage_date) > tolerance]
                dates.append(usage_date)
            else:
                usage_date = None
            taken = existing.get(plan.id, set())
            to_create += [
                (plan, day, day == usage_date) for day in sorted(set(dates)) if day not in taken
            ]
            if plan.next_time_date:
                updates["next_time_date", following] |= plan
        orders = self._create_plan_orders(to_create)
        # one write per distinct value, not per plan
        plans = self.with_context(tracking_disable=True)
        for (field_name, value), group in updates.items():
            plans.browse(group.ids).write({field_name: value})
        return orders

    def _plans_with_open_usage_order(self):
        """Plans of ``self`` with a usage-triggered order that is not closed yet."""
        usage_plans = self.filtered(lambda plan: plan.meter_id and plan.id)
        if not usage_plans:
            return self.browse()
        groups = (
            self.env["after_sales.order"]
            .sudo()
            ._read_group(
                [
                    ("plan_id", "in", usage_plans.ids),
                    ("is_usage_triggered", "=", True),
                    ("state", "not in", ("done", "cancelled")),
                ],
                ["plan_id"],
            )
        )
        return self.browse([plan.id for (plan,) in groups])

    def _serves_unit_owner(self):
        """A plan serves the unit's owner: once the unit was returned or resold to
        someone else, it creates no order for the former owner."""
        self.ensure_one()
        if not self.equipment_id:
            return True
        owner = self.equipment_id.partner_id.commercial_partner_id
        return bool(owner) and owner == self.partner_id.commercial_partner_id

    def _restart_after_visit(self, orders):
        """A completed visit (an order of ``orders``) restarts the plan's cycles:
        the usage cycle from the meter read at the visit; with both a calendar and
        a usage trigger, the calendar too (its next date counts from the visit,
        and open calendar orders before it are cancelled as served)."""
        for plan in self:
            visits = orders.filtered(lambda o, plan=plan: o.plan_id == plan and o.date_done)
            if not visits:
                continue
            visit = max(visits, key=lambda o: o.date_done)
            vals = {}
            if plan.meter_id and plan.equipment_id:
                value = plan._meter_at(visit)
                if value is not None:
                    vals["usage_baseline"] = value
            if plan.meter_id and plan.is_time_based:
                day = company_local_date(plan.company_id, visit.date_done)
                vals["cycle_date"] = day
            if not vals:
                continue
            plan.write(vals)
            if "cycle_date" in vals:
                next_date = plan._next_occurrence(vals["cycle_date"] + timedelta(days=1))
                plan.next_time_date = next_date
                served = plan.order_ids.filtered(
                    lambda o, next_date=next_date: (
                        o.state in ("new", "scheduled")
                        and not o.is_usage_triggered
                        and o.plan_date
                        and (not next_date or o.plan_date < next_date)
                    )
                )
                for order in served:
                    order.message_post(
                        body=self.env._(
                            "Cancelled: served by the visit of %(order)s.", order=visit.name
                        )
                    )
                served.write({"state": "cancelled"})

    def _meter_at(self, visit):
        """The plan's meter value at ``visit``: read during it, else the last
        reading before it was done (None without any)."""
        self.ensure_one()
        readings = visit.meter_reading_ids.filtered(lambda r: r.meter_id == self.meter_id)
        if readings:
            return max(readings.mapped("value"))
        last = self.env["after_sales.meter.reading"].search(
            [
                ("equipment_id", "=", self.equipment_id.id),
                ("meter_id", "=", self.meter_id.id),
                ("date", "<=", visit.date_done),
            ],
            order="date desc, id desc",
            limit=1,
        )
        return last.value if last else None

    def _existing_plan_dates(self):
        """{plan id: due dates that already have an order}, from the earliest date
        the batch can generate."""
        since = min(
            (d for d in self.mapped("next_time_date") if d), default=fields.Date.today()
        ) - timedelta(days=max(self.mapped("tolerance_days") or [0]))
        since = min(since, fields.Date.context_today(self))
        orders = (
            self.env["after_sales.order"]
            .sudo()
            .with_context(active_test=False)
            .search_fetch(
                [("plan_id", "in", self.ids), ("plan_date", ">=", since)],
                ["plan_id", "plan_date"],
            )
        )
        existing = {}
        for order in orders:
            existing.setdefault(order.plan_id.id, set()).add(order.plan_date)
        return existing

    def _create_plan_orders(self, to_create):
        if not to_create:
            return self.env["after_sales.order"]
        starts = self._working_day_starts(
            {plan.company_id: plan for plan, _due, _usage in to_create}.keys(),
            min(due for _plan, due, _usage in to_create),
            max(due for _plan, due, _usage in to_create),
        )
        vals_list = []
        for plan, due, is_usage in to_create:
            start = _first_start_on_or_after(starts.get(plan.company_id, []), due)
            vals_list.append(plan._prepare_order_vals(due, start, is_usage))
        return (
            self.env["after_sales.order"]
            .with_context(
                tracking_disable=True,
                mail_create_nolog=True,
                mail_create_nosubscribe=True,
                mail_notrack=True,
            )
            .create(vals_list)
        )

    def _prepare_order_vals(self, due, start, is_usage):
        self.ensure_one()
        vals = {
            "plan_id": self.id,
            "plan_date": due,
            "company_id": self.company_id.id,
            "service_type_id": self.service_type_id.id,
            "partner_id": (self.partner_id or self.equipment_id.partner_id).id,
            "equipment_id": self.equipment_id.id,
            "contract_id": self.contract_id.id,
            "priority": self.priority,
            "checklist_template_id": self.checklist_template_id.id,
            "is_usage_triggered": is_usage,
            "planned_date_start": start,
            "date_received": start or datetime.combine(due, time()),
        }
        if self.description:
            vals["description"] = self.description
        return vals

    @api.model
    def _working_day_starts(self, companies, date_from, date_to):
        """{company: sorted [(day, start of its first work interval in UTC)]} for the
        company calendars, from ``date_from`` to a month after ``date_to``."""
        result = {}
        for company in companies:
            calendar = company.resource_calendar_id
            if not calendar:
                result[company] = []
                continue
            tz = pytz.timezone(calendar.tz or "UTC")
            start = tz.localize(datetime.combine(date_from, time.min))
            end = tz.localize(
                datetime.combine(date_to + timedelta(days=WORKING_DAY_LOOKAHEAD), time.max)
            )
            intervals = calendar._work_intervals_batch(start, end)[False]
            firsts = {}
            for interval_start, _stop, _meta in intervals:
                local = interval_start.astimezone(tz)
                day = local.date()
                if day not in firsts or local < firsts[day]:
                    firsts[day] = local
            result[company] = sorted(
                (day, moment.astimezone(pytz.utc).replace(tzinfo=None))
                for day, moment in firsts.items()
            )
        return result

    # ------------------------------------------------------------------
    # Contract end
    # ------------------------------------------------------------------
    def _stop(self, day, reason):
        """Stop the plans on ``day``: archive them and cancel their later orders."""
        orders = self.with_context(active_test=False).order_ids._cancel_after(day, reason)
        self.write({"active": False})
        return orders

    def action_view_orders(self):
        self.ensure_one()
        return window_action(
            self.env,
            "after_sales_service.after_sales_order_action",
            [("plan_id", "=", self.id)],
            {"search_default_plan_id": self.id},
        )


def _first_start_on_or_after(starts, day):
    """The start datetime of the first working day on or after ``day`` (or None)."""
    index = bisect.bisect_left(starts, (day, datetime.min))
    return starts[index][1] if index < len(starts) else None
