from datetime import date, datetime

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.fields import Command
from odoo.tests import tagged

from .common import AfterSalesCommon

NOVEMBER = (date(2026, 11, 1), date(2026, 11, 30))


@tagged("post_install", "-at_install")
class TestServiceCriteria(AfterSalesCommon):
    """The criteria of a service department on a small data set of November 2026,
    computed by hand in the comments."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.user.tz = "UTC"
        cls.reason = cls.env["after_sales.reject.reason"].create({"name": "Out of our range"})
        cls.unit_1 = cls._create_equipment(delivery_date=date(2026, 1, 1))
        cls.unit_2 = cls._create_equipment(delivery_date=date(2026, 1, 1))
        cls.unit_3 = cls._create_equipment(delivery_date=date(2026, 1, 1))
        # market references (company of the test): corrective 250, 10 h, response 2 h;
        # preventive: a time only; training: price 0 (left out of the price index)
        cls.type_corrective.write(
            {
                "market_price": 250.0,
                "market_price_source": "Branch survey 2026",
                "market_duration_hours": 10.0,
                "market_response_hours": 2.0,
            }
        )
        cls.type_preventive.market_duration_hours = 8.0
        cls.type_training.market_price = 0.0

        # o1: unit 1, corrective, response 2 h, repair 8 h, 300 billed, SLA met;
        # tasks: 30 min standard / 60 actual (outlier), 60 standard / 50 actual
        cls.o1 = cls._done(
            cls.unit_1,
            cls.type_corrective,
            ("2026-11-02 08:00", "2026-11-02 10:00", "2026-11-02 16:00"),
            amount_billable=300.0,
            resolution_deadline=datetime(2026, 11, 3, 8, 0),
            tasks=[("Diagnose", 30, 60), ("Repair", 60, 50)],
        )
        # o2: unit 1 again 18 days later (o1 not fixed the first time, a repeat visit),
        # response 4 h, repair 12 h, 500 billed, SLA missed
        cls.o2 = cls._done(
            cls.unit_1,
            cls.type_corrective,
            ("2026-11-20 08:00", "2026-11-20 12:00", "2026-11-20 20:00"),
            amount_billable=500.0,
            resolution_deadline=datetime(2026, 11, 20, 12, 0),
        )
        # o3: unit 2, preventive, response 1 h, 4 h, nothing billed, no SLA
        cls.o3 = cls._done(
            cls.unit_2,
            cls.type_preventive,
            ("2026-11-05 08:00", "2026-11-05 09:00", "2026-11-05 12:00"),
        )
        # o4: unit 2, corrective 5 days after o3 (o3 repeated), response 0.5 h, 2 h,
        # 200 billed; a task done without its time recorded
        cls.o4 = cls._done(
            cls.unit_2,
            cls.type_corrective,
            ("2026-11-10 08:00", "2026-11-10 08:30", "2026-11-10 10:00"),
            amount_billable=200.0,
            tasks=[("Clean up", 20, 0)],
        )
        # o5: unit 3, corrective, refused
        cls.o5 = cls._order(cls.unit_3, cls.type_corrective, "2026-11-12 08:00")
        cls.o5._refuse(cls.reason, "Not our brand")
        # o6: training without unit, response 1 h, 3 h, 100 billed
        cls.o6 = cls._done(
            None,
            cls.type_training,
            ("2026-11-15 08:00", "2026-11-15 09:00", "2026-11-15 11:00"),
            amount_billable=100.0,
        )
        # claims: two received in November, one rejected
        Claim = cls.env["after_sales.claim"]
        claim_vals = {
            "partner_id": cls.customer.id,
            "channel": "phone",
            "date_received": datetime(2026, 11, 3, 9, 0),
        }
        cls.claims = Claim.create([claim_vals, claim_vals])
        cls.claims[0]._reject(cls.reason, "Outside warranty")

        # another company: a dear, slow, refused world that must not count
        cls.other_company = cls.setup_other_company(name="Service Co Antwerp")["company"]
        cls.other_order = cls._done(
            None,
            cls.type_corrective,
            ("2026-11-04 08:00", "2026-11-06 08:00", "2026-11-08 08:00"),
            amount_billable=10000.0,
            company=cls.other_company,
        )
        cls._order(
            None, cls.type_corrective, "2026-11-04 08:00", company=cls.other_company
        )._refuse(cls.reason)

    @classmethod
    def _order(cls, unit, service_type, received, company=None, tasks=(), **vals):
        company = company or cls.company
        return (
            cls.env["after_sales.order"]
            .with_company(company)
            .create(
                {
                    "company_id": company.id,
                    "service_type_id": service_type.id,
                    "partner_id": cls.customer.id,
                    "equipment_id": unit and unit.id,
                    "date_received": received,
                    # a technician works for the order's company
                    "technician_ids": [Command.link(cls.technician.id)]
                    if company == cls.company
                    else [],
                    "task_ids": [
                        Command.create(
                            {"name": name, "expected_minutes": minutes, "is_mandatory": False}
                        )
                        for name, minutes, _actual in tasks
                    ],
                    **vals,
                }
            )
        )

    @classmethod
    def _done(cls, unit, service_type, dates, tasks=(), **vals):
        """An order received, started and done at ``dates``, its tasks ticked with
        their actual minutes while it was in progress."""
        received, started, done = dates
        billable = vals.pop("amount_billable", 0.0)
        deadline = vals.pop("resolution_deadline", None)
        order = cls._order(unit, service_type, received, tasks=tasks, **vals)
        if deadline:
            # the promise a contract's SLA would have given (no contract needed here)
            order.flush_recordset()
            cls.env.cr.execute(
                "UPDATE after_sales_order SET resolution_deadline = %s WHERE id = %s",
                (deadline, order.id),
            )
            order.invalidate_recordset(["resolution_deadline"])
        order.write({"state": "in_progress", "date_started": started})
        with freeze_time(started):
            for task, (_name, _minutes, actual) in zip(order.task_ids, tasks, strict=True):
                task.write({"is_done": True, "actual_minutes": actual})
        order.write({"state": "done", "date_done": done})
        # the revenue the costing of its lines would have stored (no lines needed here)
        cls.env.cr.execute(
            "UPDATE after_sales_order SET amount_billable = %s WHERE id = %s", (billable, order.id)
        )
        order.invalidate_recordset(["amount_billable"])
        return order

    def _figures(self, companies=None):
        figures = self.env["after_sales.kpi"]._kpi_figures(*NOVEMBER, companies or self.company)
        return {figure["key"]: figure for figure in figures}

    # ------------------------------------------------------------------
    def test_figures_against_hand_computed_values(self):
        figures = self._figures()
        values = {key: figure["value"] for key, figure in figures.items()}
        # refused: o5 + 1 claim, of 6 orders + 2 claims received
        self.assertAlmostEqual(values["refusal_rate"], 100.0 * 2 / 8)
        # corrective: (300 + 500 + 200) / 3 = 333.33 against 250; training left out
        self.assertAlmostEqual(values["price_index"], 100.0 * (1000 / 3) / 250)
        # corrective done with a unit: o1, o2, o4; o1 was followed by o2
        self.assertAlmostEqual(values["first_time_fix_rate"], 100.0 * 2 / 3)
        # done with a unit: o1..o4; o1 (by o2) and o3 (by o4) repeated
        self.assertAlmostEqual(values["repeat_visit_rate"], 50.0)
        # o1 met, o2 missed (o3, o4, o6 have no SLA)
        self.assertAlmostEqual(values["sla_attainment"], 50.0)
        # o1: delivery 1 Jan -> 2 Nov 08:00 = 305 d 8 h; o2: o1 done 2 Nov 16:00 ->
        # 20 Nov 08:00 = 17 d 16 h; o4: 1 Jan -> 10 Nov 08:00 = 313 d 8 h
        self.assertAlmostEqual(
            values["failure_free_days"], (305 + 8 / 24 + 17 + 16 / 24 + 313 + 8 / 24) / 3
        )
        # responses 2, 4, 1, 0.5, 1 h; repairs 8, 12, 4, 2, 3 h
        self.assertAlmostEqual(values["response_hours"], 8.5 / 5)
        self.assertAlmostEqual(values["mttr_hours"], 29 / 5)
        # corrective 22/3 h against 10 (3 orders), preventive 4 h against 8 (1 order)
        self.assertAlmostEqual(values["time_index"], (3 * 100 * 22 / 30 + 1 * 50) / 4)
        # corrective responses 6.5/3 h against 2 h
        self.assertAlmostEqual(values["response_index"], 100.0 * 6.5 / 3 / 2)
        # (60 + 50) / (30 + 60); the task without actual time is left out
        self.assertAlmostEqual(values["standard_ratio"], 100.0 * 110 / 90)
        self.assertEqual(values["outlier_count"], 1.0)
        for key in (
            "refusal_rate",
            "price_index",
            "first_time_fix_rate",
            "repeat_visit_rate",
            "sla_attainment",
            "failure_free_days",
            "response_hours",
            "mttr_hours",
            "time_index",
            "response_index",
            "standard_ratio",
            "outlier_count",
        ):
            figure = figures[key]
            self.assertIn(figure["group"], ("criteria", "standards"))
            self.assertTrue(figure["label"] and figure["help"] and figure["unit"])
            action = figure["action"]
            self.env[action["res_model"]].search(action["domain"])

    def test_actions_lead_to_the_records(self):
        figures = self._figures()
        refused = figures["refusal_rate"]["action"]
        self.assertEqual(self.env[refused["res_model"]].search(refused["domain"]), self.o5)
        outliers = figures["outlier_count"]["action"]
        self.assertEqual(
            self.env[outliers["res_model"]].search(outliers["domain"]).mapped("name"),
            ["Diagnose"],
        )
        price = figures["price_index"]["action"]
        self.assertEqual(price["domain"], [("id", "in", self.type_corrective.ids)])

    def test_per_type_against_the_market(self):
        corrective = self.type_corrective.with_context(date_from="2026-11-01", date_to="2026-11-30")
        self.assertEqual(corrective.criteria_order_count, 3)
        self.assertAlmostEqual(corrective.our_price, 1000 / 3, places=2)
        self.assertAlmostEqual(corrective.price_index, 100 * (1000 / 3) / 250)
        self.assertAlmostEqual(corrective.our_response_hours, 6.5 / 3)
        self.assertAlmostEqual(corrective.time_index, 100 * 22 / 30)
        training = self.type_training.with_context(date_from="2026-11-01", date_to="2026-11-30")
        self.assertEqual(training.price_index, 0.0)

    def test_missing_reference_price_is_left_out(self):
        self.type_corrective.market_price = 0.0
        self.type_corrective.market_duration_hours = 0.0
        self.type_preventive.market_duration_hours = False
        values = {key: figure["value"] for key, figure in self._figures().items()}
        self.assertIsNone(values["price_index"])
        self.assertIsNone(values["time_index"])
        self.assertAlmostEqual(values["response_index"], 100.0 * 6.5 / 3 / 2)

    def test_no_data_is_none(self):
        figures = self.env["after_sales.kpi"]._kpi_figures(
            date(2020, 1, 1), date(2020, 1, 31), self.company
        )
        for figure in figures:
            if figure["group"] in ("criteria", "standards") and figure["key"] != "orders_done":
                self.assertIsNone(figure["value"], figure["key"])

    def test_other_company_does_not_count(self):
        values = {k: f["value"] for k, f in self._figures(self.other_company).items()}
        # its own: one of two orders refused, 48 h response, 96 h repair, no reference
        self.assertAlmostEqual(values["refusal_rate"], 50.0)
        self.assertAlmostEqual(values["response_hours"], 48.0)
        self.assertAlmostEqual(values["mttr_hours"], 96.0)
        self.assertIsNone(values["price_index"])
        both = {k: f["value"] for k, f in self._figures(self.company | self.other_company).items()}
        self.assertAlmostEqual(both["mttr_hours"], (29 + 96) / 6)

    def test_refuse_needs_a_reason(self):
        order = self._order(self.unit_3, self.type_corrective, "2026-11-25 08:00")
        wizard = self.env["after_sales.order.refuse"].create(
            {"order_ids": [Command.set(order.ids)]}
        )
        with self.assertRaisesRegex(UserError, "Choose why"):
            wizard.action_refuse()
        self.assertEqual(order.state, "new")
        self.assertFalse(order.reject_reason_id)

        action = order.action_refuse()
        self.assertEqual(action["res_model"], "after_sales.order.refuse")
        refuse = (
            self.env["after_sales.order.refuse"]
            .with_user(self.service_user)
            .create(
                {
                    "order_ids": [Command.set(order.ids)],
                    "reject_reason_id": self.reason.id,
                    "reject_note": "Not our brand",
                }
            )
        )
        refuse.action_refuse()
        self.assertEqual(order.state, "cancelled")
        self.assertEqual(order.reject_reason_id, self.reason)
        # taken up again: no longer refused
        order.action_reset()
        self.assertFalse(order.reject_reason_id)

    def test_started_order_cannot_be_refused(self):
        order = self._order(self.unit_3, self.type_corrective, "2026-11-25 08:00")
        order.action_start()
        with self.assertRaisesRegex(UserError, "cannot be refused"):
            order._refuse(self.reason)
        self.assertEqual(order.state, "in_progress")
        self.assertFalse(order.reject_reason_id)

    def test_technician_records_actual_minutes_on_own_orders_only(self):
        own = self._order(
            self.unit_3, self.type_corrective, "2026-11-25 08:00", tasks=[("Check", 15, 0)]
        )
        other = self._order(
            self.unit_3,
            self.type_corrective,
            "2026-11-25 08:00",
            tasks=[("Check", 15, 0)],
            technician_ids=[],
            user_id=self.service_user.id,
        )
        task = own.task_ids.with_user(self.technician)
        task.write({"actual_minutes": 25})
        self.assertEqual(own.task_ids.actual_minutes, 25)
        self.assertTrue(own.task_ids.is_outlier)
        own.with_user(self.technician).write(
            {"task_ids": [Command.update(own.task_ids.id, {"actual_minutes": 20})]}
        )
        self.assertEqual(own.task_ids.actual_minutes, 20)
        self.assertFalse(own.task_ids.is_outlier)
        with self.assertRaises(AccessError):
            task.write({"expected_minutes": 5})
        self.assertEqual(own.task_ids.expected_minutes, 15)
        with self.assertRaises(AccessError):
            other.task_ids.with_user(self.technician).write({"actual_minutes": 30})
        self.assertEqual(other.task_ids.actual_minutes, 0)

    def test_only_managers_enter_market_references(self):
        with self.assertRaises(AccessError):
            self.type_corrective.with_user(self.service_user).write({"market_price": 1.0})
        self.assertEqual(self.type_corrective.market_price, 250.0)
        self.type_corrective.with_user(self.service_manager).market_price = 260.0
        self.assertEqual(self.type_corrective.market_price, 260.0)
