"""Quality figures of the KPI dashboard: claim and failure rates of the installed
base, repeat failures and MTBF, per period, per product and per lot.

Definitions (every count is restricted to the given companies):

- installed units at the end of a period: active units of the installed base
  delivered on or before the last day of the period;
- claims of a period: claims received in the period about a product, except the
  rejected ones;
- corrective orders of a period: orders of the corrective type on a unit, received in
  the period, except the cancelled ones;
- failures of a period: corrective orders on a unit done in the period;
- claims per 1,000 = claims / installed units x 1,000 (the same for corrective orders);
- failure rate = (claims + corrective orders) / installed units x 1,000;
- a repeat failure is a corrective order received in the period within N days (the
  company's ``after_sales_repeat_days``) after an earlier corrective order of the same
  unit; repeat failure rate = units with a repeat failure / units with a corrective
  order in the period x 100;
- operating days of a unit over a period = last day of the period - (its delivery date
  or the first day of the period, whichever is later) + 1;
  MTBF = operating days of the installed units / failures of those units, in days.

A figure without data (no installed unit, no failure) is None, never a division by 0.
"""

from collections import defaultdict

from odoo import api, models
from odoo.tools import SQL

# the counts of _quality_counts, per product or lot
QUALITY_COUNTS = ("units", "claims", "corrective", "failures", "operating_days")


class AfterSalesKpi(models.AbstractModel):
    _inherit = "after_sales.kpi"

    def _kpi_figures(self, date_from, date_to, companies, stats=None):
        stats = self._kpi_stats(date_from, date_to, companies, stats)
        return super()._kpi_figures(date_from, date_to, companies, stats) + self._kpi_quality(
            date_from, date_to, companies, stats
        )

    # ------------------------------------------------------------------
    # Domains of the records behind the figures
    # ------------------------------------------------------------------
    @api.model
    def _quality_unit_domain(self, date_to, companies):
        return [
            ("company_id", "in", companies.ids),
            ("active", "=", True),
            ("delivery_date", "<=", date_to),
        ]

    @api.model
    def _quality_claim_domain(self, date_from, date_to, companies):
        start, stop = self._kpi_bounds(date_from, date_to)
        return [
            ("company_id", "in", companies.ids),
            ("date_received", ">=", start),
            ("date_received", "<", stop),
            ("product_id", "!=", False),
            ("state", "!=", "rejected"),
        ]

    @api.model
    def _quality_corrective_domain(self, date_from, date_to, companies):
        start, stop = self._kpi_bounds(date_from, date_to)
        return [
            ("company_id", "in", companies.ids),
            ("service_type_id", "=", self._quality_corrective_type().id),
            ("equipment_id", "!=", False),
            ("state", "!=", "cancelled"),
            ("date_received", ">=", start),
            ("date_received", "<", stop),
        ]

    @api.model
    def _quality_failure_domain(self, date_from, date_to, companies):
        start, stop = self._kpi_bounds(date_from, date_to)
        return [
            ("company_id", "in", companies.ids),
            ("service_type_id", "=", self._quality_corrective_type().id),
            ("equipment_id", "!=", False),
            ("equipment_id.active", "=", True),
            ("equipment_id.delivery_date", "<=", date_to),
            ("state", "=", "done"),
            ("date_done", ">=", start),
            ("date_done", "<", stop),
        ]

    @api.model
    def _quality_corrective_type(self):
        return self.env.ref("after_sales_service.service_type_corrective")

    # ------------------------------------------------------------------
    # Aggregates
    # ------------------------------------------------------------------
    @api.model
    def _quality_counts(self, date_from, date_to, companies, groupby="product_id", products=None):
        """{product or lot id: {"units", "claims", "corrective", "failures",
        "operating_days"}} over the period, grouped by ``groupby`` ("product_id" or
        "lot_id"), restricted to ``products`` when given. One aggregate query per count.
        """
        Equipment = self.env["after_sales.equipment"].with_context(active_test=False)
        Claim = self.env["after_sales.claim"]
        Order = self.env["after_sales.order"]
        unit_domain = self._quality_unit_domain(date_to, companies)
        claim_domain = self._quality_claim_domain(date_from, date_to, companies)
        corrective_domain = self._quality_corrective_domain(date_from, date_to, companies)
        failure_domain = self._quality_failure_domain(date_from, date_to, companies)
        order_groupby = f"equipment_id.{groupby}"
        if products is not None:
            unit_domain.append(("product_id", "in", products.ids))
            claim_domain.append(("product_id", "in", products.ids))
            corrective_domain.append(("equipment_id.product_id", "in", products.ids))
            failure_domain.append(("equipment_id.product_id", "in", products.ids))
        counts = defaultdict(lambda: dict.fromkeys(QUALITY_COUNTS, 0))
        for name, model, domain, key in (
            ("units", Equipment, unit_domain, groupby),
            ("claims", Claim, claim_domain, groupby),
            ("corrective", Order, corrective_domain, order_groupby),
            ("failures", Order, failure_domain, order_groupby),
        ):
            for record, count in model._read_group(domain, [key], ["__count"]):
                if record:
                    counts[record.id][name] = count
        for key_id, days in self._quality_operating_days(
            date_from, date_to, companies, groupby, products
        ):
            if key_id:
                counts[key_id]["operating_days"] = days
        return dict(counts)

    @api.model
    def _quality_operating_days(self, date_from, date_to, companies, groupby=None, products=None):
        """[(product or lot id, operating days)] of the installed units over the period
        (one SUM query); one row (None, days) for all units when ``groupby`` is None."""
        Equipment = self.env["after_sales.equipment"]
        Equipment.flush_model(["company_id", "active", "delivery_date", "product_id", "lot_id"])
        key = SQL.identifier("equipment", groupby) if groupby else SQL("NULL")
        product_filter = (
            SQL("AND equipment.product_id = ANY(%s)", products.ids)
            if products is not None
            else SQL()
        )
        rows = self.env.execute_query(
            SQL(
                """
                SELECT %(key)s, SUM(%(date_to)s::date
                                    - GREATEST(equipment.delivery_date, %(date_from)s::date) + 1)
                  FROM after_sales_equipment equipment
                 WHERE equipment.company_id = ANY(%(companies)s)
                   AND equipment.active
                   AND equipment.delivery_date <= %(date_to)s
                   %(product_filter)s
                 GROUP BY 1
                """,
                key=key,
                date_from=date_from,
                date_to=date_to,
                companies=companies.ids,
                product_filter=product_filter,
            )
        )
        return [(key_id, int(days or 0)) for key_id, days in rows]

    @api.model
    def _quality_repeat_domain(self, date_from, date_to, companies):
        """The repeat failures of the period: corrective orders received in the period
        within the company's N days after an earlier corrective order of the same
        unit (the fact ``kpi_repeat_failure`` stored on the order)."""
        start, stop = self._kpi_bounds(date_from, date_to)
        return [
            ("company_id", "in", companies.ids),
            ("kpi_repeat_failure", "=", True),
            ("date_received", ">=", start),
            ("date_received", "<", stop),
        ]

    @api.model
    def _quality_rates(self, counts):
        """The figures of one product or lot from its ``_quality_counts``."""
        units = counts["units"]
        return {
            **counts,
            "claims_per_1000": self._kpi_ratio(counts["claims"], units, 1000.0),
            "corrective_per_1000": self._kpi_ratio(counts["corrective"], units, 1000.0),
            "failure_rate": self._kpi_ratio(counts["claims"] + counts["corrective"], units, 1000.0),
            "mtbf_days": self._kpi_ratio(counts["operating_days"], counts["failures"], 1.0),
        }

    # ------------------------------------------------------------------
    # The dashboard's quality figures
    # ------------------------------------------------------------------
    def _kpi_quality(self, date_from, date_to, companies, stats=None):
        stats = self._kpi_stats(date_from, date_to, companies, stats)
        Equipment = self.env["after_sales.equipment"]
        unit_domain = self._quality_unit_domain(date_to, companies)
        claim_domain = self._quality_claim_domain(date_from, date_to, companies)
        corrective_domain = self._quality_corrective_domain(date_from, date_to, companies)
        [(units,)] = Equipment._read_group(unit_domain, aggregates=["__count"])
        [(claims,)] = self.env["after_sales.claim"]._read_group(
            claim_domain, aggregates=["__count"]
        )
        # of the orders: the period's one pass over them
        corrective = sum(row["corrective"] for row in stats)
        corrective_units = sum(row["corrective_units"] for row in stats)
        failures = sum(row["repairs"] for row in stats)
        repeat_units = sum(row["repeat_units"] for row in stats)
        operating_days = sum(
            days for _key, days in self._quality_operating_days(date_from, date_to, companies)
        )
        repeat_domain = self._quality_repeat_domain(date_from, date_to, companies)
        list_form = [[False, "list"], [False, "form"]]
        return [
            {
                "key": "claims_per_1000",
                "label": self.env._("Claims per 1,000 Units"),
                "group": "quality",
                "value": self._kpi_ratio(claims, units, 1000.0),
                "unit": "per_1000",
                "help": self.env._(
                    "Claims received in the period (not rejected) / active units of the "
                    "installed base delivered by the end of the period x 1,000."
                ),
                "action": {
                    "res_model": "after_sales.claim",
                    "domain": claim_domain,
                    "name": self.env._("Claims"),
                    "views": list_form,
                },
            },
            {
                "key": "corrective_per_1000",
                "label": self.env._("Corrective Orders per 1,000 Units"),
                "group": "quality",
                "value": self._kpi_ratio(corrective, units, 1000.0),
                "unit": "per_1000",
                "help": self.env._(
                    "Corrective orders received in the period (not cancelled) / active units "
                    "of the installed base delivered by the end of the period x 1,000."
                ),
                "action": {
                    "res_model": "after_sales.order",
                    "domain": corrective_domain,
                    "name": self.env._("Corrective Orders"),
                    "views": list_form,
                },
            },
            {
                "key": "repeat_failure_rate",
                "label": self.env._("Repeat Failures"),
                "group": "quality",
                "value": self._kpi_ratio(repeat_units, corrective_units),
                "unit": "%",
                "help": self.env._(
                    "Units with a corrective order in the period received within the "
                    "company's repeat window (days) after an earlier corrective order of the "
                    "same unit / units with a corrective order in the period x 100."
                ),
                "action": {
                    "res_model": "after_sales.order",
                    "domain": repeat_domain,
                    "name": self.env._("Repeat Failures"),
                    "views": list_form,
                },
            },
            {
                "key": "mtbf_days",
                "label": self.env._("MTBF"),
                "group": "quality",
                "value": self._kpi_ratio(operating_days, failures, 1.0) if units else None,
                "unit": "days",
                "help": self.env._(
                    "Mean time between failures: operating days of the installed units in the "
                    "period (from their delivery or the start of the period to its end) / "
                    "corrective orders of units done in the period."
                ),
                "action": {
                    "res_model": "after_sales.equipment",
                    "domain": unit_domain,
                    "name": self.env._("Installed Units"),
                    "views": list_form,
                },
            },
        ]
