from odoo import models


class StockMove(models.Model):
    _inherit = "stock.move"

    def _action_done(self, cancel_backorder=False):
        moves = super()._action_done(cancel_backorder=cancel_backorder)
        done = moves.filtered(lambda move: move.state == "done" and move.has_tracking == "serial")
        if done:
            self.env["after_sales.equipment"]._register_deliveries(done.move_line_ids)
        return moves
