from odoo import api, fields, models

from .utils import context_date


class AfterSalesServiceType(models.Model):
    """The market's reference price and times of a type of service, per company (in
    its currency), entered by the service manager, and ours against them."""

    _inherit = "after_sales.service.type"

    market_currency_id = fields.Many2one("res.currency", compute="_compute_market_currency_id")
    # a per-company amount in the company's currency (Monetary fields cannot be
    # company dependent: shown with the monetary widget)
    market_price = fields.Float(
        digits="Product Price",
        company_dependent=True,
        help="The average price the market charges for this service (in the company's "
        "currency). Empty or 0: the type is left out of the price index.",
    )
    market_price_source = fields.Char(
        string="Price Source", company_dependent=True, help="Where the reference price comes from."
    )
    market_price_date = fields.Date(
        string="Price Date", company_dependent=True, help="When the reference price was taken."
    )
    market_duration_hours = fields.Float(
        string="Market Time to Repair (hours)",
        company_dependent=True,
        help="The market's average time from request to completed service. Empty or 0: "
        "the type is left out of the time index.",
    )
    market_response_hours = fields.Float(
        string="Market Response Time (hours)",
        company_dependent=True,
        help="The market's average time from request to the start of the work.",
    )

    # ours against the market, for the period of the context (default: the last 12
    # months to today) and the current company
    criteria_order_count = fields.Integer(string="Done Orders", compute="_compute_criteria")
    our_price = fields.Monetary(
        string="Our Average Price", currency_field="market_currency_id", compute="_compute_criteria"
    )
    price_index = fields.Float(compute="_compute_criteria", help="100 x our price / market price.")
    our_response_hours = fields.Float(string="Our Response (hours)", compute="_compute_criteria")
    our_duration_hours = fields.Float(
        string="Our Time to Repair (hours)", compute="_compute_criteria"
    )
    time_index = fields.Float(
        compute="_compute_criteria",
        help="100 x our time to repair / market time to repair: below 100 is faster.",
    )

    @api.depends_context("company")
    def _compute_market_currency_id(self):
        for service_type in self:
            service_type.market_currency_id = self.env.company.currency_id

    @api.depends_context("company", "date_from", "date_to", "date")
    def _compute_criteria(self):
        date_to = fields.Date.to_date(self.env.context.get("date_to")) or context_date(self)
        date_from = fields.Date.to_date(self.env.context.get("date_from")) or date_to.replace(
            year=date_to.year - 1
        )
        company = self.env.company
        kpi = self.env["after_sales.kpi"]
        prices = kpi._market_prices(date_from, date_to, company)
        times = kpi._market_times(date_from, date_to, company)
        for service_type in self:
            price = prices.get((company.id, service_type.id), {})
            time = times.get((company.id, service_type.id), {})
            service_type.criteria_order_count = time.get("count", 0)
            service_type.our_price = price.get("ours", 0.0)
            service_type.price_index = price.get("index", 0.0)
            service_type.our_response_hours = time.get("response", 0.0)
            service_type.our_duration_hours = time.get("duration", 0.0)
            service_type.time_index = time.get("index", 0.0)
