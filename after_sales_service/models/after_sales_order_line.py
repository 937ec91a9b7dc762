from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError

from .utils import technician_forbidden_fields

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
    "note",
}
SPLIT_FIELDS = ("warranty", "contract", "goodwill", "billable")


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
    contract_id = fields.Many2one(related="order_id.contract_id", store=True, index="btree_not_null")
    order_state = fields.Selection(related="order_id.state", string="Order Status")
    sequence = fields.Integer(default=10)
    line_type = fields.Selection(LINE_TYPES, string="Kind", required=True, default="part")
    name = fields.Char(
        string="Description", compute="_compute_name", store=True, readonly=False
    )
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
        check_company=True,
        help="Labour: who did the work; the cost per hour is theirs.",
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
        help="Planned quantity: units of a part, hours of labour, kilometres or hours of "
        "travel.",
    )
    quantity_done = fields.Float(
        string="Used",
        digits="Product Unit",
        copy=False,
        help="What was really used or worked: the order is costed and billed on this.",
    )
    note = fields.Char()

    # Cost (company currency)
    unit_cost = fields.Monetary(
        compute="_compute_unit_cost",
        store=True,
        readonly=False,
        help="Labour: the technician's hourly cost. Parts, travel and expenses: the "
        "product's cost. Subcontracted work: the subcontractor's price.",
    )
    cost_planned = fields.Monetary(
        string="Planned Cost", compute="_compute_cost", store=True
    )
    cost_actual = fields.Monetary(
        string="Actual Cost",
        compute="_compute_cost",
        store=True,
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
    warranty_cost = fields.Monetary(compute="_compute_split", store=True)
    contract_cost = fields.Monetary(compute="_compute_split", store=True)
    goodwill_cost = fields.Monetary(compute="_compute_split", store=True)
    billable_cost = fields.Monetary(
        string="Customer Cost",
        compute="_compute_split",
        store=True,
        help="The cost of what the customer pays for.",
    )
    split_reason = fields.Char(string="Why", compute="_compute_split_reason")

    _quantity_positive = models.Constraint(
        "CHECK(quantity >= 0 AND quantity_done >= 0)",
        "Quantities and hours of a service order line cannot be negative.",
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

    @api.depends("quantity", "quantity_done", "unit_cost")
    def _compute_cost(self):
        for line in self:
            currency = line.currency_id or line.company_id.currency_id
            line.cost_planned = currency.round(line.quantity * line.unit_cost)
            line.cost_actual = currency.round(line._actual_cost())

    def _actual_cost(self):
        """Hook: the actual cost of the used quantity (parts: at stock valuation)."""
        self.ensure_one()
        return self.quantity_done * self.unit_cost

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
                        "%(source)s pays %(pct)s %%",
                        source=sources[line.covered_source],
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
    # Checks
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_technician_write(vals)
        self._check_goodwill_rights(vals_list)
        self._check_values(vals_list)
        return super().create(vals_list)

    def write(self, vals):
        self._check_technician_write(vals)
        self._check_goodwill_rights([vals])
        self._check_values([vals])
        return super().write(vals)

    def _check_technician_write(self, vals):
        forbidden = technician_forbidden_fields(self, vals, TECHNICIAN_LINE_FIELDS)
        if forbidden:
            raise AccessError(
                self.env._(
                    "As a technician you cannot change %(fields)s of a service order line.",
                    fields=forbidden,
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

    def _check_values(self, vals_list):
        """The checks of the database constraints, before anything is written, with
        a clear message."""
        for vals in vals_list:
            for fname in ("quantity", "quantity_done"):
                if (vals.get(fname) or 0.0) < 0:
                    raise ValidationError(
                        self.env._("Quantities and hours of a service order line cannot be negative.")
                    )
            if "goodwill_pct" in vals and not 0 <= (vals["goodwill_pct"] or 0.0) <= 100:
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
