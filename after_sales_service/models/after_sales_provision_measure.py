from collections import defaultdict

from dateutil.relativedelta import relativedelta

from odoo import api, models
from odoo.fields import Command, Domain
from odoo.tools import format_date

from .utils import company_today
from .warranty_cohort import Group, cost_per_unit_month, current_share, history_window

USAGE_KINDS = ("usage_parts", "usage_labour", "usage_other")


class AfterSalesProvisionMeasure(models.AbstractModel):
    """Re-measurement of the warranty provision (IAS 37), per cohort: the products
    of one category sold in one month, with the warranty terms they were sold with
    (frozen on the invoice lines at posting). The expected remaining cost of a
    cohort is its warranty unit-months left x the category's measured cost per
    unit-month (its usage over the last 12 months / the unit-months its cohorts
    were under warranty then); the difference to the book value is the true-up. A
    cohort whose warranties have all ended releases what is left of its provision.

    Used by the month-end proposal (``after_sales.provision.remeasure``) and by the
    reconciliation (current / non-current), aggregate queries only."""

    _name = "after_sales.provision.measure"
    _description = "Warranty Provision Measurement"

    @api.model
    def _cohort_groups(self, company, at):
        """{category: {cohort month: [Group]}} of what was sold up to ``at``."""
        Line = self.env["account.move.line"].with_company(company)
        base = (
            Domain("company_id", "=", company.id)
            & Domain("parent_state", "=", "posted")
            & Domain("after_sales_categ_id", "!=", False)
            & Domain("after_sales_cohort_date", "!=", False)
            & Domain("date", "<=", at)
        )
        units = defaultdict(float)
        for move_type, sign in (("out_invoice", 1), ("out_refund", -1)):
            for categ, month, months, quantity in Line._read_group(
                base & Domain("move_id.move_type", "=", move_type),
                [
                    "after_sales_categ_id",
                    "after_sales_cohort_date:day",
                    "after_sales_warranty_months",
                ],
                ["quantity:sum"],
            ):
                units[categ, month, months] += sign * quantity
        result = defaultdict(lambda: defaultdict(list))
        for (categ, month, months), quantity in units.items():
            if quantity:
                result[categ][month].append(Group(month, months, quantity))
        return result

    @api.model
    def _book_values(self, company, at):
        """{(category, cohort month or False): provision} posted up to ``at``, as a
        positive liability (False: not of a cohort, e.g. usage)."""
        Line = self.env["account.move.line"].with_company(company)
        return {
            (categ, month or False): -balance
            for categ, month, balance in Line._read_group(
                self._provision_domain(company) & Domain("date", "<=", at),
                ["after_sales_categ_id", "after_sales_cohort_date:day"],
                ["balance:sum"],
            )
        }

    @api.model
    def _provision_domain(self, company):
        return (
            Domain("company_id", "=", company.id)
            & Domain("account_id", "=", company.after_sales_provision_account_id.id)
            & Domain("parent_state", "=", "posted")
        )

    @api.model
    def _usage(self, company, first, last):
        """{category: warranty cost charged to the provision from ``first`` to ``last``}."""
        Line = self.env["account.move.line"].with_company(company)
        return dict(
            Line._read_group(
                self._provision_domain(company)
                & Domain("after_sales_provision_kind", "in", USAGE_KINDS)
                & Domain("date", ">=", first)
                & Domain("date", "<=", last),
                ["after_sales_categ_id"],
                ["balance:sum"],
            )
        )

    @api.model
    def _measure(self, company, at):
        """The cohorts of ``company`` at the end of the month of ``at``::

        {"date": month end, "rates": {category: cost per unit-month or None},
         "cohorts": [{"categ", "month", "warranty_months", "units", "remaining",
                      "book", "expected" (None: not measured), "has_ended"}],
         "unallocated": {category: provision not in a cohort}}
        """
        at = at + relativedelta(day=31)
        currency = company.currency_id
        groups = self._cohort_groups(company, at)
        book = self._book_values(company, at)
        usage = self._usage(company, *history_window(at))
        rates = {
            categ: cost_per_unit_month(
                [group for month_groups in months.values() for group in month_groups],
                usage.get(categ, 0.0),
                at,
            )
            for categ, months in groups.items()
        }
        cohorts = []
        months_of = defaultdict(set)
        for categ, months in groups.items():
            months_of[categ] |= set(months)
        for categ, month in book:
            if categ and month:
                months_of[categ].add(month)
        for categ, months in months_of.items():
            for month in sorted(months):
                month_groups = groups.get(categ, {}).get(month, [])
                remaining = sum(group.remaining(at) for group in month_groups)
                rate = rates.get(categ)
                cohorts.append(
                    {
                        "categ": categ,
                        "month": month,
                        "warranty_months": max(
                            (group.warranty_months for group in month_groups), default=0
                        ),
                        "units": sum(group.units for group in month_groups),
                        "remaining": remaining,
                        "book": currency.round(book.get((categ, month), 0.0)),
                        "expected": currency.round(rate * remaining) if rate is not None else None,
                        "has_ended": all(group.has_ended(at) for group in month_groups),
                    }
                )
        return {
            "date": at,
            "rates": rates,
            "cohorts": cohorts,
            "unallocated": {
                categ: currency.round(amount)
                for (categ, month), amount in book.items()
                if categ and not month
            },
        }

    @api.model
    def _current_shares(self, company, at):
        """{category: share of its provision expected to be used within 12 months}."""
        return {
            categ: current_share(
                [group for month_groups in months.values() for group in month_groups], at
            )
            for categ, months in self._cohort_groups(company, at).items()
        }

    @api.model
    def _prepare_remeasurement_vals(self, company, at):
        """Values of the draft entry of the month of ``at`` (dated its last day) that
        re-measures the provision of ``company``: per ended cohort, the release of
        what is left of it (expiry); per measured category, the true-up of each live
        cohort to its expected remaining cost and of the provision outside cohorts
        (usage) to nothing. None when nothing moves."""
        measure = self._measure(company, at)
        currency = company.currency_id
        lines = []

        def add(categ, month, kind, amount, label):
            """``amount``: what the provision rises by (negative: falls)."""
            if currency.is_zero(amount):
                return
            lines.extend(
                [
                    {
                        "name": label,
                        "account_id": company.after_sales_provision_account_id.id,
                        "balance": -amount,
                        "after_sales_categ_id": categ.id,
                        "after_sales_cohort_date": month,
                        "after_sales_provision_kind": kind,
                    },
                    {
                        "name": label,
                        "account_id": company.after_sales_warranty_expense_account_id.id,
                        "balance": amount,
                        "after_sales_categ_id": categ.id,
                    },
                ]
            )

        for cohort in measure["cohorts"]:
            categ, month = cohort["categ"], cohort["month"]
            names = {
                "category": categ.display_name,
                "month": format_date(self.env, month, date_format="MMMM y"),
            }
            if cohort["has_ended"]:
                add(
                    categ,
                    month,
                    "expiry",
                    -cohort["book"],
                    self.env._("Warranties ended: %(category)s sold in %(month)s", **names),
                )
            elif cohort["expected"] is not None:
                add(
                    categ,
                    month,
                    "trueup",
                    cohort["expected"] - cohort["book"],
                    self.env._("True-up: %(category)s sold in %(month)s", **names),
                )
        for categ, amount in measure["unallocated"].items():
            if measure["rates"].get(categ) is not None:
                add(
                    categ,
                    False,
                    "trueup",
                    -amount,
                    self.env._(
                        "True-up: warranty cost of %(category)s charged to the provision",
                        category=categ.display_name,
                    ),
                )
        if not lines:
            return None
        company._after_sales_check_accounting()
        return {
            "move_type": "entry",
            "company_id": company.id,
            "journal_id": company.after_sales_journal_id.id,
            "currency_id": currency.id,
            "date": measure["date"],
            "ref": self.env._(
                "Warranty provision re-measurement, %(month)s",
                month=format_date(self.env, measure["date"], date_format="MMMM y"),
            ),
            "after_sales_entry_kind": "remeasurement",
            "line_ids": [Command.create(vals) for vals in lines],
        }

    @api.model
    def _propose(self, company, at):
        """The draft re-measurement entry of the month of ``at`` for the accountant
        to post: the drafts proposed before for that month are replaced."""
        month_end = at + relativedelta(day=31)
        self.env["account.move"].search(
            Domain("company_id", "=", company.id)
            & Domain("after_sales_entry_kind", "=", "remeasurement")
            & Domain("state", "=", "draft")
            & Domain("date", "=", month_end)
        ).unlink()
        vals = self._prepare_remeasurement_vals(company, month_end)
        if not vals:
            return self.env["account.move"]
        return self.env["account.move"].create(vals)

    @api.model
    def _cron_propose_month_end(self):
        """Monthly: the draft re-measurement entry of the last whole month of each
        company with a provision account, for its accountant to check and post."""
        entries = self.env["account.move"]
        companies = self.env["res.company"].search(
            [("after_sales_provision_account_id", "!=", False)]
        )
        for company in companies:
            entries |= self.with_company(company)._propose(company, self._last_month_end(company))
        return entries

    @api.model
    def _last_month_end(self, company):
        """The last day of the last whole month where the company works."""
        return company_today(company).replace(day=1) - relativedelta(days=1)
