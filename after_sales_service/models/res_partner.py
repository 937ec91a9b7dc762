from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    after_sales_equipment_ids = fields.One2many(
        "after_sales.equipment", "partner_id", string="Installed Base"
    )
    after_sales_equipment_count = fields.Integer(
        string="Equipment", compute="_compute_after_sales_counts"
    )
    after_sales_contract_count = fields.Integer(
        string="Service Contracts", compute="_compute_after_sales_counts"
    )

    def _compute_after_sales_counts(self):
        # counted on the commercial entity, so a contact shows its company's base
        partners = self.commercial_partner_id
        equipment = dict(
            self.env["after_sales.equipment"]._read_group(
                [("partner_id", "in", partners.ids)], ["partner_id"], ["__count"]
            )
        )
        contracts = dict(
            self.env["after_sales.contract"]._read_group(
                [("partner_id", "child_of", partners.ids)],
                ["partner_id"],
                ["__count"],
            )
        )
        for partner in self:
            commercial = partner.commercial_partner_id
            partner.after_sales_equipment_count = equipment.get(commercial, 0)
            partner.after_sales_contract_count = sum(
                count
                for contract_partner, count in contracts.items()
                if contract_partner.commercial_partner_id == commercial
            )

    def _after_sales_action(self, xmlid):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(xmlid)
        action["domain"] = [("partner_id", "child_of", self.commercial_partner_id.id)]
        action["context"] = {"default_partner_id": self.commercial_partner_id.id}
        return action

    def action_view_after_sales_equipment(self):
        return self._after_sales_action("after_sales_service.after_sales_equipment_action")

    def action_view_after_sales_contracts(self):
        return self._after_sales_action("after_sales_service.after_sales_contract_action")
