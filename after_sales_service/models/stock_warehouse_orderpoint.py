from odoo import api, fields, models
from odoo.tools import float_round


class StockWarehouseOrderpoint(models.Model):
    _inherit = "stock.warehouse.orderpoint"

    is_after_sales_demand = fields.Boolean(
        string="From Parts Demand",
        copy=False,
        help="Created by the after-sales parts demand: its minimum follows the forecast.",
    )
    after_sales_demand_qty = fields.Float(
        string="Parts Demand",
        digits="Product Unit",
        copy=False,
        readonly=True,
        help="The after-sales parts demand over the forecast horizon, written by the last "
        "update of the reordering rules.",
    )

    @api.model
    def _after_sales_apply_demand(self, companies, totals):
        """Make the reordering rules cover the after-sales parts demand.

        ``totals``: {(company id, part id, location id): demand over the horizon}. For
        each storable part and location: the rule's minimum becomes the demand
        (rounded up to whole units), so that Odoo's replenishment (the scheduler
        or the Replenishment report) orders when the forecast stock falls below it.
        A rule this created follows the demand up and down; a rule people made is
        only raised, never lowered; an archived rule is reactivated; the maximum is
        raised to the minimum when lower. New rules are manual (they show in the
        Replenishment report, a buyer confirms the order). Rules this created whose
        part has no demand any more go back to 0. Returns the rules touched.
        """
        Orderpoint = self.with_context(active_test=False)
        products = self.env["product.product"].browse({key[1] for key in totals})
        storable = {product.id: product for product in products if product.is_storable}
        existing = Orderpoint.search(
            [
                ("company_id", "in", companies.ids),
                "|",
                ("product_id", "in", list(storable)),
                ("is_after_sales_demand", "=", True),
            ]
        )
        by_key = {
            (point.company_id.id, point.product_id.id, point.location_id.id): point
            for point in existing
        }
        touched = self.browse()
        to_create = []
        for key, qty in totals.items():
            product = storable.get(key[1])
            if not product:
                continue
            # whole units of the part's unit of measure (0.84 expected pumps: 1)
            qty = float_round(qty, precision_digits=0, rounding_method="UP")
            point = by_key.get(key)
            if not point:
                to_create.append(
                    {
                        "company_id": key[0],
                        "product_id": key[1],
                        "location_id": key[2],
                        "product_min_qty": qty,
                        "product_max_qty": qty,
                        "trigger": "manual",
                        "is_after_sales_demand": True,
                        "after_sales_demand_qty": qty,
                    }
                )
                continue
            minimum = qty if point.is_after_sales_demand else max(point.product_min_qty, qty)
            vals = {
                "after_sales_demand_qty": qty,
                "product_min_qty": minimum,
                "product_max_qty": max(point.product_max_qty, minimum),
            }
            if not point.active:
                vals["active"] = True
            point._after_sales_write_changes(vals)
            touched |= point
        for point in existing.filtered("is_after_sales_demand") - touched:
            point._after_sales_write_changes(
                {"after_sales_demand_qty": 0.0, "product_min_qty": 0.0}
            )
        return touched | self.create(to_create)

    def _after_sales_write_changes(self, vals):
        """Write the values of ``vals`` that differ (a second run writes nothing)."""
        self.ensure_one()
        changed = {name: value for name, value in vals.items() if self[name] != value}
        if changed:
            self.write(changed)
