from collections import defaultdict

from odoo import fields, models
from odoo.tools import format_datetime

from .utils import company_tz, count_by, window_action


class ResPartner(models.Model):
    _inherit = "res.partner"

    after_sales_equipment_ids = fields.One2many(
        "after_sales.equipment", "partner_id", string="Installed Base"
    )
    after_sales_zone_id = fields.Many2one(
        "after_sales.zone",
        string="Service Zone",
        index="btree_not_null",
        help="Where this customer is served: travel between customers of the same zone is "
        "estimated by zone when their coordinates are unknown.",
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
        equipment = count_by(self.env["after_sales.equipment"], "partner_id", partners)
        contracts = defaultdict(int)
        for contract_partner, count in self.env["after_sales.contract"]._read_group(
            [("partner_id", "child_of", partners.ids)], ["partner_id"], ["__count"]
        ):
            contracts[contract_partner.commercial_partner_id] += count
        for partner in self:
            commercial = partner.commercial_partner_id
            partner.after_sales_equipment_count = equipment.get(commercial, 0)
            partner.after_sales_contract_count = contracts[commercial]

    def _after_sales_tz(self, company):
        """The timezone this customer reads times in: their own, else their
        company's, else the one ``company`` works in (its working calendar's)."""
        return self.tz or self.commercial_partner_id.tz or company_tz(company).zone

    def _after_sales_datetime(self, moment, company):
        """The naive UTC datetime ``moment`` as this customer reads it, on the
        portal and in mails alike: in their timezone (``_after_sales_tz``), in the
        date and time format of the language being rendered, without seconds;
        an empty string when there is no ``moment``."""
        if not moment:
            return ""
        return format_datetime(
            self.env, moment, tz=self._after_sales_tz(company), dt_format="short"
        )

    def _after_sales_action(self, xmlid):
        self.ensure_one()
        commercial = self.commercial_partner_id
        return window_action(
            self.env,
            xmlid,
            [("partner_id", "child_of", commercial.id)],
            {"default_partner_id": commercial.id},
        )

    def action_view_after_sales_equipment(self):
        return self._after_sales_action("after_sales_service.after_sales_equipment_action")

    def action_view_after_sales_contracts(self):
        return self._after_sales_action("after_sales_service.after_sales_contract_action")
