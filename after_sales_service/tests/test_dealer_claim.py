"""Dealer warranty claims: from the dealer's portal submission to the check, the
vendor bill on the warranty provision, its posting (the claim paid); the refusals
(out of warranty, another dealer's unit, the same work twice, a line rejected
without reason, rights), also over HTTP and JSON-RPC, and two submissions at once."""

import re
import threading
from datetime import date

from odoo import api
from odoo.api import SUPERUSER_ID
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Command
from odoo.modules.registry import Registry
from odoo.service.model import retrying
from odoo.tests import BaseCase, Form, HttpCase, get_db_name, new_test_user, tagged
from odoo.tests.common import JsonRpcException
from odoo.tools import mute_logger

from .common import AfterSalesCommon, call_kw

ACCESS_ERROR = "odoo.exceptions.AccessError"
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


class DealerClaimCommon(AfterSalesCommon):
    """Two dealers with their agreement, a portal user each, one unit each sold to a
    customer on 2026-01-05 (espresso: 6 months of warranty, parts and labour 100 %,
    travel 50 %), a part costing us 40.00."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.dealer_a_partner = cls.env["res.partner"].create(
            {"name": "Dealer Noord", "is_company": True}
        )
        cls.dealer_b_partner = cls.env["res.partner"].create(
            {"name": "Dealer Zuid", "is_company": True}
        )
        cls.dealer_a = cls._dealer(cls.dealer_a_partner)
        cls.dealer_b = cls._dealer(cls.dealer_b_partner)
        cls.dealer_a_user = cls._portal_user(cls.dealer_a_partner, "as_dealer_a")
        cls.dealer_b_user = cls._portal_user(cls.dealer_b_partner, "as_dealer_b")
        cls.unit_a = cls._create_equipment(
            lot=cls._make_lot(cls.espresso, "DEALER-A-1"),
            delivery_date=date(2026, 1, 5),
            dealer_id=cls.dealer_a.id,
        )
        cls.unit_b = cls._create_equipment(
            partner=cls.other_customer,
            lot=cls._make_lot(cls.espresso, "DEALER-B-1"),
            delivery_date=date(2026, 1, 5),
            dealer_id=cls.dealer_b.id,
        )
        cls.pump = cls.env["product.product"].create(
            {"name": "Pump", "default_code": "P-100", "type": "consu", "standard_price": 40.0}
        )
        cls.espresso.categ_id = cls.env["product.category"].create({"name": "Espresso"})
        cls.reason = cls.env["after_sales.reject.reason"].create({"name": "Not warranty work"})
        cls.provision_account = cls.company.after_sales_provision_account_id

    @classmethod
    def _dealer(cls, partner, **vals):
        return cls.env["after_sales.provider"].create(
            {
                "partner_id": partner.id,
                "kind": "dealer",
                "warranty_allowed": True,
                "labour_rate": 60.0,
                "travel_rate": 0.5,
                "parts_margin": 10.0,
                "date_start": "2025-01-01",
                **vals,
            }
        )

    @classmethod
    def _portal_user(cls, dealer_partner, login):
        contact = cls.env["res.partner"].create(
            {"name": f"{login} contact", "parent_id": dealer_partner.id, "email": f"{login}@x.com"}
        )
        return new_test_user(
            cls.env,
            login=login,
            groups="base.group_portal",
            partner_id=contact.id,
            company_id=cls.company.id,
        )

    @classmethod
    def _claim(cls, unit=None, dealer=None, repair_date="2026-02-10", lines=None):
        unit = unit or cls.unit_a
        lines = lines or [
            {"kind": "labour", "name": "Replace pump", "quantity": 2.5},
            {"kind": "travel", "quantity": 80},
            {"kind": "part", "product_id": cls.pump.id, "quantity": 2, "unit_cost": 45.0},
        ]
        return cls.env["after_sales.dealer.claim"].create(
            {
                "provider_id": (dealer or unit.dealer_id).id,
                "equipment_id": unit.id,
                "repair_date": repair_date,
                "work_done": "Pump replaced",
                "line_ids": [Command.create(vals) for vals in lines],
            }
        )

    def _lines(self, claim):
        return {line.kind: line for line in claim.line_ids}

    def _check_and_bill(self, claim):
        """The manager accepts labour (150.00), travel at its cap (20.00) and the
        part at our cost plus margin (88.00); accounting drafts the bill."""
        manager_claim = claim.with_user(self.service_manager)
        manager_claim.line_ids.action_accept()
        manager_claim.action_check()
        self.assertEqual(claim.state, "partial")
        self.assertAlmostEqual(claim.amount_accepted, 258.0)
        action = claim.action_create_vendor_bill()
        return self.env["account.move"].browse(action["res_id"])


@tagged("post_install", "-at_install")
class TestDealerClaim(DealerClaimCommon):
    def test_submission_captures_agreement_and_warranty(self):
        claim = self._claim()
        self.assertRegex(claim.name, r"^DWC/\d{4}/\d{5}$")
        # claimed at the agreement: 2.5 h x 60, 80 km x 0.50, 2 x 45.00 + 10 %
        self.assertAlmostEqual(claim.amount_claimed, 150.0 + 40.0 + 99.0)
        claim.action_submit()
        self.assertEqual(claim.state, "submitted")
        self.assertEqual((claim.parts_pct, claim.labour_pct, claim.travel_pct), (100, 100, 50))
        lines = self._lines(claim)
        # caps: labour at the rate, travel at 50 %, parts at our cost (40) + 10 %
        self.assertAlmostEqual(lines["labour"].amount_max, 150.0)
        self.assertAlmostEqual(lines["travel"].amount_max, 20.0)
        self.assertAlmostEqual(lines["part"].amount_max, 88.0)
        # what was claimed no longer changes, nor the agreement's rates in it
        with self.assertRaisesRegex(UserError, "submitted"):
            lines["labour"].quantity = 5
        with self.assertRaisesRegex(UserError, "submitted"):
            claim.repair_date = "2026-02-11"
        self.dealer_a.labour_rate = 90.0
        self.assertAlmostEqual(lines["labour"].amount_claimed, 150.0)

    def test_out_of_warranty_refused(self):
        claim = self._claim(repair_date="2026-08-01")
        with self.assertRaisesRegex(UserError, "not covered by the warranty"):
            claim.action_submit()
        self.assertEqual(claim.state, "draft")
        self.assertFalse(claim.date_submitted)
        self.assertFalse(any(claim.line_ids.mapped("amount_max")))

    def test_other_dealers_unit_refused(self):
        claim = self._claim(unit=self.unit_b, dealer=self.dealer_a)
        with self.assertRaisesRegex(UserError, "not a unit of"):
            claim.action_submit()
        self.assertEqual(claim.state, "draft")

    def test_agreement_must_allow_warranty_and_be_valid(self):
        claim = self._claim()
        self.dealer_a.warranty_allowed = False
        with self.assertRaisesRegex(UserError, "does not allow warranty work"):
            claim.action_submit()
        self.dealer_a.write({"warranty_allowed": True, "date_end": "2026-01-31"})
        with self.assertRaisesRegex(UserError, "not valid on"):
            claim.action_submit()
        self.assertEqual(claim.state, "draft")
        self.dealer_a.date_end = False
        claim.action_submit()
        self.assertEqual(claim.state, "submitted")

    def test_same_work_twice_refused(self):
        first = self._claim(repair_date="2026-02-10")
        first.action_submit()
        again = self._claim(repair_date="2026-02-25")
        with self.assertRaisesRegex(UserError, "already claimed by"):
            again.action_submit()
        self.assertEqual(again.state, "draft")
        # outside the window (30 days by default) it is other work
        later = self._claim(repair_date="2026-03-20")
        later.action_submit()
        self.assertEqual(later.state, "submitted")
        # a wider window of the company refuses it too; a rejected claim does not count
        self.company.after_sales_dealer_claim_days = 60
        with self.assertRaisesRegex(UserError, "already claimed by"):
            again.action_submit()
        first.with_user(self.service_manager).line_ids.write(
            {"check_state": "rejected", "reject_reason_id": self.reason.id}
        )
        first.with_user(self.service_manager).action_check()
        self.assertEqual(first.state, "rejected")
        later.action_cancel()
        again.action_submit()
        self.assertEqual(again.state, "submitted")

    def test_sane_figures(self):
        with self.assertRaisesRegex(ValidationError, "at most 24"):
            self._claim(lines=[{"kind": "labour", "quantity": 30}])
        with self.assertRaisesRegex(ValidationError, "cannot be negative"):
            self._claim(lines=[{"kind": "part", "product_id": self.pump.id, "unit_cost": -5}])
        with self.assertRaisesRegex(ValidationError, "above 0"):
            self._claim(lines=[{"kind": "travel", "quantity": 0}])
        claim = self.env["after_sales.dealer.claim"].create(
            {
                "provider_id": self.dealer_a.id,
                "equipment_id": self.unit_a.id,
                "repair_date": "2026-02-10",
            }
        )
        with self.assertRaisesRegex(UserError, "claims nothing"):
            claim.action_submit()
        self.assertFalse(
            self.env["after_sales.dealer.claim"].search_count(
                [("state", "!=", "draft"), ("equipment_id", "=", self.unit_a.id)]
            )
        )

    def test_line_rejected_needs_reason(self):
        claim = self._claim()
        claim.action_submit()
        line = self._lines(claim)["travel"].with_user(self.service_manager)
        with self.assertRaisesRegex(UserError, "refusal reason"):
            line.action_reject()
        with self.assertRaisesRegex(ValidationError, "give the reason"):
            line.check_state = "rejected"
        self.assertEqual(line.check_state, "pending")
        line.reject_reason_id = self.reason
        line.action_reject()
        self.assertEqual(line.check_state, "rejected")

    def test_accepted_capped_and_checked_by_manager_only(self):
        claim = self._claim()
        claim.action_submit()
        lines = self._lines(claim)
        with self.assertRaisesRegex(ValidationError, "at most"):
            lines["travel"].with_user(self.service_manager).write(
                {"check_state": "accepted", "amount_accepted": 40.0}
            )
        with self.assertRaises(AccessError):
            lines["labour"].with_user(self.service_user).write(
                {"check_state": "accepted", "amount_accepted": 150.0}
            )
        self.assertEqual(lines["labour"].check_state, "pending")
        with self.assertRaisesRegex(UserError, "every line"):
            claim.with_user(self.service_manager).action_check()
        with self.assertRaises(AccessError):
            claim.with_user(self.service_user).write({"state": "accepted"})
        self.assertEqual(claim.state, "submitted")

    def test_line_stays_on_its_claim(self):
        claim = self._claim()
        other = self._claim(unit=self.unit_b)
        line = self._lines(claim)["labour"].with_user(self.service_user)
        with self.assertRaisesRegex(UserError, "cannot be moved"):
            line.write({"claim_id": other.id})
        self.assertEqual(line.claim_id, claim)
        self.assertEqual(len(other.line_ids), 3)
        line.write({"claim_id": claim.id, "quantity": 3.0})  # its own claim: fine
        self.assertEqual(line.quantity, 3.0)

    def test_line_decisions_of_managers_only(self):
        claim = self._claim()
        claim.action_submit()
        line = self._lines(claim)["travel"]
        # refused as such, before the missing reason is looked at
        for user in (self.technician, self.service_user):
            for method in ("action_accept", "action_reject", "action_reset"):
                with self.subTest(user=user.login, method=method), self.assertRaises(AccessError):
                    getattr(line.with_user(user), method)()
        self.assertEqual(line.check_state, "pending")
        line.with_user(self.service_manager).action_accept()
        self.assertEqual(line.check_state, "accepted")

    def test_vendor_bill_on_provision_and_paid(self):
        claim = self._claim()
        claim.action_submit()
        bill = self._check_and_bill(claim)
        self.assertEqual(bill.state, "draft")
        self.assertEqual(bill.move_type, "in_invoice")
        self.assertEqual(bill.partner_id, self.dealer_a_partner)
        # by hand: Dr provision 150 (labour) + 20 (travel) + 88 (parts), Cr payable 258
        items = bill.line_ids.sorted("balance")
        self.assertEqual(
            [(item.account_id, item.balance, item.after_sales_provision_kind) for item in items],
            [
                (self.company_data["default_account_payable"], -258.0, False),
                (self.provision_account, 20.0, "usage_other"),
                (self.provision_account, 88.0, "usage_parts"),
                (self.provision_account, 150.0, "usage_labour"),
            ],
        )
        self.assertEqual(
            set(bill.invoice_line_ids.mapped("after_sales_categ_id")), {self.espresso.categ_id}
        )
        # no second live bill
        with self.assertRaisesRegex(UserError, "already has its vendor bill"):
            claim.action_create_vendor_bill()
        bill.invoice_date = "2026-03-01"
        bill.action_post()
        self.assertEqual(claim.state, "paid")
        provision = sum(
            self.env["account.move.line"]
            .search(
                [("account_id", "=", self.provision_account.id), ("parent_state", "=", "posted")]
            )
            .mapped("balance")
        )
        self.assertAlmostEqual(provision, 258.0)
        # reset and cancelled: the claim is accepted again and may be billed anew
        bill.button_draft()
        self.assertEqual(claim.state, "partial")
        bill.button_cancel()
        second = self.env["account.move"].browse(claim.action_create_vendor_bill()["res_id"])
        self.assertEqual(second.amount_total, 258.0)
        self.assertEqual(claim.bill_id, second)

    def test_vendor_bill_needs_accounting_rights_and_accepted_claim(self):
        claim = self._claim()
        claim.action_submit()
        with self.assertRaisesRegex(UserError, "only an accepted claim"):
            claim.action_create_vendor_bill()
        claim.with_user(self.service_manager).line_ids.action_accept()
        claim.with_user(self.service_manager).action_check()
        with self.assertRaises(AccessError):
            claim.with_user(self.service_manager).action_create_vendor_bill()
        self.assertFalse(claim.bill_ids)

    def test_billing_user_drafts_the_bill(self):
        claim = self._claim()
        claim.action_submit()
        claim.with_user(self.service_manager).line_ids.action_accept()
        claim.with_user(self.service_manager).action_check()
        biller = new_test_user(
            self.env,
            login="as_dealer_biller",
            groups="account.group_account_invoice",
            company_id=self.company.id,
        )
        action = claim.with_user(biller).action_create_vendor_bill()
        bill = self.env["account.move"].browse(action["res_id"])
        self.assertEqual(bill.amount_total, 258.0)
        self.assertEqual(bill.after_sales_dealer_claim_id, claim)

    def test_back_office_form(self):
        form = Form(self.env["after_sales.dealer.claim"].with_user(self.service_user))
        form.provider_id = self.dealer_a
        form.equipment_id = self.unit_a
        form.repair_date = date(2026, 2, 10)
        with form.line_ids.new() as line:
            line.kind = "labour"
            line.quantity = 2
        claim = form.save()
        self.assertAlmostEqual(claim.amount_claimed, 120.0)
        claim.action_submit()
        self.assertEqual(claim.state, "submitted")
        action = self.unit_a.action_view_dealer_claims()
        self.assertEqual(self.env["after_sales.dealer.claim"].search(action["domain"]), claim)
        self.assertEqual(self.unit_a.dealer_claim_count, 1)

    def test_other_company_refused(self):
        other_company = self.env["res.company"].create({"name": "Other Company"})
        other_dealer = (
            self.env["after_sales.provider"]
            .sudo()
            .create(
                {
                    "partner_id": self.dealer_a_partner.id,
                    "kind": "dealer",
                    "warranty_allowed": True,
                    "company_id": other_company.id,
                }
            )
        )
        with self.assertRaises(UserError):
            self._claim(dealer=other_dealer)
        unit = self._create_equipment(company_id=other_company.id, partner=self.other_customer)
        with self.assertRaises(UserError):
            self.env["after_sales.dealer.claim"].create(
                {
                    "provider_id": self.dealer_a.id,
                    "equipment_id": unit.id,
                    "repair_date": "2026-02-10",
                }
            )


@tagged("post_install", "-at_install")
class TestDealerClaimPortal(DealerClaimCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.claim_b = cls._claim(unit=cls.unit_b)
        cls.claim_b.action_submit()

    def _get(self, url):
        self.env.flush_all()
        with mute_logger("odoo.http", "werkzeug"):
            return self.url_open(url, allow_redirects=False)

    def _post_claim(self, **data):
        response = self._get("/my/dealer_claims/new")
        self.assertEqual(response.status_code, 200)
        values = {
            "csrf_token": CSRF_RE.search(response.text).group(1),
            "equipment_id": self.unit_a.id,
            "repair_date": "2026-02-10",
            "work_done": "Pump replaced",
            "labour_hours": "2.5",
            "travel_km": "80",
            "part_ref_1": "P-100",
            "part_qty_1": "2",
            "part_cost_1": "45",
            **data,
        }
        self.env.flush_all()
        with mute_logger("odoo.http", "werkzeug"):
            return self.url_open("/my/dealer_claims/new", data=values, allow_redirects=False)

    def rpc(self, model, method, *args, **kwargs):
        return call_kw(self, model, method, *args, **kwargs)

    def assertRpcDenied(self, model, method, *args, **kwargs):  # noqa: N802
        with mute_logger("odoo.http"), self.assertRaises(JsonRpcException) as context:
            self.rpc(model, method, *args, **kwargs)
        self.assertEqual(context.exception.args[0], ACCESS_ERROR)

    def _claims(self, unit):
        return self.env["after_sales.dealer.claim"].search([("equipment_id", "=", unit.id)])

    def test_portal_submission_to_paid(self):
        self.authenticate(self.dealer_a_user.login, self.dealer_a_user.login)
        response = self._post_claim()
        self.assertEqual(response.status_code, 303, response.text[:500])
        claim = self._claims(self.unit_a)
        self.assertEqual(len(claim), 1)
        self.assertTrue(response.headers["Location"].endswith(f"/my/dealer_claims/{claim.id}"))
        self.assertEqual(claim.state, "submitted")
        self.assertEqual(claim.provider_id, self.dealer_a)
        self.assertAlmostEqual(claim.amount_claimed, 289.0)
        page = self._get(f"/my/dealer_claims/{claim.id}")
        self.assertEqual(page.status_code, 200)
        self.assertIn(claim.name, page.text)
        listing = self._get("/my/dealer_claims")
        self.assertIn(claim.name, listing.text)
        self.assertNotIn(self.claim_b.name, listing.text)

        bill = self._check_and_bill(claim)
        self.assertEqual(
            sorted((item.account_id.id, item.debit, item.credit) for item in bill.line_ids),
            sorted(
                [
                    (self.provision_account.id, 150.0, 0.0),
                    (self.provision_account.id, 20.0, 0.0),
                    (self.provision_account.id, 88.0, 0.0),
                    (self.company_data["default_account_payable"].id, 0.0, 258.0),
                ]
            ),
        )
        bill.invoice_date = "2026-03-01"
        bill.action_post()
        self.assertEqual(claim.state, "paid")
        page = self._get(f"/my/dealer_claims/{claim.id}")
        self.assertIn("258.00", page.text)

    def test_portal_dealer_claim_tour(self):
        self.start_tour(
            "/my/dealer_claims",
            "after_sales_portal_dealer_claim_tour",
            login=self.dealer_a_user.login,
        )
        claim = self._claims(self.unit_a)
        self.assertEqual(len(claim), 1)
        self.assertEqual(claim.state, "submitted")
        self.assertEqual(claim.repair_date, date(2026, 2, 10))
        self.assertEqual(
            sorted((line.kind, line.quantity) for line in claim.line_ids),
            [("labour", 2.5), ("part", 2.0), ("travel", 80.0)],
        )
        self.assertAlmostEqual(claim.amount_claimed, 289.0)

    def _count_list_queries(self):
        self.env.flush_all()
        self.env.invalidate_all()
        count = self.env.cr.sql_log_count
        response = self.url_open("/my/dealer_claims")
        self.assertEqual(response.status_code, 200)
        return self.env.cr.sql_log_count - count

    def test_portal_list_query_count(self):
        """A page of 20 claims costs as many queries as a page of 2."""
        self.authenticate(self.dealer_a_user.login, self.dealer_a_user.login)
        for day in (1, 15):
            self._claim(repair_date=f"2026-02-{day:02d}")
        self._count_list_queries()  # warm the caches
        two = self._count_list_queries()
        for month in range(3, 12):
            for day in (1, 15):
                self._claim(repair_date=f"2026-{month:02d}-{day:02d}")
        twenty = self._count_list_queries()
        self.assertGreater(two, 0)
        self.assertEqual(twenty, two)

    def test_portal_refusals_create_nothing(self):
        self.authenticate(self.dealer_a_user.login, self.dealer_a_user.login)
        # out of warranty: the form again with the reason, no claim left behind
        response = self._post_claim(repair_date="2026-08-01")
        self.assertEqual(response.status_code, 400)
        self.assertIn("not covered by the warranty", response.text)
        self.assertFalse(self._claims(self.unit_a))
        # the same work twice
        self.assertEqual(self._post_claim().status_code, 303)
        response = self._post_claim(repair_date="2026-02-20")
        self.assertEqual(response.status_code, 400)
        self.assertIn("already claimed by", response.text)
        self.assertEqual(len(self._claims(self.unit_a)), 1)
        # an unknown part, no CSRF token
        response = self._post_claim(part_ref_1="NOPE", repair_date="2026-05-20")
        self.assertEqual(response.status_code, 400)
        self.env.flush_all()
        with mute_logger("odoo.http", "werkzeug"):
            response = self.url_open(
                "/my/dealer_claims/new",
                data={"equipment_id": self.unit_a.id, "repair_date": "2026-05-20"},
                allow_redirects=False,
            )
        self.assertEqual(response.status_code, 400)
        self.assertEqual(len(self._claims(self.unit_a)), 1)

    def test_portal_dealer_sees_nothing_of_another_dealer(self):
        self.authenticate(self.dealer_a_user.login, self.dealer_a_user.login)
        self.assertEqual(self._get(f"/my/dealer_claims/{self.claim_b.id}").status_code, 404)
        form = self._get("/my/dealer_claims/new")
        self.assertIn("DEALER-A-1", form.text)
        self.assertNotIn("DEALER-B-1", form.text)
        # submitting for dealer B's unit
        response = self._post_claim(equipment_id=self.unit_b.id)
        self.assertEqual(response.status_code, 404)
        self.assertEqual(self._claims(self.unit_b), self.claim_b)
        # nor over JSON-RPC
        self.assertRpcDenied("after_sales.dealer.claim", "read", [self.claim_b.id], ["name"])
        self.assertRpcDenied("after_sales.equipment", "read", [self.unit_b.id], ["name"])
        self.assertRpcDenied(
            "after_sales.dealer.claim",
            "create",
            {
                "provider_id": self.dealer_b.id,
                "equipment_id": self.unit_b.id,
                "repair_date": "2026-02-11",
            },
        )
        self.assertRpcDenied(
            "after_sales.dealer.claim", "write", [self.claim_b.id], {"work_done": "x"}
        )
        found = self.rpc("after_sales.dealer.claim", "search_read", [], ["name"])
        self.assertEqual(found, [])
        # their own unit is readable, its claim too
        self.assertEqual(
            self.rpc("after_sales.equipment", "read", [self.unit_a.id], ["id"]),
            [{"id": self.unit_a.id}],
        )

    def test_customer_portal_user_is_no_dealer(self):
        contact = self.env["res.partner"].create({"name": "Chef", "parent_id": self.customer.id})
        user = new_test_user(
            self.env, login="as_chef", groups="base.group_portal", partner_id=contact.id
        )
        self.authenticate(user.login, user.login)
        self.assertEqual(self._get("/my/dealer_claims/new").status_code, 404)
        self.assertNotIn(self.claim_b.name, self._get("/my/dealer_claims").text)

    def test_technician_cannot_write_accepted_amounts(self):
        claim = self._claim()
        claim.action_submit()
        line = self._lines(claim)["labour"]
        self.authenticate(self.technician.login, self.technician.login)
        self.assertEqual(
            self.rpc("after_sales.dealer.claim", "read", [claim.id], ["state"])[0]["state"],
            "submitted",
        )
        self.assertRpcDenied(
            "after_sales.dealer.claim.line",
            "write",
            [line.id],
            {"check_state": "accepted", "amount_accepted": 150.0},
        )
        self.assertRpcDenied("after_sales.dealer.claim.line", "action_accept", [line.id])
        self.authenticate(self.service_user.login, self.service_user.login)
        self.assertRpcDenied(
            "after_sales.dealer.claim.line",
            "write",
            [line.id],
            {"check_state": "accepted", "amount_accepted": 150.0},
        )
        self.assertEqual(line.check_state, "pending")
        self.assertFalse(line.amount_accepted)


@tagged("post_install", "-at_install")
class TestDealerClaimTwoSubmissions(BaseCase):
    """Two submissions of the same work at once, in real, separate transactions:
    one is submitted, the other refused (the unit's row serializes them)."""

    def test_two_submissions_at_once(self):
        registry = Registry(get_db_name())

        def env_of(cr):
            return api.Environment(cr, SUPERUSER_ID, {})

        with registry.cursor() as cr:
            env = env_of(cr)
            partner = env["res.partner"].create({"name": "Concurrent dealer", "is_company": True})
            customer = env["res.partner"].create({"name": "Concurrent customer"})
            product = env["product.product"].create(
                {
                    "name": "Concurrent unit",
                    "type": "consu",
                    "warranty_months": 12,
                    "warranty_trigger": "delivery",
                    "warranty_parts_pct": 100,
                    "warranty_labour_pct": 100,
                }
            )
            dealer = env["after_sales.provider"].create(
                {
                    "partner_id": partner.id,
                    "kind": "dealer",
                    "warranty_allowed": True,
                    "labour_rate": 50.0,
                }
            )
            unit = env["after_sales.equipment"].create(
                {
                    "product_id": product.id,
                    "partner_id": customer.id,
                    "delivery_date": "2026-01-05",
                    "dealer_id": dealer.id,
                }
            )
            claims = env["after_sales.dealer.claim"].create(
                [
                    {
                        "provider_id": dealer.id,
                        "equipment_id": unit.id,
                        "repair_date": repair_date,
                        "line_ids": [Command.create({"kind": "labour", "quantity": 1})],
                    }
                    for repair_date in ("2026-02-10", "2026-02-12")
                ]
            )
            ids = {
                "claims": claims.ids,
                "unit": unit.id,
                "dealer": dealer.id,
                "product": product.id,
                "partners": [partner.id, customer.id],
            }

        barrier = threading.Barrier(2)
        errors = []

        def worker(claim_id):
            try:
                with registry.cursor() as cr:
                    env = env_of(cr)
                    claim = env["after_sales.dealer.claim"].browse(claim_id)
                    barrier.wait(timeout=30)
                    retrying(claim.action_submit, env)
            except Exception as error:  # noqa: BLE001 - reported by the test
                errors.append(error)

        threads = [threading.Thread(target=worker, args=(cid,)) for cid in ids["claims"]]
        try:
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=120)
            with registry.cursor() as cr:
                env = env_of(cr)
                claims = env["after_sales.dealer.claim"].browse(ids["claims"])
                self.assertEqual(sorted(claims.mapped("state")), ["draft", "submitted"])
                self.assertEqual(len(errors), 1, errors)
                self.assertIsInstance(errors[0], UserError)
                self.assertIn("already claimed by", str(errors[0]))
        finally:
            with registry.cursor() as cr:
                env = env_of(cr)
                claims = env["after_sales.dealer.claim"].browse(ids["claims"])
                claims.filtered(lambda c: c.state == "submitted").action_cancel()
                claims.unlink()
                env["after_sales.equipment"].browse(ids["unit"]).unlink()
                env["after_sales.provider"].browse(ids["dealer"]).unlink()
                env["product.product"].browse(ids["product"]).unlink()
                env["res.partner"].browse(ids["partners"]).unlink()
