"""'New Claim' from the documents a claim is about: the customer, the unit and the
service order open a claim form filled from them, for users who may file claims."""

from odoo import models


class ResPartner(models.Model):
    _inherit = "res.partner"

    def action_new_after_sales_claim(self):
        self.ensure_one()
        self.env["after_sales.claim"].check_access("create")
        commercial = self.commercial_partner_id
        return self.env["after_sales.claim"]._new_claim_action(
            {
                "partner_id": commercial.id,
                "contact_id": self.id if self != commercial else False,
                "channel": "back_office",
            }
        )


class AfterSalesEquipment(models.Model):
    _inherit = "after_sales.equipment"

    def action_new_claim(self):
        self.ensure_one()
        self.env["after_sales.claim"].check_access("create")
        return self.env["after_sales.claim"]._new_claim_action(
            {
                "partner_id": self.partner_id.commercial_partner_id.id,
                "equipment_id": self.id,
                "lot_id": self.lot_id.id,
                "product_id": self.product_id.id,
                "company_id": self.company_id.id,
                "channel": "back_office",
            }
        )


class AfterSalesOrder(models.Model):
    _inherit = "after_sales.order"

    def action_new_claim(self):
        self.ensure_one()
        self.env["after_sales.claim"].check_access("create")
        return self.env["after_sales.claim"]._new_claim_action(
            {
                "partner_id": self.partner_id.commercial_partner_id.id,
                "contact_id": self.partner_id.id
                if self.partner_id != self.partner_id.commercial_partner_id
                else False,
                "equipment_id": self.equipment_id.id,
                "lot_id": self.equipment_id.lot_id.id,
                "product_id": self.equipment_id.product_id.id,
                "service_type_id": self.service_type_id.id,
                "company_id": self.company_id.id,
                "category": "service_quality",
                "channel": "back_office",
            }
        )
