from datetime import date, datetime

from odoo.exceptions import AccessError, UserError
from odoo.fields import Command
from odoo.tests import Form, new_test_user, tagged

from .common import AfterSalesCommon


@tagged("post_install", "-at_install")
class TestClaim(AfterSalesCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.calendar = cls.env["resource.calendar"].create(
            {"name": "Service desk", "tz": "UTC", "company_id": cls.company.id}
        )
        cls.lot = cls._make_lot(cls.espresso, "CLAIM-SN-1")
        cls.equipment = cls._create_equipment(lot=cls.lot, delivery_date=date(2025, 1, 1))
        cls.contract = cls._create_contract(
            cls.equipment,
            start="2026-01-01",
            resource_calendar_id=cls.calendar.id,
            sla_ids=[
                Command.create({"priority": "3", "response_hours": 4, "resolution_hours": 16}),
            ],
        )
        cls.contract.action_start()
        cls.Claim = cls.env["after_sales.claim"]
        cls.reason = cls.env["after_sales.reject.reason"].create({"name": "Outside warranty"})
        cls.other_reason = cls.env["after_sales.reject.reason"].create({"name": "Misuse"})

    def _claim(self, **vals):
        values = {
            "partner_id": self.customer.id,
            "equipment_id": self.equipment.id,
            "channel": "phone",
            "priority": "3",
            "date_received": datetime(2026, 11, 27, 15, 0),  # a Friday
        }
        values.update(vals)
        return self.Claim.create(values)

    def test_deadlines_from_the_sla(self):
        claim = self._claim()
        self.assertEqual(claim.contract_id, self.contract)
        self.assertEqual(claim.lot_id, self.lot)
        # 4 and 16 working hours from Friday 15:00, weekends excluded
        self.assertEqual(claim.response_deadline, datetime(2026, 11, 30, 10, 0))
        self.assertEqual(claim.resolution_deadline, datetime(2026, 12, 1, 15, 0))
        low = self._claim(priority="0")
        self.assertFalse(low.response_deadline)

    def test_sla_edited_later_keeps_the_promise_made(self):
        claim = self._claim()
        promised = (claim.response_deadline, claim.resolution_deadline)
        claim.action_review()
        claim.action_accept()
        self.contract.sla_ids.write({"response_hours": 1, "resolution_hours": 2})
        self.env.flush_all()
        claim.invalidate_recordset()
        self.assertEqual((claim.response_deadline, claim.resolution_deadline), promised)
        # a claim received after the change gets the new SLA
        self.assertEqual(self._claim().response_deadline, datetime(2026, 11, 27, 16, 0))

    def test_workflow(self):
        claim = self._claim()
        self.assertEqual(claim.state, "new")
        with self.assertRaises(UserError):
            claim.action_resolve()
        with self.assertRaises(UserError):
            claim.action_close()
        self.assertEqual(claim.state, "new")
        claim.action_review()
        self.assertEqual(claim.state, "review")
        claim.action_accept()
        with self.assertRaises(UserError):
            claim.action_review()
        claim.action_resolve()
        self.assertEqual(claim.state, "resolved")
        with self.assertRaises(UserError):
            claim.action_reset()
        claim.action_close()
        self.assertEqual(claim.state, "closed")
        # back to Accepted only as a reopening within the company's window
        # (test_portal_selfservice)
        with self.assertRaises(UserError):
            claim.action_review()
        with self.assertRaises(UserError):
            self._claim(state="accepted")

    def test_reject_requires_a_reason(self):
        claim = self._claim()
        messages = claim.message_ids
        wizard = self.env["after_sales.claim.reject"].create({"claim_ids": claim.ids})
        with self.assertRaises(UserError):
            wizard.action_reject()
        self.assertEqual(claim.state, "new")
        self.assertFalse(claim.date_rejected)
        self.assertEqual(claim.message_ids, messages)

    def test_reject_tells_the_customer_why(self):
        self.customer.email = "bar@degoudenleeuw.example.com"
        claim = self._claim()
        action = claim.action_reject()
        wizard = Form(self.env[action["res_model"]].with_context(**action["context"]))
        wizard.reject_reason_id = self.reason
        wizard.reject_note = "The unit was dropped."
        wizard.save().action_reject()
        self.assertEqual(claim.state, "rejected")
        self.assertEqual(claim.reject_reason_id, self.reason)
        self.assertTrue(claim.date_rejected)
        message = claim.message_ids.filtered(lambda m: m.message_type == "auto_comment")
        self.assertEqual(len(message), 1)
        self.assertIn("Outside warranty", message.body)
        self.assertIn("The unit was dropped.", message.body)
        self.assertEqual(message.partner_ids, self.customer)
        claim.action_close()
        self.assertEqual(claim.state, "closed")

    def test_rejection_in_the_customers_language(self):
        self.env["res.lang"]._activate_lang("nl_NL")
        self.customer.write({"lang": "nl_NL", "email": "bar@degoudenleeuw.example.com"})
        self.reason.with_context(lang="nl_NL").name = "Buiten garantie"
        claim = self._claim()
        claim._reject(self.reason, "Gevallen.")
        message = claim.message_ids.filtered(lambda m: m.message_type == "auto_comment")
        self.assertIn("Buiten garantie", message.body)
        self.assertNotIn("Outside warranty", message.body)

    def test_refusal_counts(self):
        for reason, service_type in (
            (self.reason, self.type_corrective),
            (self.reason, self.type_corrective),
            (self.other_reason, self.type_corrective),
            (self.reason, self.type_preventive),
        ):
            self._claim(service_type_id=service_type.id)._reject(reason)
        self._claim(service_type_id=self.type_corrective.id)  # not refused
        groups = self.Claim._read_group(
            [("state", "=", "rejected")],
            ["service_type_id", "reject_reason_id"],
            ["__count"],
        )
        counts = {(st, reason): count for st, reason, count in groups}
        self.assertEqual(counts[self.type_corrective, self.reason], 2)
        self.assertEqual(counts[self.type_corrective, self.other_reason], 1)
        self.assertEqual(counts[self.type_preventive, self.reason], 1)

    def test_back_office_defaults_from_partner_unit_and_order(self):
        contact = self.env["res.partner"].create(
            {"name": "Chef", "parent_id": self.customer.id, "type": "contact"}
        )
        action = contact.action_new_after_sales_claim()
        claim = Form(self.Claim.with_context(**action["context"])).save()
        self.assertEqual(claim.partner_id, self.customer)
        self.assertEqual(claim.contact_id, contact)
        self.assertEqual(claim.channel, "back_office")

        action = self.equipment.action_new_claim()
        claim = Form(self.Claim.with_context(**action["context"])).save()
        self.assertEqual(claim.equipment_id, self.equipment)
        self.assertEqual(claim.lot_id, self.lot)
        self.assertEqual(claim.product_id, self.espresso)

        order = self.env["after_sales.order"].create(
            {
                "service_type_id": self.type_corrective.id,
                "partner_id": self.customer.id,
                "equipment_id": self.equipment.id,
            }
        )
        action = order.action_new_claim()
        claim = Form(self.Claim.with_context(**action["context"])).save()
        self.assertEqual(claim.service_type_id, self.type_corrective)
        self.assertEqual(claim.equipment_id, self.equipment)
        self.assertEqual(claim.category, "service_quality")
        # no acknowledgement for claims entered by the service desk
        self.assertFalse(claim.message_ids.filtered(lambda m: m.message_type == "auto_comment"))

    def test_person_as_customer_is_split(self):
        contact = self.env["res.partner"].create({"name": "Chef", "parent_id": self.customer.id})
        claim = self._claim(partner_id=contact.id)
        self.assertEqual(claim.partner_id, self.customer)
        self.assertEqual(claim.contact_id, contact)

    def test_other_company_claims_are_invisible(self):
        other_company = self.env["res.company"].create({"name": "Other Service Co"})
        partner = self.env["res.partner"].create({"name": "Far away", "is_company": True})
        theirs = self.Claim.create(
            {"partner_id": partner.id, "company_id": other_company.id, "channel": "phone"}
        )
        self.assertTrue(theirs.name.startswith("CC/"))
        ours = self._claim()
        visible = self.Claim.with_user(self.service_user).search([])
        self.assertIn(ours, visible)
        self.assertNotIn(theirs, visible)
        with self.assertRaises(AccessError):
            theirs.with_user(self.service_user).read(["name"])

    def test_portal_customer_reads_own_claims_and_whitelist(self):
        contact = self.env["res.partner"].create({"name": "Chef", "parent_id": self.customer.id})
        portal_user = new_test_user(
            self.env, login="as_claim_portal", groups="base.group_portal", partner_id=contact.id
        )
        ours = self._claim()
        theirs = self._claim(partner_id=self.other_customer.id, equipment_id=False)
        Claim = self.Claim.with_user(portal_user)
        self.assertEqual(Claim.search([]), ours)
        values = ours.with_user(portal_user).read(["name", "state", "access_url"])[0]
        self.assertEqual(values["access_url"], f"/my/claims/{ours.id}")
        with self.assertRaises(AccessError):
            ours.with_user(portal_user).read(["user_id"])
        with self.assertRaises(AccessError):
            theirs.with_user(portal_user).read(["name"])
        with self.assertRaises(AccessError):
            ours.with_user(portal_user).write({"description": "x"})

    def test_technician_reads_but_does_not_write(self):
        claim = self._claim()
        claim.with_user(self.technician).read(["name"])
        with self.assertRaises(AccessError):
            claim.with_user(self.technician).write({"priority": "0"})
        with self.assertRaises(AccessError):
            self.Claim.with_user(self.technician).create(
                {"partner_id": self.customer.id, "channel": "phone"}
            )
