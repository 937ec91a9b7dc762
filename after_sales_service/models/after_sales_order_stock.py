from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import UserError

from .after_sales_order_line import RESERVING_STATES
from .utils import notify_failure, window_action

# stock moves of a scheduled order that could not reserve all their parts
WAITING_MOVE_STATES = ("confirmed", "waiting", "partially_available")


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
    is_waiting_parts = fields.Boolean(
        string="Waiting for Parts",
        compute="_compute_is_waiting_parts",
        store=True,
        help="Scheduled or started, and some of its parts could not be reserved in the "
        "source location: the stock keeper has an activity to get them there.",
    )
    has_missing_parts = fields.Boolean(
        string="Parts Missing",
        compute="_compute_parts_expected_date",
        help="Some of its parts are not in the source location (not reserved for a "
        "scheduled order; beyond the free quantity for a new one).",
    )
    parts_expected_date = fields.Datetime(
        string="Parts Expected",
        compute="_compute_parts_expected_date",
        help="When the parts missing in the source location are expected there (by the "
        "receipts and transfers planned to it). Empty when nothing planned brings them: "
        "the automatic planning does not plan the order before this moment.",
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

    @api.depends("state", "stock_move_ids.state")
    def _compute_is_waiting_parts(self):
        for order in self:
            # sudo: the shortage is shown to planners without stock rights
            order.is_waiting_parts = order.state in RESERVING_STATES and any(
                move.state in WAITING_MOVE_STATES for move in order.sudo().stock_move_ids
            )

    def _compute_parts_expected_date(self):
        shortages = self._parts_shortage()
        for order in self:
            shortage = shortages.get(order.id)
            order.has_missing_parts = bool(shortage)
            order.parts_expected_date = (shortage or {}).get("expected") or False

    def _parts_shortage(self):
        """{order id: {"missing": {product: quantity}, "location": location,
        "expected": naive UTC moment or None}} of the orders whose parts are not all
        in their source location. A scheduled or started order misses what its stock
        moves could not reserve; a new order what its part lines need beyond the free
        quantity of the location (each order on its own). ``expected`` is the date of
        the planned move to the location that completes what misses (None when
        nothing planned brings it). A fixed number of queries."""
        orders = self.sudo()
        missing = defaultdict(lambda: defaultdict(float))  # order: {product: qty}
        reserved = orders.filtered(lambda o: o.state in RESERVING_STATES)
        for move in reserved.stock_move_ids:
            if move.state not in WAITING_MOVE_STATES:
                continue
            done = move.product_uom._compute_quantity(move.quantity, move.product_id.uom_id)
            if move.product_id.uom_id.compare(move.product_qty, done) > 0:
                missing[move.after_sales_order_id][move.product_id] += move.product_qty - done
        new = orders.filtered(lambda o: o.state == "new" and o.location_id)
        wanted = defaultdict(lambda: defaultdict(float))
        for line in new.line_ids:
            product = line.product_id
            if line.line_type != "part" or not product.is_storable:
                continue
            uom = line.product_uom_id or product.uom_id
            quantity = uom._compute_quantity(line.quantity, product.uom_id)
            wanted[line.order_id][product] += quantity
        free = {}
        for location in new.location_id:
            products = (
                self.env["product.product"]
                .sudo()
                .union(
                    *(
                        product
                        for order, products_of in wanted.items()
                        if order.location_id == location
                        for product in products_of
                    )
                )
            )
            for product in products.with_context(location=location.id):
                free[product.id, location.id] = product.free_qty
        for order, products_of in wanted.items():
            for product, quantity in products_of.items():
                short = quantity - free.get((product.id, order.location_id.id), 0.0)
                if product.uom_id.compare(short, 0.0) > 0:
                    missing[order][product] += short
        if not missing:
            return {}
        locations = orders.browse([o.id for o in missing]).location_id
        products = (
            self.env["product.product"]
            .sudo()
            .union(*(product for products_of in missing.values() for product in products_of))
        )
        incoming = (
            self.env["stock.move"]
            .sudo()
            .search(
                [
                    ("product_id", "in", products.ids),
                    ("location_dest_id", "child_of", locations.ids),
                    ("state", "not in", ("draft", "done", "cancel")),
                ],
                order="date, id",
            )
        )
        result = {}
        for order, products_of in missing.items():
            location = order.location_id
            expected = None
            for product, quantity in products_of.items():
                coming, when = 0.0, None
                for move in incoming:
                    if (
                        move.product_id != product
                        or not move.location_dest_id._child_of(location)
                        or move.location_id._child_of(location)
                    ):
                        continue
                    coming += move.product_qty
                    if product.uom_id.compare(coming, quantity) >= 0:
                        when = move.date
                        break
                if when is None:
                    expected = None
                    break
                expected = max(expected, when) if expected else when
            result[order.id] = {
                "missing": dict(products_of),
                "location": location,
                "expected": expected,
            }
        return result

    def _notify_parts_missing(self):
        """An activity for the stock keeper on each order waiting for parts: what
        misses where, and for when the order is planned."""
        waiting = self.filtered("is_waiting_parts")
        if not waiting:
            return
        shortages = waiting._parts_shortage()
        for order in waiting:
            shortage = shortages.get(order.id)
            if not shortage:
                continue
            notify_failure(
                order.sudo(),
                self.env._("Parts missing"),
                self.env._(
                    "%(parts)s missing in %(location)s for %(order)s, planned from %(start)s.",
                    parts=", ".join(
                        f"{quantity:g} x {product.display_name}"
                        for product, quantity in shortage["missing"].items()
                    ),
                    location=shortage["location"].complete_name,
                    order=order.name,
                    start=fields.Datetime.to_string(order.planned_date_start) or "-",
                ),
                order._parts_stock_keeper(),
            )

    def _record_parts_outside_stock(self, shortfalls):
        """Parts used that were not in the source location (not tracked: they left
        it whatever its count): a record on the order and an activity for the stock
        keeper to count the location. ``shortfalls``: [(move, quantity)]."""
        by_order = defaultdict(list)
        for move, quantity in shortfalls:
            by_order[move.after_sales_order_id].append(
                self.env._(
                    "%(quantity)s %(uom)s %(product)s from %(location)s",
                    quantity=f"{quantity:g}",
                    uom=move.product_uom.name,
                    product=move.product_id.display_name,
                    location=move.location_id.complete_name,
                )
            )
        for order, texts in by_order.items():
            note = self.env._(
                "Parts used from outside stock (not in the location when %(order)s was "
                "closed, its stock is now below zero): %(parts)s.",
                order=order.name,
                parts="; ".join(texts),
            )
            order.sudo().message_post(body=note)
            order.sudo().activity_schedule(
                "mail.mail_activity_data_todo",
                summary=self.env._("Parts used from outside stock"),
                note=note,
                user_id=order._parts_stock_keeper().id,
            )

    def _parts_stock_keeper(self):
        """Who hears of parts problems of this order: a stock manager of its company
        (the first one), else the order's responsible, else the current user."""
        self.ensure_one()
        managers = (
            self.env.ref("stock.group_stock_manager")
            .sudo()
            .all_user_ids.filtered(
                lambda user: user.active and not user.share and self.company_id in user.company_ids
            )
            .sorted("id")
        )
        return managers[:1] or self.user_id or self.env.user

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
        reserving = self.filtered(lambda order: order.state in RESERVING_STATES)
        reserving.line_ids._sync_stock_moves()
        reserving.filtered(lambda order: order.state == "scheduled")._notify_parts_missing()
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
