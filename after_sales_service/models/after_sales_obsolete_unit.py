from odoo import fields, models
from odoo.tools import SQL


class AfterSalesObsoleteUnit(models.Model):
    """Units of obsolete products still in the installed base: their age, warranty,
    running contract and what their service cost over the last 12 months, read
    in one query for the whole list (days where each company works)."""

    _name = "after_sales.obsolete.unit"
    _description = "Obsolete Unit"
    _auto = False
    _order = "product_id, partner_id, id"
    _rec_name = "equipment_id"

    equipment_id = fields.Many2one("after_sales.equipment", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Owner", readonly=True)
    product_id = fields.Many2one("product.product", readonly=True)
    product_tmpl_id = fields.Many2one("product.template", string="Product Template", readonly=True)
    successor_id = fields.Many2one("product.product", readonly=True)
    last_service_date = fields.Date(readonly=True)
    lot_id = fields.Many2one("stock.lot", string="Serial Number", readonly=True)
    delivery_date = fields.Date(readonly=True)
    age_months = fields.Integer(
        string="Age (months)", readonly=True, aggregator="avg", help="Months since delivery."
    )
    warranty_end_date = fields.Date(readonly=True)
    is_in_warranty = fields.Boolean(string="In Warranty", readonly=True)
    contract_id = fields.Many2one(
        "after_sales.contract",
        string="Running Contract",
        readonly=True,
        help="The running contract of the owner covering the unit today.",
    )
    currency_id = fields.Many2one("res.currency", readonly=True)
    cost_12m = fields.Monetary(
        string="Service Cost (12 months)",
        readonly=True,
        help="Actual cost of the unit's service orders done in the last 12 months.",
    )
    order_count_12m = fields.Integer(string="Orders (12 months)", readonly=True)

    @property
    def _table_query(self):
        return SQL(
            """
            WITH company_day AS (
                SELECT company.id AS company_id,
                       COALESCE(calendar.tz, partner.tz, 'UTC') AS tz,
                       (now() AT TIME ZONE COALESCE(calendar.tz, partner.tz, 'UTC'))::date AS today
                  FROM res_company company
                  JOIN res_partner partner ON partner.id = company.partner_id
             LEFT JOIN resource_calendar calendar ON calendar.id = company.resource_calendar_id
            ),
            units AS (
                SELECT unit.id, unit.company_id, unit.partner_id, unit.product_id, unit.lot_id,
                       unit.delivery_date, unit.warranty_start_date, unit.warranty_end_date,
                       template.after_sales_successor_id AS successor_id,
                       template.after_sales_last_service_date AS last_service_date,
                       template.id AS template_id, day.today, day.tz
                  FROM after_sales_equipment unit
                  JOIN product_product product ON product.id = unit.product_id
                  JOIN product_template template ON template.id = product.product_tmpl_id
                  JOIN company_day day ON day.company_id = unit.company_id
                 WHERE unit.active
                   AND unit.partner_id IS NOT NULL
                   AND template.after_sales_obsolete
            ),
            costs AS (
                SELECT service.equipment_id,
                       SUM(service.cost_actual) AS cost,
                       COUNT(*) AS orders
                  FROM after_sales_order service
                  JOIN units ON units.id = service.equipment_id
                 WHERE service.state = 'done'
                   AND (service.date_done AT TIME ZONE 'UTC' AT TIME ZONE units.tz)::date
                       > units.today - INTERVAL '12 months'
              GROUP BY service.equipment_id
            )
            SELECT units.id AS id,
                   units.id AS equipment_id,
                   units.company_id,
                   units.partner_id,
                   units.product_id,
                   units.template_id AS product_tmpl_id,
                   units.successor_id,
                   units.last_service_date,
                   units.lot_id,
                   units.delivery_date,
                   (EXTRACT(YEAR FROM age(units.today, units.delivery_date)) * 12
                    + EXTRACT(MONTH FROM age(units.today, units.delivery_date)))::integer
                       AS age_months,
                   units.warranty_end_date,
                   COALESCE(units.warranty_start_date <= units.today
                            AND units.warranty_end_date >= units.today, FALSE) AS is_in_warranty,
                   contract.id AS contract_id,
                   company.currency_id,
                   COALESCE(costs.cost, 0.0) AS cost_12m,
                   COALESCE(costs.orders, 0) AS order_count_12m
              FROM units
              JOIN res_company company ON company.id = units.company_id
              JOIN res_partner owner ON owner.id = units.partner_id
         LEFT JOIN costs ON costs.equipment_id = units.id
         LEFT JOIN LATERAL (
                SELECT live.id
                  FROM after_sales_contract_equipment_rel rel
                  JOIN after_sales_contract live ON live.id = rel.contract_id
                  JOIN res_partner customer ON customer.id = live.partner_id
                 WHERE rel.equipment_id = units.id
                   AND live.state = 'running'
                   AND live.date_start <= units.today
                   AND live.date_end >= units.today
                   AND customer.commercial_partner_id = owner.commercial_partner_id
              ORDER BY live.date_end DESC, live.id DESC
                 LIMIT 1
              ) contract ON TRUE
            """
        )

    def action_offer_replacement(self):
        return self.equipment_id._offer_replacement()

    def action_open_equipment(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "after_sales.equipment",
            "res_id": self.equipment_id.id,
            "view_mode": "form",
            "views": [(False, "form")],
        }
