import logging
from collections import defaultdict
from datetime import timedelta

from dateutil.relativedelta import relativedelta
from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.fields import Domain

from .after_sales_kpi_quality import QUALITY_COUNTS
from .utils import locked_batches

_logger = logging.getLogger(__name__)


class ProductTemplate(models.Model):
    """The failure rate of a product over the last 12 months, written every day by
    the quality cron, and the activity of the quality manager above the threshold."""

    _inherit = "product.template"

    after_sales_failure_rate = fields.Float(
        string="Failure Rate (per 1,000 units)",
        digits=(16, 1),
        readonly=True,
        copy=False,
        index=True,
        help="Claims and corrective orders of the last 12 months per 1,000 active units of "
        "the installed base (all companies), written every day.",
    )
    after_sales_failure_rate_date = fields.Date(
        string="Failure Rate Computed On", readonly=True, copy=False
    )
    is_above_failure_threshold = fields.Boolean(
        string="Above Failure Threshold",
        compute="_compute_is_above_failure_threshold",
        search="_search_is_above_failure_threshold",
    )

    @api.depends("after_sales_failure_rate")
    @api.depends_context("company")
    def _compute_is_above_failure_threshold(self):
        threshold = self.env.company.after_sales_failure_threshold
        for template in self:
            template.is_above_failure_threshold = template.after_sales_failure_rate > threshold

    def _search_is_above_failure_threshold(self, operator, value):
        if operator not in ("in", "not in"):
            return NotImplemented
        above = Domain(
            "after_sales_failure_rate", ">", self.env.company.after_sales_failure_threshold
        )
        return above if (True in value) == (operator == "in") else ~above

    # ------------------------------------------------------------------
    # Cron
    # ------------------------------------------------------------------
    @api.model
    def _cron_after_sales_failure_rates(self, batch_size=100):
        """The daily cron: ``_after_sales_update_failure_rates`` committing each batch
        (``_commit_progress``), resumed by the next run when out of time."""
        self._after_sales_update_failure_rates(batch_size, self.env["ir.cron"]._commit_progress)

    @api.model
    def _after_sales_update_failure_rates(self, batch_size=100, progress=None):
        """Write the failure rate of the last 12 months on every product with units or
        a rate, and give the quality manager of each company one open activity on the
        products above its threshold. After each batch, ``progress(processed,
        remaining=...)`` (if given) commits and returns the time left. A product that
        fails is rolled back alone (savepoint) and logged, the others go on; it is
        retried by the next run."""
        today = fields.Date.context_today(self)
        date_from = today - relativedelta(months=12) + timedelta(days=1)
        Templates = self.with_context(active_test=False)
        Kpi = self.env["after_sales.kpi"]
        # the companies with an installed base
        companies = self.env["res.company"].union(
            *(
                company
                for (company,) in self.env["after_sales.equipment"]._read_group(
                    [("delivery_date", "<=", today)], ["company_id"]
                )
            )
        )
        with_units = self.env["after_sales.equipment"]._read_group(
            Kpi._quality_unit_domain(today, companies), ["product_id.product_tmpl_id"]
        )
        domain = (
            Domain("id", "in", [template.id for (template,) in with_units])
            | Domain("after_sales_failure_rate", "!=", 0)
        ) & (
            Domain("after_sales_failure_rate_date", "=", False)
            | Domain("after_sales_failure_rate_date", "<", today)
        )
        skipped_ids = []
        for locked in locked_batches(Templates, domain, batch_size, skipped_ids):
            figures = locked._after_sales_quality_figures(date_from, today, companies)
            failed = self.browse()
            for template in locked:
                try:
                    with self.env.cr.savepoint():
                        template._after_sales_apply_failure_rate(figures[template.id], today)
                except Exception:  # noqa: BLE001 - one bad product must not stop the others
                    _logger.exception("Failure rate of product %s not updated", template.id)
                    self.env.invalidate_all()
                    failed |= template
            skipped_ids += failed.ids
            if progress is None:
                continue
            remaining = Templates.search_count(domain & Domain("id", "not in", skipped_ids))
            if progress(len(locked - failed), remaining=remaining) <= 0:
                break

    def _after_sales_quality_figures(self, date_from, date_to, companies):
        """{template id: {"rate": figures over all companies, company: figures of the
        company, "lots": {company: [(lot, figures) above its threshold]}}}, with the
        aggregate queries of ``after_sales.kpi`` (a few per company, not per product)."""
        Kpi = self.env["after_sales.kpi"]
        products = self.with_context(active_test=False).product_variant_ids
        template_of = {product.id: product.product_tmpl_id.id for product in products}

        def by_template(counts):
            totals = defaultdict(lambda: dict.fromkeys(QUALITY_COUNTS, 0))
            for product_id, values in counts.items():
                for name in QUALITY_COUNTS:
                    totals[template_of[product_id]][name] += values[name]
            return {tmpl_id: Kpi._quality_rates(values) for tmpl_id, values in totals.items()}

        empty = Kpi._quality_rates(dict.fromkeys(QUALITY_COUNTS, 0))
        overall = by_template(Kpi._quality_counts(date_from, date_to, companies, products=products))
        figures = {
            template.id: {"rate": overall.get(template.id, empty), "companies": {}, "lots": {}}
            for template in self
        }
        for company in companies:
            for tmpl_id, rates in by_template(
                Kpi._quality_counts(date_from, date_to, company, products=products)
            ).items():
                figures[tmpl_id]["companies"][company] = rates
            lot_counts = Kpi._quality_counts(date_from, date_to, company, "lot_id", products)
            threshold = company.after_sales_failure_threshold
            lots = self.env["stock.lot"].browse(list(lot_counts))
            for lot in lots:
                rates = Kpi._quality_rates(lot_counts[lot.id])
                if (rates["failure_rate"] or 0.0) > threshold:
                    lot_figures = figures[lot.product_id.product_tmpl_id.id]["lots"]
                    lot_figures.setdefault(company, []).append((lot, rates))
        return figures

    def _after_sales_apply_failure_rate(self, figures, today):
        """Write the rate of one product and tell the quality manager of each company
        where it is above the threshold (one open activity per manager)."""
        self.ensure_one()
        self.write(
            {
                "after_sales_failure_rate": figures["rate"]["failure_rate"] or 0.0,
                "after_sales_failure_rate_date": today,
            }
        )
        for company, rates in figures["companies"].items():
            if (rates["failure_rate"] or 0.0) > company.after_sales_failure_threshold:
                self._after_sales_notify_failure_rate(
                    company, rates, figures["lots"].get(company, [])
                )

    def _after_sales_notify_failure_rate(self, company, rates, lots):
        self.ensure_one()
        user = company._after_sales_quality_user()
        summary = self.env._("Failure rate above threshold")
        if self.activity_ids.filtered(
            lambda activity: activity.summary == summary and activity.user_id == user
        ):
            return
        self.activity_schedule(
            "mail.mail_activity_data_todo",
            summary=summary,
            note=self._after_sales_failure_rate_note(company, rates, lots),
            user_id=user.id,
        )

    def _after_sales_failure_rate_note(self, company, rates, lots):
        """The figures of the activity, in HTML."""

        def number(value, digits=1):
            return "-" if value is None else f"{value:.{digits}f}"

        lines = [
            self.env._(
                "%(company)s, last 12 months: %(units)s installed units, %(claims)s claims "
                "(%(claims_rate)s per 1,000), %(corrective)s corrective orders "
                "(%(corrective_rate)s per 1,000): %(rate)s per 1,000, threshold %(threshold)s.",
                company=company.name,
                units=rates["units"],
                claims=rates["claims"],
                claims_rate=number(rates["claims_per_1000"]),
                corrective=rates["corrective"],
                corrective_rate=number(rates["corrective_per_1000"]),
                rate=number(rates["failure_rate"]),
                threshold=number(company.after_sales_failure_threshold),
            ),
            self.env._("MTBF: %(mtbf)s days.", mtbf=number(rates["mtbf_days"])),
        ]
        if lots:
            lines.append(
                self.env._(
                    "Lots above the threshold: %(lots)s",
                    lots=", ".join(
                        f"{lot.name} ({number(lot_rates['failure_rate'])})"
                        for lot, lot_rates in lots
                    ),
                )
            )
        return Markup("").join(Markup("<p>%s</p>") % escape(line) for line in lines)
