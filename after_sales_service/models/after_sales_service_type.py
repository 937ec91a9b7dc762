from odoo import fields, models


class AfterSalesServiceType(models.Model):
    """What kind of service is given: installation, preventive maintenance, repair...

    Warranty covers only the types flagged ``is_warranty_covered``; a contract covers
    the types it lists (all types when it lists none).
    """

    _name = "after_sales.service.type"
    _description = "Service Type"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(
        required=True,
        help="Technical key used by reports and integrations.",
    )
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    is_warranty_covered = fields.Boolean(
        string="Covered by Warranty",
        help="Warranty terms of the product apply to services of this type.",
    )
    description = fields.Text(translate=True)
    analytic_account_id = fields.Many2one(
        "account.analytic.account",
        company_dependent=True,
        help="Where the cost and revenue of orders of this type land (per company): "
        "always when the company accounts per service type, else for orders without a "
        "contract.",
    )

    default_duration = fields.Float(
        default=1.0,
        required=True,
        help="How long an order of this type is planned for when neither its checklist nor "
        "a person gives it a duration: the board, the automatic planning and the planning "
        "checks all use it.",
    )
    required_skill_ids = fields.One2many(
        "after_sales.service.type.skill",
        "service_type_id",
        string="Required Skills",
        groups="after_sales_service.group_technician",
        help="Technicians assigned to orders of this type need these skills at least at "
        "these levels.",
    )

    _default_duration_positive = models.Constraint(
        "CHECK (default_duration > 0)",
        "The default duration of a service type must be positive.",
    )
    _code_unique = models.Constraint(
        "UNIQUE (code)",
        "A service type with this code already exists.",
    )
