from odoo import api, fields, models
from odoo.exceptions import UserError

from .after_sales_order_line import RESERVING_STATES
from .utils import window_action


class AfterSalesOrder(models.Model):
    """Parts of a service order from stock: reserved in a source location (a
    warehouse or the technician's van) when the order is scheduled, consumed when it
    is done, given back when unused or when the order is cancelled."""

    _inherit = "after_sales.order"

    location_id = fields.Many2one(
        "stock.location",
        string="Parts From",
        compute="_compute_location_id",
        store=True,
        readonly=False,
        precompute=True,
        check_company=True,
        domain="[('usage', '=', 'internal'), ('company_id', 'in', (company_id, False))]",
        help="Where the parts are reserved and taken from: the van of the first technician "
        "when they have one, else the stock of the company's first warehouse.",
    )
    stock_move_ids = fields.One2many(
        "stock.move",
        "after_sales_order_id",
        string="Stock Moves",
        groups="stock.group_stock_user",
    )
    stock_move_count = fields.Integer(
        compute="_compute_stock_move_count", groups="stock.group_stock_user"
    )

    @api.depends("company_id", "technician_ids")
    def _compute_location_id(self):
        warehouses = (
            self.env["stock.warehouse"]
            .sudo()
            .search([("company_id", "in", self.company_id.ids)], order="sequence, id")
        )
        stock_of = {}
        for warehouse in warehouses:
            stock_of.setdefault(warehouse.company_id, warehouse.lot_stock_id)
        # the technicians' employees, in the companies of the orders
        employees = (
            self.env["hr.employee"]
            .sudo()
            .search(
                [
                    ("user_id", "in", self.technician_ids.ids),
                    ("company_id", "in", self.company_id.ids),
                ]
            )
        )
        van_of = {
            (employee.user_id.id, employee.company_id.id): employee.after_sales_van_location_id
            for employee in employees
        }
        for order in self:
            if order.state != "new" and order.location_id:
                continue  # its parts are reserved there
            first_technician = order.technician_ids[:1]._origin
            van = van_of.get((first_technician.id, order.company_id._origin.id))
            order.location_id = van or stock_of.get(order.company_id._origin, False)

    def _compute_stock_move_count(self):
        counts = dict(
            self.env["stock.move"]._read_group(
                [("after_sales_order_id", "in", self.ids)], ["after_sales_order_id"], ["__count"]
            )
        )
        for order in self:
            order.stock_move_count = counts.get(order, 0)

    def write(self, vals):
        changing = self.browse()
        if "state" in vals:
            changing = self.filtered(lambda order: order.state != vals["state"])
        result = super().write(vals)
        changing._sync_stock()
        if "location_id" in vals:
            (self - changing).filtered(
                lambda order: order.state in RESERVING_STATES
            ).line_ids._sync_stock_moves()
        return result

    def _sync_stock(self):
        """Bring the parts' stock moves in line with the state of the orders: reserved
        while scheduled or started, consumed at done, released when cancelled or reset."""
        self.filtered(lambda order: order.state in RESERVING_STATES).line_ids._sync_stock_moves()
        self.filtered(lambda order: order.state == "done").line_ids._consume_stock()
        self.filtered(
            lambda order: order.state in ("new", "cancelled")
        ).sudo().stock_move_ids.filtered(
            lambda move: move.state not in ("done", "cancel")
        )._action_cancel()

    @api.ondelete(at_uninstall=False)
    def _unlink_stock_moves(self):
        """A deleted order gives its reservations back; its moves never happened."""
        moves = self.sudo().stock_move_ids
        if moves.filtered(lambda move: move.state == "done"):
            raise UserError(
                self.env._(
                    "Parts of %(name)s were consumed: it cannot be deleted.", name=self[0].name
                )
            )
        moves._action_cancel()
        moves.unlink()

    def action_view_stock_moves(self):
        self.ensure_one()
        return window_action(
            self.env,
            "stock.stock_move_action",
            [("after_sales_order_id", "=", self.id)],
            {"create": False},
        )
