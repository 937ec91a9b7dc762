from collections import defaultdict
from datetime import datetime, time, timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Command
from odoo.tools import format_date, format_datetime

from .hr_employee import to_utc_aware, to_utc_naive
from .utils import check_group

BOARD_MAX_DAYS = 14
BOARD_MAX_UNASSIGNED = 200
# orders shown in the grid (cancelled ones give their time back)
BOARD_STATES = ("new", "scheduled", "in_progress", "done")


class AfterSalesOrder(models.Model):
    """The dispatch board: technicians x days, fed in one call and moved order by
    order through the ordinary ``write`` (and so through every planning check)."""

    _inherit = "after_sales.order"

    # ------------------------------------------------------------------
    # Data of the board
    # ------------------------------------------------------------------
    @api.model
    def _check_dispatch_board_access(self):
        """The board is the planners' (service users'): technicians' names, users and
        free hours are no business of a technician, another employee or a customer,
        whatever record they may read."""
        check_group(
            self.env,
            "after_sales_service.group_user",
            self.env._("Only service users can use the dispatch board."),
        )

    @api.model
    def _dispatch_board_employees(self):
        """The after-sales technicians with a user of the allowed companies.

        sudo: service users plan technicians without HR rights on employees, as the
        automatic planning does; only their names come out."""
        return (
            self.env["hr.employee"]
            .sudo()
            .search(
                [
                    ("is_after_sales_technician", "=", True),
                    ("user_id", "!=", False),
                    ("company_id", "in", self.env.companies.ids),
                ],
                order="name, id",
            )
        )

    @api.model
    def _dispatch_board_local(self, moment, tz):
        """(local date, hour float) of the naive UTC ``moment`` in ``tz``."""
        local = to_utc_aware(moment).astimezone(tz)
        return local.date(), local.hour + local.minute / 60 + local.second / 3600

    @api.model
    def get_dispatch_board_data(self, date_start=None, days=5):
        """Everything the dispatch board shows from the local date ``date_start``
        ('YYYY-MM-DD', in the user's timezone; today if not given) for ``days`` days,
        in a fixed number of queries whatever the number of technicians and orders."""
        self._check_dispatch_board_access()
        days = max(1, min(int(days or 5), BOARD_MAX_DAYS))
        tz = self.env.tz
        first = fields.Date.to_date(date_start) or fields.Date.context_today(self)
        dates = [first + timedelta(days=index) for index in range(days + 1)]
        # naive UTC bounds of each local day, the last one is the end of the range
        bounds = [to_utc_naive(tz.localize(datetime.combine(day, time.min))) for day in dates]
        dates = dates[:-1]
        start, end = bounds[0], bounds[-1]
        day_keys = [fields.Date.to_string(day) for day in dates]

        priorities = dict(self._fields["priority"]._description_selection(self.env))
        employees = self._dispatch_board_employees()
        work = employees._after_sales_work_intervals(start, end)
        employee_ids_by_user = defaultdict(list)
        for employee in employees:
            employee_ids_by_user[employee.user_id.id].append(employee.id)

        available = {employee.id: dict.fromkeys(day_keys, 0.0) for employee in employees}
        for employee in employees:
            for begin, stop, _meta in work[employee.id]:
                for index, key in enumerate(day_keys):
                    day_start = to_utc_aware(bounds[index])
                    day_end = to_utc_aware(bounds[index + 1])
                    overlap = (min(stop, day_end) - max(begin, day_start)).total_seconds()
                    if overlap > 0:
                        available[employee.id][key] += overlap / 3600

        planned_orders = self.search(
            [
                ("company_id", "in", self.env.companies.ids),
                ("technician_ids", "in", employees.user_id.ids),
                ("state", "in", BOARD_STATES),
                ("planned_date_start", ">=", start),
                ("planned_date_start", "<", end),
            ],
            order="planned_date_start, id",
        )
        planned = {employee.id: dict.fromkeys(day_keys, 0.0) for employee in employees}
        orders = []
        for order in planned_orders:
            order_start, order_end = order._planning_interval()
            day, start_hour = self._dispatch_board_local(order_start, tz)
            end_day, end_hour = self._dispatch_board_local(order_end, tz)
            if end_day != day:
                end_hour = 24.0
            key = fields.Date.to_string(day)
            hours = (order_end - order_start).total_seconds() / 3600
            employee_ids = [
                employee_id
                for user in order.technician_ids
                for employee_id in employee_ids_by_user.get(user.id, ())
            ]
            for employee_id in employee_ids:
                planned[employee_id][key] += hours
            orders.append(
                {
                    **self._dispatch_board_order_values(order, tz, priorities),
                    "employee_ids": employee_ids,
                    "date": key,
                    "start": fields.Datetime.to_string(order_start),
                    "end": fields.Datetime.to_string(order_end),
                    "start_hour": start_hour,
                    "end_hour": end_hour,
                    "hours": hours,
                }
            )

        unassigned = self.search(
            [
                ("company_id", "in", self.env.companies.ids),
                ("state", "=", "new"),
                ("technician_ids", "=", False),
            ],
            order="resolution_deadline asc nulls last, priority desc, id",
            limit=BOARD_MAX_UNASSIGNED,
        )
        now = fields.Datetime.now().replace(minute=0, second=0, microsecond=0)
        return {
            "tz": tz.zone,
            "date_start": day_keys[0],
            "date_end": fields.Date.to_string(dates[-1]),
            "utc_start": fields.Datetime.to_string(start),
            "utc_end": fields.Datetime.to_string(end),
            # the horizon offered to the automatic planning: the range, not the past
            "horizon_start": fields.Datetime.to_string(max(start, now + timedelta(hours=1))),
            "horizon_end": fields.Datetime.to_string(end),
            "days": [
                {"date": key, "label": format_date(self.env, day, date_format="EEE d MMM")}
                for key, day in zip(day_keys, dates, strict=True)
            ],
            "technicians": [
                {
                    "id": employee.id,
                    "name": employee.name,
                    "user_id": employee.user_id.id,
                    "days": {
                        key: {
                            "available": round(available[employee.id][key], 2),
                            "planned": round(planned[employee.id][key], 2),
                        }
                        for key in day_keys
                    },
                }
                for employee in employees
            ],
            "orders": orders,
            "unassigned": [
                {
                    **self._dispatch_board_order_values(order, tz, priorities),
                    "hours": order._planning_hours(),
                }
                for order in unassigned
            ],
        }

    def _dispatch_board_order_values(self, order, tz, priorities):
        deadline = order.resolution_deadline
        return {
            "id": order.id,
            "name": order.name,
            "partner": order.partner_id.display_name or "",
            "state": order.state,
            "priority": order.priority,
            "priority_label": priorities.get(order.priority, ""),
            "planning_locked": order.planning_locked,
            "customer_confirmed": order.customer_confirmed,
            "planning_warning": order.planning_warning or "",
            # its parts are not (all) in the source location; when they are expected
            "missing_parts": order.has_missing_parts,
            "parts_expected_label": (
                format_datetime(self.env, order.parts_expected_date, tz=tz.zone, dt_format="short")
                if order.parts_expected_date
                else ""
            ),
            "deadline": fields.Datetime.to_string(deadline) if deadline else False,
            "deadline_label": (
                format_datetime(self.env, deadline, tz=tz.zone, dt_format="short")
                if deadline
                else ""
            ),
        }

    # ------------------------------------------------------------------
    # Moves
    # ------------------------------------------------------------------
    def _dispatch_board_employee(self, employee_id):
        """The after-sales technician ``employee_id`` who may take this order."""
        self.ensure_one()
        # sudo: as in _dispatch_board_employees, a planner needs no HR rights
        employee = self.env["hr.employee"].sudo().browse(int(employee_id)).exists()
        if (
            not employee
            or not employee.is_after_sales_technician
            or not employee.user_id
            or employee.company_id != self.company_id
            or self.company_id not in employee.user_id.company_ids
        ):
            raise UserError(
                self.env._(
                    "Service order %(order)s can only be given to an after-sales technician "
                    "with a user of %(company)s.",
                    order=self.name,
                    company=self.company_id.name,
                )
            )
        return employee

    def action_board_move(self, employee_id, start):
        """Give this order to the technician ``employee_id`` from ``start`` (naive UTC
        string) for its planning duration (``_planning_hours``), and schedule
        it. Every planning check of ``write`` applies; nothing is bypassed."""
        self._check_dispatch_board_access()
        self.ensure_one()
        employee = self._dispatch_board_employee(employee_id)
        start = fields.Datetime.to_datetime(start)
        if not start:
            raise UserError(self.env._("The board did not give a start for the order."))
        start = start.replace(second=0, microsecond=0)
        self.write(
            {
                "technician_ids": [Command.set(employee.user_id.ids)],
                "planned_date_start": start,
                "planned_date_end": start + timedelta(hours=self._planning_hours()),
            }
        )
        if self.state == "new":
            self.action_schedule()
        return True

    def action_board_unassign(self):
        """Back to the unassigned orders: no technician, no slot, New. The locks and
        the state rules of ``write`` apply."""
        self._check_dispatch_board_access()
        self.ensure_one()
        vals = {
            "technician_ids": [Command.clear()],
            "planned_date_start": False,
            "planned_date_end": False,
        }
        if self.state != "new":
            vals["state"] = "new"
        self.write(vals)
        return True
