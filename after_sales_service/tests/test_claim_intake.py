from datetime import date

from freezegun import freeze_time

from odoo.tests import tagged

from .common import AfterSalesCommon

RAW_MAIL = """Return-Path: <{email_from}>
To: {to}
From: {email_from}
Subject: {subject}
Message-ID: <{message_id}>
{extra}Date: Mon, 02 Mar 2026 10:00:00 +0000
MIME-Version: 1.0
Content-Type: text/plain; charset="utf-8"
Content-Transfer-Encoding: 7bit

{body}
"""


def raw_mail(
    subject,
    body="",
    email_from="bar@degoudenleeuw.example.com",
    message_id="claim-1@customer.example.com",
    to="claims@example.com",
    extra="",
):
    return RAW_MAIL.format(
        subject=subject,
        body=body or "Hello, it is broken.",
        email_from=email_from,
        message_id=message_id,
        to=to,
        extra=extra,
    )


@tagged("post_install", "-at_install")
class TestClaimIntake(AfterSalesCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer.email = "bar@degoudenleeuw.example.com"
        cls.customer.lang = "en_US"
        cls.other_customer.email = "desk@zonnehof.example.com"
        cls.lot = cls._make_lot(cls.espresso, "X200-SN-4711")
        cls.other_lot = cls._make_lot(cls.espresso, "X200-SN-4712")
        cls._deliver(cls.espresso, cls.lot, cls.customer_site)
        cls._deliver(cls.espresso, cls.other_lot, cls.other_customer)
        cls.equipment = cls.env["after_sales.equipment"].search([("lot_id", "=", cls.lot.id)])
        cls.Claim = cls.env["after_sales.claim"]

    def _process(self, raw):
        claim_id = self.env["mail.thread"].message_process("after_sales.claim", raw)
        return self.Claim.browse(claim_id)

    def test_email_known_sender_with_serial(self):
        claim = self._process(raw_mail("Machine X200-SN-4711 leaks water"))
        self.assertEqual(claim.channel, "email")
        self.assertEqual(claim.partner_id, self.customer)
        self.assertEqual(claim.lot_id, self.lot)
        self.assertEqual(claim.equipment_id, self.equipment)
        self.assertEqual(claim.product_id, self.espresso)
        self.assertTrue(claim.delivered_to_customer)
        self.assertFalse(claim.needs_review)
        self.assertTrue(claim.name.startswith("CC/"))
        # the acknowledgement: from the company, to the customer, with the number
        ack = claim.message_ids.filtered(lambda m: m.message_type == "auto_comment")
        self.assertEqual(len(ack), 1)
        self.assertIn(claim.name, ack.body)
        self.assertEqual(ack.partner_ids, self.customer)
        self.assertEqual(ack.author_id, self.company.partner_id)
        mail = self.env["mail.mail"].sudo().search([("mail_message_id", "=", ack.id)])
        self.assertIn(self.customer, mail.recipient_ids)

        # the customer's reply threads into the same claim
        reply = raw_mail(
            f"Re: {claim.name}",
            body="Here is a photo.",
            message_id="claim-1-reply@customer.example.com",
            extra=f"In-Reply-To: <claim-1@customer.example.com>\n"
            f"References: <claim-1@customer.example.com> {ack.message_id}\n",
        )
        count = self.Claim.search_count([])
        self.assertEqual(self._process(reply), claim)
        self.assertEqual(self.Claim.search_count([]), count)
        self.assertIn("Here is a photo.", claim.message_ids[0].body)

    def test_email_serial_in_body(self):
        claim = self._process(raw_mail("Broken machine", body="Serial: X200-SN-4711, thanks"))
        self.assertEqual(claim.lot_id, self.lot)

    def test_email_unknown_sender(self):
        claim = self._process(
            raw_mail("X200-SN-4711 broken", email_from="someone@unknown.example.com")
        )
        self.assertTrue(claim.is_sender_unknown)
        self.assertTrue(claim.needs_review)
        self.assertIn("unknown_sender", claim.review_reason_keys.split())
        self.assertIn("Unknown sender", claim.review_reason)
        self.assertEqual(claim.partner_id.email, "someone@unknown.example.com")
        # and the unit of the serial is not that new partner's: not linked
        self.assertFalse(claim.lot_id)
        self.assertIn("foreign_link", claim.review_reason_keys.split())

    def test_email_serial_does_not_exist(self):
        claim = self._process(raw_mail("Machine NOPE-999 broken"))
        self.assertFalse(claim.lot_id)
        self.assertEqual(claim.partner_id, self.customer)
        self.assertTrue(claim.needs_review)
        self.assertEqual(claim.review_reason_keys, "no_serial")

    def test_email_serial_of_another_customer(self):
        # the serial and its unit are another customer's: not linked, to triage
        claim = self._process(raw_mail("Machine X200-SN-4712 broken"))
        self.assertFalse(claim.lot_id)
        self.assertFalse(claim.equipment_id)
        self.assertTrue(claim.needs_review)
        self.assertEqual(claim.review_reason_keys, "foreign_link")
        self.assertEqual(
            claim.review_reason,
            "Serial number, unit or document of another customer or company: not linked",
        )

    def test_email_serial_never_delivered(self):
        lot = self._make_lot(self.espresso, "X200-SN-4713")  # in stock, no unit
        claim = self._process(raw_mail("Machine X200-SN-4713 broken"))
        self.assertEqual(claim.lot_id, lot)
        self.assertFalse(claim.delivered_to_customer)
        self.assertTrue(claim.needs_review)
        self.assertEqual(claim.review_reason_keys, "not_delivered")
        self.assertEqual(claim.review_reason, "Serial number not delivered to this customer")

    def test_email_through_the_alias(self):
        alias = self.env.ref("after_sales_service.mail_alias_claims")
        domain = self.company.alias_domain_id or self.env["mail.alias.domain"].create(
            {"name": "example.com"}
        )
        self.company.alias_domain_id = domain
        alias.alias_domain_id = domain
        claim_id = self.env["mail.thread"].message_process(
            False, raw_mail("X200-SN-4711 broken", to=f"claims@{domain.name}")
        )
        claim = self.Claim.browse(claim_id)
        self.assertEqual(claim._name, "after_sales.claim")
        self.assertEqual(claim.lot_id, self.lot)

    def test_coverage_at_delivery_and_today(self):
        # delivered on 2025-01-01, 6 months of warranty: ended on 2025-06-30
        self.equipment.write({"delivery_date": date(2025, 1, 1), "warranty_end_override": False})
        with freeze_time("2026-03-02 10:00:00"):
            claim = self.Claim.create(
                {"partner_id": self.customer.id, "lot_id": self.lot.id, "channel": "phone"}
            )
        self.assertEqual(claim.coverage_at_delivery, "warranty")
        self.assertEqual(claim.coverage_today, "none")

    def test_find_lot_is_one_query(self):
        text = "Hello " + " ".join(f"word{i}" for i in range(50)) + " X200-SN-4711"
        self.Claim._find_lot_in_text(text)  # warm the caches
        with self.assertQueryCount(1):
            self.assertEqual(self.Claim._find_lot_in_text(text), self.lot)
