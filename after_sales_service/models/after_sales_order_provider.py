from odoo import api, fields, models
from odoo.exceptions import UserError

# What the provider's agreement is checked against again when it changes on an
# order given to a provider.
PROVIDER_CHECK_FIELDS = {
    "service_type_id",
    "partner_id",
    "equipment_id",
    "planned_date_start",
    "date_received",
    "company_id",
}


class AfterSalesOrder(models.Model):
    """Service orders given to a provider (a branch, a dealer, a specialised firm,
    the customer's own staff) instead of the company's own technicians."""

    _inherit = "after_sales.order"

    provider_id = fields.Many2one(
        "after_sales.provider",
        string="Service Provider",
        index="btree_not_null",
        tracking=True,
        check_company=True,
        copy=False,
        help="Who does the work when it is not the company's own technicians; the "
        "provider's agreement says which orders it may serve.",
    )
    provider_kind = fields.Selection(related="provider_id.kind", string="Provider Kind")

    @api.model_create_multi
    def create(self, vals_list):
        orders = super().create(vals_list)
        orders.filtered("provider_id")._check_provider_allowed()
        return orders

    def write(self, vals):
        if "provider_id" in vals:
            self._check_provider_assignable(vals["provider_id"])
        result = super().write(vals)
        if PROVIDER_CHECK_FIELDS & set(vals):
            self.filtered(
                lambda o: o.provider_id and o.state not in ("done", "cancelled")
            )._check_provider_allowed()
        return result

    def _check_provider_assignable(self, provider_id):
        """A provider is given or taken back only while the order is open."""
        changing = self.filtered(lambda o: o.provider_id.id != (provider_id or False))
        closed = changing.filtered(lambda o: o.state in ("done", "cancelled"))
        if closed:
            raise UserError(
                self.env._(
                    "Service order %(name)s is closed: its service provider cannot change.",
                    name=closed[0].name,
                )
            )
        if provider_id:
            provider = self.env["after_sales.provider"].browse(provider_id)
            # the rule on the values the order will have: refused before anything is written
            provider._check_may_serve(changing)

    def _check_provider_allowed(self):
        for provider, orders in self.grouped("provider_id").items():
            provider._check_may_serve(orders)

    def _check_schedulable(self, vals):
        """An order given to a provider needs a planned start, not own technicians."""
        provider_id = vals.get("provider_id")
        outsourced = self.filtered(lambda o: provider_id or (provider_id is None and o.provider_id))
        missing = outsourced.filtered(
            lambda o: not (vals.get("planned_date_start") or o.planned_date_start)
        )
        if missing:
            raise UserError(
                self.env._(
                    "Give service order %(name)s a planned start before scheduling it.",
                    name=missing[0].name,
                )
            )
        return super(AfterSalesOrder, self - outsourced)._check_schedulable(vals)

    @api.model
    def get_dispatch_board_data(self, date_start=None, days=5):
        """Orders given to a provider wait for no technician of the board."""
        data = super().get_dispatch_board_data(date_start, days=days)
        ids = [values["id"] for values in data.get("unassigned", [])]
        outsourced = set(self.browse(ids).filtered("provider_id").ids)
        if outsourced:
            data["unassigned"] = [v for v in data["unassigned"] if v["id"] not in outsourced]
        return data


class AfterSalesOrderLine(models.Model):
    _inherit = "after_sales.order.line"

    def _is_charged_by_purchase(self):
        """Hook: whether a provider's bill (through a purchase order) charges the cost
        of this line, so that neither the order's cost entry nor a vendor bill of the
        subcontracted work charges it again."""
        self.ensure_one()
        return False

    @api.constrains("line_type", "product_id", "employee_id", "vendor_id")
    def _check_line_type_fields(self):
        """Labour of an order given to a provider is the provider's people's: no own
        technician on the line."""
        provider_labour = self.filtered(
            lambda line: line.line_type == "labour" and line.order_id.provider_id
        )
        return super(AfterSalesOrderLine, self - provider_labour)._check_line_type_fields()
