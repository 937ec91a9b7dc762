from collections import defaultdict
from datetime import datetime, time, timedelta

import pytz

from odoo import api, fields, models
from odoo.exceptions import UserError

from .utils import check_group, company_today

WORKLOAD_PAST_DAYS = 7
WORKLOAD_FUTURE_DAYS = 28


class AfterSalesWorkload(models.Model):
    """Planned against available hours per technician and day, for the workload
    pivot and graph. Rows are rebuilt for a period when the report is opened (an
    upsert on (technician, day): two users opening it at once write the same rows)."""

    _name = "after_sales.workload"
    _description = "Technician Workload"
    _order = "date, employee_id"
    _rec_name = "employee_id"

    employee_id = fields.Many2one(
        "hr.employee", string="Technician", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one("res.company", required=True, index=True, ondelete="cascade")
    date = fields.Date(required=True, index=True)
    available_hours = fields.Float(
        aggregator="sum",
        help="Working time of the day minus leaves (time off included).",
    )
    planned_hours = fields.Float(
        aggregator="sum",
        help="Duration of the service orders planned for the technician that day.",
    )
    free_hours = fields.Float(aggregator="sum", help="Available hours minus planned hours.")

    _employee_date_unique = models.UniqueIndex("(employee_id, date)")

    @api.model
    def _refresh(self, date_from, date_to, employees=None):
        """Rebuild the rows of ``employees`` (all technicians of the allowed companies
        by default) for the local days ``date_from`` to ``date_to`` included: a fixed
        number of queries whatever the number of technicians."""
        if date_to < date_from:
            raise UserError(self.env._("The workload period must end after it starts."))
        if employees is None:
            employees = (
                self.env["hr.employee"]
                .sudo()
                .search(
                    [
                        ("is_after_sales_technician", "=", True),
                        ("company_id", "in", self.env.companies.ids),
                    ]
                )
            )
        if not employees:
            return
        # the widest UTC span that covers those local days in any time zone
        start = datetime.combine(date_from, time.min) - timedelta(days=1)
        end = datetime.combine(date_to, time.max) + timedelta(days=1)
        work = employees._after_sales_work_intervals(start, end)
        busy = employees._after_sales_busy_intervals(start, end)
        rows = {}
        for employee in employees:
            tz = pytz.timezone(employee.tz or employee.resource_calendar_id.tz or "UTC")
            hours = defaultdict(lambda: [0.0, 0.0])
            for begin, stop, _meta in work[employee.id]:
                hours[begin.astimezone(tz).date()][0] += (stop - begin).total_seconds() / 3600
            for begin, stop, _meta in busy[employee.id]:
                hours[begin.astimezone(tz).date()][1] += (stop - begin).total_seconds() / 3600
            day = date_from
            while day <= date_to:
                available, planned = hours[day]
                rows[employee.id, day] = (employee.company_id.id, available, planned)
                day += timedelta(days=1)
        self.flush_model()
        uid = self.env.uid
        values = [
            (employee_id, company_id, day, available, planned, available - planned, uid, uid)
            for (employee_id, day), (company_id, available, planned) in rows.items()
        ]
        # technicians no longer flagged leave the period
        self.env.cr.execute(
            """
            DELETE FROM after_sales_workload
             WHERE date BETWEEN %s AND %s AND company_id IN %s AND employee_id NOT IN %s
            """,
            [date_from, date_to, tuple(employees.company_id.ids), tuple(employees.ids)],
        )
        self.env.cr.execute_values(
            """
            INSERT INTO after_sales_workload
                   (employee_id, company_id, date, available_hours, planned_hours,
                    free_hours, create_uid, write_uid, create_date, write_date)
            SELECT v.employee_id, v.company_id, v.date, v.available, v.planned, v.free,
                   v.create_uid, v.write_uid, now() at time zone 'UTC',
                   now() at time zone 'UTC'
              FROM (VALUES %s) AS v(employee_id, company_id, date, available, planned, free,
                                    create_uid, write_uid)
            ON CONFLICT (employee_id, date) DO UPDATE
               SET company_id = EXCLUDED.company_id,
                   available_hours = EXCLUDED.available_hours,
                   planned_hours = EXCLUDED.planned_hours,
                   free_hours = EXCLUDED.free_hours,
                   write_uid = EXCLUDED.write_uid,
                   write_date = EXCLUDED.write_date
            """,
            values,
            page_size=1000,
        )
        self.invalidate_model()

    @api.model
    def action_open_workload(self):
        """Refresh the last week and the next four, and show them (to service
        users: the workload of every technician is the planners')."""
        check_group(
            self.env,
            "after_sales_service.group_user",
            self.env._("Only service users can see the technicians' workload."),
        )
        today = company_today(self.env.company)
        self._refresh(
            today - timedelta(days=WORKLOAD_PAST_DAYS), today + timedelta(days=WORKLOAD_FUTURE_DAYS)
        )
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "after_sales_service.after_sales_workload_action"
        )
        return action
