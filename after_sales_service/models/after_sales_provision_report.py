import io

import xlsxwriter

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Domain

from .utils import company_choices, company_today

# The movements of the provision, in the order of the report: (column, provision kind
# of the journal items, see account_move_line.PROVISION_KINDS)
MOVEMENT_COLUMNS = (
    ("accrual", "accrual"),
    ("usage_parts", "usage_parts"),
    ("usage_labour", "usage_labour"),
    ("usage_other", "usage_other"),
    ("release", "release"),
    ("trueup", "trueup"),
    ("expiry", "expiry"),
    ("adjustment", "adjustment"),
)
AMOUNT_FIELDS = ("opening", *(fname for fname, _kind in MOVEMENT_COLUMNS), "closing")
# How each movement moves the provision (a liability: credits raise it); true-ups and
# adjustments are signed (positive: raise it)
RAISES_PROVISION = {"accrual", "trueup", "adjustment"}
# The presentation of the closing balance (balance sheet), not movements
PRESENTATION_FIELDS = ("current", "non_current")
# What the screen can open besides a column: every item of the provision account up to
# the end of the period, and those no movement of the module explains (the difference)
ITEM_SETS = (*AMOUNT_FIELDS, "ledger", "unexplained")
# Who may see the report (any of them): its menus carry the same groups
REPORT_GROUPS = ("account.group_account_readonly", "account.group_account_manager")


class AfterSalesProvisionReport(models.AbstractModel):
    """Reconciliation of the warranty provision for accountants: per product
    category, what the module's movements (accruals on sales, usage by service
    orders, releases by credit notes) make of the provision over a period, against
    the ledger balance of the provision account. The difference is what reached the
    account outside the module (manual entries): 0 when the books are clean.

    The report writes nothing: every public method is ``@api.readonly``, so that a
    server with ``db_replica_host`` answers it from the read replica (five aggregate
    queries, whatever the number of journal items). The screen is the client action
    ``after_sales_provision_report``; the workbook comes from
    ``/after_sales/provision_report/xlsx`` (``_export_xlsx``)."""

    _name = "after_sales.provision.report"
    _description = "Warranty Provision Reconciliation"

    # ------------------------------------------------------------------
    # Public API (the screen, the export)
    # ------------------------------------------------------------------
    @api.model
    @api.readonly
    def get_report(self, date_from=None, date_to=None, company_id=None):
        """The report of a period ('YYYY-MM-DD' strings, inclusive; by default this
        month up to today where the company works) for one of the user's companies
        (by default the current one)::

            {"company": {"id", "name"}, "currency": {"id", "symbol", "position",
             "digits"}, "account": "code name" or False, "warning": str or False,
             "date_from", "date_to",
             "lines": [{"categ_id": id or False, "categ_name", column: amount...}],
             "totals": {column: amount}, "ledger_balance", "difference",
             "columns": [{"key", "label"}]}
        """
        company, date_from, date_to = self._report_params(date_from, date_to, company_id)
        currency = company.currency_id
        result = {
            "company": {"id": company.id, "name": company.name},
            "currency": {
                "id": currency.id,
                "symbol": currency.symbol,
                "position": currency.position,
                "digits": currency.decimal_places,
            },
            "account": company.after_sales_provision_account_id.display_name or False,
            "warning": False,
            "date_from": fields.Date.to_string(date_from),
            "date_to": fields.Date.to_string(date_to),
            "columns": [
                {"key": column, "label": self._column_title(column)} for column in AMOUNT_FIELDS
            ],
            "presentation_columns": [
                {"key": column, "label": self._column_title(column)}
                for column in PRESENTATION_FIELDS
            ],
            "lines": [],
            "totals": dict.fromkeys((*AMOUNT_FIELDS, *PRESENTATION_FIELDS), 0.0),
            "ledger_balance": 0.0,
            "difference": 0.0,
        }
        if not company.after_sales_provision_account_id:
            result["warning"] = self.env._(
                "Set the warranty provision account of %(company)s first "
                "(Invoicing > Configuration > Settings, After-Sales).",
                company=company.name,
            )
            return result
        rows, ledger = self._get_figures(company, date_from, date_to)
        self._add_presentation(company, date_to, rows)
        totals = dict.fromkeys((*AMOUNT_FIELDS, *PRESENTATION_FIELDS), 0.0)
        for values in rows.values():
            for column in totals:
                totals[column] += values[column]
        totals = {column: currency.round(amount) for column, amount in totals.items()}
        undefined = self.env._("Undefined")
        result.update(
            lines=[
                {"categ_id": categ.id, "categ_name": categ.display_name or undefined, **values}
                for categ, values in sorted(
                    rows.items(), key=lambda item: item[0].complete_name or ""
                )
            ],
            totals=totals,
            ledger_balance=ledger,
            difference=currency.round(ledger - totals["closing"]),
        )
        return result

    @api.model
    @api.readonly
    def get_report_companies(self):
        """The companies the user may choose on the screen."""
        self._check_report_access()
        return company_choices(self.env)

    @api.model
    @api.readonly
    def get_items_action(
        self, date_from, date_to, company_id=None, column="closing", categ_id=None
    ):
        """The journal items behind a figure of the report: a column (of one product
        category when ``categ_id`` is given, False for items without category),
        ``ledger`` (every item of the provision account) or ``unexplained`` (those no
        movement of the module explains: the difference)."""
        company, date_from, date_to = self._report_params(date_from, date_to, company_id)
        if column not in ITEM_SETS:
            raise ValidationError(self.env._("Unknown column %(column)s.", column=column))
        self._check_account(company)
        provision = self._provision_domain(company)
        if column == "ledger":
            title = self.env._("Provision Account")
            domain = provision & Domain("date", "<=", date_to)
        elif column == "unexplained":
            title = self.env._("Not from After-Sales")
            domain = (
                provision
                & Domain("date", "<=", date_to)
                & Domain("after_sales_provision_kind", "=", False)
            )
        else:
            title = self._column_title(column)
            domain = self._column_domain(company, date_from, date_to, column)
            if categ_id is not None:
                categ = self.env["product.category"].browse(categ_id or [])
                domain &= Domain("after_sales_categ_id", "=", categ.id or False)
                name = categ.display_name if categ_id else self.env._("Undefined")
                title = f"{name}: {title}"
        return self._items_action(title, domain, company)

    @api.model
    def _export_xlsx(self, date_from=None, date_to=None, company_id=None):
        """(file name, content) of the report as an Excel workbook, for the route
        /after_sales/provision_report/xlsx (bytes: not an RPC answer)."""
        report = self.get_report(date_from, date_to, company_id)
        self._check_account(self.env["res.company"].browse(report["company"]["id"]))
        filename = f"warranty_provision_{report['date_from']}_{report['date_to']}.xlsx"
        return filename, self._get_xlsx(report)

    # ------------------------------------------------------------------
    # Parameters and access
    # ------------------------------------------------------------------
    @api.model
    def _check_report_access(self):
        """Accountants and auditors (the read-only accounting group), and in a
        Community database with Invoicing only, its administrator who closes the
        month (``account.group_account_manager`` does not imply the read-only group
        there). Not the billing users."""
        user = self.env.user
        if not any(user.has_group(group) for group in REPORT_GROUPS):
            raise AccessError(
                self.env._("Only accountants and auditors see the warranty provision report.")
            )

    @api.model
    def _report_params(self, date_from, date_to, company_id):
        """(company, date_from, date_to) of a call, checked: the company must be one
        of the user's, the period must not end before it starts."""
        self._check_report_access()
        company = self.env.company
        if company_id:
            try:
                company = self.env["res.company"].browse(int(company_id))
            except (TypeError, ValueError):
                raise ValidationError(
                    self.env._("%(value)s is not a company.", value=company_id)
                ) from None
            if company not in self.env.user.company_ids:
                raise AccessError(self.env._("You are not allowed to see this company's figures."))
        today = company_today(company)
        try:
            date_from = fields.Date.to_date(date_from) if date_from else today.replace(day=1)
            date_to = fields.Date.to_date(date_to) if date_to else today
        except (TypeError, ValueError):
            raise ValidationError(
                self.env._(
                    "Give the period as two dates (YYYY-MM-DD), not %(date_from)s and %(date_to)s.",
                    date_from=date_from,
                    date_to=date_to,
                )
            ) from None
        if date_to < date_from:
            raise ValidationError(self.env._("The period ends before it starts."))
        return company, date_from, date_to

    @api.model
    def _check_account(self, company):
        if not company.after_sales_provision_account_id:
            raise UserError(
                self.env._(
                    "Set the warranty provision account of %(company)s first.",
                    company=company.name,
                )
            )

    # ------------------------------------------------------------------
    # Figures
    # ------------------------------------------------------------------
    @api.model
    def _provision_domain(self, company):
        """Posted journal items of the company's provision account."""
        return (
            Domain("company_id", "=", company.id)
            & Domain("account_id", "=", company.after_sales_provision_account_id.id)
            & Domain("parent_state", "=", "posted")
        )

    @api.model
    def _tagged_domain(self, company):
        return self._provision_domain(company) & Domain("after_sales_provision_kind", "!=", False)

    @api.model
    def _column_domain(self, company, date_from, date_to, column):
        """The journal items behind a column of the report."""
        tagged = self._tagged_domain(company)
        if column == "opening":
            return tagged & Domain("date", "<", date_from)
        if column == "closing":
            return tagged & Domain("date", "<=", date_to)
        return (
            tagged
            & Domain("date", ">=", date_from)
            & Domain("date", "<=", date_to)
            & Domain("after_sales_provision_kind", "=", dict(MOVEMENT_COLUMNS)[column])
        )

    @api.model
    def _get_figures(self, company, date_from, date_to):
        """({category: {column: amount}}, ledger balance), the provision seen as a
        positive liability, in three aggregate queries."""
        Line = self.env["account.move.line"].with_company(company)
        rows = {}

        def row(categ):
            return rows.setdefault(categ, dict.fromkeys(AMOUNT_FIELDS, 0.0))

        for categ, balance in Line._read_group(
            self._column_domain(company, date_from, date_to, "opening"),
            ["after_sales_categ_id"],
            ["balance:sum"],
        ):
            row(categ)["opening"] = -balance
        for categ, kind, balance in Line._read_group(
            self._tagged_domain(company)
            & Domain("date", ">=", date_from)
            & Domain("date", "<=", date_to),
            ["after_sales_categ_id", "after_sales_provision_kind"],
            ["balance:sum"],
        ):
            row(categ)[kind] += -balance if kind in RAISES_PROVISION else balance
        [(ledger,)] = Line._read_group(
            self._provision_domain(company) & Domain("date", "<=", date_to),
            [],
            ["balance:sum"],
        )
        currency = company.currency_id
        for values in rows.values():
            values["closing"] = values["opening"] + sum(
                -values[fname] if kind not in RAISES_PROVISION else values[fname]
                for fname, kind in MOVEMENT_COLUMNS
            )
            for fname in AMOUNT_FIELDS:
                values[fname] = currency.round(values[fname])
        return rows, currency.round(-(ledger or 0.0))

    @api.model
    def _add_presentation(self, company, date_to, rows):
        """Split each category's closing balance into the part expected to be used
        within 12 months of ``date_to`` (current) and the rest (non-current), by the
        warranty time its cohorts have left; a category whose usage exceeds its
        provision (a negative closing) is flagged, all of it current."""
        currency = company.currency_id
        shares = self.env["after_sales.provision.measure"]._current_shares(company, date_to)
        for categ, values in rows.items():
            closing = values["closing"]
            values["is_flagged"] = currency.compare_amounts(closing, 0.0) < 0
            current = closing
            if not values["is_flagged"]:
                current = currency.round(closing * shares.get(categ, 1.0))
            values["current"] = current
            values["non_current"] = currency.round(closing - current)

    @api.model
    def _column_title(self, column):
        return {
            "opening": self.env._("Opening"),
            "accrual": self.env._("Accruals"),
            "usage_parts": self.env._("Usage: Parts"),
            "usage_labour": self.env._("Usage: Labour"),
            "usage_other": self.env._("Usage: Other"),
            "release": self.env._("Releases"),
            "trueup": self.env._("True-up"),
            "expiry": self.env._("Expiry Release"),
            "adjustment": self.env._("Adjustments"),
            "closing": self.env._("Closing"),
            "current": self.env._("Current (12 Months)"),
            "non_current": self.env._("Non-current"),
            "ledger_balance": self.env._("Ledger Balance"),
            "difference": self.env._("Difference"),
        }[column]

    @api.model
    def _items_action(self, name, domain, company):
        return {
            "type": "ir.actions.act_window",
            "name": name,
            "res_model": "account.move.line",
            "view_mode": "list,pivot,form",
            "views": [
                (self.env.ref("account.view_move_line_tree").id, "list"),
                (
                    self.env.ref(
                        "after_sales_service.account_move_line_view_pivot_after_sales_provision"
                    ).id,
                    "pivot",
                ),
                (False, "form"),
            ],
            "domain": list(domain),
            "context": {"create": False, "allowed_company_ids": [company.id]},
        }

    # ------------------------------------------------------------------
    # Export
    # ------------------------------------------------------------------
    @api.model
    def _get_xlsx(self, report):
        """The workbook of a ``get_report`` result."""
        buffer = io.BytesIO()
        digits = report["currency"]["digits"]
        number_format = f"#,##0.{'0' * digits}" if digits else "#,##0"
        with xlsxwriter.Workbook(buffer, {"in_memory": True}) as workbook:
            bold = workbook.add_format({"bold": True})
            money = workbook.add_format({"num_format": number_format})
            money_bold = workbook.add_format({"num_format": number_format, "bold": True})
            sheet = workbook.add_worksheet(self.env._("Warranty Provision")[:31])
            sheet.set_column(0, 0, 36)
            sheet.set_column(1, len(AMOUNT_FIELDS) + len(PRESENTATION_FIELDS), 16)
            sheet.write(0, 0, self.env._("Warranty Provision Reconciliation"), bold)
            sheet.write(1, 0, report["company"]["name"])
            sheet.write(
                2,
                0,
                self.env._(
                    "%(start)s to %(end)s", start=report["date_from"], end=report["date_to"]
                ),
            )
            sheet.write(3, 0, report["account"] or "")
            columns = (*AMOUNT_FIELDS, *PRESENTATION_FIELDS)
            header = [self.env._("Product Category")] + [
                self._column_title(column) for column in columns
            ]
            for col, title in enumerate(header):
                sheet.write(5, col, title, bold)
            row = 6
            for line in report["lines"]:
                sheet.write(row, 0, line["categ_name"])
                for col, column in enumerate(columns, start=1):
                    sheet.write_number(row, col, line[column], money)
                row += 1
            sheet.write(row, 0, self.env._("Total"), bold)
            for col, column in enumerate(columns, start=1):
                sheet.write_number(row, col, report["totals"][column], money_bold)
            row += 2
            for key in ("ledger_balance", "difference"):
                sheet.write(row, 0, self._column_title(key), bold)
                sheet.write_number(row, len(AMOUNT_FIELDS), report[key], money_bold)
                row += 1
        return buffer.getvalue()
