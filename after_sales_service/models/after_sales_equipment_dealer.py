from odoo import fields, models

from .utils import count_by, window_action


class AfterSalesEquipment(models.Model):
    """The dealer a unit belongs to: the dealer that sold (or delivered) it and
    serves it under warranty, and whose claims for it are accepted."""

    _inherit = "after_sales.equipment"

    dealer_id = fields.Many2one(
        "after_sales.provider",
        index="btree_not_null",
        check_company=True,
        tracking=True,
        domain="[('kind', '=', 'dealer')]",
        help="The dealer that sold the unit to its customer: it may claim the warranty work "
        "it does on it, and its portal users see it.",
    )
    dealer_claim_count = fields.Integer(compute="_compute_dealer_claim_count")

    def _compute_dealer_claim_count(self):
        counts = count_by(self.env["after_sales.dealer.claim"], "equipment_id", self)
        for equipment in self:
            equipment.dealer_claim_count = counts.get(equipment, 0)

    def action_view_dealer_claims(self):
        self.ensure_one()
        return window_action(
            self.env,
            "after_sales_service.after_sales_dealer_claim_action",
            [("equipment_id", "=", self.id)],
            {
                "default_equipment_id": self.id,
                "default_provider_id": self.dealer_id.id,
            },
        )
