"""The reconciliation of the warranty provision: per period and product category,
opening, accruals, usage, releases and closing from the tagged journal items, against
the ledger balance of the provision account."""

import io
import re
import zipfile
from datetime import date, datetime
from unittest.mock import patch

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Command
from odoo.tests import HttpCase, new_test_user, tagged

from .common import call_kw
from .test_order_entries import OrderEntriesCommon

MARCH = ("2026-03-01", "2026-03-31")
CSRF_RE = re.compile(r'csrf_token: "([^"]+)"')


class ProvisionReportCommon(OrderEntriesCommon):
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

    def _report(self, date_from=MARCH[0], date_to=MARCH[1], **kwargs):
        return self.env["after_sales.provision.report"].get_report(date_from, date_to, **kwargs)

    def _items(self, column, categ=None, date_from=MARCH[0], date_to=MARCH[1], **kwargs):
        """The journal items the screen opens for a figure."""
        if categ is not None:
            kwargs["categ_id"] = categ.id
        action = self.env["after_sales.provision.report"].get_items_action(
            date_from, date_to, column=column, **kwargs
        )
        self.assertEqual(action["res_model"], "account.move.line")
        return self.env["account.move.line"].search(action["domain"])


@tagged("post_install", "-at_install")
class TestProvisionReport(ProvisionReportCommon):
    def _lines(self, report):
        return {line["categ_id"]: line for line in report["lines"]}

    def _figures(self, values):
        return {
            fname: values[fname]
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
        lines = self._lines(report)
        self.assertEqual(set(lines), {self.machines.id, self.dishwashers.id})
        self.assertEqual(
            [line["categ_name"] for line in report["lines"]],
            ["Dishwashers", "Espresso machines"],
            "by category name",
        )
        self.assertEqual(
            self._figures(lines[self.machines.id]),
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
            self._figures(lines[self.dishwashers.id]),
            dict.fromkeys(self._figures(lines[self.dishwashers.id]), 0.0)
            | {"opening": 300.0, "closing": 300.0},
        )
        self.assertEqual(report["totals"]["opening"], 1220.0)
        self.assertEqual(report["totals"]["closing"], 1537.5)
        self.assertEqual(report["ledger_balance"], 1537.5)
        self.assertEqual(report["difference"], 0.0)
        self.assertFalse(report["warning"])
        self.assertEqual(report["account"], self.provision_account.display_name)
        self.assertEqual(report["currency"]["id"], self.company.currency_id.id)

    def test_a_later_period_opens_with_the_closing_of_the_earlier(self):
        march = self._report()
        april = self._report("2026-04-01", "2026-04-30")
        self.assertEqual(april["totals"]["opening"], march["totals"]["closing"])
        self.assertEqual(april["totals"]["accrual"], 200.0)
        self.assertEqual(april["totals"]["closing"], 1737.5)
        self.assertEqual(april["difference"], 0.0)

    def test_manual_entry_on_the_provision_account_shows_as_difference(self):
        self._provision_entry(date(2026, 3, 15), -50.0, "manual", self.machines, is_tagged=False)
        report = self._report()
        self.assertEqual(report["totals"]["closing"], 1537.5, "the module's movements")
        self.assertEqual(report["ledger_balance"], 1487.5)
        self.assertEqual(report["difference"], -50.0)
        items = self._items("unexplained")
        self.assertEqual(items.mapped("name"), ["Provision manual"])

    def test_drill_down_to_the_journal_items_of_a_figure(self):
        report = self._report()
        items = self._items("usage_parts", self.machines)
        self.assertEqual(len(items), 1)
        self.assertEqual(items.move_id.after_sales_cost_order_id, self.march_order)
        self.assertEqual(items.after_sales_order_line_id.product_id, self.gasket)
        self.assertEqual(items.balance, 20.0)

        opening = self._items("opening", self.machines)
        self.assertEqual(len(opening), 3, "January's accrual, February's parts and labour")
        self.assertEqual(
            -sum(opening.mapped("balance")), self._lines(report)[self.machines.id]["opening"]
        )
        self.assertEqual(
            -sum(self._items("opening").mapped("balance")),
            report["totals"]["opening"],
            "the total's figure: every category",
        )
        self.assertEqual(self._items("accrual", self.dishwashers), self.env["account.move.line"])
        ledger = self._items("ledger")
        self.assertEqual(-sum(ledger.mapped("balance")), report["ledger_balance"])
        self.assertNotIn(
            date(2026, 4, 2), ledger.mapped("date"), "April's accrual is after the period"
        )

    def test_items_without_category_are_a_line_of_their_own(self):
        move = self._provision_entry(date(2026, 3, 12), 40.0, "accrual", self.machines)
        move.button_draft()
        move.line_ids.filtered("after_sales_provision_kind").after_sales_categ_id = False
        move.action_post()
        report = self._report()
        undefined = self._lines(report)[False]
        self.assertEqual(undefined["categ_name"], "Undefined")
        self.assertEqual(undefined["accrual"], 40.0)
        self.assertEqual(report["difference"], 0.0)
        items = self.env["account.move.line"].search(
            self.env["after_sales.provision.report"].get_items_action(
                *MARCH, column="accrual", categ_id=False
            )["domain"]
        )
        self.assertEqual(items.move_id, move)

    def test_xlsx_export(self):
        filename, content = self.env["after_sales.provision.report"]._export_xlsx(*MARCH)
        self.assertEqual(filename, "warranty_provision_2026-03-01_2026-03-31.xlsx")
        with zipfile.ZipFile(io.BytesIO(content)) as workbook:
            strings = workbook.read("xl/sharedStrings.xml").decode()
            sheet = workbook.read("xl/worksheets/sheet1.xml").decode()
        self.assertIn("Espresso machines", strings)
        self.assertIn("Difference", strings)
        self.assertIn("<v>1537.5</v>", sheet, "the closing total")

    def test_read_only_accountant_can_use_the_report(self):
        auditor = new_test_user(
            self.env,
            login="as_auditor",
            groups="account.group_account_readonly",
            company_id=self.company.id,
        )
        report = self._report_as(auditor)
        self.assertEqual(report["difference"], 0.0)
        self.assertEqual(report["totals"]["closing"], 1537.5)

    def test_invoicing_administrator_of_community_can_use_the_report(self):
        """Community with Invoicing only: its administrator closes the month without
        the read-only accounting group; a billing user does not see the report."""
        admin = new_test_user(
            self.env,
            login="as_invoicing_admin",
            groups="account.group_account_manager",
            company_id=self.company.id,
        )
        self.assertFalse(admin.has_group("account.group_account_readonly"))
        report = self._report_as(admin)
        self.assertEqual(report["difference"], 0.0)
        self.assertEqual(report["totals"]["closing"], 1537.5)
        Report = self.env["after_sales.provision.report"].with_user(admin)
        action = Report.get_items_action(*MARCH, column="usage_parts", categ_id=self.machines.id)
        self.assertEqual(
            len(self.env["account.move.line"].with_user(admin).search(action["domain"])), 1
        )
        menu = self.env.ref("after_sales_service.account_provision_report_menu")
        self.assertIn(menu.id, self.env["ir.ui.menu"].with_user(admin)._visible_menu_ids())
        billing = new_test_user(
            self.env,
            login="as_billing_user",
            groups="account.group_account_invoice",
            company_id=self.company.id,
        )
        with self.assertRaises(AccessError):
            self._report_as(billing)
        self.assertNotIn(menu.id, self.env["ir.ui.menu"].with_user(billing)._visible_menu_ids())

    def _report_as(self, user, *args, **kwargs):
        Report = self.env["after_sales.provision.report"].with_user(user)
        return Report.get_report(*(args or MARCH), **kwargs)

    def test_users_without_accounting_rights_are_refused(self):
        for user in (self.service_user, self.service_manager):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self._report_as(user)
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.env["after_sales.provision.report"].with_user(user).get_items_action(
                    *MARCH, column="closing"
                )

    def test_another_company(self):
        """The report is per company: another company's journal items are not in it,
        and a company the user does not belong to is refused."""
        other = self.setup_other_company(name="Service Co Antwerp")["company"]
        self.assertTrue(other.after_sales_provision_account_id)
        accountant = new_test_user(
            self.env,
            login="as_two_companies",
            groups="account.group_account_readonly",
            company_id=self.company.id,
            company_ids=[Command.set((self.company | other).ids)],
        )
        report = self._report_as(accountant, company_id=other.id)
        self.assertEqual(report["company"]["id"], other.id)
        self.assertEqual(report["lines"], [])
        self.assertEqual(report["ledger_balance"], 0.0)
        self.assertEqual(self._report_as(accountant)["totals"]["closing"], 1537.5)
        action = (
            self.env["after_sales.provision.report"]
            .with_user(accountant)
            .get_items_action(*MARCH, company_id=other.id, column="ledger")
        )
        self.assertEqual(action["context"]["allowed_company_ids"], [other.id])
        self.assertFalse(self.env["account.move.line"].search(action["domain"]))

        auditor = new_test_user(
            self.env,
            login="as_auditor_one_company",
            groups="account.group_account_readonly",
            company_id=self.company.id,
        )
        with self.assertRaisesRegex(AccessError, "this company"):
            self._report_as(auditor, company_id=other.id)

    def test_report_queries_do_not_grow_with_the_journal_items(self):
        def queries():
            self.env.flush_all()
            self.env.invalidate_all()
            start = self.env.cr.sql_log_count
            report = self._report()
            return self.env.cr.sql_log_count - start, report

        queries()  # warm-up: caches of access rules
        few, _report = queries()
        for day in range(1, 21):
            self._provision_entry(date(2026, 3, day), 10.0, "accrual", self.machines)
        count, report = queries()
        self.assertEqual(count, few)
        self.assertEqual(report["totals"]["accrual"], 700.0)

    def test_period_must_be_valid(self):
        with self.assertRaisesRegex(ValidationError, "ends before it starts"):
            self._report("2026-04-01", "2026-03-31")
        with self.assertRaisesRegex(ValidationError, "two dates"):
            self._report("31/03/2026", "2026-03-31")
        with self.assertRaisesRegex(ValidationError, "not a company"):
            self._report(company_id="main")
        with self.assertRaises(ValidationError):
            self.env["after_sales.provision.report"].get_items_action(*MARCH, column="balance")

    def test_default_period_is_this_month_where_the_company_works(self):
        """At 00:30 on 1 April in Amsterdam it is still 31 March in UTC: the report
        proposes April (up to the 1st), not March."""
        self.company.resource_calendar_id.tz = "Europe/Amsterdam"
        with freeze_time("2026-03-31 22:30:00"):
            report = self.env["after_sales.provision.report"].get_report()
        self.assertEqual((report["date_from"], report["date_to"]), ("2026-04-01", "2026-04-01"))
        self.assertEqual(report["totals"]["opening"], 1537.5)

    def test_company_without_provision_account(self):
        self.company.after_sales_provision_account_id = False
        report = self._report()
        self.assertIn("provision account", report["warning"])
        self.assertEqual(report["lines"], [])
        with self.assertRaisesRegex(UserError, "provision account"):
            self.env["after_sales.provision.report"].get_items_action(*MARCH, column="closing")
        with self.assertRaisesRegex(UserError, "provision account"):
            self.env["after_sales.provision.report"]._export_xlsx(*MARCH)


@tagged("post_install", "-at_install")
class TestProvisionReportHttp(ProvisionReportCommon, HttpCase):
    """The screen and the export over HTTP, as the web client calls them: read-only
    cursors (a server with db_replica_host answers them from the replica)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.accountant = new_test_user(
            cls.env,
            login="as_http_accountant",
            password="as_http_accountant",
            groups="account.group_account_readonly",
            company_id=cls.company.id,
        )

    def _csrf_token(self):
        """The token the web client sends with a download, from the page it runs in."""
        return CSRF_RE.search(self.url_open("/odoo").text).group(1)

    def test_screen_calls_run_on_a_read_only_cursor(self):
        Report = type(self.env["after_sales.provision.report"])
        cursors = []

        def spy(original):
            def method(report, *args, **kwargs):
                cursors.append(report.env.cr.readonly)
                return original(report, *args, **kwargs)

            return method

        self.authenticate(self.accountant.login, self.accountant.login)
        with (
            patch.object(Report, "_get_figures", spy(Report._get_figures)),
            patch.object(Report, "_items_action", spy(Report._items_action)),
        ):
            report = call_kw(self, "after_sales.provision.report", "get_report", *MARCH)
            action = call_kw(
                self,
                "after_sales.provision.report",
                "get_items_action",
                *MARCH,
                column="usage_parts",
                categ_id=self.machines.id,
            )
        self.assertEqual(cursors, [True, True])
        self.assertEqual(report["totals"]["closing"], 1537.5)
        self.assertEqual(len(self.env["account.move.line"].search(action["domain"])), 1)

    def test_xlsx_route(self):
        self.authenticate(self.accountant.login, self.accountant.login)
        response = self.url_open(
            "/after_sales/provision_report/xlsx",
            data={
                "date_from": MARCH[0],
                "date_to": MARCH[1],
                "csrf_token": self._csrf_token(),
            },
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("spreadsheetml", response.headers["Content-Type"])
        self.assertIn(
            "warranty_provision_2026-03-01_2026-03-31.xlsx", response.headers["Content-Disposition"]
        )
        with zipfile.ZipFile(io.BytesIO(response.content)) as workbook:
            self.assertIn("Espresso machines", workbook.read("xl/sharedStrings.xml").decode())

    def test_xlsx_route_refuses_other_users(self):
        self.authenticate(self.service_user.login, self.service_user.login)
        response = self.url_open(
            "/after_sales/provision_report/xlsx",
            data={"date_from": MARCH[0], "date_to": MARCH[1], "csrf_token": self._csrf_token()},
        )
        self.assertEqual(response.status_code, 403)
        self.assertNotIn("spreadsheetml", response.headers.get("Content-Type", ""))
