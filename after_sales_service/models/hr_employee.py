from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError


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
