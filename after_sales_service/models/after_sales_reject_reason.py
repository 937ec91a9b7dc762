from odoo import fields, models


class AfterSalesRejectReason(models.Model):
    """Why a request (a claim, a service order) was refused: a configurable list."""

    _name = "after_sales.reject.reason"
    _description = "Refusal Reason"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
