from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.fields import Command
from odoo.tools import format_datetime, format_duration

from . import dispatch
from .after_sales_order import STATE_TRANSITIONS
from .hr_employee import BUSY_STATES, to_utc_aware

# orders whose technicians and slot are checked when planned
PLANNABLE_STATES = ("new", "scheduled")
PLANNING_FIELDS = {
    "technician_ids",
    "planned_date_start",
    "planned_date_end",
    "planned_hours",
    "service_type_id",
    "checklist_template_id",
    "state",
    "company_id",
    "window_start",
    "window_end",
    "partner_id",
}
PLANNED_DATE_FIELDS = ("planned_date_start", "planned_date_end", "planned_hours")
# what "moving" an order changes: its slot or its technicians
MOVE_FIELDS = (*PLANNED_DATE_FIELDS, "technician_ids")
# what an order given back to the pool (reset to New) loses: it is planned afresh
POOL_VALUES = {
    "technician_ids": [Command.clear()],
    "planned_date_start": False,
    "planned_date_end": False,
}


class AfterSalesOrder(models.Model):
    """Technician planning of service orders: duration, and the checks made on the
    server whenever technicians and a slot are given to an order."""

    _inherit = "after_sales.order"

    planned_hours = fields.Float(
        string="Planned Duration",
        compute="_compute_planned_hours",
        store=True,
        readonly=False,
        help="From the standard times of the checklist, unless set by hand. Without a "
        "planned end, the order ends this long after its planned start.",
    )
    planning_warning = fields.Char(compute="_compute_planning_warning")
    planning_late_hours = fields.Float(
        string="Planned Lateness",
        compute="_compute_planning_warning",
        help="Hours by which the planned end passes the SLA resolution deadline.",
    )
    planning_locked = fields.Boolean(
        string="Locked",
        copy=False,
        tracking=True,
        help="A person fixed this order's technicians and slot: nobody moves it (not the "
        "dispatch board, not the automatic planning) until it is unlocked.",
    )
    customer_confirmed = fields.Boolean(
        string="Confirmed by Customer",
        copy=False,
        tracking=True,
        help="The customer agreed to the planned visit: it is not moved until this is cleared.",
    )
    window_start = fields.Datetime(
        string="Customer Window From",
        copy=False,
        help="Agreed with the customer: the visit does not start before this moment.",
    )
    window_end = fields.Datetime(
        string="Customer Window To",
        copy=False,
        help="Agreed with the customer: the visit is over by this moment.",
    )

    @api.constrains("window_start", "window_end")
    def _check_customer_window_order(self):
        for order in self:
            if order.window_start and order.window_end and order.window_end <= order.window_start:
                raise ValidationError(
                    self.env._(
                        "The customer's time window of %(order)s must end after it starts.",
                        order=order.name,
                    )
                )

    @api.depends("task_ids.expected_minutes")
    def _compute_planned_hours(self):
        for order in self:
            order.planned_hours = sum(order.task_ids.mapped("expected_minutes")) / 60.0

    @api.depends("planned_date_start", "planned_date_end", "planned_hours", "resolution_deadline")
    def _compute_planning_warning(self):
        for order in self:
            order.planning_warning = False
            order.planning_late_hours = 0.0
            interval = order._planning_interval()
            deadline = order.resolution_deadline
            if not interval or not deadline or interval[1] <= deadline:
                continue
            late_hours = (interval[1] - deadline).total_seconds() / 3600
            order.planning_late_hours = late_hours
            order.planning_warning = self.env._(
                "Planned to end %(late)s hours after the SLA resolution deadline (%(deadline)s).",
                late=format_duration(late_hours),
                deadline=format_datetime(self.env, deadline, dt_format="short"),
            )

    def _planning_hours(self):
        """The duration the order is planned for: its planned duration, else the
        default duration of its service type (an hour when it has none). The one rule
        of the board, the automatic planning and the planning checks."""
        self.ensure_one()
        return self.planned_hours or self.service_type_id.default_duration or 1.0

    def _planning_interval(self):
        """(start, end) naive UTC of the planned slot, or None when not planned. The
        end is the planned end, else the start plus the planning duration: an order
        is never an empty interval."""
        self.ensure_one()
        start = self.planned_date_start
        if not start:
            return None
        end = self.planned_date_end
        if not end or end <= start:
            end = start + timedelta(hours=self._planning_hours())
        return start, end

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        orders = super().create(vals_list)
        # a duration given at creation wins over the checklist loaded with the order
        by_hours = defaultdict(list)
        for order, vals in zip(orders, vals_list, strict=True):
            hours = vals.get("planned_hours")
            if hours is not None and order.planned_hours != hours:
                by_hours[hours].append(order.id)
        for hours, ids in by_hours.items():
            # the plain write of the models below: this is no move of the new order
            super(AfterSalesOrder, self.browse(ids)).write(  # pylint: disable=super-method-mismatch
                {"planned_hours": hours}
            )
        orders._check_technician_planning()
        return orders

    def write(self, vals):
        if vals.get("state") == "new":
            self._return_to_pool(vals)
        if set(MOVE_FIELDS) & set(vals):
            self._check_move_in_progress(vals)
            self._check_move_locked(vals)
        result = super().write(vals)
        if PLANNING_FIELDS & set(vals):
            self._check_technician_planning()
        return result

    # ------------------------------------------------------------------
    # Checks
    # ------------------------------------------------------------------
    def _return_to_pool(self, vals):
        """Orders reset to New go back to the pool of orders to plan: no technician,
        no slot, so that the board lists them as unassigned and the automatic planning
        takes them again. A locked or customer-confirmed order is not moved: it is
        unlocked first. Done before the state changes, once the state rules allow the
        reset."""
        back = self.filtered(lambda o: o.state != "new")
        if not back:
            return
        back._check_state(STATE_TRANSITIONS["new"], self._state_verb("new"))
        back.check_access("write")
        back._check_technician_write(vals)
        pool = {fname: value for fname, value in POOL_VALUES.items() if fname not in vals}
        # the same write may lift the lock (a person deciding to move the order)
        pool.update(
            {
                fname: vals[fname]
                for fname in ("planning_locked", "customer_confirmed")
                if fname in vals
            }
        )
        # sudo: clearing the technicians is the consequence of a reset the user may
        # make (checked above), whatever their rights on the technicians field
        back.sudo().write(pool)

    def _check_move_in_progress(self, vals):
        """An order being worked on keeps its slot and its technicians."""
        for order in self.filtered(lambda o: o.state == "in_progress"):
            if order._moved_by(vals):
                raise UserError(
                    self.env._(
                        "Service order %(name)s is in progress: it cannot be moved.",
                        name=order.name,
                    )
                )

    def _moved_by(self, vals, fnames=MOVE_FIELDS):
        """Whether ``vals`` changes this order's ``fnames`` (by default its slot or
        its technicians)."""
        self.ensure_one()
        for fname in fnames:
            if fname not in vals:
                continue
            if fname == "technician_ids":
                new_ids = self._fields[fname].convert_to_cache(vals[fname], self)
                if set(new_ids) != set(self.technician_ids.ids):
                    return True
                continue
            new = vals[fname]
            if fname != "planned_hours":
                new = fields.Datetime.to_datetime(new)
            if (new or False) != (self[fname] or False):
                return True
        return False

    def _check_move_locked(self, vals):
        """A locked or customer-confirmed order keeps its technicians and slot; the same
        write may lift the lock (a person deciding to move it)."""
        for order in self.filtered(lambda o: o.planning_locked or o.customer_confirmed):
            locked = order.planning_locked and vals.get("planning_locked", True)
            confirmed = order.customer_confirmed and vals.get("customer_confirmed", True)
            if not (locked or confirmed) or not order._moved_by(vals):
                continue
            if locked:
                raise UserError(
                    self.env._(
                        "Service order %(name)s is locked: unlock it before moving it.",
                        name=order.name,
                    )
                )
            raise UserError(
                self.env._(
                    "The customer confirmed the visit of service order %(name)s: clear "
                    "the confirmation before moving it.",
                    name=order.name,
                )
            )

    def _planning_technicians(self):
        """The employees, flagged as after-sales technicians, of this order's technician
        users in the order's company. Plain users are not checked."""
        self.ensure_one()
        return self.technician_ids.sudo().employee_ids.filtered(
            lambda e: e.is_after_sales_technician and e.company_id == self.company_id
        )

    def _check_technician_planning(self):
        """Hard rules of planning, for every caller: no double booking, inside working
        time and not on leave, the skills the service needs. No context switches
        them off."""
        for order in self.filtered(lambda o: o.state in PLANNABLE_STATES):
            interval = order._planning_interval()
            if not interval:
                continue
            employees = order._planning_technicians()
            order._check_slot_in_customer_window(*interval)
            if not employees:
                continue
            for employee in employees:
                order._check_technician_skills(employee)
                order._check_technician_working_time(employee, *interval)
            order._check_double_booking(employees, *interval)
            order._check_travel(employees, *interval)

    def _check_slot_in_customer_window(self, start, end):
        """The planned slot lies inside the time window agreed with the customer."""
        self._check_customer_window_order()
        if (self.window_start and start < self.window_start) or (
            self.window_end and end > self.window_end
        ):
            tz = self.env.user.tz or "UTC"
            raise ValidationError(
                self.env._(
                    "Service order %(order)s must take place within the customer's time window "
                    "(%(from)s to %(to)s).",
                    order=self.name,
                    **{
                        "from": format_datetime(
                            self.env, self.window_start, tz=tz, dt_format="short"
                        )
                        if self.window_start
                        else "…",
                        "to": format_datetime(self.env, self.window_end, tz=tz, dt_format="short")
                        if self.window_end
                        else "…",
                    },
                )
            )

    def _travel_place(self):
        """(coordinates, zone, site) of where the work is, for travel times: what
        :func:`dispatch.travel_minutes` measures, for the server's checks and the
        dispatcher alike."""
        partner = self.sudo().partner_id
        coordinates = None
        if partner.partner_latitude or partner.partner_longitude:
            coordinates = (partner.partner_latitude, partner.partner_longitude)
        zone = partner.after_sales_zone_id or partner.commercial_partner_id.after_sales_zone_id
        return coordinates, (str(zone.id) if zone else None), partner.id or None

    def _check_travel(self, employees, start, end):
        """Between this order and the technician's orders just before and after it on
        the same day there is time enough to travel, by the dispatcher's travel rule
        (:func:`dispatch.travel_minutes`: none at the same customer, the distance at the
        company's average speed, else by zone, else none). As for the dispatcher,
        travel to an order is working time: it lies in the technician's working time
        just before the order starts."""
        users = employees.user_id
        if not users:
            return
        speed = self.company_id.after_sales_speed_kmh or dispatch.DEFAULT_SPEED_KMH
        window = timedelta(hours=16)
        neighbours = (
            self.env["after_sales.order"]
            .sudo()
            .search(
                [
                    ("id", "!=", self.id),
                    ("technician_ids", "in", users.ids),
                    ("state", "in", BUSY_STATES),
                    ("planned_date_start", "<", end + window),
                    ("planned_date_start", ">", start - window),
                ],
                order="planned_date_start, id",
            )
        )
        if not neighbours:
            return
        tz = self.env.user.tz or "UTC"
        for employee in employees:
            tz_employee = employee.tz or tz
            day = fields.Datetime.context_timestamp(self.with_context(tz=tz_employee), start).date()
            mine = neighbours.filtered(lambda o, e=employee: e.user_id in o.technician_ids)
            same_day = mine.filtered(
                lambda o, tz_employee=tz_employee, day=day: (
                    fields.Datetime.context_timestamp(
                        self.with_context(tz=tz_employee), o.planned_date_start
                    ).date()
                    == day
                )
            )
            before = [o for o in same_day if o._planning_interval()[1] <= start]
            after = [o for o in same_day if o.planned_date_start >= end]
            pairs = []
            if before:
                pairs.append((before[-1], self, before[-1]._planning_interval()[1], start))
            if after:
                pairs.append((self, after[0], end, after[0].planned_date_start))
            for origin, target, leave, arrive in pairs:
                minutes, _fallback = dispatch.travel_minutes(
                    origin._travel_place(), target._travel_place(), speed
                )
                if not minutes:
                    continue
                gap = (arrive - leave).total_seconds() / 60
                if gap + 1e-6 < minutes:
                    raise ValidationError(
                        self.env._(
                            "%(technician)s cannot get from service order %(origin)s to "
                            "%(target)s in time: the travel takes %(minutes)s minutes and "
                            "there are %(gap)s between them.",
                            technician=employee.name,
                            origin=origin.name,
                            target=target.name,
                            minutes=minutes,
                            gap=int(gap),
                        )
                    )
                if target == self and not self._works_through(
                    employee, arrive - timedelta(minutes=minutes), arrive
                ):
                    raise ValidationError(
                        self.env._(
                            "%(technician)s cannot get from service order %(origin)s to "
                            "%(target)s in time: the travel of %(minutes)s minutes is working "
                            "time, and they do not work all of it before %(target)s starts.",
                            technician=employee.name,
                            origin=origin.name,
                            target=target.name,
                            minutes=minutes,
                        )
                    )

    @api.model
    def _works_through(self, employee, start, end):
        """Whether ``employee`` works (no break, no leave) from ``start`` to ``end``."""
        work = employee._after_sales_work_intervals(start, end)[employee.id]
        worked = sum((stop - begin).total_seconds() for begin, stop, _meta in work)
        return worked + 1 >= (end - start).total_seconds()

    def _required_skills(self):
        """{hr.skill: minimum level progress} of the service type and the checklist."""
        self.ensure_one()
        required = {}
        lines = (
            self.service_type_id.sudo().required_skill_ids
            | self.checklist_template_id.sudo().required_skill_ids
        )
        for line in lines:
            required[line.skill_id] = max(required.get(line.skill_id, 0), line.min_level_progress)
        return required

    def _check_technician_skills(self, employee):
        required = self._required_skills()
        if not required:
            return
        today = fields.Date.context_today(self)
        skills = employee.sudo().employee_skill_ids.filtered(
            lambda s: (
                (not s.valid_from or s.valid_from <= today)
                and (not s.valid_to or s.valid_to >= today)
            )
        )
        for skill, min_progress in required.items():
            levels = skills.filtered(lambda s, skill=skill: s.skill_id == skill).mapped(
                "level_progress"
            )
            if not levels or max(levels) < min_progress:
                raise ValidationError(
                    self.env._(
                        "%(technician)s cannot do service order %(order)s: it needs the skill "
                        "%(skill)s at %(level)s%% at least, and they have %(has)s.",
                        technician=employee.name,
                        order=self.name,
                        skill=skill.display_name,
                        level=min_progress,
                        has=(f"{max(levels)}%" if levels else self.env._("none")),
                    )
                )

    def _check_technician_working_time(self, employee, start, end):
        """The slot lies within one working day of the technician (breaks inside it
        allowed) and no leave of theirs touches it."""
        employee = employee.sudo()
        if not employee.resource_calendar_id:
            raise ValidationError(
                self.env._(
                    "%(technician)s has no working calendar: service order %(order)s cannot "
                    "be planned for them.",
                    technician=employee.name,
                    order=self.name,
                )
            )
        check_end = max(end, start + timedelta(minutes=1))
        tz = employee.tz or employee.resource_calendar_id.tz or "UTC"
        attendance = employee._after_sales_work_intervals(start, check_end, compute_leaves=False)[
            employee.id
        ]
        items = list(attendance)
        local_start = fields.Datetime.context_timestamp(self.with_context(tz=tz), start)
        local_end = fields.Datetime.context_timestamp(self.with_context(tz=tz), check_end)
        if (
            not items
            or items[0][0] != to_utc_aware(start)
            or items[-1][1] != to_utc_aware(check_end)
            or local_start.date() != local_end.date()
        ):
            raise ValidationError(
                self.env._(
                    "%(technician)s does not work from %(start)s to %(end)s: service order "
                    "%(order)s is outside their working time.",
                    technician=employee.name,
                    start=format_datetime(self.env, start, tz=tz, dt_format="short"),
                    end=format_datetime(self.env, end, tz=tz, dt_format="short"),
                    order=self.name,
                )
            )
        work = employee._after_sales_work_intervals(start, check_end)[employee.id]
        worked = sum((stop - begin).total_seconds() for begin, stop, _meta in work)
        attended = sum((stop - begin).total_seconds() for begin, stop, _meta in items)
        if worked < attended:
            raise ValidationError(
                self.env._(
                    "%(technician)s is on leave during service order %(order)s (%(start)s).",
                    technician=employee.name,
                    order=self.name,
                    start=format_datetime(self.env, start, tz=tz, dt_format="short"),
                )
            )

    def _other_busy_orders(self, users, domain):
        """The other orders holding the time of ``users`` that match ``domain``, by
        start. sudo: a planner checks against every technician's orders."""
        return (
            self.env["after_sales.order"]
            .sudo()
            .search(
                [
                    ("id", "!=", self.id),
                    ("technician_ids", "in", users.ids),
                    ("state", "in", BUSY_STATES),
                    *domain,
                ],
                order="planned_date_start, id",
            )
        )

    def _check_double_booking(self, employees, start, end):
        if start >= end:
            return
        users = employees.user_id
        others = self._other_busy_orders(
            users,
            [
                ("planned_date_start", "<", end),
                "|",
                "|",
                ("planned_date_end", ">", start),
                ("planned_date_end", "=", False),
                # an end not after the start: the default duration counts (below)
                ("planned_date_start", ">", start - timedelta(days=1)),
            ],
        )
        for other in others:
            other_start, other_end = other._planning_interval()
            if not (other_start < end and start < other_end):
                continue
            employee = employees.filtered(lambda e, other=other: e.user_id in other.technician_ids)[
                :1
            ]
            raise ValidationError(
                self.env._(
                    "%(technician)s is already booked on service order %(other)s at that time: "
                    "service order %(order)s cannot be planned for them too.",
                    technician=employee.name,
                    other=other.name,
                    order=self.name,
                )
            )
