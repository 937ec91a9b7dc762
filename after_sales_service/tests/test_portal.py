"""The customer portal: each customer's pages, and nothing of another customer's,
whichever URL or RPC they try; the claim form and its uploads."""

import base64
import re
from datetime import date

import lxml.etree
import lxml.html
from freezegun import freeze_time

from odoo import fields
from odoo.fields import Command
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tests.common import JsonRpcException
from odoo.tools import file_open, mute_logger

from .common import AfterSalesCommon, call_kw

ACCESS_ERROR = "odoo.exceptions.AccessError"
# The smallest valid PNG (1x1 pixel)
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


@tagged("post_install", "-at_install")
class TestPortal(AfterSalesCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.contact = cls.env["res.partner"].create(
            {"name": "Chef", "parent_id": cls.customer.id, "email": "chef@example.com"}
        )
        cls.other_contact = cls.env["res.partner"].create(
            {"name": "Concierge", "parent_id": cls.other_customer.id, "email": "desk@example.com"}
        )
        cls.portal_user = new_test_user(
            cls.env,
            login="as_portal_chef",
            groups="base.group_portal",
            partner_id=cls.contact.id,
            company_id=cls.company.id,
        )
        cls.other_portal_user = new_test_user(
            cls.env,
            login="as_portal_desk",
            groups="base.group_portal",
            partner_id=cls.other_contact.id,
            company_id=cls.company.id,
        )
        cls.equipment = cls._create_equipment(
            lot=cls._make_lot(cls.espresso, "PORTAL-TOUR-1"), delivery_date=date(2026, 1, 5)
        )
        cls.other_equipment = cls._create_equipment(
            partner=cls.other_customer,
            lot=cls._make_lot(cls.espresso, "PORTAL-OTHER-1"),
            delivery_date=date(2026, 1, 5),
        )
        cls.contract = cls._create_contract(
            cls.equipment,
            sla_ids=[Command.create({"priority": "2", "response_hours": 4})],
        )
        cls.contract.action_start()
        cls.other_contract = cls._create_contract(
            cls.other_equipment, partner_id=cls.other_customer.id
        )
        cls.other_contract.action_start()
        cls.order = cls._order(cls.customer, cls.equipment)
        cls.order.technician_ids = cls.technician
        cls.other_order = cls._order(cls.other_customer, cls.other_equipment)
        cls.claim = cls._claim(cls.customer, cls.equipment)
        cls.other_claim = cls._claim(cls.other_customer, cls.other_equipment)

    @classmethod
    def _order(cls, partner, equipment):
        return cls.env["after_sales.order"].create(
            {
                "service_type_id": cls.type_corrective.id,
                "partner_id": partner.id,
                "equipment_id": equipment.id,
                "planned_date_start": "2026-02-10 09:00:00",
                "planned_date_end": "2026-02-10 11:00:00",
            }
        )

    @classmethod
    def _claim(cls, partner, equipment, **vals):
        return cls.env["after_sales.claim"].create(
            {
                "partner_id": partner.id,
                "equipment_id": equipment.id,
                "lot_id": equipment.lot_id.id,
                "category": "product_defect",
                "description": "<p>Leaks water</p>",
                **vals,
            }
        )

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------
    def _login(self, user):
        self.authenticate(user.login, user.login)

    def _get(self, url):
        self.env.flush_all()
        with mute_logger("odoo.http", "werkzeug"):
            return self.url_open(url, allow_redirects=False)

    def _csrf(self):
        response = self._get("/my/claims/new")
        self.assertEqual(response.status_code, 200)
        return CSRF_RE.search(response.text).group(1)

    def _post_claim(self, files=(), csrf=True, **data):
        values = {
            "equipment_id": self.equipment.id,
            "category": "product_defect",
            "description": "The pump is noisy",
            **data,
        }
        if csrf:
            values["csrf_token"] = self._csrf()
        self.env.flush_all()
        with mute_logger("odoo.http", "werkzeug"):
            return self.url_open(
                "/my/claims/new",
                data=values,
                files=[("attachments", file) for file in files],
                allow_redirects=False,
            )

    def _claims(self):
        return self.env["after_sales.claim"].search([])

    def rpc(self, model, method, *args, **kwargs):
        return call_kw(self, model, method, *args, **kwargs)

    def assertRpcDenied(self, model, method, *args, **kwargs):  # noqa: N802
        with mute_logger("odoo.http"), self.assertRaises(JsonRpcException) as context:
            self.rpc(model, method, *args, **kwargs)
        self.assertEqual(context.exception.args[0], ACCESS_ERROR)

    def _jsonrpc(self, url, params):
        self.env.flush_all()
        with mute_logger("odoo.http"):
            response = self.url_open(
                url, json={"id": 0, "jsonrpc": "2.0", "method": "call", "params": params}
            )
        self.env.invalidate_all()
        return response

    # ------------------------------------------------------------------
    # Pages
    # ------------------------------------------------------------------
    def test_owner_pages(self):
        self._login(self.portal_user)
        pages = {
            "/my/equipment": ["PORTAL-TOUR-1"],
            f"/my/equipment/{self.equipment.id}": [
                "PORTAL-TOUR-1",
                self.contract.name,
                self.order.name,
                self.claim.name,
                f"/my/claims/new?equipment_id={self.equipment.id}",
            ],
            "/my/contracts": [self.contract.name],
            f"/my/contracts/{self.contract.id}": [self.contract.name, "PORTAL-TOUR-1"],
            "/my/service-orders": [self.order.name],
            f"/my/service-orders/{self.order.id}": [self.order.name, self.technician.name],
            "/my/claims": [self.claim.name],
            f"/my/claims/{self.claim.id}": [self.claim.name, "Leaks water", "o_portal_chatter"],
            "/my/claims/new": ["PORTAL-TOUR-1", "csrf_token"],
        }
        for url, texts in pages.items():
            with self.subTest(url=url):
                response = self._get(url)
                self.assertEqual(response.status_code, 200)
                for text in texts:
                    self.assertIn(text, response.text)
                for foreign in (
                    "PORTAL-OTHER-1",
                    self.other_order.name,
                    self.other_claim.name,
                    self.other_contract.name,
                ):
                    self.assertNotIn(foreign, response.text)
        self.assertNotIn("PORTAL-OTHER-1", self._get("/my/claims/new").text)

    # ------------------------------------------------------------------
    # Tables, searchbar and local times of the lists and pages
    # ------------------------------------------------------------------
    def _tables(self, url):
        """[(header cells, [cells of each row])] of the tables of the page ``url``."""
        response = self._get(url)
        self.assertEqual(response.status_code, 200, url)
        tables = []
        for table in lxml.html.fromstring(response.text).iter("table"):
            header = [cell.text_content().strip() for cell in table.xpath("./thead/tr/th")]
            rows = [
                [cell.text_content().strip() for cell in row.xpath("./td")]
                for row in table.xpath("./tbody/tr | ./tr")
            ]
            tables.append((header, rows))
        return tables

    def _first_column(self, url):
        """The first cell of each row of the page's first table ([] without table)."""
        tables = self._tables(url)
        return [row[0] for row in tables[0][1]] if tables else []

    def test_rows_have_the_header_cells(self):
        """An order without a unit, a claim without a unit: each row keeps every
        column of its header, empty where there is nothing to show."""
        unitless_order = self.env["after_sales.order"].create(
            {"service_type_id": self.type_corrective.id, "partner_id": self.customer.id}
        )
        self._claim(self.customer, self.env["after_sales.equipment"], lot_id=False)
        self._login(self.portal_user)
        for url in (
            "/my/equipment",
            f"/my/equipment/{self.equipment.id}",
            "/my/contracts",
            f"/my/contracts/{self.contract.id}",
            "/my/service-orders",
            f"/my/service-orders/{unitless_order.id}",
            "/my/claims",
            f"/my/claims/{self.claim.id}",
        ):
            for header, rows in self._tables(url):
                with self.subTest(url=url, header=header):
                    self.assertTrue(rows)
                    for row in rows:
                        self.assertEqual(len(row), len(header), row)
        header, rows = self._tables("/my/service-orders")[0]
        unitless = next(row for row in rows if row[0] == unitless_order.name)
        self.assertEqual(unitless[header.index("Equipment")], "")
        self.assertEqual(unitless[header.index("Status")], "New")

    def test_searchbar_sorts_filters_searches(self):
        done_order = self._order(self.customer, self.equipment)
        done_order.write(
            {"planned_date_start": "2026-03-10 09:00:00", "planned_date_end": "2026-03-10 11:00:00"}
        )
        done_order.action_cancel()
        self._login(self.portal_user)
        by_date = self._first_column("/my/service-orders?sortby=date")
        self.assertEqual(by_date, [done_order.name, self.order.name])
        by_name = self._first_column("/my/service-orders?sortby=name")
        self.assertEqual(by_name, sorted(by_name, reverse=True))
        self.assertEqual(self._first_column("/my/service-orders?filterby=open"), [self.order.name])
        self.assertEqual(self._first_column("/my/service-orders?filterby=done"), [done_order.name])
        self.assertEqual(self._first_column("/my/service-orders?filterby=all"), by_date)
        self.assertEqual(
            self._first_column(f"/my/service-orders?search={done_order.name}&search_in=name"),
            [done_order.name],
        )
        self.assertEqual(
            self._first_column("/my/service-orders?search=PORTAL-TOUR&search_in=equipment"),
            by_date,
        )
        page = self._get("/my/service-orders?filterby=done&search=nothing-like-this").text
        self.assertIn("o_as_no_match", page)
        # an unknown sort, filter or field falls back to the default one
        self.assertEqual(
            self._first_column("/my/service-orders?sortby=x&filterby=y&search_in=z"), by_date
        )
        # the pager keeps the sort, the filter and the search
        page = self._get("/my/service-orders?sortby=name&filterby=done").text
        self.assertIn("Sort By:", page)
        self.assertIn("Filter By:", page)
        self.assertIn('name="search"', page)
        self.assertIn("o_portal_search_panel", page)
        self.assertEqual(self._first_column("/my/contracts?filterby=open"), [self.contract.name])
        self.assertEqual(self._first_column("/my/contracts?filterby=done"), [])
        self.assertEqual(self._first_column("/my/claims?filterby=open"), [self.claim.name])
        self.assertEqual(self._first_column("/my/claims?filterby=done"), [])
        units = self._first_column("/my/equipment?filterby=all&sortby=state")
        self.assertEqual(units, [self.espresso.display_name])
        with freeze_time("2026-02-01"):
            self.assertEqual(self._first_column("/my/equipment?filterby=open"), units)
            self.assertEqual(self._first_column("/my/equipment?filterby=done"), [])

    def test_searchbar_never_shows_another_customers_records(self):
        """A search, a filter or a sort finds only the customer's own records,
        even for a term that matches another customer's."""
        self._login(self.portal_user)
        own = {
            "/my/equipment": "PORTAL-TOUR-1",
            "/my/contracts": self.contract.name,
            "/my/service-orders": self.order.name,
            "/my/claims": self.claim.name,
        }
        foreign_links = (
            f"/my/equipment/{self.other_equipment.id}",
            f"/my/contracts/{self.other_contract.id}",
            f"/my/service-orders/{self.other_order.id}",
            f"/my/claims/{self.other_claim.id}",
        )
        foreign_names = (
            "PORTAL-OTHER-1",
            self.other_contract.name,
            self.other_order.name,
            self.other_claim.name,
        )
        for url in own:
            for query in (
                "",
                "?search=PORTAL-OTHER",
                "?search=PORTAL&search_in=all",
                "?search=PORTAL&search_in=equipment",
                "?search=/&search_in=name",
                "?search=" + self.other_order.name,
                "?search=" + self.other_claim.name,
                "?search=" + self.other_contract.name,
                "?sortby=name&filterby=open",
                "?sortby=state&filterby=done",
                "?sortby=date&filterby=all&search=o",
            ):
                with self.subTest(url=url, query=query):
                    page = self._get(url + query).text
                    for link in foreign_links:
                        self.assertNotIn(f'href="{link}"', page)
                    cells = " ".join(
                        " ".join(" ".join(row) for row in rows)
                        for _header, rows in self._tables(url + query)
                    )
                    for name in foreign_names:
                        self.assertNotIn(name, cells)
        for url, own_text in own.items():
            with self.subTest(url=url):
                self.assertIn(own_text, self._get(url + "?search=PORTAL&search_in=all").text)

    def test_times_in_the_customers_timezone(self):
        """A visit at 00:30 in Amsterdam, the week summer time starts and the week
        it ends, reads 00:30 on every page and in the mails, without seconds;
        a customer without timezone reads the company's working time."""
        self.contact.tz = "Europe/Amsterdam"
        Partner = self.env["res.partner"]
        cases = {
            # 00:30 CET (UTC+1), the night summer time starts
            "2026-03-28 23:30:00": "03/29/2026",
            # 00:30 CEST (UTC+2), the next night
            "2026-03-29 22:30:00": "03/30/2026",
            # 00:30 CEST, the night summer time ends; 00:30 CET the next night
            "2026-10-24 22:30:00": "10/25/2026",
            "2026-10-25 23:30:00": "10/26/2026",
        }
        for moment, day in cases.items():
            with self.subTest(moment=moment):
                text = self.contact._after_sales_datetime(
                    fields.Datetime.to_datetime(moment), self.company
                )
                self.assertEqual(text, f"{day} 12:30 AM")
        self.assertEqual(self.contact._after_sales_datetime(False, self.company), "")
        # no timezone on the customer nor its company: the company's working time
        nobody = Partner.create({"name": "No Zone", "tz": False})
        self.company.resource_calendar_id.tz = "Europe/Amsterdam"
        self.assertEqual(nobody._after_sales_tz(self.company), "Europe/Amsterdam")
        self.company.resource_calendar_id.tz = "America/New_York"
        self.assertEqual(nobody._after_sales_tz(self.company), "America/New_York")
        self.assertEqual(
            nobody._after_sales_datetime(
                fields.Datetime.to_datetime("2026-10-25 04:30:00"), self.company
            ),
            "10/25/2026 12:30 AM",
        )
        self.company.resource_calendar_id.tz = "Europe/Amsterdam"

        # the portal pages: the order's customer is in Amsterdam
        self.customer.tz = "Europe/Amsterdam"
        self.order.write(
            {"planned_date_start": "2026-10-24 22:30:00", "planned_date_end": "2026-10-25 23:30:00"}
        )
        self.claim.date_received = "2026-03-28 23:30:00"
        self._login(self.portal_user)
        for url, texts in {
            "/my/service-orders": ["10/25/2026 12:30 AM"],
            f"/my/service-orders/{self.order.id}": ["10/25/2026 12:30 AM", "10/26/2026 12:30 AM"],
            f"/my/equipment/{self.equipment.id}": ["10/25/2026 12:30 AM", "03/29/2026 12:30 AM"],
            "/my/claims": ["03/29/2026 12:30 AM"],
            f"/my/claims/{self.claim.id}": ["03/29/2026 12:30 AM"],
        }.items():
            with self.subTest(url=url):
                page = self._get(url).text
                for text in texts:
                    self.assertIn(text, page)
                self.assertNotIn("12:30:00", page)
                self.assertNotIn("10:30 PM", page)
        # the mail: the acknowledgement of a claim
        template = self.env.ref("after_sales_service.mail_template_claim_acknowledgement")
        body = template._render_field("body_html", self.claim.ids)[self.claim.id]
        self.assertIn("03/29/2026 12:30 AM", body)
        self.assertNotIn("11:30 PM", body)

    def test_owner_downloads_service_report(self):
        self._login(self.portal_user)
        response = self._get(f"/my/service-orders/{self.order.id}?report_type=pdf&download=true")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.headers["Content-Type"], "application/pdf")
        self.assertIn("attachment", response.headers["Content-Disposition"])

    def test_contract_page_links_own_invoices(self):
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.customer.id,
                "after_sales_contract_id": self.contract.id,
                "invoice_line_ids": [Command.create({"name": "Service", "price_unit": 100.0})],
            }
        )
        invoice.action_post()
        self._login(self.portal_user)
        response = self._get(f"/my/contracts/{self.contract.id}")
        self.assertIn(f"/my/invoices/{invoice.id}", response.text)

    def test_other_customer_gets_not_found(self):
        self._login(self.other_portal_user)
        for url in (
            f"/my/equipment/{self.equipment.id}",
            f"/my/contracts/{self.contract.id}",
            f"/my/service-orders/{self.order.id}",
            f"/my/service-orders/{self.order.id}?report_type=pdf&download=true",
            f"/my/service-orders/{self.order.id}?report_type=html",
            f"/my/claims/{self.claim.id}",
            f"/my/equipment/{self.equipment.id}?access_token=wrong",
            "/my/claims/999999999",
        ):
            with self.subTest(url=url):
                response = self._get(url)
                self.assertEqual(response.status_code, 404)
                self.assertNotIn(self.order.name, response.text)
                self.assertNotIn("PORTAL-TOUR-1", response.text)
        for url in ("/my/equipment", "/my/contracts", "/my/service-orders", "/my/claims"):
            with self.subTest(url=url):
                response = self._get(url)
                self.assertEqual(response.status_code, 200)
                self.assertNotIn("PORTAL-TOUR-1", response.text)
                self.assertNotIn(self.claim.name, response.text)
                self.assertNotIn(self.order.name, response.text)

    def test_anonymous_is_sent_to_login(self):
        response = self._get(f"/my/claims/{self.claim.id}")
        self.assertIn(response.status_code, (302, 303))
        self.assertIn("/web/login", response.headers["Location"])

    def test_other_customer_rpc_denied(self):
        self._login(self.other_portal_user)
        for model, record in (
            ("after_sales.claim", self.claim),
            ("after_sales.equipment", self.equipment),
            ("after_sales.order", self.order),
        ):
            with self.subTest(model=model):
                self.assertRpcDenied(model, "read", record.ids, ["display_name"])
                self.assertEqual(
                    self.rpc(model, "search_read", [("id", "=", record.id)], ["display_name"]),
                    [],
                )
        before = self.claim.description
        self.assertRpcDenied("after_sales.claim", "write", self.claim.ids, {"description": "x"})
        self.assertRpcDenied(
            "after_sales.equipment", "write", self.equipment.ids, {"install_date": "2026-01-01"}
        )
        self.assertRpcDenied("after_sales.order", "write", self.order.ids, {"priority": "3"})
        self.assertEqual(self.claim.description, before)
        # the own claim is read, the hidden fields are not
        self._login(self.portal_user)
        self.assertEqual(
            self.rpc("after_sales.claim", "read", self.claim.ids, ["name"])[0]["name"],
            self.claim.name,
        )

    def test_other_customer_cannot_post_or_attach(self):
        messages = self.claim.message_ids
        attachments = self.env["ir.attachment"].search_count([])
        self._login(self.other_portal_user)
        response = self._jsonrpc(
            "/mail/message/post",
            {
                "thread_model": "after_sales.claim",
                "thread_id": self.claim.id,
                "post_data": {"body": "Not mine", "message_type": "comment"},
            },
        )
        self.assertIn("error", response.json())
        csrf = self._csrf()
        with mute_logger("odoo.http", "werkzeug"):
            response = self.url_open(
                "/mail/attachment/upload",
                data={
                    "csrf_token": csrf,
                    "thread_id": self.claim.id,
                    "thread_model": "after_sales.claim",
                },
                files={"ufile": ("photo.png", PNG, "image/png")},
            )
        self.assertEqual(response.status_code, 404)
        self.env.invalidate_all()
        self.assertEqual(self.claim.message_ids, messages)
        self.assertEqual(self.env["ir.attachment"].search_count([]), attachments)
        # the owner answers on their claim
        self._login(self.portal_user)
        response = self._jsonrpc(
            "/mail/message/post",
            {
                "thread_model": "after_sales.claim",
                "thread_id": self.claim.id,
                "post_data": {"body": "Still leaking", "message_type": "comment"},
            },
        )
        self.assertNotIn("error", response.json())
        self.assertIn("Still leaking", self.claim.message_ids[0].body)

    def test_home_counters(self):
        self._claim(self.customer, self.equipment)
        self._login(self.portal_user)
        response = self._jsonrpc(
            "/my/counters",
            {
                "counters": [
                    "as_equipment_count",
                    "as_contract_count",
                    "as_order_count",
                    "as_claim_count",
                ]
            },
        )
        self.assertEqual(
            response.json()["result"],
            {
                "as_equipment_count": 1,
                "as_contract_count": 1,
                "as_order_count": 1,
                "as_claim_count": 2,
            },
        )
        home = self._get("/my/home").text
        for url in ("/my/equipment", "/my/contracts", "/my/service-orders", "/my/claims"):
            self.assertIn(f'href="{url}"', home)

    def test_home_cards_take_standard_icons(self):
        """Each after-sales card of My Account has a pictogram of Odoo's standard
        portal size (64 x 64), as the sale and invoice cards have."""
        self._login(self.portal_user)
        home = lxml.html.fromstring(self._get("/my/home").text)
        for url in ("/my/equipment", "/my/contracts", "/my/service-orders", "/my/claims"):
            with self.subTest(url=url):
                (icon,) = home.xpath(f"//a[@href='{url}']//div[hasclass('o_portal_icon')]/img")
                module, path = icon.get("src").lstrip("/").split("/", 1)
                with file_open(f"{module}/{path}", "rb") as svg:
                    root = lxml.etree.fromstring(svg.read())
                self.assertEqual((root.get("width"), root.get("height")), ("64", "64"))

    # ------------------------------------------------------------------
    # Filing a claim
    # ------------------------------------------------------------------
    def test_file_claim(self):
        self._login(self.portal_user)
        before = self._claims()
        response = self._post_claim(
            files=[("noise.png", PNG, "image/png"), ("invoice.pdf", b"%PDF-1.4\n%%EOF", "")]
        )
        claim = self._claims() - before
        self.assertEqual(len(claim), 1)
        self.assertEqual(response.status_code, 303)
        self.assertTrue(response.headers["Location"].endswith(f"/my/claims/{claim.id}"))
        self.assertRecordValues(
            claim,
            [
                {
                    "channel": "portal",
                    "partner_id": self.customer.id,
                    "contact_id": self.contact.id,
                    "equipment_id": self.equipment.id,
                    "lot_id": self.equipment.lot_id.id,
                    "product_id": self.espresso.id,
                    "category": "product_defect",
                }
            ],
        )
        self.assertIn("The pump is noisy", claim.description)
        files = self.env["ir.attachment"].search(
            [("res_model", "=", "after_sales.claim"), ("res_id", "=", claim.id)]
        )
        self.assertEqual(sorted(files.mapped("mimetype")), ["application/pdf", "image/png"])
        internal = self.env["ir.attachment"].create(
            {
                "name": "internal-margin.pdf",
                "raw": b"%PDF-1.4\n%%EOF",
                "res_model": claim._name,
                "res_id": claim.id,
            }
        )
        claim.message_post(
            body="Our cost", attachment_ids=internal.ids, subtype_xmlid="mail.mt_note"
        )
        page = self._get(f"/my/claims/{claim.id}")
        self.assertIn(claim.name, page.text)
        self.assertIn("noise.png", page.text)
        self.assertNotIn("internal-margin.pdf", page.text)
        photo = files.filtered(lambda attachment: attachment.mimetype == "image/png")
        self.assertIn(f"access_token={photo.access_token}", page.text)
        self.assertEqual(
            self._get(
                f"/web/content/{photo.id}?download=true&access_token={photo.access_token}"
            ).content,
            PNG,
        )
        # the other customer gets neither the page nor the files of the claim
        self._login(self.other_portal_user)
        self.assertEqual(self._get(f"/my/claims/{claim.id}").status_code, 404)
        response = self._get(f"/web/content/{photo.id}?download=true")
        self.assertIn(response.status_code, (403, 404))
        self.assertNotEqual(response.content, PNG)
        # /web/image answers Odoo's placeholder picture
        self.assertNotEqual(self._get(f"/web/image/{photo.id}").content, PNG)

    def test_claim_without_csrf_refused(self):
        self._login(self.portal_user)
        before = self._claims()
        response = self._post_claim(csrf=False)
        self.assertEqual(response.status_code, 400)
        self.assertEqual(self._claims(), before)

    def test_claim_for_another_customers_unit_refused(self):
        self._login(self.portal_user)
        before = self._claims()
        for equipment_id in (self.other_equipment.id, "999999999", "abc"):
            with self.subTest(equipment_id=equipment_id):
                response = self._post_claim(equipment_id=equipment_id)
                self.assertEqual(response.status_code, 404)
        self.assertEqual(self._claims(), before)

    def test_refused_uploads_create_nothing(self):
        self._login(self.portal_user)
        claims = self._claims()
        attachments = self.env["ir.attachment"].search_count([])
        big = PNG + b"\0" * (5 * 1024 * 1024)
        cases = {
            "larger than 5 MB": [("big.png", big, "image/png")],
            "not a JPEG or PNG picture or a PDF": [
                ("script.png", b"#!/bin/sh\nrm -rf /\n", "image/png")
            ],
            "at most 5 files": [(f"p{index}.png", PNG, "image/png") for index in range(6)],
        }
        for message, files in cases.items():
            with self.subTest(message=message):
                response = self._post_claim(files=files)
                self.assertEqual(response.status_code, 400)
                self.assertIn(message, response.text)
                self.assertIn("o_as_claim_form", response.text, "the form is shown again")
        for data, message in (
            ({"category": "free_text"}, "Choose the kind of problem"),
            ({"description": "   "}, "Describe the problem"),
        ):
            with self.subTest(message=message):
                response = self._post_claim(**data)
                self.assertEqual(response.status_code, 400)
                self.assertIn(message, response.text)
        self.assertEqual(self._claims(), claims)
        self.assertEqual(self.env["ir.attachment"].search_count([]), attachments)

    def test_malicious_file_name_is_sanitised(self):
        self._login(self.portal_user)
        before = self._claims()
        self._post_claim(files=[("../../etc/passwd.png", PNG, "image/png")])
        claim = self._claims() - before
        attachment = self.env["ir.attachment"].search(
            [("res_model", "=", "after_sales.claim"), ("res_id", "=", claim.id)]
        )
        self.assertEqual(attachment.name, "passwd.png")
        self.assertEqual(attachment.mimetype, "image/png")

    # ------------------------------------------------------------------
    # Performance and flow
    # ------------------------------------------------------------------
    def _count_list_queries(self):
        self.env.flush_all()
        self.env.invalidate_all()
        count = self.env.cr.sql_log_count
        response = self.url_open("/my/claims")
        self.assertEqual(response.status_code, 200)
        return self.env.cr.sql_log_count - count

    def test_claim_list_query_count(self):
        """80 claims on a page cost as many queries as 10."""
        units = self.env["after_sales.equipment"].create(
            [
                {
                    "product_id": self.espresso.id,
                    "partner_id": self.customer.id,
                    "lot_id": self._make_lot(self.espresso, f"PORTAL-Q-{index}").id,
                }
                for index in range(80)
            ]
        )
        self.env["after_sales.claim"].create(
            [
                {"partner_id": self.customer.id, "equipment_id": unit.id, "category": "other"}
                for unit in units[:9]
            ]
        )
        self._login(self.portal_user)
        self._count_list_queries()  # warm the caches (templates, routing)
        ten = self._count_list_queries()
        self.env["after_sales.claim"].create(
            [
                {"partner_id": self.customer.id, "equipment_id": unit.id, "category": "other"}
                for unit in units[9:79]
            ]
        )
        self.assertEqual(self.env["after_sales.claim"].search_count([]), 81)  # 80 + other's
        eighty = self._count_list_queries()
        self.assertGreater(ten, 0)
        self.assertEqual(eighty, ten)

    def test_portal_claim_tour(self):
        before = self._claims()
        self.start_tour("/my/home", "after_sales_portal_claim_tour", login=self.portal_user.login)
        claim = self._claims() - before
        self.assertEqual(len(claim), 1)
        self.assertEqual(claim.channel, "portal")
        self.assertEqual(claim.equipment_id, self.equipment)
        self.assertEqual(claim.contact_id, self.contact)
