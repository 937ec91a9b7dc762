from odoo import fields, models, tools
from odoo.tools import SQL

from odoo.addons.rating.models.rating_data import RATING_LIMIT_SATISFIED

from .after_sales_provider import PROVIDER_KINDS

EXECUTORS = [("own", "Own Department"), ("provider", "Service Provider")]


class AfterSalesProviderReport(models.Model):
    """Quality of the done service orders per provider, the own department (orders
    without a provider) beside them: one row per done order, whose rates are 100,
    0 or empty so that their average is the rate of any group."""

    _name = "after_sales.provider.report"
    _description = "Quality per Provider"
    _auto = False
    _order = "date_done desc, id desc"
    _rec_name = "order_id"

    order_id = fields.Many2one("after_sales.order", readonly=True)
    executor = fields.Selection(EXECUTORS, string="Executed By", readonly=True)
    provider_id = fields.Many2one("after_sales.provider", readonly=True)
    provider_kind = fields.Selection(PROVIDER_KINDS, readonly=True)
    service_type_id = fields.Many2one("after_sales.service.type", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    equipment_id = fields.Many2one("after_sales.equipment", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    date_done = fields.Datetime(string="Done On", readonly=True)
    order_count = fields.Integer(string="Orders Done", aggregator="sum", readonly=True)
    sla_attainment = fields.Float(
        string="SLA Met %",
        aggregator="avg",
        readonly=True,
        help="Orders done within their resolution deadline / orders with a deadline x 100 "
        "(orders without an SLA are left out).",
    )
    first_time_fix = fields.Float(
        string="First-Time Fix %",
        aggregator="avg",
        readonly=True,
        help="Done corrective orders on a unit that no other corrective order of the unit "
        "followed within 30 days / done corrective orders on a unit x 100.",
    )
    repeat_visit_rate = fields.Float(
        string="Repeat Visits %",
        aggregator="avg",
        readonly=True,
        help="Orders on a unit followed within 30 days by an unplanned order on the same "
        "unit / orders on a unit x 100.",
    )
    claim_count = fields.Integer(
        string="Claims",
        aggregator="sum",
        readonly=True,
        help="Customer claims about the unit received after this order and before the "
        "unit's next done order: the last one who served the unit answers for it.",
    )
    csat = fields.Float(
        string="CSAT %",
        aggregator="avg",
        readonly=True,
        help="Rated orders whose customer was satisfied (Happy) / rated orders x 100.",
    )

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                """
CREATE OR REPLACE VIEW %(table)s AS (
    SELECT o.id AS id,
           o.id AS order_id,
           CASE WHEN o.provider_id IS NULL THEN 'own' ELSE 'provider' END AS executor,
           o.provider_id AS provider_id,
           p.kind AS provider_kind,
           o.service_type_id AS service_type_id,
           o.partner_id AS partner_id,
           o.equipment_id AS equipment_id,
           o.company_id AS company_id,
           o.date_done AS date_done,
           1 AS order_count,
           CASE o.sla_resolution_result WHEN 'met' THEN 100.0 WHEN 'missed' THEN 0.0
           END AS sla_attainment,
           CASE o.kpi_fix_result WHEN 'held' THEN 100.0 WHEN 'failed' THEN 0.0
           END AS first_time_fix,
           CASE WHEN o.equipment_id IS NULL THEN NULL
                WHEN o.kpi_repeat_visit THEN 100.0 ELSE 0.0
           END AS repeat_visit_rate,
           COALESCE(claims.number, 0) AS claim_count,
           CASE WHEN rated.rating IS NULL THEN NULL
                WHEN rated.rating >= %(satisfied)s THEN 100.0 ELSE 0.0 END AS csat
      FROM after_sales_order o
 LEFT JOIN after_sales_provider p ON p.id = o.provider_id
 LEFT JOIN LATERAL (
        SELECT COUNT(*) AS number
          FROM after_sales_claim c
         WHERE o.equipment_id IS NOT NULL
           AND c.equipment_id = o.equipment_id
           AND c.company_id = o.company_id
           AND c.date_received >= o.date_done
           AND NOT EXISTS (
                SELECT 1 FROM after_sales_order n
                 WHERE n.equipment_id = o.equipment_id
                   AND n.state = 'done'
                   AND n.id != o.id
                   AND (n.date_done, n.id) > (o.date_done, o.id)
                   AND n.date_done <= c.date_received)
       ) claims ON TRUE
 LEFT JOIN LATERAL (
        SELECT r.rating
          FROM rating_rating r
         WHERE r.res_model = 'after_sales.order'
           AND r.res_id = o.id
           AND r.consumed
           AND r.rating >= 1
      ORDER BY COALESCE(r.rated_on, r.write_date) DESC, r.id DESC
         LIMIT 1
       ) rated ON TRUE
     WHERE o.state = 'done'
)
                """,
                table=SQL.identifier(self._table),
                satisfied=RATING_LIMIT_SATISFIED,
            )
        )
