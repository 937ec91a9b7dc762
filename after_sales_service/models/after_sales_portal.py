"""Portal pages of the service documents: the customer's URL of each document and
the file name of the service report downloaded from the portal."""

from odoo import models


class AfterSalesEquipment(models.Model):
    _name = "after_sales.equipment"
    _inherit = ["after_sales.equipment", "portal.mixin"]

    def _compute_access_url(self):
        for equipment in self:
            equipment.access_url = f"/my/equipment/{equipment.id}"


class AfterSalesContract(models.Model):
    _name = "after_sales.contract"
    _inherit = ["after_sales.contract", "portal.mixin"]

    def _compute_access_url(self):
        for contract in self:
            contract.access_url = f"/my/contracts/{contract.id}"


class AfterSalesOrder(models.Model):
    _name = "after_sales.order"
    _inherit = ["after_sales.order", "portal.mixin"]

    def _compute_access_url(self):
        for order in self:
            order.access_url = f"/my/service-orders/{order.id}"

    def _get_report_base_filename(self):
        self.ensure_one()
        return self.env._("Service Report %(name)s", name=self.name)
