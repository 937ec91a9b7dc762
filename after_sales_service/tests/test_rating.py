import lxml.html
from freezegun import freeze_time

from odoo import http
from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, new_test_user, tagged

from .common import AfterSalesCommon


class RatingCommon(AfterSalesCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer.email = "bar@degoudenleeuw.example.com"
        cls.other_customer.email = "info@zonnehof.example.com"
        cls.technician.partner_id.email = "tech@service.example.com"
        cls.order_template = cls.env.ref("after_sales_service.mail_template_order_rating_request")

    def _order(self, partner=None, **vals):
        values = {
            "service_type_id": self.type_corrective.id,
            "partner_id": (partner or self.customer).id,
            "technician_ids": [(6, 0, self.technician.ids)],
        }
        values.update(vals)
        return self.env["after_sales.order"].create(values)

    def _done_order(self, partner=None, **vals):
        order = self._order(partner, **vals)
        order.action_start()
        order.action_done()
        return order

    def _requests(self, record):
        """The rating requests posted on ``record``."""
        return record.message_ids.filtered(lambda m: "/rate/" in (m.body or ""))

    def _report(self, domain=(), env=None):
        self.env.flush_all()
        report = (env or self.env)["after_sales.rating.report"]
        report.invalidate_model()
        return report.search(list(domain))


@tagged("post_install", "-at_install")
class TestRating(RatingCommon):
    def test_done_order_asks_the_customer_once_in_their_language(self):
        self.env["res.lang"]._activate_lang("nl_NL")
        self.customer.lang = "nl_NL"
        self.order_template.with_context(lang="nl_NL").subject = "Hoe was onze service?"
        order = self._order()
        order.action_start()
        self.assertFalse(self._requests(order))
        order.action_done()

        request = self._requests(order)
        self.assertEqual(len(request), 1)
        self.assertEqual(request.partner_ids, self.customer)
        self.assertEqual(request.subject, "Hoe was onze service?")
        rating = order.rating_ids
        self.assertEqual(len(rating), 1)
        self.assertFalse(rating.consumed)
        self.assertEqual(rating.partner_id, self.customer)
        self.assertEqual(rating.rated_partner_id, self.technician.partner_id)
        for rate in (5, 3, 1):
            self.assertIn(f"/rate/{rating.access_token}/{rate}", request.body)
        self.assertTrue(order.rating_requested_date)
        mail = self.env["mail.mail"].search([("mail_message_id", "=", request.id)])
        self.assertEqual(mail.recipient_ids, self.customer)

        # never twice: asking again, or closing the done order again, sends nothing
        self.assertFalse(order._send_rating_requests())
        with self.assertRaisesRegex(UserError, "done and can no longer be changed"):
            order.write({"state": "done", "findings": "again"})
        self.assertEqual(len(self._requests(order)), 1)
        self.assertEqual(len(order.rating_ids), 1)

    def test_technician_closing_their_order_asks_the_customer(self):
        order = self._order()
        order.with_user(self.technician).action_start()
        order.with_user(self.technician).action_done()
        self.assertEqual(order.state, "done")
        self.assertEqual(len(self._requests(order)), 1)
        self.assertEqual(self._requests(order).author_id, self.technician.partner_id)

    def test_service_type_without_rating_request_sends_nothing(self):
        self.type_corrective.rating_request = False
        order = self._done_order()
        self.assertFalse(self._requests(order))
        self.assertFalse(order.rating_ids)
        self.assertFalse(order.rating_requested_date)

    def test_service_type_template_is_used(self):
        template = self.order_template.copy({"subject": "Rate our inspection"})
        self.type_corrective.rating_template_id = template
        order = self._done_order()
        self.assertEqual(self._requests(order).subject, "Rate our inspection")

    def test_request_date_is_not_written_by_hand(self):
        order = self._order()
        for user in (self.service_user, self.service_manager):
            with self.assertRaises(AccessError):
                order.with_user(user).write({"rating_requested_date": "2026-01-01 10:00:00"})
        self.assertFalse(order.rating_requested_date)
        order.with_user(self.service_user).action_start()
        order.with_user(self.service_user).action_done()
        self.assertTrue(order.rating_requested_date)

    def test_rating_shows_on_the_order(self):
        order = self._done_order()
        token = order.rating_ids.access_token
        order.rating_apply(5, token=token, feedback="Fast and friendly")
        self.assertEqual(order.rating_last_value, 5)
        self.assertEqual(order.rating_avg, 5)
        self.assertEqual(order.rating_count, 1)
        message = order.message_ids.filtered("rating_id")
        self.assertEqual(message.author_id, self.customer)
        self.assertIn("Fast and friendly", message.body)
        action = order.action_view_ratings()
        self.assertEqual(self.env["rating.rating"].search(action["domain"]), order.rating_ids)

    def test_resolved_claim_asks_the_contact(self):
        contact = self.env["res.partner"].create(
            {"name": "Chef", "parent_id": self.customer.id, "email": "chef@example.com"}
        )
        claim = self.env["after_sales.claim"].create(
            {
                "partner_id": contact.id,
                "channel": "phone",
                "user_id": self.service_user.id,
                "service_type_id": self.type_corrective.id,
            }
        )
        claim.action_accept()
        self.assertFalse(self._requests(claim))
        claim.action_resolve()
        request = self._requests(claim)
        self.assertEqual(len(request), 1)
        self.assertEqual(request.partner_ids, contact)
        self.assertEqual(claim.rating_ids.rated_partner_id, self.service_user.partner_id)
        claim.action_close()
        self.assertEqual(len(self._requests(claim)), 1)

        self.type_corrective.rating_request = False
        quiet = self.env["after_sales.claim"].create(
            {
                "partner_id": self.customer.id,
                "channel": "phone",
                "service_type_id": self.type_corrective.id,
            }
        )
        quiet.action_accept()
        quiet.action_resolve()
        self.assertFalse(self._requests(quiet))

    def test_csat_of_orders(self):
        """3 ratings 5, 5 and 1: 2 satisfied out of 3, a CSAT of 66.67 %."""
        orders = self._done_order() | self._done_order() | self._done_order()
        self._done_order()  # asked, never answered: not in the figures
        for order, rate in zip(orders, (5, 5, 1), strict=True):
            order.rating_apply(rate, token=order.rating_ids.access_token)
        rows = self._report([("res_model", "=", "after_sales.order")])
        self.assertEqual(len(rows), 3)
        self.assertEqual(rows.order_id, orders)
        self.assertEqual(rows.technician_id, self.technician)
        self.assertEqual(rows.service_type_id, self.type_corrective)
        [(csat, satisfied, count)] = self.env["after_sales.rating.report"]._read_group(
            [("res_model", "=", "after_sales.order")],
            aggregates=["csat:avg", "is_satisfied:sum", "__count"],
        )
        self.assertAlmostEqual(csat, 200 / 3, places=2)
        self.assertEqual((satisfied, count), (2, 3))
        by_technician = dict(
            self.env["after_sales.rating.report"]._read_group(
                [("res_model", "=", "after_sales.order")], ["technician_id"], ["csat:avg"]
            )
        )
        self.assertAlmostEqual(by_technician[self.technician], 66.67, places=2)
        self.assertFalse(rows.filtered("nps"))

    def test_other_company_ratings_are_invisible(self):
        other_company = self.env["res.company"].create({"name": "Other Service Co"})
        far_customer = self.env["res.partner"].create(
            {"name": "Far away", "is_company": True, "email": "far@example.com"}
        )
        ours = self._done_order()
        theirs = self._done_order(far_customer, company_id=other_company.id, technician_ids=[])
        ours.rating_apply(5, token=ours.rating_ids.access_token)
        theirs.rating_apply(1, token=theirs.rating_ids.access_token)
        user_b = new_test_user(
            self.env,
            login="as_rating_user_b",
            groups="after_sales_service.group_user",
            company_id=other_company.id,
            company_ids=[(6, 0, other_company.ids)],
        )
        rows = self._report(env=self.env(user=user_b))
        self.assertEqual(rows.order_id, theirs)
        self.assertEqual(self._report(env=self.env(user=self.service_user)).order_id, ours)


@tagged("post_install", "-at_install")
class TestNps(RatingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.contract = cls._create_contract(start="2026-01-01")
        cls.contract.action_start()

    def test_nps_question_once_per_term_halfway(self):
        # 1 January - 31 December: halfway is 2 July
        self.assertEqual(str(self.contract.nps_date), "2026-07-02")
        with freeze_time("2026-07-01 12:00:00"):
            self._run_cron("_cron_send_nps")
        self.assertFalse(self._requests(self.contract))
        with freeze_time("2026-07-02 12:00:00"):
            self._run_cron("_cron_send_nps")
        request = self._requests(self.contract)
        self.assertEqual(len(request), 1)
        self.assertIn("How likely are you to recommend us", request.body)
        self.assertEqual(request.partner_ids, self.customer)
        with freeze_time("2026-09-01 12:00:00"):
            self._run_cron("_cron_send_nps")
        self.assertEqual(len(self._requests(self.contract)), 1)

        # the next term is asked again, halfway through it
        with freeze_time("2027-01-01 12:00:00"):
            self.contract.is_auto_renew = True
            self._run_cron("_cron_manage_terms")
        next_term = self.contract.next_contract_id
        self.assertEqual(next_term.state, "running")
        self.assertFalse(next_term.rating_requested_date)
        with freeze_time("2027-07-02 12:00:00"):
            self._run_cron("_cron_send_nps")
        self.assertEqual(len(self._requests(next_term)), 1)
        self.assertEqual(len(self._requests(self.contract)), 1)

    def test_nps_score(self):
        """2 promoters, 1 passive, 1 detractor out of 4: NPS 50 % - 25 % = 25."""
        partners = self.env["res.partner"].create(
            [{"name": f"Customer {i}", "email": f"c{i}@example.com"} for i in range(3)]
        )
        contracts = self.contract | self.env["after_sales.contract"].concat(
            *(self._create_contract(start="2026-01-01", partner_id=p.id) for p in partners)
        )
        contracts[1:].action_start()
        with freeze_time("2026-07-15 12:00:00"):
            self._run_cron("_cron_send_nps")
        self.assertTrue(all(contracts.mapped("rating_requested_date")))
        for contract, rate in zip(contracts, (5, 5, 3, 1), strict=True):
            contract.rating_apply(rate, token=contract.rating_ids.access_token)
        rows = self._report([("res_model", "=", "after_sales.contract")])
        self.assertEqual(rows.contract_id, contracts)
        [(nps, promoters, detractors)] = self.env["after_sales.rating.report"]._read_group(
            [("res_model", "=", "after_sales.contract")],
            aggregates=["nps:avg", "is_promoter:sum", "is_detractor:sum"],
        )
        self.assertEqual((promoters, detractors), (2, 1))
        self.assertAlmostEqual(nps, 25.0)
        self.assertFalse(rows.filtered("csat"))


@tagged("post_install", "-at_install")
class TestRatingPage(RatingCommon, HttpCase):
    def _submit(self, token, rate, feedback=""):
        return self.url_open(
            f"/rate/{token}/submit_feedback",
            data={"rate": rate, "csrf_token": http.Request.csrf_token(self), "feedback": feedback},
        )

    def test_customer_rates_through_odoo_rating_page(self):
        ours = self._done_order()
        theirs = self._done_order(self.other_customer)
        token = ours.rating_ids.access_token
        self.authenticate(None, None)

        page = self.url_open(f"/rate/{token}/5")
        self.assertEqual(page.status_code, 200)
        form = lxml.html.fromstring(page.content).xpath("//form[@method='post']")[0]
        self.assertEqual(form.get("action"), f"/rate/{token}/submit_feedback")
        self.assertFalse(ours.rating_ids.consumed)  # a click alone rates nothing

        self._submit(token, 5, "Quick repair").raise_for_status()
        self.assertEqual(ours.rating_last_value, 5)
        self.assertEqual(ours.rating_ids.feedback, "Quick repair")
        message = ours.message_ids.filtered("rating_id")
        self.assertEqual(message.rating_id, ours.rating_ids)
        self.assertIn("Quick repair", message.body)

        # another customer's token rates their order, never ours
        self._submit(theirs.rating_ids.access_token, 1, "Too late").raise_for_status()
        self.assertEqual(theirs.rating_last_value, 1)
        self.assertEqual(ours.rating_last_value, 5)
        self.assertEqual(ours.rating_ids.feedback, "Quick repair")

        # a wrong token is not found
        self.assertEqual(self.url_open("/rate/not-a-token/5").status_code, 404)
        self.assertEqual(self._submit("not-a-token", 1).status_code, 404)
        self.assertEqual(ours.rating_last_value, 5)
