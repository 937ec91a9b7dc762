"""Every path into a claim is guarded: what a customer names (a serial in a mail, a
unit on the portal, an id over RPC) is linked only when it is theirs in the claim's
company; a mail about a unit of another company files a claim there and never breaks
the alias; a mail quoting a claim's reference joins it (its customer's only); a state
written by any client runs the button's guards and side effects; the portal forms
accept exactly what they offer."""

import re
from datetime import date, datetime

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.fields import Command
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tests.common import JsonRpcException
from odoo.tools import mute_logger

from .common import AfterSalesCommon, call_kw
from .test_claim_intake import raw_mail

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
OPTION_RE = re.compile(r'<option value="(\d+)"')


class ClaimGuardsCommon(AfterSalesCommon):
    """A customer with a unit (6 months of warranty from 2026-01-05) and a running
    contract (response in 4 working hours); another customer with a unit, a
    contract and an SLA of its own (response in 1 hour)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer.write({"email": "bar@degoudenleeuw.example.com", "lang": "en_US"})
        cls.other_customer.write({"email": "desk@zonnehof.example.com", "lang": "en_US"})
        cls.calendar = cls.env["resource.calendar"].create(
            {"name": "Service desk", "tz": "UTC", "company_id": cls.company.id}
        )
        cls.unit = cls._create_equipment(
            lot=cls._make_lot(cls.espresso, "GUARD-OWN-1"), delivery_date=date(2026, 1, 5)
        )
        cls.other_unit = cls._create_equipment(
            partner=cls.other_customer,
            lot=cls._make_lot(cls.espresso, "GUARD-OTHER-1"),
            delivery_date=date(2026, 1, 5),
        )
        cls.contract = cls._create_contract(
            cls.unit,
            resource_calendar_id=cls.calendar.id,
            sla_ids=[Command.create({"priority": "1", "response_hours": 4})],
        )
        cls.other_contract = cls._create_contract(
            cls.other_unit,
            partner_id=cls.other_customer.id,
            resource_calendar_id=cls.calendar.id,
            sla_ids=[Command.create({"priority": "1", "response_hours": 1})],
        )
        (cls.contract | cls.other_contract).action_start()
        cls.Claim = cls.env["after_sales.claim"]
        cls.reason = cls.env["after_sales.reject.reason"].create({"name": "Outside warranty"})

    def _process(self, raw):
        return self.Claim.browse(self.env["mail.thread"].message_process("after_sales.claim", raw))

    def _claim(self, **vals):
        return self.Claim.with_user(self.service_user).create(
            {
                "partner_id": self.customer.id,
                "channel": "phone",
                "date_received": datetime(2026, 3, 2, 9, 0),  # a Monday
                **vals,
            }
        )

    def assertNothingOfTheOtherCustomer(self, claim):  # noqa: N802
        self.assertFalse(claim.equipment_id)
        self.assertFalse(claim.lot_id)
        self.assertNotEqual(claim.contract_id, self.other_contract)
        self.assertTrue(claim.has_foreign_link)
        self.assertTrue(claim.needs_review)
        self.assertIn("foreign_link", claim.review_reason_keys.split())
        self.assertIn("of another customer or company", claim.review_reason)


@tagged("post_install", "-at_install")
class TestClaimLinks(ClaimGuardsCommon):
    # 1. A unit, contract or SLA of another customer is never linked
    @freeze_time("2026-03-02 09:00:00")  # a Monday
    def test_mail_naming_another_customers_serial(self):
        claim = self._process(raw_mail("Machine GUARD-OTHER-1 leaks"))
        self.assertEqual(claim.partner_id, self.customer)
        self.assertNothingOfTheOtherCustomer(claim)
        # the deadline is the customer's own SLA (4 h), not the other's (1 h)
        self.assertEqual(claim.contract_id, self.contract)
        self.assertEqual(claim.response_deadline, datetime(2026, 3, 2, 14, 0))
        # the customer's own serial is linked, with their contract
        own = self._process(raw_mail("GUARD-OWN-1 leaks", message_id="own@example.com"))
        self.assertEqual(own.equipment_id, self.unit)
        self.assertEqual(own.contract_id, self.contract)
        self.assertFalse(own.has_foreign_link)

    def test_back_office_create(self):
        claim = self._claim(equipment_id=self.other_unit.id)
        self.assertNothingOfTheOtherCustomer(claim)
        claim = self._claim(lot_id=self.other_unit.lot_id.id)
        self.assertNothingOfTheOtherCustomer(claim)
        claim = self._claim(contract_id=self.other_contract.id)
        self.assertEqual(claim.contract_id, self.contract)
        self.assertTrue(claim.has_foreign_link)
        # the happy path: the customer's unit (at one of their sites) and its contract
        self.unit.partner_id = self.customer_site
        claim = self._claim(equipment_id=self.unit.id)
        self.assertEqual((claim.equipment_id, claim.lot_id), (self.unit, self.unit.lot_id))
        self.assertEqual(claim.contract_id, self.contract)
        self.assertFalse(claim.has_foreign_link)

    def test_link_changed_after_create(self):
        claim = self._claim(equipment_id=self.unit.id)
        claim = claim.with_user(self.service_user)
        claim.write({"equipment_id": self.other_unit.id})
        self.assertEqual(claim.equipment_id, self.unit)
        self.assertEqual(claim.contract_id, self.contract)
        self.assertTrue(claim.has_foreign_link)
        claim.write({"lot_id": self.other_unit.lot_id.id, "contract_id": self.other_contract.id})
        self.assertEqual(claim.lot_id, self.unit.lot_id)
        self.assertEqual(claim.contract_id, self.contract)
        # another customer's delivery or invoice neither; a service user may not
        # read deliveries: naming one is refused
        delivery = self._deliver_untracked(self.coffee_beans, 1, self.other_customer)
        with self.assertRaises(AccessError):
            claim.write({"picking_id": delivery.id})
        self.assertFalse(claim.picking_id)
        claim.sudo().write({"picking_id": delivery.id})
        self.assertFalse(claim.picking_id)
        # the customer changed: the unit (and its contract) of the former one go
        claim.write({"partner_id": self.other_customer.id})
        self.assertFalse(claim.equipment_id)
        self.assertFalse(claim.lot_id)
        self.assertEqual(claim.contract_id, self.other_contract)  # their own running one
        # linking their own unit then is the happy path
        claim.write({"equipment_id": self.other_unit.id})
        self.assertEqual(claim.equipment_id, self.other_unit)

    def test_unit_of_another_company(self):
        company_b = self.env["res.company"].create({"name": "Service Co South"})
        self.env.user.company_ids |= company_b
        unit_b = self._create_equipment(
            lot=self.env["stock.lot"].create(
                {"name": "GUARD-B-1", "product_id": self.espresso.id, "company_id": company_b.id}
            ),
            company_id=company_b.id,
        )
        # no company given: the claim goes to the unit's
        claim = self.Claim.create({"partner_id": self.customer.id, "equipment_id": unit_b.id})
        self.assertEqual(claim.company_id, company_b)
        self.assertEqual(claim.equipment_id, unit_b)
        self.assertFalse(claim.has_foreign_link)
        # a claim of this company is not linked to it
        claim = self.Claim.create(
            {
                "partner_id": self.customer.id,
                "company_id": self.company.id,
                "equipment_id": unit_b.id,
            }
        )
        self.assertEqual(claim.company_id, self.company)
        self.assertFalse(claim.equipment_id)
        self.assertTrue(claim.has_foreign_link)

    def test_service_user_names_nothing_of_another_company(self):
        """A service user of one company cannot file a claim on, nor move one to,
        a company they do not work for (refused, nothing written)."""
        company_b = self.env["res.company"].create({"name": "Service Co South"})
        unit_b = self._create_equipment(
            lot=self.env["stock.lot"].create(
                {"name": "GUARD-B-2", "product_id": self.espresso.id, "company_id": company_b.id}
            ),
            company_id=company_b.id,
        )
        user_b = new_test_user(
            self.env,
            login="guard_user_b",
            groups="after_sales_service.group_user",
            company_id=company_b.id,
            company_ids=[Command.set(company_b.ids)],
        )
        count = self.Claim.search_count([])
        for vals in (
            {"equipment_id": unit_b.id},
            {"lot_id": unit_b.lot_id.id},
            {"company_id": company_b.id},
        ):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                self._claim(**vals)
        with self.assertRaises(UserError):  # a responsible of another company
            self._claim(user_id=user_b.id)
        self.assertEqual(self.Claim.search_count([]), count, "nothing created")
        claim = self._claim(equipment_id=self.unit.id, user_id=self.service_user.id)
        claim = claim.with_user(self.service_user)
        for vals in (
            {"equipment_id": unit_b.id},
            {"lot_id": unit_b.lot_id.id},
            {"company_id": company_b.id},
        ):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                claim.write(vals)
        with self.assertRaises(UserError):
            claim.write({"user_id": user_b.id})
        self.assertEqual(
            (claim.company_id, claim.equipment_id, claim.user_id),
            (self.company, self.unit, self.service_user),
        )
        self.assertFalse(claim.has_foreign_link)

    def test_buttons_of_service_users_only(self):
        """Technicians and portal customers read claims: the workflow buttons and
        'New Claim' refuse them before anything else (AccessError)."""
        claim = self._claim(equipment_id=self.unit.id)
        claim.action_accept()
        claim.action_resolve()
        portal = new_test_user(
            self.env, login="guard_portal", groups="base.group_portal", company_id=self.company.id
        )
        for user in (self.technician, portal):
            for method in ("action_resolve", "action_close", "action_reject", "action_reset"):
                with self.subTest(user=user.login, method=method), self.assertRaises(AccessError):
                    getattr(claim.with_user(user), method)()
            self.assertEqual(claim.state, "resolved")
        for user in (self.technician, portal):
            for record, method in (
                (self.unit, "action_new_claim"),
                (self.customer, "action_new_after_sales_claim"),
            ):
                with self.subTest(user=user.login, method=method), self.assertRaises(AccessError):
                    getattr(record.with_user(user), method)()
        action = self.unit.with_user(self.service_user).action_new_claim()
        self.assertEqual(action["context"]["default_equipment_id"], self.unit.id)
        claim.with_user(self.service_user).action_close()
        self.assertEqual(claim.state, "closed")


@tagged("post_install", "-at_install")
class TestClaimGateway(ClaimGuardsCommon):
    """2. Through the alias, as Odoo's mail gateway delivers mail."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.alias = cls.env.ref("after_sales_service.mail_alias_claims")
        cls.domain = cls.company.alias_domain_id or cls.env["mail.alias.domain"].create(
            {"name": "example.com"}
        )
        cls.company.alias_domain_id = cls.domain
        cls.alias.write({"alias_domain_id": cls.domain.id, "alias_status": "valid"})
        cls.company_b = cls.env["res.company"].create(
            {"name": "Service Co South", "alias_domain_id": cls.domain.id}
        )
        cls.env.user.company_ids |= cls.company_b
        cls.unit_b = cls._create_equipment(
            lot=cls.env["stock.lot"].create(
                {"name": "SOUTH-1", "product_id": cls.espresso.id, "company_id": cls.company_b.id}
            ),
            company_id=cls.company_b.id,
        )

    def _gateway(self, subject, **kwargs):
        """The claim the gateway files for a raw mail to claims@<domain>."""
        claim_id = self.env["mail.thread"].message_process(
            False, raw_mail(subject, to=f"claims@{self.domain.name}", **kwargs)
        )
        return self.Claim.browse(claim_id)

    def test_unit_of_the_second_company(self):
        claim = self._gateway("SOUTH-1 does not heat")
        self.assertEqual(claim.company_id, self.company_b)
        self.assertEqual(claim.equipment_id, self.unit_b)
        self.assertFalse(claim.has_foreign_link)
        self.assertEqual(self.alias.alias_status, "valid")
        # the next mail of the desk is filed as well
        claim = self._gateway("GUARD-OWN-1 leaks", message_id="next@example.com")
        self.assertEqual((claim.company_id, claim.equipment_id), (self.company, self.unit))
        self.assertEqual(self.alias.alias_status, "valid")

    def test_other_customers_unit_of_the_second_company(self):
        self.unit_b.partner_id = self.other_customer
        claim = self._gateway("SOUTH-1 does not heat")
        self.assertEqual(claim.partner_id, self.customer)
        self.assertEqual(claim.company_id, self.company)  # the alias's
        self.assertNothingOfTheOtherCustomer(claim)
        self.assertEqual(self.alias.alias_status, "valid")

    def test_mail_that_cannot_be_filed_is_triaged(self):
        # the sender is a contact kept in the second company: no claim of the
        # unit's company can name them
        contact = self.env["res.partner"].create(
            {"name": "Chef", "parent_id": self.customer.id, "email": "chef@example.com"}
        )
        contact.company_id = self.company_b
        claims = self.Claim.search([])
        with mute_logger("odoo.addons.after_sales_service.models.after_sales_claim"):
            claim = self._gateway("GUARD-OWN-1 leaks", email_from="chef@example.com")
        self.assertEqual(self.Claim.search([]) - claims, claim)
        self.assertEqual(claim.partner_id, self.customer)
        self.assertFalse(claim.equipment_id)
        self.assertTrue(claim.needs_review)
        self.assertIn("foreign_link", claim.review_reason_keys.split())
        self.assertEqual(self.alias.alias_status, "valid")
        # no bounce to the sender
        self.assertFalse(
            self.env["mail.mail"].sudo().search([("email_to", "ilike", "chef@example.com")])
        )


@tagged("post_install", "-at_install")
class TestClaimStates(ClaimGuardsCommon):
    """3. A state written by any client: the button's guards and side effects."""

    def _customer_mails(self, claim):
        return claim.message_ids.filtered(lambda m: m.message_type == "auto_comment")

    def test_reject_by_write_needs_a_reason_and_tells_the_customer(self):
        claim = self._claim(equipment_id=self.unit.id).with_user(self.service_user)
        with self.assertRaisesRegex(UserError, "Choose why"):
            claim.write({"state": "rejected"})
        self.assertEqual(claim.state, "new")
        self.assertFalse(claim.date_rejected)
        self.assertFalse(self._customer_mails(claim))
        claim.write({"state": "rejected", "reject_reason_id": self.reason.id})
        self.assertEqual(claim.state, "rejected")
        self.assertTrue(claim.date_rejected)
        mail = self._customer_mails(claim)
        self.assertEqual(len(mail), 1)
        self.assertIn("Outside warranty", mail.body)
        self.assertEqual(mail.partner_ids, self.customer)

    def test_refusal_fields_only_with_the_state(self):
        claim = self._claim().with_user(self.service_user)
        other_reason = self.env["after_sales.reject.reason"].create({"name": "Misuse"})
        with self.assertRaisesRegex(UserError, "set by Reject"):
            claim.write({"reject_reason_id": self.reason.id})
        with self.assertRaisesRegex(UserError, "set by Reject"):
            self._claim(reject_reason_id=self.reason.id)
        claim._reject(self.reason, "Dropped.")
        rejected_on = claim.date_rejected
        # the reason mailed to the customer is not rewritten afterwards
        for vals in (
            {"reject_reason_id": other_reason.id},
            {"reject_note": "Something else"},
            {"date_rejected": "2020-01-01 00:00:00"},
            {"state": "rejected", "reject_reason_id": other_reason.id},
        ):
            with self.assertRaisesRegex(UserError, "set by Reject"):
                claim.write(vals)
        self.assertEqual((claim.reject_reason_id, claim.reject_note), (self.reason, "Dropped."))
        self.assertEqual(claim.date_rejected, rejected_on)
        self.assertEqual(len(self._customer_mails(claim)), 1)

    def test_reopen_by_write_clears_the_refusal(self):
        claim = self._claim().with_user(self.service_user)
        claim._reject(self.reason, "Dropped.")
        claim.write({"state": "new"})
        self.assertEqual(claim.state, "new")
        self.assertFalse(claim.reject_reason_id or claim.reject_note or claim.date_rejected)
        claim._reject(self.reason)
        with self.assertRaisesRegex(UserError, "set by Reject"):
            claim.write({"state": "new", "reject_reason_id": self.reason.id})
        self.assertEqual(claim.state, "rejected")

    def test_other_states_by_write_as_by_button(self):
        by_button = self._claim().with_user(self.service_user)
        by_write = self._claim().with_user(self.service_user)
        # the transitions the buttons allow, and only those
        for state in ("resolved", "closed"):
            with self.assertRaisesRegex(UserError, "cannot go from"):
                by_write.write({"state": state})
        self.assertEqual(by_write.state, "new")
        by_button.action_review()
        by_write.write({"state": "review"})
        by_button.action_accept()
        by_write.write({"state": "accepted"})
        by_button.action_resolve()
        by_write.write({"state": "resolved"})
        # resolving asks the customer for a rating, whichever way
        self.assertTrue(by_button.rating_requested_date)
        self.assertTrue(by_write.rating_requested_date)
        with self.assertRaisesRegex(UserError, "cannot go from"):
            by_write.write({"state": "new"})
        by_button.action_close()
        by_write.write({"state": "closed"})
        self.assertEqual((by_button.state, by_write.state), ("closed", "closed"))
        # back to Accepted is a reopening, within the company's window
        # (test_portal_selfservice); no other way back
        with self.assertRaisesRegex(UserError, "cannot go from"):
            by_write.write({"state": "review"})
        self.assertEqual(by_write.state, "closed")


@tagged("post_install", "-at_install")
class TestClaimReference(ClaimGuardsCommon):
    """4. A new mail quoting a claim's reference, as the acknowledgement asks."""

    def test_new_mail_with_the_reference_joins_the_claim(self):
        claim = self._process(raw_mail("GUARD-OWN-1 leaks"))
        count = self.Claim.search_count([])
        # a colleague of the customer writes a new mail (no reply headers)
        self.env["res.partner"].create(
            {"name": "Chef", "parent_id": self.customer.id, "email": "chef@example.com"}
        )
        joined = self._process(
            raw_mail(
                f"About {claim.name}: still leaking",
                body="Still leaking today.",
                email_from="chef@example.com",
                message_id="second@example.com",
            )
        )
        self.assertEqual(joined, claim)
        self.assertEqual(self.Claim.search_count([]), count)
        self.assertIn("Still leaking today.", claim.message_ids[0].body)

    def test_another_customer_quoting_the_reference_gets_a_new_claim(self):
        claim = self._process(raw_mail("GUARD-OWN-1 leaks"))
        messages = claim.message_ids
        for sender, message_id in (
            ("desk@zonnehof.example.com", "other@example.com"),
            ("someone@unknown.example.com", "unknown@example.com"),
        ):
            new = self._process(
                raw_mail(f"Re {claim.name}", email_from=sender, message_id=message_id)
            )
            self.assertNotEqual(new, claim)
            self.assertNotEqual(new.partner_id, self.customer)
            self.assertNotIn(claim.name, new.message_ids.mapped("body")[0])
        self.assertEqual(claim.message_ids, messages)


@tagged("post_install", "-at_install")
class TestClaimOverHttp(ClaimGuardsCommon, HttpCase):
    """5. The portal forms accept exactly the units they offer. A dealer files
    customer claims for its own units and dealer claims for the units it sold.
    And the web client's RPC runs the same guards as the buttons."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.dealer_partner = cls.env["res.partner"].create(
            {"name": "Dealer Noord", "is_company": True}
        )
        cls.dealer = cls.env["after_sales.provider"].create(
            {
                "partner_id": cls.dealer_partner.id,
                "kind": "dealer",
                "warranty_allowed": True,
                "labour_rate": 60.0,
                "date_start": "2025-01-01",
            }
        )
        contact = cls.env["res.partner"].create(
            {"name": "Dealer desk", "parent_id": cls.dealer_partner.id, "email": "d@x.com"}
        )
        cls.dealer_user = new_test_user(
            cls.env, login="as_guard_dealer", groups="base.group_portal", partner_id=contact.id
        )
        cls.unit.dealer_id = cls.dealer  # sold by the dealer to the customer
        cls.dealer_own_unit = cls._create_equipment(
            partner=cls.dealer_partner,
            lot=cls._make_lot(cls.espresso, "GUARD-DEALER-1"),
            delivery_date=date(2026, 1, 5),
        )

    def _options(self, url):
        self.env.flush_all()
        response = self.url_open(url)
        self.assertEqual(response.status_code, 200)
        return CSRF_RE.search(response.text).group(1), {
            int(value) for value in OPTION_RE.findall(response.text)
        }

    def _post(self, url, csrf, **data):
        self.env.flush_all()
        with mute_logger("odoo.http", "werkzeug"):
            return self.url_open(url, data={"csrf_token": csrf, **data}, allow_redirects=False)

    def test_state_over_rpc(self):
        claim = self._claim(equipment_id=self.unit.id)
        self.authenticate(self.service_user.login, self.service_user.login)
        with mute_logger("odoo.http"), self.assertRaises(JsonRpcException) as context:
            call_kw(self, "after_sales.claim", "write", [claim.id], {"state": "rejected"})
        self.assertEqual(context.exception.args[0], "odoo.exceptions.UserError")
        self.assertEqual(claim.state, "new")
        call_kw(
            self,
            "after_sales.claim",
            "write",
            [claim.id],
            {"state": "rejected", "reject_reason_id": self.reason.id},
        )
        self.assertEqual(claim.state, "rejected")
        self.assertTrue(claim.date_rejected)
        self.assertIn(
            "Outside warranty",
            claim.message_ids.filtered(lambda m: m.message_type == "auto_comment")[:1].body,
        )
        # nor is another customer's unit linked over RPC
        claim = self._claim()
        call_kw(
            self, "after_sales.claim", "write", [claim.id], {"equipment_id": self.other_unit.id}
        )
        self.assertFalse(claim.equipment_id)
        self.assertTrue(claim.has_foreign_link)

    def test_customer_claim_form_of_a_dealer(self):
        self.authenticate(self.dealer_user.login, self.dealer_user.login)
        csrf, offered = self._options("/my/claims/new")
        self.assertEqual(offered, set(self.dealer_own_unit.ids))
        claims = self.Claim.search([])
        # a unit it sold, or another customer's, posted by hand: nothing written
        for unit in (self.unit, self.other_unit):
            response = self._post(
                "/my/claims/new",
                csrf,
                equipment_id=unit.id,
                category="product_defect",
                description="Broken",
            )
            self.assertEqual(response.status_code, 404)
        self.assertEqual(self.Claim.search([]), claims)
        # what it offers is accepted
        for unit_id in offered:
            response = self._post(
                "/my/claims/new",
                csrf,
                equipment_id=unit_id,
                category="product_defect",
                description="Broken",
            )
            self.assertEqual(response.status_code, 303)
        claim = self.Claim.search([]) - claims
        self.assertEqual(claim.equipment_id, self.dealer_own_unit)
        self.assertEqual(claim.partner_id, self.dealer_partner)
        self.assertFalse(claim.has_foreign_link)

    def test_dealer_claim_form(self):
        self.authenticate(self.dealer_user.login, self.dealer_user.login)
        csrf, offered = self._options("/my/dealer_claims/new")
        self.assertEqual(offered, set(self.unit.ids))
        DealerClaim = self.env["after_sales.dealer.claim"]
        form = {"repair_date": "2026-02-10", "work_done": "Pump", "labour_hours": "1"}
        # its own unit (not sold by it) or another customer's, posted by hand
        for unit in (self.dealer_own_unit, self.other_unit):
            response = self._post("/my/dealer_claims/new", csrf, equipment_id=unit.id, **form)
            self.assertEqual(response.status_code, 404)
        self.assertFalse(DealerClaim.search([]))
        for unit_id in offered:
            response = self._post("/my/dealer_claims/new", csrf, equipment_id=unit_id, **form)
            self.assertEqual(response.status_code, 303, response.text[:300])
        self.assertEqual(DealerClaim.search([]).equipment_id, self.unit)

    def test_customer_claim_form_offers_what_it_accepts(self):
        contact = self.env["res.partner"].create(
            {"name": "Chef", "parent_id": self.customer.id, "email": "chef@example.com"}
        )
        user = new_test_user(
            self.env, login="as_guard_chef", groups="base.group_portal", partner_id=contact.id
        )
        self.unit.partner_id = self.customer_site  # at one of the customer's sites
        self.authenticate(user.login, user.login)
        csrf, offered = self._options("/my/claims/new")
        self.assertEqual(offered, set(self.unit.ids))
        claims = self.Claim.search([])
        response = self._post(
            "/my/claims/new",
            csrf,
            equipment_id=self.other_unit.id,
            category="product_defect",
            description="Broken",
        )
        self.assertEqual(response.status_code, 404)
        self.assertEqual(self.Claim.search([]), claims)
        response = self._post(
            "/my/claims/new",
            csrf,
            equipment_id=self.unit.id,
            category="product_defect",
            description="Broken",
        )
        self.assertEqual(response.status_code, 303)
        claim = self.Claim.search([]) - claims
        self.assertEqual((claim.equipment_id, claim.contract_id), (self.unit, self.contract))
