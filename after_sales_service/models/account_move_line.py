from odoo import api, fields, models

PROVISION_KINDS = [
    ("accrual", "Accrual"),
    ("release", "Release"),
    ("usage_parts", "Usage: Parts"),
    ("usage_labour", "Usage: Labour"),
    ("usage_other", "Usage: Other"),
    ("trueup", "True-up"),
    ("expiry", "Expiry Release"),
    ("adjustment", "Adjustment"),
]
# What the reversal of a provision movement is (an accrual undone releases, ...).
REVERSED_PROVISION_KIND = {"accrual": "release", "release": "accrual"}


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    # The service period a contract invoice line bills (Odoo Enterprise has
    # deferred_start_date/deferred_end_date for this; Community has not).
    after_sales_period_start = fields.Date(string="Service Period Start", copy=False)
    after_sales_period_end = fields.Date(string="Service Period End", copy=False)

    # Service orders: the invoice line that bills an order, the cost line it posts
    after_sales_order_id = fields.Many2one(
        "after_sales.order",
        string="Service Order",
        index="btree_not_null",
        copy=False,
        readonly=True,
        ondelete="restrict",
    )
    after_sales_order_line_id = fields.Many2one(
        "after_sales.order.line",
        string="Service Order Line",
        index="btree_not_null",
        copy=False,
        readonly=True,
        ondelete="restrict",
    )
    after_sales_is_billing = fields.Boolean(
        string="Bills a Service Order",
        copy=False,
        readonly=True,
        help="A customer invoice line that bills the customer's part of a service order line "
        "(cost entries of the same order line are not).",
    )
    after_sales_credited = fields.Boolean(
        string="Credited",
        copy=False,
        readonly=True,
        help="A posted credit note reverses the invoice of this line: the service order "
        "line it billed may be invoiced again.",
    )
    # Warranty provision: what moved it, for which product category (the report)
    after_sales_provision_kind = fields.Selection(
        PROVISION_KINDS,
        string="Provision Movement",
        copy=False,
        readonly=True,
        index="btree_not_null",  # most journal items have none: a small index
    )
    after_sales_categ_id = fields.Many2one(
        "product.category",
        string="Warranty Category",
        copy=False,
        readonly=True,
        index="btree_not_null",
    )

    # Warranty cohorts (category x month of sale): frozen on the product lines of
    # customer invoices and credit notes at posting, and on the provision movements
    after_sales_cohort_date = fields.Date(
        string="Warranty Cohort",
        copy=False,
        readonly=True,
        help="First day of the month of sale of the products this line is about: with "
        "the category, the warranty cohort the provision is measured by.",
    )
    after_sales_warranty_months = fields.Integer(
        string="Warranty Months at Sale",
        copy=False,
        readonly=True,
        help="The warranty of the product when it was sold (a later change of the product "
        "does not change the terms of what was sold).",
    )
    after_sales_adjustment_reason = fields.Char(
        string="Provision Adjustment Reason",
        copy=False,
        help="Why this manual entry moves the warranty provision: with a reason, it is an "
        "adjustment of the reconciliation, not a difference.",
    )

    # An order line is billed by one live invoice line: not by a cancelled invoice,
    # not by one a posted credit note reversed. Two users or a double click cannot
    # bill it twice: the second INSERT fails.
    _after_sales_billing_unique = models.UniqueIndex(
        "(after_sales_order_line_id) WHERE after_sales_order_line_id IS NOT NULL "
        "AND after_sales_is_billing AND parent_state != 'cancel' "
        "AND after_sales_credited IS NOT TRUE",
        "This service order line is already invoiced.",
    )

    def _copy_data_extend_business_fields(self, values):
        """Reversals and "reverse and create invoice" keep what the line is about: the
        service period (a credit note is deferred like its invoice), the service
        order (only a customer invoice line bills it: the move drops the billing
        flag on anything else), the provision movement (reversed: an accrual undone
        is a release)."""
        result = super()._copy_data_extend_business_fields(values)
        values.update(
            after_sales_period_start=self.after_sales_period_start,
            after_sales_period_end=self.after_sales_period_end,
            after_sales_order_id=self.after_sales_order_id.id,
            after_sales_order_line_id=self.after_sales_order_line_id.id,
            after_sales_is_billing=self.after_sales_is_billing,
            after_sales_categ_id=self.after_sales_categ_id.id,
            after_sales_cohort_date=self.after_sales_cohort_date,
            after_sales_warranty_months=self.after_sales_warranty_months,
            after_sales_adjustment_reason=self.after_sales_adjustment_reason,
        )
        kind = self.after_sales_provision_kind
        if kind and "move_reverse_cancel" in self.env.context:  # set by _reverse_moves
            kind = REVERSED_PROVISION_KIND.get(kind, kind)
        values["after_sales_provision_kind"] = kind
        return result

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("after_sales_adjustment_reason") and not vals.get(
                "after_sales_provision_kind"
            ):
                vals["after_sales_provision_kind"] = "adjustment"
        return super().create(vals_list)

    def write(self, vals):
        """A reason makes a manual item an adjustment of the provision; an item of the
        module (another movement) keeps its kind."""
        if "after_sales_adjustment_reason" not in vals:
            return super().write(vals)
        manual = self.filtered(
            lambda line: line.after_sales_provision_kind in (False, "adjustment")
        )
        result = super().write(vals)
        if manual:
            kind = "adjustment" if vals["after_sales_adjustment_reason"] else False
            super(AccountMoveLine, manual).write({"after_sales_provision_kind": kind})
        return result

    def _eligible_for_stock_account(self):
        # a part billed with a service order left stock by the order's own move to the
        # service consumption location, and the order's cost entry charges its cost:
        # Odoo's cost of goods sold on the invoice would count it a second time
        return not self.after_sales_order_line_id and super()._eligible_for_stock_account()
