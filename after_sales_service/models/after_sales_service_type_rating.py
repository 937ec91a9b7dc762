from odoo import fields, models


class AfterSalesServiceType(models.Model):
    """Whether and how customers rate the orders (and claims) of a service type."""

    _inherit = "after_sales.service.type"

    rating_request = fields.Boolean(
        string="Ask for a Rating",
        default=True,
        help="When an order of this type is done (or a claim of this type is resolved), "
        "the customer is asked by mail, once, to rate it.",
    )
    rating_template_id = fields.Many2one(
        "mail.template",
        string="Rating Request Template",
        domain=[("model", "=", "after_sales.order")],
        help="The mail asking the customer to rate a done order of this type. Empty: the "
        "default template (Service Order: Rating Request).",
    )
