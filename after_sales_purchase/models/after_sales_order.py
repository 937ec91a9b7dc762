from collections import defaultdict

import psycopg2.errors

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Command

from odoo.addons.after_sales_service.models.utils import window_action

PURCHASE_GROUPS = "purchase.group_purchase_user"
# The kinds of order lines a provider's purchase order buys, with the service
# product that carries them on it.
PURCHASED_LINE_PRODUCTS = {
    "subcontract": "after_sales_purchase.product_provider_subcontract",
    "labour": "after_sales_purchase.product_provider_labour",
    "travel": "after_sales_purchase.product_provider_travel",
    "part": "after_sales_purchase.product_provider_parts",
}


class AfterSalesOrder(models.Model):
    """The purchase order that buys the work of an order given to a provider."""

    _inherit = "after_sales.order"

    purchase_order_ids = fields.One2many(
        "purchase.order",
        "after_sales_order_id",
        string="Purchase Orders",
        groups=PURCHASE_GROUPS,
    )
    purchase_order_id = fields.Many2one(
        "purchase.order",
        compute="_compute_purchase_order_id",
        groups=PURCHASE_GROUPS,
        help="The provider's purchase order that is not cancelled.",
    )
    purchase_order_count = fields.Integer(
        compute="_compute_purchase_order_id", groups=PURCHASE_GROUPS
    )

    @api.depends("purchase_order_ids.state")
    def _compute_purchase_order_id(self):
        for order in self:
            live = order.purchase_order_ids.filtered(lambda po: po.state != "cancel")
            order.purchase_order_id = live[:1]
            order.purchase_order_count = len(order.purchase_order_ids)

    def write(self, vals):
        cancelling = self.browse()
        if vals.get("state") == "cancelled":
            cancelling = self.filtered(lambda order: order.state != "cancelled")
        result = super().write(vals)
        cancelling._cancel_purchase_orders()
        return result

    def _cancel_purchase_orders(self):
        """A cancelled service order cancels the provider's purchase order it started
        when nothing of it was received or billed yet; otherwise the purchase order
        stays (goods or a bill exist) and its purchaser gets an activity on it to
        settle it with the provider.

        sudo: the service user cancelling the order needs no purchase rights for the
        consequence; only the purchase orders of these orders are touched."""
        purchases = (
            self.env["purchase.order"]
            .sudo()
            .search([("after_sales_order_id", "in", self.ids), ("state", "!=", "cancel")])
        )
        for purchase in purchases:
            order = purchase.after_sales_order_id
            started = (
                purchase.locked
                or any(line.qty_received or line.qty_invoiced for line in purchase.order_line)
                or purchase.invoice_ids.filtered(lambda move: move.state != "cancel")
            )
            if not started:
                purchase.button_cancel()
                purchase.message_post(
                    body=self.env._(
                        "Cancelled with service order %(order)s.", order=order.display_name
                    )
                )
                order.message_post(
                    body=self.env._(
                        "Purchase order %(purchase)s cancelled with this order.",
                        purchase=purchase.name,
                    )
                )
                continue
            purchase.activity_schedule(
                "mail.mail_activity_data_todo",
                summary=self.env._("Service order cancelled"),
                note=self.env._(
                    "Service order %(order)s was cancelled, but this purchase order was "
                    "received or billed already: settle it with the provider.",
                    order=order.display_name,
                ),
                user_id=(purchase.user_id or purchase.create_uid).id,
            )
            order.message_post(
                body=self.env._(
                    "Purchase order %(purchase)s was received or billed already: it stays, "
                    "and its purchaser has an activity to settle it.",
                    purchase=purchase.name,
                )
            )

    # ------------------------------------------------------------------
    # Ordering the work from the provider
    # ------------------------------------------------------------------
    def action_create_purchase_order(self):
        """One purchase order for the provider of this order, one line per need
        (subcontracted work at the subcontractor's price, labour and travel at the
        agreement's rates, parts at their cost plus the agreement's margin), each
        linked to its order line."""
        self.ensure_one()
        # a public button: who may not order (portal, technicians) is refused first
        self.env["purchase.order"].check_access("create")
        self.check_access("write")
        # two users (or a double click) ordering the same work wait for each other
        self.lock_for_update()
        self._check_purchasable()
        lines = self._lines_to_purchase()
        if not lines:
            raise UserError(
                self.env._(
                    "Service order %(name)s has no subcontracted work, labour, travel or "
                    "parts left to order from %(provider)s.",
                    name=self.name,
                    provider=self.provider_id.partner_id.display_name,
                )
            )
        line_vals = [
            {**self._prepare_purchase_line_vals(line), "sequence": index}
            for index, line in enumerate(lines, start=1)
        ]
        try:
            with self.env.cr.savepoint():
                purchase = self.env["purchase.order"].create(
                    {
                        "partner_id": self.provider_id.partner_id.id,
                        "company_id": self.company_id.id,
                        "origin": self.name,
                        "after_sales_order_id": self.id,
                        "order_line": [Command.create(vals) for vals in line_vals],
                    }
                )
        except psycopg2.errors.UniqueViolation as error:
            if not (error.diag.constraint_name or "").endswith("after_sales_order_unique"):
                raise
            raise UserError(self._purchase_exists_message()) from None
        # the agreement gives the planned cost of open work; a provider's part does not
        # come from our stock
        open_lines = lines.filtered(lambda line: line.order_id.state not in ("done", "cancelled"))
        by_price = defaultdict(lambda: self.env["after_sales.order.line"])
        for line, vals in zip(lines, line_vals, strict=True):
            if line in open_lines:
                by_price[vals["price_unit"]] |= line
        for price, priced_lines in by_price.items():
            priced_lines.unit_cost = price
        open_lines.sudo().move_ids.filtered(
            lambda move: move.state not in ("done", "cancel")
        )._action_cancel()
        self.message_post(
            body=self.env._(
                "Purchase order %(purchase)s created for %(provider)s.",
                purchase=purchase.name,
                provider=self.provider_id.partner_id.display_name,
            )
        )
        return self.action_view_purchase_orders()

    def _purchase_exists_message(self):
        return self.env._(
            "Service order %(name)s already has a purchase order: cancel it before "
            "ordering the work again.",
            name=self.name,
        )

    def _check_purchasable(self):
        self.ensure_one()
        if not self.provider_id:
            raise UserError(
                self.env._(
                    "Give service order %(name)s to a service provider before ordering its work.",
                    name=self.name,
                )
            )
        if self.state == "cancelled":
            raise UserError(
                self.env._(
                    "Service order %(name)s is cancelled: there is no work to order.",
                    name=self.name,
                )
            )
        live = (
            self.env["purchase.order"]
            .sudo()
            .search_count(
                [("after_sales_order_id", "=", self.id), ("state", "!=", "cancel")], limit=1
            )
        )
        if live:
            raise UserError(self._purchase_exists_message())
        self.provider_id._check_may_serve(self)

    def _lines_to_purchase(self):
        """The order lines the provider is paid for: its subcontracted work, the
        labour, travel and parts of the order (of a done order, whose own cost entry
        charged these, only the subcontracted work), not billed already."""
        self.ensure_one()
        provider_partner = self.provider_id.partner_id.commercial_partner_id
        kinds = ("subcontract",) if self.state == "done" else tuple(PURCHASED_LINE_PRODUCTS)
        billed = self._get_vendor_bill_lines().after_sales_order_line_id
        return self.line_ids.filtered(
            lambda line: (
                line.line_type in kinds
                and line not in billed
                and (line.quantity_done or line.quantity)
                and (
                    line.line_type != "subcontract"
                    or line.vendor_id.commercial_partner_id == provider_partner
                )
            )
        )

    def _prepare_purchase_line_vals(self, line):
        """A purchase order line for the order line ``line``, priced by the provider's
        agreement (in the company's currency, like the order's costs)."""
        provider = self.provider_id
        product = self.env.ref(PURCHASED_LINE_PRODUCTS[line.line_type])
        if line.line_type == "subcontract":
            price = line.unit_cost
        elif line.line_type == "labour":
            price = provider.labour_rate
        elif line.line_type == "travel":
            price = provider.travel_rate
        else:
            cost = line.product_id.with_company(self.company_id).standard_price
            price = cost * (1.0 + provider.parts_margin / 100.0)
        return {
            "product_id": product.id,
            "name": f"{self.name}: {line.name or line._kind_label()}",
            "product_qty": line.quantity_done or line.quantity,
            "price_unit": self.company_id.currency_id.round(price),
            "date_planned": self.planned_date_start or fields.Datetime.now(),
            "after_sales_order_line_id": line.id,
        }

    def action_view_purchase_orders(self):
        self.ensure_one()
        purchases = self.purchase_order_ids
        action = window_action(
            self.env, "purchase.purchase_form_action", [("id", "in", purchases.ids)], {}
        )
        if len(purchases) == 1:
            action.update(view_mode="form", views=[(False, "form")], res_id=purchases.id)
        return action
