"""Spare-parts demand of the installed base, per stock location and ISO week.

Definitions (the forecast window is ``weeks`` ISO weeks from the Monday of today's
week; the visits counted are those from today to the end of the window):

- planned demand: every visit the active maintenance plans will make in the window
  x the parts of the visit's kit (``after_sales.parts.kit``: the most specific kit
  of the plan's checklist, unit product and service type). Calendar visits follow
  the plan's recurrence (``after_sales.plan._rrule``: a monthly plan on the 31st
  falls on the last day of shorter months); usage visits start at the date the
  meter reaches the next service (``_forecast_usage_date``: the average daily use
  of the readings of the last 365 days) and repeat every usage interval at that
  same daily use (at most one a day); none while a usage visit is open. A calendar
  visit within the plan's tolerance of a usage visit is the same visit. Plans of a
  unit now owned by another customer make no visits;
- corrective demand: the active units delivered by today x their product's failure
  rate of the last 12 months (claims and corrective orders per 1,000 units, written
  daily by the quality cron) / 1,000 x 7 / 365 per week x the parts of the kit of
  the corrective service type for that product (fractions: an expected value);
- location: the plan's "Parts From" location (a van or a warehouse), else the
  stock of the company's first warehouse (corrective demand: always the latter);
- a part that is obsolete or archived is replaced by its first usable substitute
  (``product.product._after_sales_replacements``).

Everything is one SQL query (``generate_series`` over the plans' occurrences), a few
queries for the substitutes, and the writes: no query per plan.
"""

import logging
from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from .utils import company_today

_logger = logging.getLogger(__name__)

DEFAULT_WEEKS = 12
# readings of this many days give the average daily use (as after_sales.plan)
USAGE_WINDOW_DAYS = 365
DAYS_PER_YEAR = 365.0
# pg_try_advisory_xact_lock(DEMAND_LOCK, company id): one regeneration per company
DEMAND_LOCK = 1095979076


class AfterSalesPartsDemand(models.Model):
    _name = "after_sales.parts.demand"
    _description = "Parts Demand"
    _order = "week_date, product_id, location_id"
    _check_company_auto = True

    company_id = fields.Many2one("res.company", required=True, index=True, readonly=True)
    product_id = fields.Many2one(
        "product.product",
        string="Part",
        required=True,
        index=True,
        readonly=True,
        check_company=True,
    )
    product_uom_id = fields.Many2one(related="product_id.uom_id", string="Unit")
    location_id = fields.Many2one(
        "stock.location", required=True, index=True, readonly=True, check_company=True
    )
    week_date = fields.Date(string="Week Of", required=True, index=True, readonly=True)
    week_name = fields.Char(string="ISO Week", compute="_compute_week_name", store=True)
    qty_planned = fields.Float(
        string="Planned",
        readonly=True,
        aggregator="sum",
        help="Parts of the maintenance plans' visits of the week.",
    )
    qty_corrective = fields.Float(
        string="Corrective",
        readonly=True,
        aggregator="sum",
        help="Expected parts of the repairs of the week: installed units x failure rate x "
        "corrective kit.",
    )
    qty_total = fields.Float(
        string="Total", compute="_compute_qty_total", store=True, aggregator="sum"
    )
    date_computed = fields.Date(string="Computed On", readonly=True)

    _demand_unique = models.UniqueIndex("(company_id, product_id, location_id, week_date)")

    @api.depends("week_date")
    def _compute_week_name(self):
        for demand in self:
            if demand.week_date:
                year, week, _day = demand.week_date.isocalendar()
                demand.week_name = f"{year}-W{week:02d}"
            else:
                demand.week_name = False

    @api.depends("qty_planned", "qty_corrective")
    def _compute_qty_total(self):
        for demand in self:
            demand.qty_total = demand.qty_planned + demand.qty_corrective

    # ------------------------------------------------------------------
    # Forecast
    # ------------------------------------------------------------------
    @api.model
    def _forecast_window(self, today, weeks):
        """(first Monday, last day) of ``weeks`` ISO weeks from today's week."""
        monday = today - timedelta(days=today.weekday())
        return monday, monday + timedelta(days=7 * weeks - 1)

    @api.model
    def _parts_demand_rows(
        self, companies, today, weeks, plan_ids=None, planned=True, corrective=True
    ):
        """[(company id, part id, location id, week date, qty planned, qty corrective)]
        of ``companies`` (before substitution), one query. ``plan_ids``: only these
        plans (all active plans when None)."""
        monday, last_day = self._forecast_window(today, weeks)
        corrective_type = self.env.ref(
            "after_sales_service.service_type_corrective", raise_if_not_found=False
        )
        plan_filter = SQL("AND p.id = ANY(%s)", list(plan_ids)) if plan_ids is not None else SQL()
        since = fields.Datetime.now() - timedelta(days=USAGE_WINDOW_DAYS)
        self.env.flush_all()  # the query reads plans, units, kits and readings
        query = SQL(
            """
            WITH warehouse AS (
                SELECT DISTINCT ON (company_id) company_id, lot_stock_id
                  FROM stock_warehouse
                 WHERE active AND company_id = ANY(%(companies)s)
                 ORDER BY company_id, sequence, id
            ),
            plan AS (
                SELECT p.id, p.company_id, p.service_type_id, p.checklist_template_id,
                       e.product_id AS unit_product_id, p.equipment_id, p.meter_id,
                       p.usage_interval, p.usage_baseline, p.tolerance_days, p.date_start,
                       %(planned)s AND p.is_time_based AND p.interval_number > 0
                           AND p.interval_unit IS NOT NULL AS is_time,
                       CASE p.interval_unit WHEN 'day' THEN p.interval_number
                                            WHEN 'week' THEN 7 * p.interval_number END
                           AS step_days,
                       CASE p.interval_unit WHEN 'month' THEN p.interval_number
                                            WHEN 'year' THEN 12 * p.interval_number END
                           AS step_months,
                       p.interval_number AS n,
                       ARRAY_REMOVE(ARRAY[
                           CASE WHEN p.mon THEN 0 END, CASE WHEN p.tue THEN 1 END,
                           CASE WHEN p.wed THEN 2 END, CASE WHEN p.thu THEN 3 END,
                           CASE WHEN p.fri THEN 4 END, CASE WHEN p.sat THEN 5 END,
                           CASE WHEN p.sun THEN 6 END], NULL) AS weekdays,
                       p.interval_unit AS unit,
                       GREATEST(COALESCE(p.cycle_date, p.date_start), p.date_start) AS anchor,
                       GREATEST(p.date_start, %(today)s::date) AS lo,
                       LEAST(COALESCE(p.date_end, %(last_day)s::date), %(last_day)s::date) AS hi,
                       COALESCE(p.parts_location_id, w.lot_stock_id) AS location_id
                  FROM after_sales_plan p
                  LEFT JOIN after_sales_equipment e ON e.id = p.equipment_id
                  LEFT JOIN res_partner ep ON ep.id = e.partner_id
                  LEFT JOIN res_partner pp ON pp.id = p.partner_id
                  LEFT JOIN warehouse w ON w.company_id = p.company_id
                 WHERE %(planned)s AND p.active AND p.company_id = ANY(%(companies)s)
                   AND p.date_start <= %(last_day)s
                   AND (p.date_end IS NULL OR p.date_end >= %(today)s)
                   AND (p.equipment_id IS NULL
                        OR ep.commercial_partner_id = pp.commercial_partner_id)
                   %(plan_filter)s
            ),
            time_plan AS (
                SELECT plan.*,
                       plan.anchor - (EXTRACT(ISODOW FROM plan.anchor)::int - 1) AS monday,
                       (EXTRACT(YEAR FROM plan.lo) * 12 + EXTRACT(MONTH FROM plan.lo)
                        - EXTRACT(YEAR FROM plan.anchor) * 12
                        - EXTRACT(MONTH FROM plan.anchor))::int AS month_lo,
                       (EXTRACT(YEAR FROM plan.hi) * 12 + EXTRACT(MONTH FROM plan.hi)
                        - EXTRACT(YEAR FROM plan.anchor) * 12
                        - EXTRACT(MONTH FROM plan.anchor))::int AS month_hi
                  FROM plan
                 WHERE plan.is_time AND plan.lo <= plan.hi
            ),
            time_occ AS (
                -- every N days, or every N weeks on the start's weekday
                SELECT t.id AS plan_id, t.anchor + k * t.step_days AS day
                  FROM time_plan t
                 CROSS JOIN LATERAL generate_series(
                       GREATEST(0, (t.lo - t.anchor) / NULLIF(t.step_days, 0)),
                       (t.hi - t.anchor) / NULLIF(t.step_days, 0)) k
                 WHERE t.step_days IS NOT NULL
                   AND (t.unit = 'day' OR cardinality(t.weekdays) = 0)
                UNION ALL
                -- every N weeks on given weekdays, weeks counted from the start's week
                SELECT t.id, t.monday + k * 7 * t.n + wd
                  FROM time_plan t
                 CROSS JOIN LATERAL generate_series(
                       GREATEST(0, (t.lo - t.monday) / NULLIF(7 * t.n, 0)),
                       (t.hi - t.monday) / NULLIF(7 * t.n, 0)) k
                 CROSS JOIN LATERAL unnest(t.weekdays) wd
                 WHERE t.unit = 'week' AND cardinality(t.weekdays) > 0
                UNION ALL
                -- every N months or years from the start: date + interval keeps the
                -- start's day or falls on the last day of a shorter month
                SELECT t.id, (t.anchor + make_interval(months => k * t.step_months))::date
                  FROM time_plan t
                 CROSS JOIN LATERAL generate_series(
                       GREATEST(0, t.month_lo / NULLIF(t.step_months, 0) - 1),
                       t.month_hi / NULLIF(t.step_months, 0) + 1) k
                 WHERE t.step_months IS NOT NULL
            ),
            time_in AS (
                SELECT o.plan_id, o.day
                  FROM time_occ o
                  JOIN time_plan t ON t.id = o.plan_id
                 WHERE o.day BETWEEN t.lo AND t.hi AND o.day >= t.anchor
            ),
            reading AS (
                SELECT r.equipment_id, r.meter_id,
                       (ARRAY_AGG(r.date ORDER BY r.date, r.id))[1] AS first_date,
                       (ARRAY_AGG(r.value ORDER BY r.date, r.id))[1] AS first_value,
                       (ARRAY_AGG(r.date ORDER BY r.date DESC, r.id DESC))[1] AS last_date,
                       (ARRAY_AGG(r.value ORDER BY r.date DESC, r.id DESC))[1] AS last_value
                  FROM after_sales_meter_reading r
                  JOIN (SELECT DISTINCT equipment_id, meter_id FROM plan
                         WHERE meter_id IS NOT NULL AND usage_interval > 0) u
                    ON u.equipment_id = r.equipment_id AND u.meter_id = r.meter_id
                 WHERE r.date >= %(since)s
                 GROUP BY r.equipment_id, r.meter_id
            ),
            usage_rate AS (
                SELECT plan.id AS plan_id, plan.lo, plan.hi, plan.usage_interval,
                       plan.usage_baseline + plan.usage_interval AS target,
                       rd.last_date, rd.last_value,
                       CASE WHEN rd.last_date > rd.first_date AND rd.last_value > rd.first_value
                            THEN (rd.last_value - rd.first_value)
                                 / (EXTRACT(EPOCH FROM rd.last_date - rd.first_date)::float8
                                    / 86400)
                       END AS per_day
                  FROM plan
                  JOIN reading rd
                    ON rd.equipment_id = plan.equipment_id AND rd.meter_id = plan.meter_id
                 WHERE plan.usage_interval > 0
                   AND NOT EXISTS (
                       SELECT 1 FROM after_sales_order o
                        WHERE o.plan_id = plan.id AND o.is_usage_triggered
                          AND o.state NOT IN ('done', 'cancelled'))
            ),
            usage_first AS (
                SELECT u.plan_id, u.hi,
                       GREATEST(
                           CASE WHEN u.last_value >= u.target THEN u.last_date::date
                                WHEN u.per_day IS NOT NULL
                                THEN (u.last_date + make_interval(
                                      secs => (u.target - u.last_value) / u.per_day * 86400)
                                     )::date
                           END, u.lo) AS first_day,
                       GREATEST(u.usage_interval / u.per_day, 1.0) AS step
                  FROM usage_rate u
            ),
            usage_occ AS (
                SELECT u.plan_id, u.first_day + FLOOR(k * COALESCE(u.step, 0))::int AS day
                  FROM usage_first u
                 CROSS JOIN LATERAL generate_series(
                       0, COALESCE(FLOOR((u.hi - u.first_day + 1) / u.step)::int, 0)) k
                 WHERE u.first_day <= u.hi
                   AND u.first_day + FLOOR(k * COALESCE(u.step, 0))::int <= u.hi
            ),
            occurrence AS (
                SELECT plan_id, day FROM usage_occ
                UNION ALL
                SELECT t.plan_id, t.day
                  FROM time_in t
                  JOIN plan ON plan.id = t.plan_id
                 WHERE NOT EXISTS (
                       SELECT 1 FROM usage_occ u
                        WHERE u.plan_id = t.plan_id
                          AND ABS(u.day - t.day) <= plan.tolerance_days)
            ),
            plan_kit AS (
                SELECT DISTINCT ON (plan.id) plan.id AS plan_id, k.id AS kit_id,
                       plan.company_id, plan.location_id
                  FROM plan
                  JOIN after_sales_parts_kit k
                    ON k.active
                   AND (k.company_id IS NULL OR k.company_id = plan.company_id)
                   AND (k.service_type_id IS NULL OR k.service_type_id = plan.service_type_id)
                   AND (k.product_id IS NULL OR k.product_id = plan.unit_product_id)
                   AND (k.checklist_template_id IS NULL
                        OR k.checklist_template_id = plan.checklist_template_id)
                 WHERE plan.id IN (SELECT plan_id FROM occurrence)
                 ORDER BY plan.id, k.checklist_template_id IS NULL, k.product_id IS NULL,
                          k.service_type_id IS NULL, k.sequence, k.id
            ),
            planned AS (
                SELECT pk.company_id, l.product_id, pk.location_id,
                       o.day - (EXTRACT(ISODOW FROM o.day)::int - 1) AS week_date,
                       SUM(l.quantity) AS qty_planned, 0.0::float8 AS qty_corrective
                  FROM occurrence o
                  JOIN plan_kit pk ON pk.plan_id = o.plan_id
                  JOIN after_sales_parts_kit_line l ON l.kit_id = pk.kit_id
                 WHERE pk.location_id IS NOT NULL
                 GROUP BY 1, 2, 3, 4
            ),
            unit_count AS (
                SELECT e.company_id, e.product_id, COUNT(*) AS units,
                       MAX(t.after_sales_failure_rate) AS rate
                  FROM after_sales_equipment e
                  JOIN product_product pp ON pp.id = e.product_id
                  JOIN product_template t ON t.id = pp.product_tmpl_id
                 WHERE %(corrective)s AND e.active AND e.company_id = ANY(%(companies)s)
                   AND e.delivery_date <= %(today)s AND t.after_sales_failure_rate > 0
                 GROUP BY 1, 2
            ),
            corrective_kit AS (
                SELECT DISTINCT ON (c.company_id, c.product_id)
                       c.company_id, k.id AS kit_id,
                       c.units * c.rate::float8 / 1000 * 7 / %(days_per_year)s AS failures
                  FROM unit_count c
                  JOIN after_sales_parts_kit k
                    ON k.active
                   AND (k.company_id IS NULL OR k.company_id = c.company_id)
                   AND k.service_type_id = %(corrective_type)s
                   AND (k.product_id IS NULL OR k.product_id = c.product_id)
                   AND k.checklist_template_id IS NULL
                 ORDER BY c.company_id, c.product_id, k.product_id IS NULL, k.sequence, k.id
            ),
            corrective AS (
                SELECT c.company_id, l.product_id, w.lot_stock_id AS location_id,
                       week.week_date::date AS week_date, 0.0::float8 AS qty_planned,
                       SUM(c.failures * l.quantity) AS qty_corrective
                  FROM corrective_kit c
                  JOIN after_sales_parts_kit_line l ON l.kit_id = c.kit_id
                  JOIN warehouse w ON w.company_id = c.company_id
                 CROSS JOIN generate_series(%(monday)s::date, %(last_day)s::date,
                                            interval '7 days') AS week(week_date)
                 GROUP BY 1, 2, 3, 4
            )
            SELECT company_id, product_id, location_id, week_date,
                   SUM(qty_planned)::float8, SUM(qty_corrective)::float8
              FROM (SELECT * FROM planned UNION ALL SELECT * FROM corrective) d
             GROUP BY 1, 2, 3, 4
            """,
            companies=companies.ids,
            planned=planned,
            corrective=corrective and bool(corrective_type),
            corrective_type=corrective_type.id if corrective_type else None,
            today=today,
            monday=monday,
            last_day=last_day,
            since=since,
            days_per_year=DAYS_PER_YEAR,
            plan_filter=plan_filter,
        )
        return self.env.execute_query(query)

    @api.model
    def _substitute_rows(self, rows):
        """``rows`` with each obsolete or archived part replaced by its substitute,
        summed again per (company, part, location, week)."""
        parts = self.env["product.product"].browse({row[1] for row in rows})
        replacement = parts._after_sales_replacements()
        totals = defaultdict(lambda: [0.0, 0.0])
        for company_id, product_id, location_id, week_date, planned, corrective in rows:
            key = (company_id, replacement[product_id], location_id, week_date)
            totals[key][0] += planned or 0.0
            totals[key][1] += corrective or 0.0
        return totals

    @api.model
    def _company_rows(self, company, today, weeks, batch_size=None):
        """The rows of ``company``: all its plans in one query, or (``batch_size``)
        its plans in batches, each in a savepoint; when a batch fails, its plans are
        redone one by one and a plan that fails gets an activity, the others go on."""
        if not batch_size:
            return self._parts_demand_rows(company, today, weeks)
        rows = self._parts_demand_rows(company, today, weeks, plan_ids=[], planned=False)
        plan_ids = (
            self.env["after_sales.plan"]
            .sudo()
            .search([("company_id", "=", company.id)], order="id")
            .ids
        )
        for start in range(0, len(plan_ids), batch_size):
            batch = plan_ids[start : start + batch_size]
            try:
                with self.env.cr.savepoint():
                    rows += self._parts_demand_rows(
                        company, today, weeks, plan_ids=batch, corrective=False
                    )
                continue
            except Exception:  # noqa: BLE001 - one bad plan must not stop the others
                _logger.info("Parts demand of a batch failed, plan by plan", exc_info=True)
                self.env.invalidate_all()
            for plan_id in batch:
                try:
                    with self.env.cr.savepoint():
                        rows += self._parts_demand_rows(
                            company, today, weeks, plan_ids=[plan_id], corrective=False
                        )
                except Exception as error:  # noqa: BLE001
                    self.env.invalidate_all()
                    self.env["after_sales.plan"].sudo().browse(plan_id)._notify_parts_demand_error(
                        error
                    )
        return rows

    # ------------------------------------------------------------------
    # Regeneration
    # ------------------------------------------------------------------
    @api.model
    def _lock_company(self, company):
        """Take the regeneration lock of ``company`` for this transaction; False when
        another transaction holds it."""
        return self.env.execute_query(
            SQL("SELECT pg_try_advisory_xact_lock(%s, %s)", DEMAND_LOCK, company.id)
        )[0][0]

    @api.model
    def _regenerate(
        self,
        companies,
        weeks=DEFAULT_WEEKS,
        today=None,
        batch_size=None,
        progress=None,
        skip_done=False,
    ):
        """Replace the demand of each of ``companies`` by a new forecast over
        ``weeks`` weeks. A company another run is regenerating is skipped (its lock);
        with ``skip_done``, so is a company already forecast today. After each
        company, ``progress(1, remaining=...)`` (if given) commits and returns the
        time left. Returns the companies regenerated."""
        done = self.env["res.company"]
        if skip_done:
            computed = set(
                self.sudo()._read_group(
                    [("company_id", "in", companies.ids)], ["company_id", "date_computed:day"]
                )
            )
            companies = companies.filtered(
                lambda company: (company, today or company_today(company)) not in computed
            )
        for index, company in enumerate(companies):
            if not self._lock_company(company):
                _logger.info("Parts demand of %s: another run is at work", company.name)
                continue
            day = today or company_today(company)
            rows = self._company_rows(company, day, weeks, batch_size)
            self._store(company, self._substitute_rows(rows), day)
            done |= company
            if progress and progress(1, remaining=len(companies) - index - 1) <= 0:
                break
        return done

    @api.model
    def _store(self, company, totals, today):
        Demand = self.sudo().with_context(tracking_disable=True)
        Demand.search([("company_id", "=", company.id)]).unlink()
        Demand.create(
            [
                {
                    "company_id": company_id,
                    "product_id": product_id,
                    "location_id": location_id,
                    "week_date": week_date,
                    "qty_planned": planned,
                    "qty_corrective": corrective,
                    "date_computed": today,
                }
                for (company_id, product_id, location_id, week_date), (
                    planned,
                    corrective,
                ) in totals.items()
                if planned or corrective
            ]
        )

    @api.model
    def _cron_regenerate(self, weeks=DEFAULT_WEEKS, batch_size=5000):
        """The weekly cron: every company's forecast, committed per company
        (``_commit_progress``), plans in batches; resumed by the next run."""
        self._regenerate(
            self._companies_to_forecast(),
            weeks,
            batch_size=batch_size,
            progress=self.env["ir.cron"]._commit_progress,
            skip_done=True,
        )

    @api.model
    def _regenerate_all_companies(self, weeks=DEFAULT_WEEKS):
        """Every company's forecast in this transaction (demo data, shell)."""
        return self._regenerate(self._companies_to_forecast(), weeks)

    @api.model
    def _companies_to_forecast(self):
        """The companies with maintenance plans, installed units or a forecast."""
        companies = self.env["res.company"]
        for model in ("after_sales.plan", "after_sales.equipment", "after_sales.parts.demand"):
            groups = self.env[model].sudo()._read_group([], ["company_id"])
            companies = companies.union(*(company for (company,) in groups))
        return companies

    @api.model
    def _check_manager(self, stock=False):
        """Regenerating is a service manager's decision; updating reordering rules
        also needs the stock manager's rights."""
        if stock and not self.env.user.has_group("stock.group_stock_manager"):
            raise AccessError(
                self.env._("Only inventory administrators may update the reordering rules.")
            )
        if not self.env.user.has_group("after_sales_service.group_manager"):
            raise AccessError(self.env._("Only service managers may regenerate the parts demand."))

    @api.model
    def action_regenerate(self, weeks=DEFAULT_WEEKS):
        """Regenerate the demand of the user's companies now (one query per company)."""
        self._check_manager()
        if weeks <= 0:
            raise UserError(self.env._("The horizon needs at least one week."))
        companies = self.env.companies
        today = fields.Date.context_today(self)
        done = self._regenerate(companies, weeks, today=today)
        if companies - done:
            raise UserError(
                self.env._(
                    "The parts demand of %(companies)s is being computed by another run: "
                    "try again in a moment.",
                    companies=", ".join((companies - done).mapped("name")),
                )
            )
        return self.env["ir.actions.act_window"]._for_xml_id(
            "after_sales_service.after_sales_parts_demand_action"
        )

    # ------------------------------------------------------------------
    # Replenishment
    # ------------------------------------------------------------------
    def action_update_orderpoints(self):
        """Create or update the reordering rules of the demand's parts and locations
        so that the horizon's demand is covered (see
        ``stock.warehouse.orderpoint._after_sales_apply_demand``), for the companies of
        the selected rows (all the user's companies when none is selected)."""
        self._check_manager(stock=True)
        companies = self.company_id or self.env.companies
        groups = self._read_group(
            [("company_id", "in", companies.ids)],
            ["company_id", "product_id", "location_id"],
            ["qty_total:sum"],
        )
        totals = {
            (company.id, product.id, location.id): qty for company, product, location, qty in groups
        }
        orderpoints = self.env["stock.warehouse.orderpoint"]._after_sales_apply_demand(
            companies, totals
        )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Reordering Rules"),
            "res_model": "stock.warehouse.orderpoint",
            "views": [(False, "list"), (False, "form")],
            "domain": [("id", "in", orderpoints.ids)],
        }
