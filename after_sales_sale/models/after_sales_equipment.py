from collections import defaultdict

from odoo import fields, models
from odoo.fields import Command, Domain


class AfterSalesEquipment(models.Model):
    """With Sales, the replacement offer for obsolete units is a quotation."""

    _inherit = "after_sales.equipment"

    replacement_order_line_ids = fields.Many2many(
        "sale.order.line",
        "after_sales_equipment_sale_order_line_rel",
        "equipment_id",
        "order_line_id",
        string="Replacement Offers",
        copy=False,
        readonly=True,
        groups="sales_team.group_sale_salesman",
    )
    replacement_order_count = fields.Integer(
        compute="_compute_replacement_order_count", groups="sales_team.group_sale_salesman"
    )

    def _compute_replacement_order_count(self):
        for unit in self:
            unit.replacement_order_count = len(unit.replacement_order_line_ids.order_id)

    def _replacement_offer_pending(self):
        """Units of a quotation that is not cancelled: the offer is open (or
        accepted) and is not made twice."""
        pending = super()._replacement_offer_pending()
        if not self:
            return pending
        lines = (
            self.env["sale.order.line"]
            .sudo()
            .search(
                Domain("after_sales_equipment_ids", "in", self.ids)
                & Domain("order_id.state", "!=", "cancel")
            )
        )
        return pending | (self & lines.after_sales_equipment_ids)

    def _create_replacement_offers(self):
        """One draft quotation per customer and company, a line per successor
        product with the number of the customer's units it replaces."""
        orders = self.env["sale.order"]
        for (customer, company), units in self._group_by_owner().items():
            by_successor = defaultdict(units.browse)
            for unit in units:
                by_successor[unit.successor_product_id] |= unit
            order = (
                self.env["sale.order"]
                .with_company(company)
                .create(
                    {
                        "partner_id": customer.id,
                        "company_id": company.id,
                        "origin": self.env._("Replacement of obsolete equipment"),
                        "order_line": [
                            Command.create(
                                {
                                    "product_id": successor.id,
                                    "product_uom_qty": len(replaced),
                                    "after_sales_equipment_ids": [Command.set(replaced.ids)],
                                }
                            )
                            for successor, replaced in by_successor.items()
                        ],
                    }
                )
            )
            body = self.env._(
                "Replacement offered in quotation %(order)s.", order=order._get_html_link()
            )
            units._message_log_batch({unit.id: body for unit in units})
            orders |= order
        action = self.env["ir.actions.act_window"]._for_xml_id("sale.action_quotations")
        if len(orders) == 1:
            action.update({"view_mode": "form", "views": [(False, "form")], "res_id": orders.id})
        else:
            action["domain"] = [("id", "in", orders.ids)]
        return action

    def action_view_replacement_orders(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("sale.action_quotations")
        action["domain"] = [("id", "in", self.replacement_order_line_ids.order_id.ids)]
        action["context"] = {"create": False}
        return action
