from odoo import api, fields, models
from odoo.exceptions import ValidationError


class AfterSalesPartSubstitute(models.Model):
    """A part that replaces another one once it is obsolete or archived.

    Rule: a part is replaced when its product is archived or obsolete (the end-of-life
    flag); it is replaced by the first of its substitutes (by sequence), then its
    successor, that is itself active and not obsolete. Substitutes are not chained (a
    substitute's own substitutes are not followed). A part without a usable substitute
    keeps its demand, so that it shows.
    """

    _name = "after_sales.part.substitute"
    _description = "Substitute Part"
    _order = "product_tmpl_id, sequence, id"
    _check_company_auto = True

    product_tmpl_id = fields.Many2one(
        "product.template", string="Part", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="product_tmpl_id.company_id", store=True, index=True)
    sequence = fields.Integer(default=10)
    substitute_id = fields.Many2one(
        "product.product",
        required=True,
        ondelete="cascade",
        check_company=True,
        domain="[('type', '=', 'consu'), ('product_tmpl_id', '!=', product_tmpl_id)]",
    )

    _substitute_unique = models.Constraint(
        "UNIQUE(product_tmpl_id, substitute_id)", "A part lists each substitute once."
    )

    @api.constrains("substitute_id", "product_tmpl_id")
    def _check_substitute(self):
        for line in self:
            substitute = line.substitute_id.with_context(active_test=False)
            if substitute.product_tmpl_id == line.product_tmpl_id:
                raise ValidationError(
                    self.env._(
                        "%(part)s cannot be its own substitute.",
                        part=line.product_tmpl_id.display_name,
                    )
                )
            if substitute._after_sales_is_unavailable_part():
                raise ValidationError(
                    self.env._(
                        "%(substitute)s is obsolete or archived: it cannot replace %(part)s.",
                        substitute=substitute.display_name,
                        part=line.product_tmpl_id.display_name,
                    )
                )
