from odoo import fields, models


class StockMove(models.Model):
    _inherit = "stock.move"

    after_sales_order_line_id = fields.Many2one(
        "after_sales.order.line",
        string="Service Order Line",
        index="btree_not_null",
        copy=False,
        readonly=True,
        ondelete="restrict",
    )

    def _action_done(self, cancel_backorder=False):
        moves = super()._action_done(cancel_backorder=cancel_backorder)
        done = moves.filtered(lambda move: move.state == "done" and move.has_tracking == "serial")
        if done:
            self.env["after_sales.equipment"]._register_deliveries(done.move_line_ids)
        return moves
