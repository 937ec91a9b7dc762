from odoo import fields, models


class ProductTemplate(models.Model):
    """Spare parts: the substitutes that replace a part once it is obsolete (the
    end-of-life flag ``after_sales_obsolete``) or archived."""

    _inherit = "product.template"

    after_sales_substitute_ids = fields.One2many(
        "after_sales.part.substitute",
        "product_tmpl_id",
        string="Substitutes",
        help="Used in this order when the part is obsolete or archived (then its "
        "successor); a substitute that is itself obsolete or archived is skipped.",
    )
