from collections import defaultdict

import pytz

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools.intervals import Intervals

# orders that hold a technician's time
BUSY_STATES = ("new", "scheduled", "in_progress")


def to_utc_aware(value):
    """A naive UTC datetime of the ORM as an aware one, as resource computes with."""
    return pytz.utc.localize(value) if value.tzinfo is None else value.astimezone(pytz.utc)


def to_utc_naive(value):
    return value.astimezone(pytz.utc).replace(tzinfo=None)


class HrEmployee(models.Model):
    _inherit = "hr.employee"

    after_sales_van_location_id = fields.Many2one(
        "stock.location",
        string="Service Van Location",
        domain="[('usage', '=', 'internal'), ('warehouse_id', '!=', False), "
        "('company_id', 'in', (company_id, False))]",
        help="The stock this technician carries in their van: the parts of the service "
        "orders they are the first technician of are reserved from here.",
    )
    is_after_sales_technician = fields.Boolean(
        string="After-Sales Technician",
        help="Service orders assigned to this employee's user are checked against their "
        "working time, leaves, other orders and skills.",
    )
    after_sales_zone_ids = fields.Many2many(
        "after_sales.zone",
        string="Service Zones",
        check_company=True,
        help="The areas this technician covers.",
    )
    # home base: the coordinates of the work contact (base_geolocalize fills them)
    after_sales_latitude = fields.Float(
        related="work_contact_id.partner_latitude", string="Home Latitude", readonly=False
    )
    after_sales_longitude = fields.Float(
        related="work_contact_id.partner_longitude", string="Home Longitude", readonly=False
    )

    @api.constrains("after_sales_van_location_id", "company_id")
    def _check_after_sales_van_location(self):
        for employee in self.sudo():
            location = employee.after_sales_van_location_id
            if not location:
                continue
            if location.usage != "internal" or not location.warehouse_id:
                raise ValidationError(
                    self.env._(
                        "The van location of %(employee)s must be an internal location of a "
                        "warehouse, not %(location)s.",
                        employee=employee.name,
                        location=location.complete_name,
                    )
                )
            if location.company_id and location.company_id != employee.company_id:
                raise ValidationError(
                    self.env._(
                        "The van location %(location)s belongs to %(company)s, not to the "
                        "company of %(employee)s.",
                        location=location.complete_name,
                        company=location.company_id.name,
                        employee=employee.name,
                    )
                )

    def action_create_after_sales_van_location(self):
        """Create "<WH>/Stock/Van <name>" in the first warehouse of the employee's
        company and make it their van location."""
        self.ensure_one()
        self.check_access("write")
        if self.after_sales_van_location_id:
            raise UserError(
                self.env._(
                    "%(employee)s already has a van location: %(location)s.",
                    employee=self.name,
                    location=self.after_sales_van_location_id.complete_name,
                )
            )
        warehouse = (
            self.env["stock.warehouse"]
            .sudo()
            .search([("company_id", "=", self.company_id.id)], order="sequence, id", limit=1)
        )
        if not warehouse:
            raise UserError(
                self.env._(
                    "%(company)s has no warehouse to put a van location in.",
                    company=self.company_id.name,
                )
            )
        # stock locations are the stock manager's; the HR officer asks for this one
        location = (
            self.env["stock.location"]
            .sudo()
            .create(
                {
                    "name": self.env._("Van %(name)s", name=self.name),
                    "location_id": warehouse.lot_stock_id.id,
                    "usage": "internal",
                    "company_id": self.company_id.id,
                }
            )
        )
        self.after_sales_van_location_id = location
        return True

    # ------------------------------------------------------------------
    # Planning
    # ------------------------------------------------------------------
    def _after_sales_home_coordinates(self):
        """(latitude, longitude) of the technician's home base, or None when unknown."""
        self.ensure_one()
        partner = self.sudo().work_contact_id
        if not partner or not (partner.partner_latitude or partner.partner_longitude):
            return None
        return partner.partner_latitude, partner.partner_longitude

    def _after_sales_work_intervals(self, start, end, compute_leaves=True):
        """{employee id: Intervals} of working time between ``start`` and ``end`` (naive
        UTC), leaves subtracted unless ``compute_leaves`` is false.

        One ``_work_intervals_batch`` call per calendar, for all its employees at once.
        An employee without a working calendar never works: they cannot be planned.
        """
        start, end = to_utc_aware(start), to_utc_aware(end)
        by_calendar = defaultdict(self.browse)
        for employee in self:
            by_calendar[employee.resource_calendar_id] |= employee
        result = {}
        for calendar, employees in by_calendar.items():
            if not calendar:
                result.update((employee.id, Intervals()) for employee in employees)
                continue
            # sudo: a user reads only their own leaves, a planner needs everyone's
            # (only the free time comes out, not what the leaves are)
            intervals = calendar.sudo()._work_intervals_batch(
                start, end, resources=employees.resource_id.sudo(), compute_leaves=compute_leaves
            )
            for employee in employees:
                result[employee.id] = intervals.get(employee.resource_id.id, Intervals())
        return result

    def _after_sales_busy_intervals(self, start, end, exclude_orders=None):
        """{employee id: Intervals} of the service orders assigned to each employee's
        user between ``start`` and ``end`` (naive UTC), in one search."""
        result = {employee.id: Intervals() for employee in self}
        users = self.user_id
        if not users:
            return result
        domain = [
            ("technician_ids", "in", users.ids),
            ("state", "in", BUSY_STATES),
            ("planned_date_start", "<", end),
            "|",
            ("planned_date_end", ">", start),
            ("planned_date_end", "=", False),
        ]
        if exclude_orders:
            domain.append(("id", "not in", exclude_orders.ids))
        orders = self.env["after_sales.order"].sudo().search(domain)
        employees_by_user = defaultdict(list)
        for employee in self:
            if employee.user_id:
                employees_by_user[employee.user_id.id].append(employee.id)
        for order in orders:
            order_start, order_end = order._planning_interval()
            if not (order_start < end and start < order_end):
                continue
            busy = Intervals([(to_utc_aware(order_start), to_utc_aware(order_end), order)])
            for user in order.technician_ids:
                for employee_id in employees_by_user.get(user.id, ()):
                    result[employee_id] = result[employee_id] | busy
        return result

    @api.model
    def _after_sales_availability(self, start, end):
        """{employee id: [(start, end)]}: the free time of technicians between ``start``
        and ``end`` (naive UTC datetimes in and out).

        Free time is working time (calendar minus leaves, including the time off that
        hr_holidays writes as calendar leaves) minus the orders already assigned. It is
        computed set-wise: a fixed number of queries whatever the number of
        technicians (one ``_work_intervals_batch`` per calendar). Called on an empty
        recordset, it answers for all technicians of the allowed companies.
        """
        employees = self or self.search(
            [
                ("is_after_sales_technician", "=", True),
                ("company_id", "in", self.env.companies.ids),
            ]
        )
        work = employees._after_sales_work_intervals(start, end)
        busy = employees._after_sales_busy_intervals(start, end)
        return {
            employee.id: [
                (to_utc_naive(free_start), to_utc_naive(free_end))
                for free_start, free_end, _meta in work[employee.id] - busy[employee.id]
            ]
            for employee in employees
        }
