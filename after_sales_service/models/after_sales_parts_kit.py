from odoo import api, fields, models
from odoo.exceptions import ValidationError


class AfterSalesPartsKit(models.Model):
    """The spare parts one visit of a kind consumes: per service type, per product
    of the unit, or per checklist (any combination).

    The kit of a visit is the most specific active kit that matches it: a kit's
    checklist, unit product and service type, when set, must be the visit's; a kit
    with a checklist beats one with a unit product, which beats one with a service
    type only; then the lowest sequence. The parts demand forecast uses the kits of
    the maintenance plans' visits, and the kit of the corrective service type for
    the expected failures of the installed base.
    """

    _name = "after_sales.parts.kit"
    _description = "Parts Kit"
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company",
        index=True,
        default=lambda self: self.env.company,
        help="Leave empty to share the kit between companies.",
    )
    service_type_id = fields.Many2one("after_sales.service.type", index=True)
    product_id = fields.Many2one(
        "product.product",
        string="Unit Product",
        index="btree_not_null",
        check_company=True,
        help="The kit applies to units of this product (all units when empty).",
    )
    checklist_template_id = fields.Many2one(
        "after_sales.checklist.template",
        string="Checklist",
        index="btree_not_null",
        check_company=True,
        help="The kit applies to visits with this checklist (any checklist when empty).",
    )
    line_ids = fields.One2many("after_sales.parts.kit.line", "kit_id", string="Parts", copy=True)

    # "name" is always written: the check also runs on a kit created without any scope
    @api.constrains("name", "service_type_id", "product_id", "checklist_template_id")
    def _check_scope(self):
        for kit in self:
            if not (kit.service_type_id or kit.product_id or kit.checklist_template_id):
                raise ValidationError(
                    self.env._(
                        "Kit %(name)s needs a service type, a unit product or a checklist.",
                        name=kit.name,
                    )
                )
