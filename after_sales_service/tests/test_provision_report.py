"""The reconciliation of the warranty provision: per period and product category,
opening, accruals, usage, releases and closing from the tagged journal items, against
the ledger balance of the provision account."""

import base64
import io
import zipfile
from datetime import date, datetime

from freezegun import freeze_time

from odoo.exceptions import ValidationError
from odoo.fields import Command
from odoo.tests import Form, new_test_user, tagged

from .test_order_entries import OrderEntriesCommon


@tagged("post_install", "-at_install")
class TestProvisionReport(OrderEntriesCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.dishwashers = cls.env["product.category"].create({"name": "Dishwashers"})
        # before the period: accruals of January, the warranty repair of February
        cls._provision_entry(date(2026, 1, 15), 1000.0, "accrual", cls.machines)
        cls._provision_entry(date(2026, 1, 20), 300.0, "accrual", cls.dishwashers)
        with freeze_time("2026-02-10 10:00:00"):
            cls.february_order = cls._finish(
                cls._order(
                    cls.warranty_unit,
                    [cls._part(), cls._labour()],
                    date_received=datetime(2026, 2, 9, 8, 0),
                )
            )
        # March: an accrual, a release, a warranty repair with travel
        cls._provision_entry(date(2026, 3, 5), 500.0, "accrual", cls.machines)
        cls._provision_entry(date(2026, 3, 10), -100.0, "release", cls.machines)
        with freeze_time("2026-03-03 10:00:00"):
            cls.march_order = cls._finish(
                cls._order(cls.warranty_unit, [cls._part(), cls._labour(), cls._travel()])
            )
        # after the period, and a draft: not counted
        cls._provision_entry(date(2026, 4, 2), 200.0, "accrual", cls.machines)
        cls._provision_entry(date(2026, 3, 20), 70.0, "accrual", cls.machines, post=False)

    @classmethod
    def _provision_entry(cls, day, amount, kind, categ, is_tagged=True, post=True):
        """A provision entry of ``amount`` (positive: raises the provision) on ``day``."""
        move = cls.env["account.move"].create(
            {
                "move_type": "entry",
                "journal_id": cls.journal.id,
                "date": day,
                "line_ids": [
                    Command.create(
                        {
                            "name": f"Provision {kind}",
                            "account_id": cls.provision_account.id,
                            "balance": -amount,
                            "after_sales_provision_kind": kind if is_tagged else False,
                            "after_sales_categ_id": categ.id if is_tagged else False,
                        }
                    ),
                    Command.create(
                        {
                            "name": f"Provision {kind}",
                            "account_id": cls.warranty_expense_account.id,
                            "balance": amount,
                        }
                    ),
                ],
            }
        )
        if post:
            move.action_post()
        return move

    def _report(self, **vals):
        report = self.env["after_sales.provision.report"].create(
            {"date_from": date(2026, 3, 1), "date_to": date(2026, 3, 31), **vals}
        )
        report.action_compute()
        return report

    def _figures(self, record):
        return {
            fname: record[fname]
            for fname in (
                "opening",
                "accrual",
                "usage_parts",
                "usage_labour",
                "usage_other",
                "release",
                "closing",
            )
        }

    def test_report_figures_and_no_difference(self):
        report = self._report()
        lines = {line.categ_id: line for line in report.line_ids}
        self.assertEqual(set(lines), {self.machines, self.dishwashers})
        self.assertEqual(
            self._figures(lines[self.machines]),
            {
                "opening": 920.0,  # 1000 accrued - 20 parts - 60 labour in February
                "accrual": 500.0,
                "usage_parts": 20.0,
                "usage_labour": 60.0,
                "usage_other": 2.5,
                "release": 100.0,
                "closing": 1237.5,
            },
        )
        self.assertEqual(
            self._figures(lines[self.dishwashers]),
            dict.fromkeys(self._figures(lines[self.dishwashers]), 0.0)
            | {"opening": 300.0, "closing": 300.0},
        )
        self.assertEqual(report.opening, 1220.0)
        self.assertEqual(report.closing, 1537.5)
        self.assertEqual(report.ledger_balance, 1537.5)
        self.assertEqual(report.difference, 0.0)

    def test_manual_entry_on_the_provision_account_shows_as_difference(self):
        self._provision_entry(date(2026, 3, 15), -50.0, "manual", self.machines, is_tagged=False)
        report = self._report()
        self.assertEqual(report.closing, 1537.5, "the module's movements are unchanged")
        self.assertEqual(report.ledger_balance, 1487.5)
        self.assertEqual(report.difference, -50.0)
        action = report.action_open_unexplained()
        items = self.env["account.move.line"].search(action["domain"])
        self.assertEqual(items.mapped("name"), ["Provision manual"])

    def test_drill_down_to_the_journal_items_of_a_cell(self):
        report = self._report()
        line = report.line_ids.filtered(lambda line: line.categ_id == self.machines)
        action = line.with_context(column="usage_parts").action_open_column()
        self.assertEqual(action["res_model"], "account.move.line")
        items = self.env["account.move.line"].search(action["domain"])
        self.assertEqual(len(items), 1)
        self.assertEqual(items.move_id.after_sales_cost_order_id, self.march_order)
        self.assertEqual(items.after_sales_order_line_id.product_id, self.gasket)
        self.assertEqual(items.balance, 20.0)

        opening = self.env["account.move.line"].search(
            line.with_context(column="opening").action_open_column()["domain"]
        )
        self.assertEqual(len(opening), 3, "January's accrual, February's parts and labour")
        self.assertEqual(-sum(opening.mapped("balance")), line.opening)
        ledger = self.env["account.move.line"].search(report.action_open_ledger()["domain"])
        self.assertEqual(-sum(ledger.mapped("balance")), report.ledger_balance)

    def test_xlsx_export(self):
        report = self._report()
        action = report.action_export_xlsx()
        self.assertEqual(action["type"], "ir.actions.act_url")
        self.assertIn("download=true", action["url"])
        content = base64.b64decode(report.xlsx_file)
        with zipfile.ZipFile(io.BytesIO(content)) as workbook:
            strings = workbook.read("xl/sharedStrings.xml").decode()
        self.assertIn("Espresso machines", strings)
        self.assertIn("Difference", strings)

    def test_read_only_accountant_can_use_the_report(self):
        auditor = new_test_user(
            self.env,
            login="as_auditor",
            groups="account.group_account_readonly",
            company_id=self.company.id,
        )
        with Form(self.env["after_sales.provision.report"].with_user(auditor)) as form:
            form.date_from = date(2026, 3, 1)
            form.date_to = date(2026, 3, 31)
        report = form.record
        report.action_compute()
        self.assertEqual(report.difference, 0.0)
        self.assertEqual(report.closing, 1537.5)

    def test_report_queries_do_not_grow_with_the_journal_items(self):
        report = self._report()

        def queries():
            self.env.flush_all()
            self.env.invalidate_all()
            start = self.env.cr.sql_log_count
            report.action_compute()
            self.env.flush_all()
            return self.env.cr.sql_log_count - start

        queries()  # warm-up: caches of access rules
        few = queries()
        for day in range(1, 21):
            self._provision_entry(date(2026, 3, day), 10.0, "accrual", self.machines)
        self.assertEqual(queries(), few)
        self.assertEqual(report.accrual, 700.0)

    def test_period_must_be_valid(self):
        with self.assertRaisesRegex(ValidationError, "ends before it starts"):
            self._report(date_from=date(2026, 4, 1))
