from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from .utils import window_action


class ProductTemplate(models.Model):
    """End of life of a product: no longer made nor sold, a successor to offer to
    the owners of its units, and a last date for service on them."""

    _inherit = "product.template"

    after_sales_obsolete = fields.Boolean(
        string="Obsolete",
        tracking=True,
        help="No longer made nor sold: its units in the installed base are listed as "
        "obsolete units, to offer their owners the successor.",
    )
    after_sales_successor_id = fields.Many2one(
        "product.product",
        string="Successor",
        check_company=True,
        domain="[('product_tmpl_id', '!=', id), ('after_sales_obsolete', '=', False)]",
        help="The product offered to the owners of units of this product.",
    )
    after_sales_last_service_date = fields.Date(
        string="Last Service Date",
        help="Last day on which units of this product are serviced (parts, repairs).",
    )
    after_sales_obsolete_unit_count = fields.Integer(
        string="Obsolete Units",
        compute="_compute_after_sales_obsolete_unit_count",
        groups="after_sales_service.group_technician",
    )

    def _compute_after_sales_obsolete_unit_count(self):
        counts = dict(
            self.env["after_sales.obsolete.unit"]._read_group(
                [("product_tmpl_id", "in", self.ids)], ["product_tmpl_id"], ["__count"]
            )
        )
        for template in self:
            template.after_sales_obsolete_unit_count = counts.get(template, 0)

    @api.constrains("after_sales_successor_id", "company_id")
    def _check_after_sales_successor(self):
        for template in self:
            successor = template.after_sales_successor_id
            if not successor:
                continue
            if successor.product_tmpl_id == template:
                raise ValidationError(
                    self.env._(
                        "%(product)s cannot be its own successor.", product=template.display_name
                    )
                )
            if successor.after_sales_obsolete:
                raise ValidationError(
                    self.env._(
                        "The successor of %(product)s, %(successor)s, is obsolete itself: "
                        "choose a product that is still sold.",
                        product=template.display_name,
                        successor=successor.display_name,
                    )
                )
            if (
                successor.company_id
                and template.company_id
                and successor.company_id != template.company_id
            ):
                raise ValidationError(
                    self.env._(
                        "The successor of %(product)s belongs to another company (%(company)s).",
                        product=template.display_name,
                        company=successor.company_id.name,
                    )
                )

    def _after_sales_units(self):
        """The units of these products still in the installed base (owned by a customer)."""
        return self.env["after_sales.equipment"].search(
            [
                ("product_id.product_tmpl_id", "in", self.ids),
                ("partner_id", "!=", False),
                ("is_loaner", "=", False),
            ]
        )

    def action_after_sales_offer_replacement(self):
        """Offer the successor to every owner of a unit of these obsolete products."""
        # who may change the installed base, before anything is said about it
        self.env["after_sales.equipment"].check_access("write")
        not_obsolete = self.filtered(lambda t: not t.after_sales_obsolete)
        if not_obsolete:
            raise UserError(
                self.env._(
                    "%(product)s is not obsolete: mark it obsolete before offering its successor.",
                    product=not_obsolete[0].display_name,
                )
            )
        units = self._after_sales_units()
        if not units:
            raise UserError(self.env._("No unit of these products is in the installed base."))
        return units._offer_replacement()

    def action_after_sales_view_obsolete_units(self):
        self.ensure_one()
        return window_action(
            self.env,
            "after_sales_service.after_sales_obsolete_unit_action",
            [("product_tmpl_id", "=", self.id)],
            {"search_default_group_product": 1},
        )
