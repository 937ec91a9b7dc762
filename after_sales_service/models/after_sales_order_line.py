from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Command

from .utils import check_before_insert, technician_forbidden_fields

LINE_TYPES = [
    ("labour", "Labour"),
    ("part", "Part"),
    ("travel", "Travel"),
    ("expense", "Other Expense"),
    ("subcontract", "Subcontracted Work"),
]
# The share of the coverage answer that pays each kind of line (expenses are the
# customer's unless a manager grants goodwill).
SHARE_OF_LINE_TYPE = {
    "part": "parts",
    "labour": "labour",
    "subcontract": "labour",
    "travel": "travel",
    "expense": None,
}
# What only a service manager may decide on a line.
GOODWILL_FIELDS = {"goodwill_pct", "goodwill_reason"}
# What a technician (who is not a service user) records on the lines of their orders:
# what was used and worked, never prices or costs.
TECHNICIAN_LINE_FIELDS = {
    "order_id",
    "sequence",
    "line_type",
    "name",
    "product_id",
    "product_uom_id",
    "employee_id",
    "lot_id",
    "quantity",
    "quantity_done",
    "returned_lot_id",
    "returned_qty",
    "note",
}
SPLIT_FIELDS = ("warranty", "contract", "goodwill", "billable")
# Who reads what the work costs us: a cost copied from a source that a technician or
# a customer may not read (a technician's hourly cost, kept to HR officers; our
# purchase cost of parts) carries the restriction with it. Service users cost the
# orders and accountants book them; technicians and portal users see prices only.
COST_GROUPS = (
    "after_sales_service.group_user,account.group_account_invoice,account.group_account_readonly"
)
# What makes the stock move of a part line out of date.
STOCK_FIELDS = {"line_type", "product_id", "product_uom_id", "lot_id", "quantity"}
# States of the order in which its parts are reserved.
RESERVING_STATES = ("scheduled", "in_progress")


class AfterSalesOrderLine(models.Model):
    """A costed line of a service order: labour, a part from stock, travel, another
    expense or subcontracted work. Its price and cost are split by the order's
    coverage answer into what the warranty, the contract, goodwill and the customer
    pay."""

    _name = "after_sales.order.line"
    _description = "Service Order Line"
    _order = "order_id, sequence, id"
    _inherit = ["after_sales.order.line.mixin"]
    _check_company_auto = True

    order_id = fields.Many2one("after_sales.order", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="order_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id", string="Currency")
    partner_id = fields.Many2one(related="order_id.partner_id", store=True, index=True)
    contract_id = fields.Many2one(
        related="order_id.contract_id", store=True, index="btree_not_null"
    )
    order_state = fields.Selection(related="order_id.state", string="Order Status")
    sequence = fields.Integer(default=10)
    line_type = fields.Selection(LINE_TYPES, string="Kind", required=True, default="part")
    name = fields.Char(string="Description", compute="_compute_name", store=True, readonly=False)
    product_id = fields.Many2one(
        "product.product",
        check_company=True,
        index="btree_not_null",
        help="Parts: the spare part. Labour, travel, expenses and subcontracted work: the "
        "service product that gives the price and the income account.",
    )
    product_uom_id = fields.Many2one(
        "uom.uom",
        string="Unit",
        compute="_compute_product_uom_id",
        store=True,
        readonly=False,
    )
    employee_id = fields.Many2one(
        "hr.employee",
        string="Technician",
        compute="_compute_employee_id",
        store=True,
        readonly=False,
        precompute=True,
        check_company=True,
        help="Labour: who did the work (by default, you); the cost per hour is theirs.",
    )
    lot_id = fields.Many2one(
        "stock.lot",
        string="Lot/Serial",
        check_company=True,
        domain="[('product_id', '=', product_id)]",
        help="Parts: the serial or lot of the part taken from stock.",
    )
    vendor_id = fields.Many2one(
        "res.partner",
        string="Subcontractor",
        check_company=True,
        help="Subcontracted work: the firm that did it and bills it.",
    )
    quantity = fields.Float(
        string="Planned",
        default=1.0,
        digits="Product Unit",
        help="Planned quantity: units of a part, hours of labour, kilometres or hours of travel.",
    )
    quantity_done = fields.Float(
        string="Used",
        digits="Product Unit",
        copy=False,
        help="What was really used or worked: the order is costed and billed on this.",
    )
    note = fields.Char()

    # Stock (parts)
    move_ids = fields.One2many(
        "stock.move",
        "after_sales_order_line_id",
        string="Stock Moves",
        groups="stock.group_stock_user",
        help="The moves that reserve the part in the order's source location and consume it.",
    )
    consumed_lot_ids = fields.Many2many(
        "stock.lot",
        string="Serials Used",
        compute="_compute_consumed_lot_ids",
        # sudo: which serials went into the work is every reader's of the line (stock
        # moves and lots are the stock users')
        compute_sudo=True,
        help="The lots/serial numbers taken from stock for this line.",
    )
    returned_lot_id = fields.Many2one(
        "stock.lot",
        string="Returned Lot/Serial",
        check_company=True,
        copy=False,
        domain="[('product_id', '=', product_id)]",
        help="Parts: the serial or lot of the defective part taken back from the customer.",
    )
    returned_qty = fields.Float(
        string="Returned",
        digits="Product Unit",
        copy=False,
        help="Parts: how many defective parts were taken back; they go to the company's "
        "defective returns location when the order is done.",
    )

    # Cost (company currency)
    unit_cost = fields.Monetary(
        compute="_compute_unit_cost",
        store=True,
        readonly=False,
        groups=COST_GROUPS,
        help="Labour: the technician's hourly cost. Parts, travel and expenses: the "
        "product's cost. Subcontracted work: the subcontractor's price.",
    )
    cost_planned = fields.Monetary(
        string="Planned Cost", compute="_compute_cost", store=True, groups=COST_GROUPS
    )
    cost_actual = fields.Monetary(
        string="Actual Cost",
        compute="_compute_cost",
        store=True,
        groups=COST_GROUPS,
        help="Parts: their value at stock valuation once consumed; other lines: used "
        "quantity x unit cost.",
    )
    # Price (company currency)
    price_unit = fields.Monetary(
        string="Unit Price", compute="_compute_price_unit", store=True, readonly=False
    )
    price_total = fields.Monetary(
        string="Value",
        compute="_compute_split",
        store=True,
        help="Used quantity x unit price, before anyone's share.",
    )

    # The split of the coverage answer
    covered_source = fields.Selection(
        [("warranty", "Warranty"), ("contract", "Contract"), ("none", "Not Covered")],
        string="Paid By",
        compute="_compute_split",
        store=True,
    )
    covered_pct = fields.Float(string="Covered %", compute="_compute_split", store=True)
    goodwill_pct = fields.Float(
        string="Goodwill %",
        copy=False,
        help="A service manager's decision to waive this share of what the customer would "
        "pay (after warranty and contract).",
    )
    goodwill_reason = fields.Char(copy=False)
    warranty_amount = fields.Monetary(compute="_compute_split", store=True)
    contract_amount = fields.Monetary(compute="_compute_split", store=True)
    goodwill_amount = fields.Monetary(compute="_compute_split", store=True)
    billable_amount = fields.Monetary(
        string="Customer Pays",
        compute="_compute_split",
        store=True,
        help="What the customer is invoiced for this line (before taxes).",
    )
    warranty_cost = fields.Monetary(compute="_compute_split", store=True, groups=COST_GROUPS)
    contract_cost = fields.Monetary(compute="_compute_split", store=True, groups=COST_GROUPS)
    goodwill_cost = fields.Monetary(compute="_compute_split", store=True, groups=COST_GROUPS)
    billable_cost = fields.Monetary(
        string="Customer Cost",
        compute="_compute_split",
        store=True,
        groups=COST_GROUPS,
        help="The cost of what the customer pays for.",
    )
    # sudo: worded from the split, whose figures a portal reader may not read one by one
    split_reason = fields.Char(string="Why", compute="_compute_split_reason", compute_sudo=True)

    _quantity_positive = models.Constraint(
        "CHECK(quantity >= 0 AND quantity_done >= 0)",
        "Quantities and hours of a service order line cannot be negative.",
    )
    _returned_qty_positive = models.Constraint(
        "CHECK(returned_qty >= 0)",
        "The returned quantity of a part cannot be negative.",
    )
    _goodwill_range = models.Constraint(
        "CHECK(goodwill_pct >= 0 AND goodwill_pct <= 100)",
        "Goodwill must be between 0 and 100 %.",
    )
    _goodwill_reason = models.Constraint(
        "CHECK(goodwill_pct = 0 OR goodwill_reason IS NOT NULL)",
        "Goodwill needs a reason.",
    )

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------
    @api.depends("product_id", "line_type", "employee_id")
    def _compute_name(self):
        for line in self:
            if line.line_type == "labour" and line.employee_id:
                line.name = line.employee_id.name
            else:
                line.name = line.product_id.display_name or line.name

    @api.depends("line_type")
    def _compute_employee_id(self):
        """Labour is entered by who did it: the user's own employee by default."""
        to_fill = self.filtered(lambda line: line.line_type == "labour" and not line.employee_id)
        (self - to_fill).filtered(lambda line: line.line_type != "labour").employee_id = False
        if not to_fill:
            return
        employees = (
            self.env["hr.employee"]
            .sudo()
            .search([("user_id", "=", self.env.uid), ("company_id", "in", to_fill.company_id.ids)])
        )
        employee_of = {employee.company_id: employee.sudo(False) for employee in employees}
        for line in to_fill:
            line.employee_id = employee_of.get(line.company_id, False)

    @api.depends("product_id")
    def _compute_product_uom_id(self):
        for line in self:
            line.product_uom_id = line.product_id.uom_id

    @api.depends("line_type", "product_id", "employee_id")
    def _compute_unit_cost(self):
        for line in self:
            if line.order_id.state in ("done", "cancelled") and line._origin.id:
                continue  # the cost of closed work is history
            if line.line_type == "labour" and line.employee_id:
                line.unit_cost = line.employee_id.sudo().hourly_cost
            elif line.line_type == "subcontract":
                line.unit_cost = line.unit_cost or 0.0
            else:
                line.unit_cost = line.product_id.with_company(line.company_id).standard_price

    @api.depends("product_id")
    def _compute_price_unit(self):
        for line in self:
            if line.order_id.state in ("done", "cancelled") and line._origin.id:
                continue  # the price of closed work is history
            line.price_unit = line.product_id.with_company(line.company_id).lst_price

    def _actual_unit_cost(self):
        """Hook: the cost per used unit (parts: at stock valuation)."""
        self.ensure_one()
        return self.unit_cost

    @api.depends("quantity", "quantity_done", "unit_cost", "move_ids.state", "move_ids.value")
    def _compute_cost(self):
        for line in self:
            currency = line.currency_id or line.company_id.currency_id
            line.cost_planned = currency.round(line.quantity * line.unit_cost)
            line.cost_actual = currency.round(line._actual_cost())

    def _actual_cost(self):
        """The actual cost of the used quantity. Parts: their value at stock valuation
        once consumed (the value of the done moves, in the company's currency); until
        then, used quantity x unit cost."""
        self.ensure_one()
        if self.line_type == "part":
            # the value of stock is the stock user's; its cost is every reader's
            done = self.sudo().move_ids.filtered(lambda move: move.state == "done")
            if done:
                return sum(done.mapped("value"))
        return self.quantity_done * self.unit_cost

    @api.depends("move_ids.move_line_ids.lot_id", "move_ids.state")
    def _compute_consumed_lot_ids(self):
        for line in self:
            moves = line.sudo().move_ids.filtered(lambda move: move.state != "cancel")
            line.consumed_lot_ids = moves.move_line_ids.lot_id

    @api.depends(
        "line_type",
        "quantity_done",
        "price_unit",
        "cost_actual",
        "goodwill_pct",
        "order_id.coverage_parts_source",
        "order_id.coverage_labour_source",
        "order_id.coverage_travel_source",
        "order_id.coverage_parts_pct",
        "order_id.coverage_labour_pct",
        "order_id.coverage_travel_pct",
    )
    def _compute_split(self):
        for line in self:
            currency = line.currency_id or line.company_id.currency_id
            source, pct = line._coverage_share()
            line.covered_source = source
            line.covered_pct = pct
            line.price_total = currency.round(line.quantity_done * line.price_unit)
            for basis, suffix in ((line.price_total, "amount"), (line.cost_actual, "cost")):
                split = _split(currency, basis, source, pct, line.goodwill_pct)
                for part in SPLIT_FIELDS:
                    line[f"{part}_{suffix}"] = split[part]

    def _coverage_share(self):
        """(source, percentage) of the order's coverage answer that pays this line."""
        self.ensure_one()
        share = SHARE_OF_LINE_TYPE[self.line_type]
        if not share:
            return "none", 0.0
        source = self.order_id[f"coverage_{share}_source"] or "none"
        pct = self.order_id[f"coverage_{share}_pct"] if source != "none" else 0.0
        return source, pct

    @api.depends("covered_source", "covered_pct", "goodwill_pct", "goodwill_reason", "line_type")
    @api.depends_context("lang")
    def _compute_split_reason(self):
        sources = dict(self._fields["covered_source"]._description_selection(self.env))
        for line in self:
            parts = []
            if line.covered_source != "none" and line.covered_pct:
                parts.append(
                    self.env._(
                        "%(payer)s pays %(pct)s %%",
                        payer=sources[line.covered_source],
                        pct=f"{line.covered_pct:g}",
                    )
                )
            elif line.line_type == "expense":
                parts.append(self.env._("Expenses are not covered"))
            else:
                parts.append(self.env._("Not covered"))
            if line.goodwill_pct:
                parts.append(
                    self.env._(
                        "goodwill %(pct)s %% (%(reason)s)",
                        pct=f"{line.goodwill_pct:g}",
                        reason=line.goodwill_reason or "",
                    )
                )
            line.split_reason = "; ".join(parts)

    # ------------------------------------------------------------------
    # Stock: parts are reserved, consumed and taken back by real stock moves
    # ------------------------------------------------------------------
    def _open_moves(self):
        return self.sudo().move_ids.filtered(lambda move: move.state not in ("done", "cancel"))

    def _prepare_stock_move_vals(self, quantity):
        """A move taking ``quantity`` of the part from the order's source location
        to the company's service consumption location."""
        self.ensure_one()
        order = self.order_id
        company = order.company_id
        if not company.after_sales_consumption_location_id:
            company._after_sales_setup_locations()
        if not order.location_id:
            raise UserError(
                self.env._(
                    "Choose the location the parts of %(order)s come from.", order=order.name
                )
            )
        return {
            "product_id": self.product_id.id,
            "product_uom": (self.product_uom_id or self.product_id.uom_id).id,
            "product_uom_qty": quantity,
            "location_id": order.location_id.id,
            "location_dest_id": company.after_sales_consumption_location_id.id,
            "company_id": company.id,
            "origin": order.name,
            "date": order.planned_date_start or fields.Datetime.now(),
            "after_sales_order_id": order.id,
            "after_sales_order_line_id": self.id,
        }

    def _prepare_return_move_vals(self):
        """A done-ready move taking the defective part back from the customer to the
        company's defective returns location."""
        self.ensure_one()
        order = self.order_id
        company = order.company_id
        if not company.after_sales_defective_location_id:
            company._after_sales_setup_locations()
        source = order.partner_id.with_company(company).property_stock_customer or self.env.ref(
            "stock.stock_location_customers"
        )
        destination = company.after_sales_defective_location_id
        uom = self.product_uom_id or self.product_id.uom_id
        return {
            "product_id": self.product_id.id,
            "product_uom": uom.id,
            "product_uom_qty": self.returned_qty,
            "location_id": source.id,
            "location_dest_id": destination.id,
            "company_id": company.id,
            "origin": order.name,
            "after_sales_order_id": order.id,
            "after_sales_return_line_id": self.id,
            "picked": True,
            "move_line_ids": [
                Command.create(
                    {
                        "product_id": self.product_id.id,
                        "product_uom_id": uom.id,
                        "quantity": self.returned_qty,
                        "lot_id": self.returned_lot_id.id,
                        "location_id": source.id,
                        "location_dest_id": destination.id,
                        "company_id": company.id,
                        "picked": True,
                    }
                )
            ],
        }

    def _sync_stock_moves(self):
        """Keep one reserving move per part line of the scheduled and started orders
        in step with the line (product, unit, quantity, lot, source location): new
        moves are created in one batch, confirmed and reserved; a lot that is not (or
        not enough) in the source location is refused."""
        lines = self.sudo().filtered(lambda line: line.order_id.state in RESERVING_STATES)
        if not lines:
            return
        moves = self.env["stock.move"].sudo()
        to_cancel = to_assign = moves
        vals_list = []
        for line in lines:
            open_moves = line._open_moves()
            uom = line.product_uom_id or line.product_id.uom_id
            if line.line_type != "part" or not line.product_id or uom.is_zero(line.quantity):
                to_cancel |= open_moves
                continue
            move = open_moves.filtered(
                lambda m, line=line, uom=uom: (
                    m.product_id == line.product_id and m.product_uom == uom
                )
            )[:1]
            to_cancel |= open_moves - move
            if not move:
                vals_list.append(line._prepare_stock_move_vals(line.quantity))
                continue
            changes = {}
            if uom.compare(move.product_uom_qty, line.quantity):
                changes["product_uom_qty"] = line.quantity
            if move.location_id != line.order_id.location_id:
                changes["location_id"] = line.order_id.location_id.id
            wrong_lot = line.lot_id and move.move_line_ids.lot_id - line.lot_id
            if changes or wrong_lot:
                move._do_unreserve()
                move.write(changes)
            if move.state != "assigned":
                to_assign |= move
        to_cancel._action_cancel()
        new_moves = moves.create(vals_list)
        new_moves._action_confirm(merge=False)
        (to_assign | new_moves)._action_assign()
        lines._check_lots_reserved()

    def _check_lots_reserved(self):
        """The lot/serial of each line is reserved in full in the source location."""
        for line in self.sudo().filtered(lambda line: line.lot_id and line.product_id.is_storable):
            move = line._open_moves()[:1]
            if not move:
                continue
            reserved = sum(
                move.move_line_ids.filtered(lambda ml, lot=line.lot_id: ml.lot_id == lot).mapped(
                    "quantity_product_uom"
                )
            )
            if line.product_id.uom_id.compare(reserved, move.product_qty) < 0:
                raise ValidationError(
                    self.env._(
                        "Lot/serial %(lot)s of %(product)s is not in %(location)s, or not "
                        "enough of it is free there (%(needed)s needed).",
                        lot=line.lot_id.name,
                        product=line.product_id.display_name,
                        location=move.location_id.complete_name,
                        needed=f"{move.product_qty:g}",
                    )
                )

    def _consume_stock(self):
        """At the end of the work: consume what was used of each part (the line's lot,
        else the serials reserved), give back what was reserved and not used, cancel
        the moves of parts not used and take the defective parts back. All lines in
        one batch of moves."""
        lines = self.sudo().filtered(lambda line: line.line_type == "part" and line.product_id)
        moves = self.env["stock.move"].sudo()
        (self.sudo() - lines).move_ids.filtered(
            lambda move: move.state not in ("done", "cancel")
        )._action_cancel()
        unreserved = lines.filtered(
            lambda line: (
                not line.product_uom_id.is_zero(line.quantity_done) and not line._open_moves()
            )
        )
        new_moves = moves.create(
            [line._prepare_stock_move_vals(line.quantity_done) for line in unreserved]
        )
        new_moves._action_confirm(merge=False)
        to_cancel = to_assign = to_consume = moves
        for line in lines:
            open_moves = line._open_moves()
            used = line.quantity_done
            if line.product_uom_id.is_zero(used) or not open_moves:
                to_cancel |= open_moves
                continue
            move = open_moves[0]
            to_cancel |= open_moves - move
            if move.product_uom.compare(move.quantity, used) > 0:
                move.quantity = used  # what was reserved and not used goes back
            if move.product_uom.compare(move.product_uom_qty, used):
                move.product_uom_qty = used
            if move.product_uom.compare(move.quantity, used) < 0:
                to_assign |= move
            to_consume |= move
        to_cancel._action_cancel()
        to_assign._action_assign()
        lines._check_lots_reserved()
        shortfalls = []
        for move in to_consume:
            if move.product_uom.compare(move.quantity, move.product_uom_qty) >= 0:
                continue
            if move.has_tracking != "none":
                raise UserError(
                    self.env._(
                        "Only %(reserved)s of the %(used)s %(product)s used are in "
                        "%(location)s with a lot/serial: record the lot/serial used on "
                        "the line.",
                        reserved=f"{move.quantity:g}",
                        used=f"{move.product_uom_qty:g}",
                        product=move.product_id.display_name,
                        location=move.location_id.complete_name,
                    )
                )
            # not tracked: what the technician used left the location, whatever its
            # count; what was not there is recorded on the order for the stock keeper
            shortfalls.append((move, move.product_uom_qty - move.quantity))
            move.quantity = move.product_uom_qty
        to_consume.picked = True
        returns = moves.create(
            [
                line._prepare_return_move_vals()
                for line in lines
                if not line.product_uom_id.is_zero(line.returned_qty)
            ]
        )
        (to_consume | returns)._action_done(cancel_backorder=True)
        if shortfalls:
            self.order_id._record_parts_outside_stock(shortfalls)

    # ------------------------------------------------------------------
    # Checks
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        vals_list = [self._without_repeated_values(vals) for vals in vals_list]
        for vals in vals_list:
            self._check_technician_write(vals)
        self._check_own_labour(vals_list)
        self._check_goodwill_rights(vals_list)
        check_before_insert(
            self,
            vals_list,
            ("quantity", "quantity_done", "returned_qty", "goodwill_pct", "goodwill_reason"),
            type(self)._check_quantities,
            type(self)._check_goodwill_reason,
        )
        lines = super().create(vals_list)
        lines._sync_stock_moves()
        return lines

    def write(self, vals):
        self._check_technician_write(vals)
        self._check_own_labour([vals])
        self._check_goodwill_rights([vals])
        result = super().write(vals)
        if STOCK_FIELDS & set(vals):
            self._sync_stock_moves()
        return result

    @api.ondelete(at_uninstall=False)
    def _unlink_except_others_labour(self):
        self._check_own_labour([])

    @api.ondelete(at_uninstall=False)
    def _unlink_stock_moves(self):
        """A part taken off an open order gives its reservation back; moves that
        never happened go with it."""
        moves = self.sudo().move_ids
        if moves.filtered(lambda move: move.state == "done"):
            raise UserError(self.env._("A part that was consumed cannot be removed."))
        moves._action_cancel()
        moves.unlink()

    @api.model
    def _without_repeated_values(self, vals):
        """``vals`` of a new line without the fields a technician may not set whose
        value is the one the line gets by itself (default or computed, e.g. the
        product's price): the order form sends every field of a new line, and a
        technician who repeats what the line computes changes nothing. Any other
        value of those fields is refused by ``_check_technician_write``."""
        extra = [
            fname
            for fname in set(vals) - TECHNICIAN_LINE_FIELDS
            if fname in self._fields and self._has_field_access(self._fields[fname], "read")
        ]
        if not extra or not technician_forbidden_fields(self, vals, TECHNICIAN_LINE_FIELDS):
            return vals
        kept = {fname: value for fname, value in vals.items() if fname not in extra}
        draft = self.new({**self.default_get(extra), **kept})
        repeated = {
            fname
            for fname in extra
            if self._fields[fname].convert_to_write(draft[fname], draft) == vals[fname]
        }
        return {fname: value for fname, value in vals.items() if fname not in repeated}

    def _check_technician_write(self, vals):
        forbidden = technician_forbidden_fields(self, vals, TECHNICIAN_LINE_FIELDS)
        if forbidden:
            raise AccessError(
                self.env._(
                    "As a technician you cannot change %(fields)s of a service order line.",
                    fields=forbidden,
                )
            )

    def _check_own_labour(self, vals_list):
        """A technician (who is not a service user) records their own work: the
        hours of a labour line are those of their own employee, and the hours of a
        colleague are not theirs to add, change or remove (a service user records
        them). Checked on the values before they are written."""
        if self.env.su or self.env.user.has_group("after_sales_service.group_user"):
            return
        # sudo: which employees are the user's (a technician has no HR rights)
        own = set(self.env["hr.employee"].sudo().search([("user_id", "=", self.env.uid)]).ids)
        others = self.filtered(
            lambda line: line.line_type == "labour" and line.employee_id.id not in own
        )
        employee_ids = {vals["employee_id"] for vals in vals_list if vals.get("employee_id")}
        if others or employee_ids - own:
            raise AccessError(
                self.env._(
                    "As a technician you record your own hours: a service user records "
                    "the hours of %(employee)s.",
                    employee=(
                        others[:1].employee_id
                        or self.env["hr.employee"].browse(min(employee_ids - own))
                    )
                    .sudo()
                    .exists()
                    .name,
                )
            )

    def _check_goodwill_rights(self, vals_list):
        """Goodwill is a service manager's decision, whoever calls (form or RPC)."""
        if any(GOODWILL_FIELDS & set(vals) for vals in vals_list) and not self.env.user.has_group(
            "after_sales_service.group_manager"
        ):
            if self.env.su:
                return
            raise AccessError(
                self.env._("Only a service manager can grant goodwill on a service order.")
            )

    @api.constrains("quantity", "quantity_done", "returned_qty", "goodwill_pct")
    def _check_quantities(self):
        """The rules of the database constraints, with a clear message."""
        for line in self:
            if line.quantity < 0 or line.quantity_done < 0:
                raise ValidationError(
                    self.env._("Quantities and hours of a service order line cannot be negative.")
                )
            if line.returned_qty < 0:
                raise ValidationError(
                    self.env._("The returned quantity of a part cannot be negative.")
                )
            if not 0 <= line.goodwill_pct <= 100:
                raise ValidationError(self.env._("Goodwill must be between 0 and 100 %."))

    @api.constrains("goodwill_pct", "goodwill_reason")
    def _check_goodwill_reason(self):
        for line in self:
            if line.goodwill_pct and not (line.goodwill_reason or "").strip():
                raise ValidationError(
                    self.env._(
                        "Goodwill on %(line)s needs a reason: it is a manager's decision "
                        "the accountant must be able to read.",
                        line=line.name or line.order_id.name,
                    )
                )

    @api.constrains("line_type", "product_id", "employee_id", "vendor_id")
    def _check_line_type_fields(self):
        for line in self:
            if line.line_type in ("part", "travel", "expense") and not line.product_id:
                raise ValidationError(
                    self.env._("A line of kind %(kind)s needs a product.", kind=line._kind_label())
                )
            if line.line_type == "part" and line.product_id.type != "consu":
                raise ValidationError(
                    self.env._(
                        "%(product)s is a service, not a part: use a labour, travel or "
                        "expense line for it.",
                        product=line.product_id.display_name,
                    )
                )
            if line.line_type == "labour" and not line.employee_id:
                raise ValidationError(self.env._("A labour line needs the technician who worked."))
            if line.line_type == "subcontract" and not line.vendor_id:
                raise ValidationError(
                    self.env._("Subcontracted work needs the subcontractor who did it.")
                )

    @api.constrains(
        "product_id", "lot_id", "quantity", "quantity_done", "returned_lot_id", "returned_qty"
    )
    def _check_lots(self):
        for line in self.filtered(lambda line: line.line_type == "part"):
            product = line.product_id
            for lot in (line.lot_id, line.returned_lot_id):
                if lot and lot.product_id != product:
                    raise ValidationError(
                        self.env._(
                            "Lot/serial %(lot)s is not one of %(product)s.",
                            lot=lot.name,
                            product=product.display_name,
                        )
                    )
            if product.tracking == "serial":
                if line.lot_id and max(line.quantity, line.quantity_done) > 1:
                    raise ValidationError(
                        self.env._(
                            "Serial %(lot)s is one unit of %(product)s: use a line per serial.",
                            lot=line.lot_id.name,
                            product=product.display_name,
                        )
                    )
                if line.returned_qty > 1:
                    raise ValidationError(
                        self.env._(
                            "Take back one serial of %(product)s per line.",
                            product=product.display_name,
                        )
                    )
            if product.tracking != "none" and line.returned_qty and not line.returned_lot_id:
                raise ValidationError(
                    self.env._(
                        "Record the lot/serial of the defective %(product)s taken back.",
                        product=product.display_name,
                    )
                )

    def _kind_label(self):
        return dict(self._fields["line_type"]._description_selection(self.env))[self.line_type]


def _split(currency, basis, source, pct, goodwill_pct):
    """Split ``basis`` into what the warranty, the contract, goodwill and the
    customer pay; the four parts add up to ``basis`` exactly (in the currency's
    rounding)."""
    covered = currency.round(basis * pct / 100.0) if source in ("warranty", "contract") else 0.0
    remainder = currency.round(basis - covered)
    goodwill = currency.round(remainder * goodwill_pct / 100.0)
    return {
        "warranty": covered if source == "warranty" else 0.0,
        "contract": covered if source == "contract" else 0.0,
        "goodwill": goodwill,
        "billable": currency.round(remainder - goodwill),
    }
