import base64
import io

import xlsxwriter

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.fields import Domain

from ..models.utils import company_today

# The movements of the provision, in the order of the report: (field, provision kind of
# the journal items, see account_move_line.PROVISION_KINDS)
MOVEMENT_COLUMNS = (
    ("accrual", "accrual"),
    ("usage_parts", "usage_parts"),
    ("usage_labour", "usage_labour"),
    ("usage_other", "usage_other"),
    ("release", "release"),
)
AMOUNT_FIELDS = ("opening", *(fname for fname, _kind in MOVEMENT_COLUMNS), "closing")
# How each movement moves the provision (a liability: credits raise it)
RAISES_PROVISION = {"accrual"}


def _column(env):
    """The column of the report a drill-down button is for (given by the view)."""
    column = env.context.get("column")
    return column if column in AMOUNT_FIELDS else "closing"


class AfterSalesProvisionReport(models.TransientModel):
    """Reconciliation of the warranty provision for accountants: per product
    category, what the module's movements (accruals on sales, usage by service
    orders, releases by credit notes) make of the provision over a period, against
    the ledger balance of the provision account. The difference is what reached the
    account outside the module (manual entries): 0 when the books are clean."""

    _name = "after_sales.provision.report"
    _description = "Warranty Provision Reconciliation"

    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, readonly=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id", string="Currency")
    account_id = fields.Many2one(
        related="company_id.after_sales_provision_account_id", string="Provision Account"
    )
    date_from = fields.Date(
        string="From",
        required=True,
        default=lambda self: company_today(self.env.company).replace(day=1),
    )
    date_to = fields.Date(
        string="To", required=True, default=lambda self: company_today(self.env.company)
    )
    line_ids = fields.One2many(
        "after_sales.provision.report.line", "report_id", string="Categories", readonly=True
    )
    is_computed = fields.Boolean(readonly=True)

    @api.depends("date_from", "date_to")
    def _compute_display_name(self):
        # the report is a screen, not a document: its title, as the breadcrumb shows it
        for report in self:
            report.display_name = self.env._("Warranty Provision Reconciliation")

    opening = fields.Monetary(readonly=True)
    accrual = fields.Monetary(string="Accruals", readonly=True)
    usage_parts = fields.Monetary(string="Usage: Parts", readonly=True)
    usage_labour = fields.Monetary(string="Usage: Labour", readonly=True)
    usage_other = fields.Monetary(string="Usage: Other", readonly=True)
    release = fields.Monetary(string="Releases", readonly=True)
    closing = fields.Monetary(
        readonly=True, help="Opening + accruals - usage - releases, from the tagged movements."
    )
    ledger_balance = fields.Monetary(
        readonly=True,
        help="Balance of the provision account at the end of the period: every posted "
        "journal item, also those not made by the module.",
    )
    difference = fields.Monetary(
        readonly=True,
        help="Ledger balance - computed closing: what reached the provision account "
        "outside the module. It must be 0.",
    )
    xlsx_file = fields.Binary(readonly=True, attachment=False)
    xlsx_filename = fields.Char(readonly=True)

    @api.constrains("date_from", "date_to")
    def _check_dates(self):
        for report in self:
            if report.date_to < report.date_from:
                raise ValidationError(self.env._("The period ends before it starts."))

    # ------------------------------------------------------------------
    # Figures
    # ------------------------------------------------------------------
    def _provision_domain(self):
        """Posted journal items of the company's provision account."""
        self.ensure_one()
        return (
            Domain("company_id", "=", self.company_id.id)
            & Domain("account_id", "=", self.account_id.id)
            & Domain("parent_state", "=", "posted")
        )

    def _tagged_domain(self):
        return self._provision_domain() & Domain("after_sales_provision_kind", "!=", False)

    def _period_domain(self):
        return Domain("date", ">=", self.date_from) & Domain("date", "<=", self.date_to)

    def _get_figures(self):
        """({category: {column: amount}}, ledger balance), the provision seen as a
        positive liability, in three aggregate queries."""
        self.ensure_one()
        if not self.account_id:
            raise UserError(
                self.env._(
                    "Set the warranty provision account of %(company)s first.",
                    company=self.company_id.name,
                )
            )
        Line = self.env["account.move.line"]
        rows = {}

        def row(categ):
            return rows.setdefault(categ, dict.fromkeys(AMOUNT_FIELDS, 0.0))

        for categ, balance in Line._read_group(
            self._tagged_domain() & Domain("date", "<", self.date_from),
            ["after_sales_categ_id"],
            ["balance:sum"],
        ):
            row(categ)["opening"] = -balance
        for categ, kind, balance in Line._read_group(
            self._tagged_domain() & self._period_domain(),
            ["after_sales_categ_id", "after_sales_provision_kind"],
            ["balance:sum"],
        ):
            row(categ)[kind] += -balance if kind in RAISES_PROVISION else balance
        [(ledger,)] = Line._read_group(
            self._provision_domain() & Domain("date", "<=", self.date_to), [], ["balance:sum"]
        )
        currency = self.currency_id
        for values in rows.values():
            values["closing"] = values["opening"] + sum(
                -values[fname] if kind not in RAISES_PROVISION else values[fname]
                for fname, kind in MOVEMENT_COLUMNS
            )
            for fname in AMOUNT_FIELDS:
                values[fname] = currency.round(values[fname])
        return rows, currency.round(-(ledger or 0.0))

    def action_compute(self):
        """Fill the report for its period: a line per product category, the totals,
        the ledger balance and the difference."""
        for report in self:
            rows, ledger = report._get_figures()
            totals = dict.fromkeys(AMOUNT_FIELDS, 0.0)
            for values in rows.values():
                for fname in AMOUNT_FIELDS:
                    totals[fname] += values[fname]
            currency = report.currency_id
            totals = {fname: currency.round(amount) for fname, amount in totals.items()}
            report.line_ids.unlink()
            report.write(
                {
                    **totals,
                    "ledger_balance": ledger,
                    "difference": currency.round(ledger - totals["closing"]),
                    "is_computed": True,
                    "line_ids": [
                        fields.Command.create({"categ_id": categ.id, **values})
                        for categ, values in sorted(
                            rows.items(), key=lambda item: item[0].complete_name or ""
                        )
                    ],
                }
            )
        return True

    # ------------------------------------------------------------------
    # Drill-down
    # ------------------------------------------------------------------
    def _items_action(self, name, domain):
        self.ensure_one()
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
            "context": {"create": False},
        }

    def _column_domain(self, column):
        """The journal items behind a column of the report."""
        self.ensure_one()
        if column == "opening":
            return self._tagged_domain() & Domain("date", "<", self.date_from)
        if column == "closing":
            return self._tagged_domain() & Domain("date", "<=", self.date_to)
        return (
            self._tagged_domain()
            & self._period_domain()
            & Domain("after_sales_provision_kind", "=", dict(MOVEMENT_COLUMNS)[column])
        )

    def action_open_column(self):
        self.ensure_one()
        column = _column(self.env)
        return self._items_action(self._column_title(column), self._column_domain(column))

    def action_open_ledger(self):
        self.ensure_one()
        return self._items_action(
            self.env._("Provision Account"),
            self._provision_domain() & Domain("date", "<=", self.date_to),
        )

    def action_open_unexplained(self):
        """The items of the provision account no module movement explains: the
        difference."""
        self.ensure_one()
        return self._items_action(
            self.env._("Not from After-Sales"),
            self._provision_domain()
            & Domain("date", "<=", self.date_to)
            & Domain("after_sales_provision_kind", "=", False),
        )

    def _column_title(self, column):
        return self._fields[column].get_description(self.env)["string"]

    # ------------------------------------------------------------------
    # Export
    # ------------------------------------------------------------------
    def action_export_xlsx(self):
        """Download the report as an Excel workbook."""
        self.ensure_one()
        self.action_compute()
        self.write(
            {
                "xlsx_file": base64.b64encode(self._get_xlsx()),
                "xlsx_filename": f"warranty_provision_{self.date_from}_{self.date_to}.xlsx",
            }
        )
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{self._name}/{self.id}/xlsx_file/{self.xlsx_filename}"
            "?download=true",
            "target": "self",
        }

    def _get_xlsx(self):
        self.ensure_one()
        buffer = io.BytesIO()
        digits = self.currency_id.decimal_places
        with xlsxwriter.Workbook(buffer, {"in_memory": True}) as workbook:
            bold = workbook.add_format({"bold": True})
            money = workbook.add_format({"num_format": f"#,##0.{'0' * digits}"})
            money_bold = workbook.add_format({"num_format": f"#,##0.{'0' * digits}", "bold": True})
            sheet = workbook.add_worksheet(self.env._("Warranty Provision")[:31])
            sheet.set_column(0, 0, 36)
            sheet.set_column(1, len(AMOUNT_FIELDS), 16)
            sheet.write(0, 0, self.env._("Warranty Provision Reconciliation"), bold)
            sheet.write(1, 0, self.company_id.name)
            sheet.write(
                2, 0, self.env._("%(start)s to %(end)s", start=self.date_from, end=self.date_to)
            )
            sheet.write(3, 0, self.account_id.display_name or "")
            header = [self.env._("Product Category")] + [
                self._column_title(fname) for fname in AMOUNT_FIELDS
            ]
            for col, title in enumerate(header):
                sheet.write(5, col, title, bold)
            row = 6
            for line in self.line_ids:
                sheet.write(row, 0, line.categ_id.display_name or self.env._("Undefined"))
                for col, fname in enumerate(AMOUNT_FIELDS, start=1):
                    sheet.write_number(row, col, line[fname], money)
                row += 1
            sheet.write(row, 0, self.env._("Total"), bold)
            for col, fname in enumerate(AMOUNT_FIELDS, start=1):
                sheet.write_number(row, col, self[fname], money_bold)
            row += 2
            for fname in ("ledger_balance", "difference"):
                sheet.write(row, 0, self._column_title(fname), bold)
                sheet.write_number(row, len(AMOUNT_FIELDS), self[fname], money_bold)
                row += 1
        return buffer.getvalue()


class AfterSalesProvisionReportLine(models.TransientModel):
    _name = "after_sales.provision.report.line"
    _description = "Warranty Provision Reconciliation Line"
    _order = "id"

    report_id = fields.Many2one(
        "after_sales.provision.report", required=True, ondelete="cascade", index=True
    )
    currency_id = fields.Many2one(related="report_id.currency_id", string="Currency")
    categ_id = fields.Many2one("product.category", string="Product Category", readonly=True)
    opening = fields.Monetary(readonly=True)
    accrual = fields.Monetary(string="Accruals", readonly=True)
    usage_parts = fields.Monetary(string="Usage: Parts", readonly=True)
    usage_labour = fields.Monetary(string="Usage: Labour", readonly=True)
    usage_other = fields.Monetary(string="Usage: Other", readonly=True)
    release = fields.Monetary(string="Releases", readonly=True)
    closing = fields.Monetary(readonly=True)

    def action_open_column(self):
        """The journal items of one cell (the column comes with the button)."""
        self.ensure_one()
        report = self.report_id
        column = _column(self.env)
        domain = report._column_domain(column) & Domain(
            "after_sales_categ_id", "=", self.categ_id.id or False
        )
        title = f"{self.categ_id.display_name or self.env._('Undefined')}: " + (
            report._column_title(column)
        )
        return report._items_action(title, domain)
