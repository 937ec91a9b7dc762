"""The planner's edge cases (issue 22): the dispatcher's Confirm schedules as a drop
on the board does, Reset to New gives the order back to the pool, a running order
keeps its technicians, an order without a duration is still checked (the default
duration of its service type), and the dispatcher and the server follow one travel
rule: every proposal of the dispatcher passes the server's checks, and the server
accepts nothing the dispatcher's checker refuses for travel."""

from datetime import date, datetime, timedelta

import psycopg2.errors
from freezegun import freeze_time
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

# ortools imports pandas, whose C extensions crash when first imported while freezegun
# has replaced datetime: import it before any test freezes time.
from ortools.sat.python import cp_model  # noqa: F401 pylint: disable=unused-import

from odoo.exceptions import UserError, ValidationError
from odoo.fields import Command
from odoo.tests import Form, new_test_user, tagged
from odoo.tools import mute_logger

from odoo.addons.after_sales_service.models import dispatch
from odoo.addons.after_sales_service.models.hr_employee import to_utc_naive

from .common import AfterSalesCommon, make_technician

# Monday 2 March 2026; Amsterdam is UTC+1: local midnight is 23:00 UTC the day before.
MONDAY = date(2026, 3, 2)
HORIZON_START = datetime(2026, 3, 1, 23, 0)
HORIZON_END = datetime(2026, 3, 2, 23, 0)


def utc(hour, minute=0, day=MONDAY):
    return datetime(day.year, day.month, day.day, hour, minute)


class PlanningEdgesCommon(AfterSalesCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.calendar = cls._office_calendar("Amsterdam 8-17 (edges)")
        cls.anna = make_technician(cls.env, "edges_anna", "Anna", cls.calendar, cls.company)
        cls.bram = make_technician(cls.env, "edges_bram", "Bram", cls.calendar, cls.company)
        north, south = cls.env["after_sales.zone"].create([{"name": "North"}, {"name": "South"}])
        Partner = cls.env["res.partner"]
        # the places of the generated instances: nothing known, zones, coordinates
        cls.places = (
            cls.customer
            | cls.other_customer
            | Partner.create(
                [
                    {"name": "North One", "after_sales_zone_id": north.id},
                    {"name": "North Two", "after_sales_zone_id": north.id},
                    {"name": "South One", "after_sales_zone_id": south.id},
                    {"name": "Amsterdam", "partner_latitude": 52.37, "partner_longitude": 4.89},
                    {"name": "Utrecht", "partner_latitude": 52.09, "partner_longitude": 5.12},
                ]
            )
        )

    def setUp(self):
        super().setUp()
        # other new unassigned orders of the company (demo data) are not ours to plan
        self.env["after_sales.order"].search(
            [("state", "in", ("new", "scheduled")), ("company_id", "=", self.company.id)]
        ).write({"state": "cancelled"})

    def _order(self, technician=None, start=None, end=None, **vals):
        values = {
            "service_type_id": self.type_corrective.id,
            "partner_id": self.customer.id,
            "date_received": utc(7, day=date(2026, 2, 27)),
            "planned_date_start": start,
            "planned_date_end": end,
        }
        if technician:
            values["technician_ids"] = [Command.set(technician.user_id.ids)]
        values.update(vals)
        return self.env["after_sales.order"].create(values)

    def _dispatch(self, solver="greedy", date_start=HORIZON_START, date_end=HORIZON_END):
        with Form(self.env["after_sales.order.dispatch"].with_user(self.service_user)) as form:
            form.date_start = date_start
            form.date_end = date_end
            form.time_limit = 1
            form.solver = solver
        wizard = form.record
        wizard.action_compute()
        return wizard

    @staticmethod
    def _snapshot(order):
        return (
            order.technician_ids,
            order.planned_date_start,
            order.planned_date_end,
            order.state,
        )


@tagged("post_install", "-at_install")
@freeze_time("2026-02-27 12:00:00")
class TestPlanningEdges(PlanningEdgesCommon):
    # ------------------------------------------------------------------
    # Confirm schedules
    # ------------------------------------------------------------------
    def test_confirm_schedules_and_reserves_parts(self):
        part = self.env["product.product"].create({"name": "Gasket", "is_storable": True})
        self.env["stock.quant"]._update_available_quantity(part, self.stock_location, 5.0)
        order = self._order(
            planned_hours=2.0,
            line_ids=[Command.create({"product_id": part.id, "quantity": 2.0})],
        )
        wizard = self._dispatch()
        self.assertEqual(wizard.planned_line_ids.order_id, order)
        wizard.action_confirm()
        self.assertEqual(order.state, "scheduled")
        self.assertTrue(order.technician_ids)
        self.assertEqual(order.line_ids.move_ids.state, "assigned")

    # ------------------------------------------------------------------
    # Reset to New
    # ------------------------------------------------------------------
    def test_reset_returns_the_order_to_the_pool(self):
        order = self._order(self.anna, utc(8), utc(10))
        order.action_schedule()
        order.with_user(self.service_user).action_reset()
        self.assertEqual(self._snapshot(order), (self.env["res.users"], False, False, "new"))
        board = self.env["after_sales.order"].with_user(self.service_user)
        data = board.get_dispatch_board_data("2026-03-02", 1)
        self.assertIn(order.id, [values["id"] for values in data["unassigned"]])
        self.assertIn(order, self._dispatch().planned_line_ids.order_id)
        # a cancelled order taken up again too
        order.action_cancel()
        order.action_reset()
        self.assertEqual(order.state, "new")

    def test_reset_refused_for_running_or_locked_orders(self):
        running = self._order(self.anna, utc(8), utc(10))
        running.action_start()
        before = self._snapshot(running)
        with self.assertRaisesRegex(UserError, "cannot be reset"):
            running.action_reset()
        self.assertEqual(self._snapshot(running), before)
        locked = self._order(self.bram, utc(8), utc(10), planning_locked=True)
        locked.action_schedule()
        before = self._snapshot(locked)
        with self.assertRaisesRegex(UserError, "is locked"):
            locked.action_reset()
        self.assertEqual(self._snapshot(locked), before)
        # unlocked in the same write: back to the pool
        locked.write({"state": "new", "planning_locked": False})
        self.assertEqual(self._snapshot(locked), (self.env["res.users"], False, False, "new"))

    # ------------------------------------------------------------------
    # A running order keeps its technicians
    # ------------------------------------------------------------------
    def test_running_order_keeps_its_technician(self):
        order = self._order(self.anna, utc(8), utc(10))
        # before it starts, another technician may take it
        order.technician_ids = [Command.set(self.bram.user_id.ids)]
        order.action_start()
        before = self._snapshot(order)
        with self.assertRaisesRegex(UserError, "in progress: it cannot be moved"):
            order.with_user(self.service_user).write(
                {"technician_ids": [Command.set(self.anna.user_id.ids)]}
            )
        self.assertEqual(self._snapshot(order), before)
        # nor by a drop on the board in the same slot
        with self.assertRaisesRegex(UserError, "in progress: it cannot be moved"):
            order.with_user(self.service_user).action_board_move(
                self.anna.id, fields_string(order.planned_date_start)
            )
        self.assertEqual(self._snapshot(order), before)
        # a second technician neither
        with self.assertRaisesRegex(UserError, "in progress: it cannot be moved"):
            order.technician_ids = [Command.link(self.anna.user_id.id)]
        self.assertEqual(order.technician_ids, self.bram.user_id)

    # ------------------------------------------------------------------
    # Orders without a duration
    # ------------------------------------------------------------------
    def test_orders_without_duration_are_checked(self):
        self.assertEqual(self.type_corrective.default_duration, 1.0)
        first = self._order(self.anna, utc(8))
        self.assertFalse(first.planned_hours)
        self.assertEqual(first._planning_interval(), (utc(8), utc(9)))
        count = self.env["after_sales.order"].search_count([])
        with self.assertRaisesRegex(ValidationError, "Anna is already booked"):
            self._order(self.anna, utc(8))
        with self.assertRaisesRegex(ValidationError, "Anna is already booked"):
            self._order(self.anna, utc(8, 30), utc(8, 30))
        # an order whose end is its start books its default duration too
        self._order(self.bram, utc(8), utc(8))
        with self.assertRaisesRegex(ValidationError, "Bram is already booked"):
            self._order(self.bram, utc(8, 30))
        self.assertEqual(self.env["after_sales.order"].search_count([]), count + 1)
        # an hour later is free
        self._order(self.anna, utc(9))
        # the default of the type is the rule: a longer one books longer
        self.type_corrective.default_duration = 2.0
        self.assertEqual(first._planning_interval(), (utc(8), utc(10)))
        with self.assertRaisesRegex(ValidationError, "Anna is already booked"):
            self._order(self.anna, utc(8, 30))
        with mute_logger("odoo.sql_db"), self.assertRaises(psycopg2.errors.CheckViolation):
            self.type_corrective.default_duration = 0.0
            self.type_corrective.flush_recordset()
        self.assertEqual(self.type_corrective.default_duration, 2.0)

    def test_board_and_dispatcher_use_the_default_duration(self):
        order = self._order()
        data = self.env["after_sales.order"].get_dispatch_board_data("2026-03-02", 1)
        self.assertEqual(
            next(values["hours"] for values in data["unassigned"] if values["id"] == order.id),
            1.0,
        )
        line = self._dispatch().planned_line_ids
        self.assertEqual(line.order_id, order)
        self.assertEqual(line.date_end - line.date_start, timedelta(hours=1))

    # ------------------------------------------------------------------
    # One travel rule
    # ------------------------------------------------------------------
    def test_half_day_visits_at_one_customer(self):
        """No coordinates, no zones: two half days at one customer are accepted by
        hand, and the dispatcher finds them too."""
        self.bram.sudo().is_after_sales_technician = False
        by_hand = self._order(self.anna, utc(7), utc(11), planned_hours=4.0) | self._order(
            self.anna, utc(12), utc(16), planned_hours=4.0
        )
        self.assertEqual(len(by_hand), 2)
        by_hand.action_cancel()
        morning = self._order(planned_hours=4.0)
        afternoon = self._order(planned_hours=4.0)
        wizard = self._dispatch()
        self.assertFalse(wizard.unplanned_line_ids)
        self.assertEqual(wizard.planned_line_ids.order_id, morning | afternoon)
        self.assertEqual(set(wizard.planned_line_ids.mapped("travel_minutes")), {0})
        wizard.action_confirm()
        self.assertEqual((morning | afternoon).mapped("state"), ["scheduled", "scheduled"])

    def test_travel_is_working_time(self):
        """Between two zones 45 minutes: across the lunch break the gap is long
        enough, but the travel is working time, as the dispatcher counts it."""
        north_one, _north_two, south_one = self.places[2:5]
        self._order(self.anna, utc(10), utc(11), partner_id=north_one.id)
        count = self.env["after_sales.order"].search_count([])
        with self.assertRaisesRegex(ValidationError, "travel of 45 minutes is working time"):
            self._order(self.anna, utc(12), utc(13), partner_id=south_one.id)
        self.assertEqual(self.env["after_sales.order"].search_count([]), count)
        self._order(self.anna, utc(12, 45), utc(13, 30), partner_id=south_one.id)


def fields_string(moment):
    return moment.strftime("%Y-%m-%d %H:%M:%S")


@tagged("post_install", "-at_install")
class TestPlanningAgreement(PlanningEdgesCommon):
    """The dispatcher and the server agree, on generated instances. Time is not
    frozen here: the optimiser's time limit runs on the clock."""

    def _minutes(self, moment):
        return int((moment - HORIZON_START).total_seconds() // 60)

    @settings(
        max_examples=12,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    @given(st.data())
    def test_every_proposal_passes_the_server(self, data):
        with self.env.cr.savepoint() as savepoint:
            places = self.places
            for _index in range(data.draw(st.integers(1, 5))):
                self._order(
                    partner_id=data.draw(st.sampled_from(places.ids)),
                    planned_hours=data.draw(st.sampled_from([0.0, 0.5, 1.0, 2.0, 4.0])),
                )
            if data.draw(st.booleans()):
                # a visit planned by hand first, the dispatcher plans around it
                hour = data.draw(st.sampled_from([7, 9, 12, 14]))
                fixed = self._order(partner_id=data.draw(st.sampled_from(places.ids)))
                try:
                    with self.env.cr.savepoint():
                        fixed.write(
                            {
                                "technician_ids": [Command.set(self.anna.user_id.ids)],
                                "planned_date_start": utc(hour),
                            }
                        )
                except ValidationError:
                    fixed.action_cancel()
            wizard = self._dispatch(solver=data.draw(st.sampled_from(["greedy", "optimiser"])))
            proposal = wizard.planned_line_ids.mapped(
                lambda line: (line.order_id, line.employee_id, line.date_start)
            )
            # no refusal of the server on Confirm
            wizard.action_confirm()
            for order, employee, start in proposal:
                self.assertEqual(order.state, "scheduled")
                self.assertEqual(order.technician_ids, employee.user_id)
                self.assertEqual(order.planned_date_start, start)
            savepoint.rollback()

    @settings(
        max_examples=25,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    @given(st.data())
    def test_server_accepts_nothing_the_dispatcher_refuses_for_travel(self, data):
        """Two orders of one technician on one day, written by hand: when the server
        accepts both, the dispatcher's checker finds no travel violation in them."""
        with self.env.cr.savepoint() as savepoint:
            orders = self.env["after_sales.order"]
            for _index in range(2):
                start = utc(7) + timedelta(minutes=15 * data.draw(st.integers(0, 32)))
                end = start + timedelta(minutes=15 * data.draw(st.integers(1, 8)))
                try:
                    with self.env.cr.savepoint():
                        orders |= self._order(
                            self.anna,
                            start,
                            end,
                            partner_id=data.draw(st.sampled_from(self.places.ids)),
                        )
                except ValidationError:
                    continue
            if len(orders) == 2:
                self.assertFalse(self._travel_violations(self.anna, orders))
            savepoint.rollback()

    def _travel_violations(self, employee, orders):
        """The violations :func:`dispatch.check_plan` finds with travel and not
        without it, for ``orders`` placed as they are, as jobs of the dispatcher: the
        first one written is there already (a fixed job), the second one is placed
        next to it, as the server checks the order being written."""
        work = employee._after_sales_work_intervals(HORIZON_START, HORIZON_END)[employee.id]
        intervals = [
            (self._minutes(to_utc_naive(begin)), self._minutes(to_utc_naive(stop)))
            for begin, stop, _meta in work
        ]
        technician = dispatch.Technician(employee.id, {}, intervals)
        wizard = self.env["after_sales.order.dispatch"].create(
            {"date_start": HORIZON_START, "date_end": HORIZON_END}
        )
        jobs = [wizard._make_job(order) for order in orders]
        # as placed by hand: their own slot, their own duration
        plan = dispatch.Plan()
        placed = []
        for index, (job, order) in enumerate(zip(jobs, orders, strict=True)):
            start, end = (self._minutes(moment) for moment in order._planning_interval())
            fixed = (employee.id, start) if index == 0 else None
            placed.append(
                dispatch.Job(
                    job.id,
                    end - start,
                    location=job.location,
                    zone=job.zone,
                    site=job.site,
                    fixed=fixed,
                )
            )
            plan.assignments.append(dispatch.Assignment(job.id, employee.id, start, end))
        nowhere = [
            dispatch.Job(job.id, job.duration, site=f"site{job.id}", fixed=job.fixed)
            for job in placed
        ]

        def keys(violations):
            return {(key, params.get("job")) for key, params in violations}

        with_travel = keys(dispatch.check_plan([technician], placed, plan))
        return with_travel - keys(dispatch.check_plan([technician], nowhere, plan))


@tagged("post_install", "-at_install")
class TestKpiPreviousPeriod(AfterSalesCommon):
    def _previous(self, date_from, date_to):
        result = (
            self.env["after_sales.kpi"].with_user(self.service_user).get_kpis(date_from, date_to)
        )
        return result["previous"]["date_from"], result["previous"]["date_to"]

    def test_previous_calendar_period(self):
        # This Month in December: November
        self.assertEqual(self._previous("2026-12-01", "2026-12-31"), ("2026-11-01", "2026-11-30"))
        # March after a leap February
        self.assertEqual(self._previous("2028-03-01", "2028-03-31"), ("2028-02-01", "2028-02-29"))
        # a quarter, a year
        self.assertEqual(self._previous("2026-10-01", "2026-12-31"), ("2026-07-01", "2026-09-30"))
        self.assertEqual(self._previous("2026-01-01", "2026-12-31"), ("2025-01-01", "2025-12-31"))
        # any other span: as many days just before
        self.assertEqual(self._previous("2026-12-10", "2026-12-19"), ("2026-11-30", "2026-12-09"))


@tagged("post_install", "-at_install")
@freeze_time("2026-02-27 12:00:00")
class TestPartsShortage(PlanningEdgesCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.gasket = cls.env["product.product"].create(
            {"name": "Edge gasket", "is_storable": True, "standard_price": 10.0}
        )
        cls.stock_keeper = new_test_user(
            cls.env,
            login="edges_stock_keeper",
            groups="stock.group_stock_manager",
            company_id=cls.company.id,
        )

    def _parts_order(self, quantity, technician=None, start=None, **vals):
        return self._order(
            technician,
            start,
            planned_hours=1.0,
            line_ids=[Command.create({"product_id": self.gasket.id, "quantity": quantity})],
            **vals,
        )

    def _incoming(self, quantity, when):
        """A receipt of gaskets planned for ``when``, not done."""
        move = self.env["stock.move"].create(
            {
                "product_id": self.gasket.id,
                "product_uom_qty": quantity,
                "location_id": self.env.ref("stock.stock_location_suppliers").id,
                "location_dest_id": self.stock_location.id,
                "date": when,
            }
        )
        move._action_confirm()
        move.date = when
        return move

    def test_shortage_is_visible(self):
        self.env["stock.quant"]._update_available_quantity(self.gasket, self.stock_location, 1.0)
        order = self._parts_order(3.0, self.anna, utc(8))
        self.assertTrue(order.has_missing_parts, "new: more than is free")
        self.assertFalse(order.is_waiting_parts)
        self.assertFalse(order.parts_expected_date, "nothing planned brings them")
        order.with_user(self.service_user).action_schedule()
        self.assertTrue(order.is_waiting_parts)
        Order = self.env["after_sales.order"].with_user(self.service_user)
        self.assertEqual(Order.search([("is_waiting_parts", "=", True)]), order)
        activity = order.activity_ids.filtered(lambda a: a.summary == "Parts missing")
        self.assertTrue(activity.user_id.has_group("stock.group_stock_manager"))
        self.assertIn("2 x Edge gasket", activity.note)
        # scheduling again does not pile activities up
        order._notify_parts_missing()
        self.assertEqual(
            len(order.activity_ids.filtered(lambda a: a.summary == "Parts missing")), 1
        )
        # the receipt planned for Tuesday brings them
        self._incoming(5.0, utc(10, day=date(2026, 3, 3)))
        order.invalidate_recordset(["parts_expected_date"])
        self.assertEqual(order.parts_expected_date, utc(10, day=date(2026, 3, 3)))
        board = Order.get_dispatch_board_data("2026-03-02", 2)
        values = next(v for v in board["orders"] if v["id"] == order.id)
        self.assertTrue(values["missing_parts"])
        self.assertTrue(values["parts_expected_label"])
        # parts in stock: no longer waiting
        self.env["stock.quant"]._update_available_quantity(self.gasket, self.stock_location, 5.0)
        order.line_ids._sync_stock_moves()
        self.assertFalse(order.is_waiting_parts)

    def test_dispatcher_plans_after_the_parts_are_expected(self):
        order = self._parts_order(2.0)
        horizon = {"date_start": HORIZON_START, "date_end": HORIZON_START + timedelta(days=3)}
        wizard = self._dispatch(**horizon)
        self.assertFalse(wizard.planned_line_ids)
        self.assertIn("nothing planned brings them", wizard.unplanned_line_ids.explanation)
        expected = utc(10, day=date(2026, 3, 3))
        self._incoming(2.0, expected)
        wizard = self._dispatch(**horizon)
        line = wizard.planned_line_ids
        self.assertEqual(line.order_id, order)
        self.assertGreaterEqual(line.date_start, expected)
        self.assertEqual(line.parts_expected_date, expected)
        # expected after the horizon: not planned in it
        wizard = self._dispatch(date_start=HORIZON_START, date_end=HORIZON_END)
        self.assertIn("after the horizon", wizard.unplanned_line_ids.explanation)

    def test_parts_used_from_outside_stock_are_recorded(self):
        order = self._parts_order(2.0, self.anna, utc(8))
        order.action_schedule()
        order.action_start()
        order.line_ids.quantity_done = 2.0
        order.action_done()
        self.assertEqual(order.state, "done")
        quant = self.env["stock.quant"]._gather(self.gasket, self.stock_location, strict=True)
        self.assertEqual(sum(quant.mapped("quantity")), -2.0)
        activity = order.activity_ids.filtered(
            lambda a: a.summary == "Parts used from outside stock"
        )
        self.assertTrue(activity.user_id.has_group("stock.group_stock_manager"))
        self.assertIn("2 Units Edge gasket", activity.note)
        self.assertTrue(
            order.message_ids.filtered(lambda m: "Parts used from outside stock" in m.body)
        )
        # parts that were there: nothing to record
        self.env["stock.quant"]._update_available_quantity(self.gasket, self.stock_location, 5.0)
        stocked = self._parts_order(1.0, self.anna, utc(12))
        stocked.action_start()
        stocked.line_ids.quantity_done = 1.0
        stocked.action_done()
        self.assertFalse(stocked.activity_ids)
