"""The customer's self-service on the portal: a claim without a unit, closing a
solved claim and reopening it within the company's window. Every route checks the
claim is the customer's and its CSRF token, and a refusal writes nothing; the
same rules hold over RPC."""

from datetime import date

from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tests.common import JsonRpcException
from odoo.tools import mute_logger

from .common import AfterSalesCommon, call_kw
from .test_portal import CSRF_RE, PNG


class SelfServiceCase(AfterSalesCommon, HttpCase):
    """Two portal customers and a unit of the first."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.after_sales_claim_reopen_days = 14
        cls.company.resource_calendar_id.tz = "Europe/Amsterdam"
        cls.contact = cls.env["res.partner"].create(
            {"name": "Chef", "parent_id": cls.customer.id, "email": "chef@example.com"}
        )
        cls.other_contact = cls.env["res.partner"].create(
            {"name": "Concierge", "parent_id": cls.other_customer.id, "email": "desk@example.com"}
        )
        cls.portal_user = new_test_user(
            cls.env,
            login="as_self_chef",
            groups="base.group_portal",
            partner_id=cls.contact.id,
            company_id=cls.company.id,
        )
        cls.other_portal_user = new_test_user(
            cls.env,
            login="as_self_desk",
            groups="base.group_portal",
            partner_id=cls.other_contact.id,
            company_id=cls.company.id,
        )
        cls.equipment = cls._create_equipment(
            lot=cls._make_lot(cls.espresso, "SELF-1"), delivery_date=date(2026, 1, 5)
        )

    def _claim(self, state="new", **vals):
        claim = self.env["after_sales.claim"].create(
            {
                "partner_id": self.customer.id,
                "equipment_id": self.equipment.id,
                "category": "product_defect",
                "description": "<p>Leaks water</p>",
                **vals,
            }
        )
        for step in ("accepted", "resolved", "closed"):
            if claim.state == state:
                break
            claim.write({"state": step})
        self.assertEqual(claim.state, state)
        return claim

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

    def _post(self, url, csrf=True, **data):
        if csrf:
            data["csrf_token"] = self._csrf()
        # a POST even without data (url_open sends a GET without data)
        data.setdefault("submit", "1")
        self.env.flush_all()
        with mute_logger("odoo.http", "werkzeug"):
            response = self.url_open(url, data=data, allow_redirects=False)
        self.env.invalidate_all()
        return response

    def _snapshot(self, claim):
        claim.invalidate_recordset()
        return (claim.state, claim.date_closed, len(claim.message_ids))


@tagged("post_install", "-at_install")
class TestPortalSelfService(SelfServiceCase):
    # ------------------------------------------------------------------
    # A claim without a unit
    # ------------------------------------------------------------------
    def test_file_claim_without_unit(self):
        self._login(self.portal_user)
        claims = self.env["after_sales.claim"].search([])
        response = self._post(
            "/my/claims/new", equipment_id="", category="billing", description="Billed twice"
        )
        claim = self.env["after_sales.claim"].search([]) - claims
        self.assertEqual(response.status_code, 303)
        self.assertRecordValues(
            claim,
            [
                {
                    "channel": "portal",
                    "category": "billing",
                    "partner_id": self.customer.id,
                    "contact_id": self.contact.id,
                    "equipment_id": False,
                    "lot_id": False,
                    "company_id": self.company.id,
                }
            ],
        )
        # the form offers the choice, and shows the own units only
        page = self._get("/my/claims/new")
        self.assertIn("None: a question about billing or our service", page.text)
        self.assertIn("SELF-1", page.text)

    def test_unit_kind_of_claim_needs_a_unit(self):
        self._login(self.portal_user)
        claims = self.env["after_sales.claim"].search([])
        response = self._post(
            "/my/claims/new", equipment_id="", category="product_defect", description="Broken"
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn("Choose the equipment the problem is about", response.text)
        self.assertEqual(self.env["after_sales.claim"].search([]), claims)

    # ------------------------------------------------------------------
    # Close and reopen
    # ------------------------------------------------------------------
    @freeze_time("2026-03-10 10:00:00")
    def test_owner_closes_a_resolved_claim(self):
        claim = self._claim("resolved")
        self._login(self.portal_user)
        page = self._get(f"/my/claims/{claim.id}")
        self.assertIn(f"/my/claims/{claim.id}/close", page.text)
        self.assertNotIn(f"/my/claims/{claim.id}/reopen", page.text)
        response = self._post(f"/my/claims/{claim.id}/close")
        self.assertEqual(response.status_code, 303)
        self.assertEqual(claim.state, "closed")
        self.assertEqual(str(claim.date_closed), "2026-03-10 10:00:00")
        self.assertEqual(claim.message_ids[0].author_id, self.contact)
        self.assertEqual(str(claim.reopen_deadline), "2026-03-24")
        page = self._get(f"/my/claims/{claim.id}")
        self.assertIn(f"/my/claims/{claim.id}/reopen", page.text)
        self.assertNotIn(f"/my/claims/{claim.id}/close", page.text)

    @freeze_time("2026-03-10 10:00:00")
    def test_close_and_reopen_tour(self):
        claim = self._claim("resolved")
        self.start_tour(
            f"/my/claims/{claim.id}",
            "after_sales_portal_close_claim_tour",
            login=self.portal_user.login,
        )
        self.assertEqual(claim.state, "accepted")
        notes = claim.message_ids.filtered(lambda message: "by the customer" in message.body)
        self.assertEqual(len(notes), 2)
        self.assertEqual(notes.author_id, self.contact)

    def test_close_refused_writes_nothing(self):
        claim = self._claim("accepted")
        resolved = self._claim("resolved")
        self._login(self.portal_user)
        # not resolved yet: refused with the reason, on the claim page
        before = self._snapshot(claim)
        response = self._post(f"/my/claims/{claim.id}/close")
        self.assertEqual(response.status_code, 409)
        self.assertIn("Only a resolved claim can be closed", response.text)
        self.assertEqual(self._snapshot(claim), before)
        # no CSRF token
        before = self._snapshot(resolved)
        response = self._post(f"/my/claims/{resolved.id}/close", csrf=False)
        self.assertEqual(response.status_code, 400)
        self.assertEqual(self._snapshot(resolved), before)
        # a GET does not close
        self.assertIn(self._get(f"/my/claims/{resolved.id}/close").status_code, (404, 405))
        self.assertEqual(self._snapshot(resolved), before)
        # another customer: not found, whether the claim exists or not
        self._login(self.other_portal_user)
        for claim_id in (resolved.id, 999999999):
            with self.subTest(claim_id=claim_id):
                self.assertEqual(self._post(f"/my/claims/{claim_id}/close").status_code, 404)
                self.assertEqual(self._post(f"/my/claims/{claim_id}/reopen").status_code, 404)
        self.assertEqual(self._snapshot(resolved), before)
        self.assertNotIn("/close", self._get(f"/my/claims/{resolved.id}").text)

    def test_other_customer_cannot_reopen(self):
        with freeze_time("2026-03-10 10:00:00"):
            claim = self._claim("closed")
        with freeze_time("2026-03-12 10:00:00"):
            before = self._snapshot(claim)
            self._login(self.other_portal_user)
            self.assertEqual(self._post(f"/my/claims/{claim.id}/reopen").status_code, 404)
            self.assertEqual(self._snapshot(claim), before)
            self._login(self.portal_user)
            response = self._post(f"/my/claims/{claim.id}/reopen", csrf=False)
            self.assertEqual(response.status_code, 400)
            self.assertEqual(self._snapshot(claim), before)
            response = self._post(f"/my/claims/{claim.id}/reopen")
            self.assertEqual(response.status_code, 303)
            self.assertEqual(claim.state, "accepted")
            self.assertFalse(claim.date_closed)
            self.assertEqual(claim.message_ids[0].author_id, self.contact)
            self.assertTrue(claim.activity_ids)

    def test_reopen_window_over_29_february(self):
        """Closed on 15 Feb 2028 with a 14 days window: reopened up to 29 Feb
        (a leap day), refused from 1 March, by the portal and the back office."""
        with freeze_time("2028-02-15 09:00:00"):
            claim = self._claim("closed")
            late = self._claim("closed")
        with freeze_time("2028-02-29 22:30:00"):  # 23:30 in Amsterdam: still 29 Feb
            self.assertTrue(claim.is_reopenable)
            self._login(self.portal_user)
            self.assertIn(f"/my/claims/{claim.id}/reopen", self._get(f"/my/claims/{claim.id}").text)
            self.assertEqual(self._post(f"/my/claims/{claim.id}/reopen").status_code, 303)
            self.assertEqual(claim.state, "accepted")
        with freeze_time("2028-02-29 23:30:00"):  # 00:30 on 1 March in Amsterdam
            late.invalidate_recordset()
            self.assertFalse(late.is_reopenable)
            page = self._get(f"/my/claims/{late.id}")
            self.assertNotIn(f"/my/claims/{late.id}/reopen", page.text)
            before = self._snapshot(late)
            response = self._post(f"/my/claims/{late.id}/reopen")
            self.assertEqual(response.status_code, 409)
            self.assertIn("can no longer be reopened", response.text)
            self.assertEqual(self._snapshot(late), before)
            with self.assertRaisesRegex(UserError, "can no longer be reopened"):
                late.with_user(self.service_user).action_accept()
            self.assertEqual(late.state, "closed")

    def test_reopen_window_is_a_company_setting(self):
        self.company.after_sales_claim_reopen_days = 3
        with freeze_time("2026-05-29 12:00:00"):
            claim = self._claim("closed")
            self.assertEqual(str(claim.reopen_deadline), "2026-06-01")
        with freeze_time("2026-06-01 12:00:00"):
            claim.invalidate_recordset()
            self.assertTrue(claim.is_reopenable)
        with freeze_time("2026-06-02 12:00:00"):
            claim.invalidate_recordset()
            self.assertFalse(claim.is_reopenable)
            with self.assertRaisesRegex(UserError, "closed more than 3 days ago"):
                claim.with_user(self.service_user).write({"state": "accepted"})
            self.assertEqual(claim.state, "closed")

    def test_refused_claim_is_not_reopened(self):
        claim = self._claim()
        reason = self.env["after_sales.reject.reason"].search([], limit=1)
        claim._reject(reason)
        claim.action_close()
        self.assertFalse(claim.is_reopenable)
        with self.assertRaisesRegex(UserError, "was refused"):
            claim.with_user(self.service_user).action_accept()
        self.assertEqual(claim.state, "closed")

    def test_closing_date_is_set_by_close_only(self):
        claim = self._claim("resolved")
        for vals in (
            {"date_closed": "2020-01-01 00:00:00"},
            {"state": "closed", "date_closed": "2020-01-01"},
        ):
            with self.subTest(vals=vals), self.assertRaisesRegex(UserError, "set by Close"):
                claim.with_user(self.service_user).write(vals)
        self.assertEqual(claim.state, "resolved")
        self.assertFalse(claim.date_closed)

    def test_rpc_portal_user_cannot_close_or_reopen(self):
        resolved = self._claim("resolved")
        with freeze_time("2026-03-10 10:00:00"):
            closed = self._claim("closed")
        before = (self._snapshot(resolved), self._snapshot(closed))
        self._login(self.portal_user)
        for claim, method, args in (
            (resolved, "action_close", ()),
            (resolved, "write", ({"state": "closed"},)),
            (closed, "action_accept", ()),
            (closed, "write", ({"state": "accepted"},)),
            (resolved, "_customer_close", (self.contact.id,)),
            (closed, "_customer_reopen", (self.contact.id,)),
        ):
            with (
                self.subTest(method=method),
                mute_logger("odoo.http"),
                self.assertRaises(JsonRpcException),
            ):
                call_kw(self, "after_sales.claim", method, claim.ids, *args)
        self.assertEqual((self._snapshot(resolved), self._snapshot(closed)), before)


@tagged("post_install", "-at_install")
class TestPortalRegistration(SelfServiceCase):
    """Registering a unit bought elsewhere: a request that a service user accepts
    (the unit, with the product's warranty from the purchase date) or refuses."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.after_sales_registration_daily_limit = 2
        cls.other_unit = cls._create_equipment(
            partner=cls.other_customer,
            lot=cls._make_lot(cls.espresso, "TAKEN-1"),
            delivery_date=date(2026, 1, 5),
        )

    def _register(self, serial="ELSEWHERE-1", purchase_date="2026-01-31", proof=True, **data):
        self.env.flush_all()
        values = {
            "product_id": self.espresso.id,
            "serial": serial,
            "purchase_date": purchase_date,
            "csrf_token": self._csrf(),
            **data,
        }
        files = [("proof", ("receipt.png", PNG, "image/png"))] if proof else []
        with mute_logger("odoo.http", "werkzeug"):
            response = self.url_open(
                "/my/equipment/register", data=values, files=files, allow_redirects=False
            )
        self.env.invalidate_all()
        return response

    def _registrations(self):
        return self.env["after_sales.equipment.registration"].search([])

    def _units(self):
        return self.env["after_sales.equipment"].with_context(active_test=False).search([])

    @freeze_time("2026-03-02 10:00:00")
    def test_register_then_accept(self):
        units = self._units()
        self._login(self.portal_user)
        response = self._register()
        self.assertEqual(response.status_code, 303)
        registration = self._registrations()
        self.assertRecordValues(
            registration,
            [
                {
                    "state": "requested",
                    "partner_id": self.customer.id,
                    "contact_id": self.contact.id,
                    "product_id": self.espresso.id,
                    "name": "ELSEWHERE-1",
                    "purchase_date": date(2026, 1, 31),
                    "equipment_id": False,
                    "company_id": self.company.id,
                }
            ],
        )
        proof = self.env["ir.attachment"].search(
            [("res_model", "=", registration._name), ("res_id", "=", registration.id)]
        )
        self.assertEqual(proof.raw, PNG)
        # the service team is told; nothing is in the installed base yet
        team_user = registration.activity_ids.user_id
        self.assertEqual(len(team_user), 1)
        self.assertEqual(team_user, self.company._after_sales_service_team_user())
        self.assertTrue(team_user.has_group("after_sales_service.group_manager"))
        self.assertEqual(self._units(), units)
        self.assertNotIn("ELSEWHERE-1", self._get("/my/equipment").text)
        page = self._get("/my/equipment/register")
        self.assertIn("ELSEWHERE-1", page.text)
        self.assertIn("To Accept", page.text)
        # the other customer sees nothing of it
        self._login(self.other_portal_user)
        self.assertNotIn("ELSEWHERE-1", self._get("/my/equipment/register").text)
        # accepted: the unit, with the product's terms from the purchase date
        registration.with_user(self.service_user).action_accept()
        unit = self._units() - units
        self.assertRecordValues(
            unit,
            [
                {
                    "partner_id": self.customer.id,
                    "product_id": self.espresso.id,
                    "delivery_date": date(2026, 1, 31),
                    "warranty_months": 6,
                    "warranty_labour_pct": 100,
                    "warranty_travel_pct": 50,
                    "warranty_start_date": date(2026, 1, 31),
                    "warranty_end_date": date(2026, 7, 30),
                    "warranty_state": "warranty",
                }
            ],
        )
        self.assertEqual(unit.lot_id.name, "ELSEWHERE-1")
        self.assertEqual(registration.state, "accepted")
        self.assertEqual(registration.equipment_id, unit)
        self.assertFalse(registration.activity_ids)
        self._login(self.portal_user)
        self.assertIn("ELSEWHERE-1", self._get("/my/equipment").text)
        # accepted once
        with self.assertRaisesRegex(UserError, "already accepted or refused"):
            registration.with_user(self.service_user).action_accept()
        self.assertEqual(self._units() - units, unit)

    def test_refuse_with_a_reason_the_customer_reads(self):
        self._login(self.portal_user)
        self.assertEqual(self._register().status_code, 303)
        registration = self._registrations()
        as_user = registration.with_user(self.service_user)
        with self.assertRaisesRegex(UserError, "Write why the registration is refused"):
            as_user.action_refuse()
        self.assertEqual(registration.state, "requested")
        as_user.refusal_note = "The receipt is not readable."
        as_user.action_refuse()
        self.assertEqual(registration.state, "refused")
        self.assertFalse(registration.activity_ids)
        page = self._get("/my/equipment/register")
        self.assertIn("Refused", page.text)
        self.assertIn("The receipt is not readable.", page.text)
        with self.assertRaisesRegex(UserError, "already accepted or refused"):
            as_user.action_accept()
        self.assertFalse(registration.equipment_id)
        # what the customer registered is not changed afterwards
        with self.assertRaisesRegex(UserError, "is not changed"):
            as_user.write({"partner_id": self.other_customer.id})
        self.assertEqual(registration.partner_id, self.customer)

    def test_serial_already_in_the_installed_base(self):
        self._login(self.portal_user)
        before = self._registrations()
        # another customer's unit, the customer's own unit (any case of letters)
        for serial in ("TAKEN-1", "self-1"):
            with self.subTest(serial=serial):
                response = self._register(serial=serial)
                self.assertEqual(response.status_code, 400)
                self.assertIn("is already registered", response.text)
                self.assertNotIn(self.other_customer.name, response.text)
        self.assertEqual(self._registrations(), before)
        # no wildcards: "TAKEN_1" is not "TAKEN-1"
        self.assertEqual(self._register(serial="TAKEN_1").status_code, 303)
        before = self._registrations()
        # a serial another customer asked for already
        self._login(self.other_portal_user)
        self.assertEqual(self._register(serial="PENDING-1").status_code, 303)
        pending = self._registrations() - before
        self._login(self.portal_user)
        response = self._register(serial="PENDING-1")
        self.assertEqual(response.status_code, 400)
        self.assertNotIn(self.other_contact.name, response.text)
        self.assertEqual(self._registrations() - before, pending)

    def test_daily_limit(self):
        self._login(self.portal_user)
        with freeze_time("2026-03-02 10:00:00"):
            for serial in ("LIMIT-1", "LIMIT-2"):
                self.assertEqual(self._register(serial=serial).status_code, 303)
            before = self._registrations()
            response = self._register(serial="LIMIT-3")
            self.assertEqual(response.status_code, 400)
            self.assertIn("You can register at most 2 units a day", response.text)
            self.assertEqual(self._registrations(), before)
            self.assertFalse(
                self.env["ir.attachment"].search_count(
                    [("res_model", "=", "after_sales.equipment.registration")]
                )
                - 2
            )
        # another customer has their own limit; the next day the customer registers again
        with freeze_time("2026-03-02 11:00:00"):
            self._login(self.other_portal_user)
            self.assertEqual(self._register(serial="LIMIT-4").status_code, 303)
        with freeze_time("2026-03-03 10:00:01"):
            self._login(self.portal_user)
            self.assertEqual(self._register(serial="LIMIT-3").status_code, 303)

    def test_refused_form_writes_nothing(self):
        self._login(self.portal_user)
        before = self._registrations()
        cases = {
            "no proof": ({"proof": False}, 400),
            "future date": ({"purchase_date": "2099-01-01"}, 400),
            "no date": ({"purchase_date": ""}, 400),
            "product without serial numbers": ({"product_id": self.coffee_beans.id}, 400),
            "unknown product": ({"product_id": "abc"}, 400),
            "no serial": ({"serial": "  "}, 400),
            "no CSRF token": ({"csrf_token": ""}, 400),
        }
        for case, (data, status) in cases.items():
            with self.subTest(case=case):
                self.assertEqual(self._register(**data).status_code, status)
        self.assertEqual(self._registrations(), before)
        self.assertFalse(
            self.env["ir.attachment"].search_count(
                [("res_model", "=", "after_sales.equipment.registration")]
            )
        )

    def test_rpc_portal_user_cannot_accept_their_request(self):
        self._login(self.portal_user)
        self.assertEqual(self._register().status_code, 303)
        registration = self._registrations()
        units = self._units()
        for method, args in (
            ("action_accept", ()),
            ("write", ({"state": "accepted"},)),
            ("read", (["name"],)),
        ):
            with (
                self.subTest(method=method),
                mute_logger("odoo.http"),
                self.assertRaises(JsonRpcException) as context,
            ):
                call_kw(self, registration._name, method, registration.ids, *args)
            self.assertEqual(context.exception.args[0], "odoo.exceptions.AccessError")
        with mute_logger("odoo.http"), self.assertRaises(JsonRpcException):
            call_kw(self, registration._name, "create", [{"name": "X", "product_id": 1}])
        self.assertEqual(registration.state, "requested")
        self.assertEqual(self._units(), units)
        # a service user of the same company accepts it over RPC as with the button
        self.authenticate(self.service_user.login, self.service_user.login)
        call_kw(self, registration._name, "action_accept", registration.ids)
        self.assertEqual(registration.state, "accepted")
