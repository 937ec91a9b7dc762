from datetime import timedelta

from odoo import fields, models
from odoo.exceptions import UserError

GROUPBYS = [("product_id", "Product"), ("lot_id", "Lot/Serial Number")]


class AfterSalesQualityAnalysis(models.TransientModel):
    """The quality loop of a chosen period per product or per lot: claims and
    corrective orders per 1,000 installed units, repeat failures and MTBF, the same
    figures as the KPI dashboard (``after_sales.kpi._quality_counts``), flagged
    against the company's threshold."""

    _name = "after_sales.quality.analysis"
    _description = "Failure Rates per Product or Lot"

    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    date_from = fields.Date(
        string="From",
        required=True,
        default=lambda self: fields.Date.context_today(self) - timedelta(days=364),
    )
    date_to = fields.Date(string="To", required=True, default=fields.Date.context_today)
    groupby = fields.Selection(GROUPBYS, string="Per", required=True, default="product_id")
    threshold = fields.Float(related="company_id.after_sales_failure_threshold")
    line_ids = fields.One2many("after_sales.quality.analysis.line", "analysis_id", readonly=True)

    def action_compute(self):
        self.ensure_one()
        if self.date_to < self.date_from:
            raise UserError(self.env._("The end of the period comes before its start."))
        if self.company_id not in self.env.user.company_ids:
            raise UserError(self.env._("You are not allowed to see this company's figures."))
        self.env["after_sales.kpi"]._kpi_check_access()
        Kpi = self.env["after_sales.kpi"]
        counts = Kpi._quality_counts(self.date_from, self.date_to, self.company_id, self.groupby)
        repeats = self._repeat_failures()
        self.line_ids.unlink()
        key = self.groupby
        lines = []
        for key_id, key_counts in counts.items():
            rates = Kpi._quality_rates(key_counts)
            lines.append(
                {
                    "analysis_id": self.id,
                    key: key_id,
                    "units": rates["units"],
                    "claims": rates["claims"],
                    "corrective": rates["corrective"],
                    "failures": rates["failures"],
                    "repeat_failures": repeats.get(key_id, 0),
                    "operating_days": rates["operating_days"],
                    "claims_per_1000": rates["claims_per_1000"] or 0.0,
                    "corrective_per_1000": rates["corrective_per_1000"] or 0.0,
                    "failure_rate": rates["failure_rate"] or 0.0,
                    "mtbf_days": rates["mtbf_days"] or 0.0,
                    "has_units": bool(rates["units"]),
                    "is_above_threshold": bool(
                        rates["failure_rate"] and rates["failure_rate"] > self.threshold
                    ),
                }
            )
        self.env["after_sales.quality.analysis.line"].create(lines)
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "current",
            "name": self.env._("Failure Rates"),
        }

    def _repeat_failures(self):
        """{product or lot id: repeat failures received in the period} (one query)."""
        Kpi = self.env["after_sales.kpi"]
        domain = Kpi._quality_repeat_domain(self.date_from, self.date_to, self.company_id)
        groups = self.env["after_sales.order"]._read_group(
            domain, [f"equipment_id.{self.groupby}"], ["__count"]
        )
        return {record.id: count for record, count in groups if record}


class AfterSalesQualityAnalysisLine(models.TransientModel):
    _name = "after_sales.quality.analysis.line"
    _description = "Failure Rate of a Product or Lot"
    _order = "failure_rate desc, id"

    analysis_id = fields.Many2one(
        "after_sales.quality.analysis", required=True, ondelete="cascade", index=True
    )
    product_id = fields.Many2one("product.product", readonly=True)
    lot_id = fields.Many2one("stock.lot", string="Lot/Serial Number", readonly=True)
    units = fields.Integer(string="Installed Units", readonly=True)
    claims = fields.Integer(readonly=True)
    corrective = fields.Integer(string="Corrective Orders", readonly=True)
    failures = fields.Integer(
        string="Repairs Done", readonly=True, help="Corrective orders of units done in the period."
    )
    repeat_failures = fields.Integer(readonly=True)
    operating_days = fields.Integer(readonly=True)
    claims_per_1000 = fields.Float(string="Claims per 1,000", digits=(16, 1), readonly=True)
    corrective_per_1000 = fields.Float(string="Corrective per 1,000", digits=(16, 1), readonly=True)
    failure_rate = fields.Float(
        digits=(16, 1),
        readonly=True,
        help="(Claims + corrective orders received in the period) / installed units x 1,000.",
    )
    mtbf_days = fields.Float(
        string="MTBF (days)",
        digits=(16, 1),
        readonly=True,
        help="Operating days of the installed units in the period / repairs done in the period.",
    )
    has_units = fields.Boolean(readonly=True)
    is_above_threshold = fields.Boolean(string="Above Threshold", readonly=True)

    def action_open_orders(self):
        """The corrective orders of this product or lot in the period."""
        self.ensure_one()
        analysis = self.analysis_id
        Kpi = self.env["after_sales.kpi"]
        domain = Kpi._quality_corrective_domain(
            analysis.date_from, analysis.date_to, analysis.company_id
        )
        if self.lot_id:
            domain.append(("equipment_id.lot_id", "=", self.lot_id.id))
        else:
            domain.append(("equipment_id.product_id", "=", self.product_id.id))
        return {
            "type": "ir.actions.act_window",
            "res_model": "after_sales.order",
            "name": self.env._("Corrective Orders"),
            "views": [[False, "list"], [False, "form"]],
            "domain": domain,
        }
