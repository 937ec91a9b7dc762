from odoo import api, fields, models


class StockMove(models.Model):
    _inherit = "stock.move"

    after_sales_order_line_id = fields.Many2one(
        "after_sales.order.line",
        string="Service Order Line",
        index="btree_not_null",
        copy=False,
        readonly=True,
        ondelete="restrict",
        help="The part line whose part this move takes from stock and consumes.",
    )
    after_sales_return_line_id = fields.Many2one(
        "after_sales.order.line",
        string="Returned Part of",
        index="btree_not_null",
        copy=False,
        readonly=True,
        ondelete="restrict",
        help="The part line whose defective part this move takes back from the customer.",
    )
    after_sales_order_id = fields.Many2one(
        "after_sales.order",
        string="Service Order",
        index="btree_not_null",
        copy=False,
        readonly=True,
        ondelete="restrict",
    )

    @api.depends("after_sales_order_id.name")
    def _compute_reference(self):
        service_moves = self.filtered(lambda move: move.after_sales_order_id.name)
        for move in service_moves:
            move.reference = move.after_sales_order_id.name
        return super(StockMove, self - service_moves)._compute_reference()

    def _update_reserved_quantity_vals(
        self, need, location_id, lot_id=None, package_id=None, owner_id=None, strict=True
    ):
        # a part line with a lot/serial reserves that lot, and no other
        lot_id = lot_id or self.after_sales_order_line_id.lot_id or None
        return super()._update_reserved_quantity_vals(
            need,
            location_id,
            lot_id=lot_id,
            package_id=package_id,
            owner_id=owner_id,
            strict=strict,
        )

    def _action_done(self, cancel_backorder=False):
        moves = super()._action_done(cancel_backorder=cancel_backorder)
        done = moves.filtered(lambda move: move.state == "done" and move.has_tracking == "serial")
        if done:
            self.env["after_sales.equipment"]._register_deliveries(done.move_line_ids)
        return moves
