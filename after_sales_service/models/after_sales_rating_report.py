from odoo import fields, models, tools
from odoo.tools import SQL

from odoo.addons.rating.models.rating_data import RATING_LIMIT_OK, RATING_LIMIT_SATISFIED

RATED_KINDS = [
    ("after_sales.order", "Service Order"),
    ("after_sales.claim", "Claim"),
    ("after_sales.contract", "Contract (NPS)"),
]


class AfterSalesRatingReport(models.Model):
    """The customers' answers to our rating requests, one row per rating, with what
    was rated: the satisfaction (CSAT) of orders and claims, the NPS of contracts."""

    _name = "after_sales.rating.report"
    _description = "Customer Satisfaction Analysis"
    _auto = False
    _order = "date desc, id desc"
    _rec_name = "rating_id"

    rating_id = fields.Many2one("rating.rating", readonly=True)
    res_model = fields.Selection(RATED_KINDS, string="Rated", readonly=True)
    order_id = fields.Many2one("after_sales.order", readonly=True)
    claim_id = fields.Many2one("after_sales.claim", readonly=True)
    contract_id = fields.Many2one("after_sales.contract", readonly=True)
    technician_id = fields.Many2one(
        "res.users",
        readonly=True,
        help="Who was rated: the order's first technician, the claim's or the contract's "
        "responsible, as recorded when the customer was asked.",
    )
    service_type_id = fields.Many2one("after_sales.service.type", readonly=True)
    product_id = fields.Many2one("product.product", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    date = fields.Datetime(string="Rated On", readonly=True)
    rating = fields.Float(
        string="Rating Value",
        aggregator="avg",
        readonly=True,
        help="1 Unhappy, 3 Neutral, 5 Happy.",
    )
    feedback = fields.Text(readonly=True)
    is_satisfied = fields.Integer(
        string="Satisfied",
        aggregator="sum",
        readonly=True,
        help="1 when the rating is 4 or more (Happy): summed, the number of satisfied customers.",
    )
    csat = fields.Float(
        string="CSAT %",
        aggregator="avg",
        readonly=True,
        help="Customer satisfaction of orders and claims: satisfied ratings (Happy, 5 of "
        "1/3/5) / all ratings x 100. Each row is 100 (satisfied) or 0: its average is "
        "the CSAT. Empty for contracts.",
    )
    is_promoter = fields.Integer(
        string="Promoters",
        aggregator="sum",
        readonly=True,
        help="Contracts: answered 9-10 (rating link 5).",
    )
    is_detractor = fields.Integer(
        string="Detractors",
        aggregator="sum",
        readonly=True,
        help="Contracts: answered 0-6 (rating link 1).",
    )
    nps = fields.Float(
        string="NPS",
        aggregator="avg",
        readonly=True,
        help="Net Promoter Score of contracts: % promoters (9-10) - % detractors (0-6), "
        "from -100 to 100. Each row is 100 (promoter), 0 (passive, 7-8) or -100 "
        "(detractor): its average is the NPS. Empty for orders and claims.",
    )

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                """
CREATE OR REPLACE VIEW %(table)s AS (
    SELECT r.id AS id,
           r.id AS rating_id,
           r.res_model AS res_model,
           o.id AS order_id,
           c.id AS claim_id,
           k.id AS contract_id,
           (SELECT u.id FROM res_users u
             WHERE u.partner_id = r.rated_partner_id AND u.active
             ORDER BY u.id LIMIT 1) AS technician_id,
           COALESCE(o.service_type_id, c.service_type_id) AS service_type_id,
           COALESCE(e.product_id, c.product_id) AS product_id,
           COALESCE(o.partner_id, c.partner_id, k.partner_id) AS partner_id,
           COALESCE(o.company_id, c.company_id, k.company_id) AS company_id,
           COALESCE(r.rated_on, r.write_date) AS date,
           r.rating AS rating,
           r.feedback AS feedback,
           CASE WHEN r.rating >= %(satisfied)s THEN 1 ELSE 0 END AS is_satisfied,
           CASE WHEN k.id IS NOT NULL THEN NULL
                WHEN r.rating >= %(satisfied)s THEN 100.0 ELSE 0.0 END AS csat,
           CASE WHEN k.id IS NOT NULL AND r.rating >= %(satisfied)s
                THEN 1 ELSE 0 END AS is_promoter,
           CASE WHEN k.id IS NOT NULL AND r.rating < %(passive)s
                THEN 1 ELSE 0 END AS is_detractor,
           CASE WHEN k.id IS NULL THEN NULL
                WHEN r.rating >= %(satisfied)s THEN 100.0
                WHEN r.rating < %(passive)s THEN -100.0 ELSE 0.0 END AS nps
      FROM rating_rating r
 LEFT JOIN after_sales_order o
        ON r.res_model = 'after_sales.order' AND o.id = r.res_id
 LEFT JOIN after_sales_equipment e ON e.id = o.equipment_id
 LEFT JOIN after_sales_claim c
        ON r.res_model = 'after_sales.claim' AND c.id = r.res_id
 LEFT JOIN after_sales_contract k
        ON r.res_model = 'after_sales.contract' AND k.id = r.res_id
     WHERE r.consumed
       AND r.rating >= 1
       AND COALESCE(o.id, c.id, k.id) IS NOT NULL
)
                """,
                table=SQL.identifier(self._table),
                satisfied=RATING_LIMIT_SATISFIED,
                passive=RATING_LIMIT_OK,
            )
        )
