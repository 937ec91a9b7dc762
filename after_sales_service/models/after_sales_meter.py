from odoo import fields, models


class AfterSalesMeter(models.Model):
    """What a unit counts: operating hours, cycles, cups, kilometres..."""

    _name = "after_sales.meter"
    _description = "Meter"
    _order = "name"

    name = fields.Char(required=True, translate=True)
    unit = fields.Char(required=True, translate=True, default="h")
    active = fields.Boolean(default=True)
