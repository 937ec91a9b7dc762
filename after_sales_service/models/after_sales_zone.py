from odoo import fields, models


class AfterSalesZone(models.Model):
    """A service zone: the area a technician covers (a region, a postcode range...)."""

    _name = "after_sales.zone"
    _description = "Service Zone"
    _order = "name, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    code = fields.Char()
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", default=lambda self: self.env.company, index=True)
