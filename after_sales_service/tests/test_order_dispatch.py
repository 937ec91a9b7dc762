from datetime import date, datetime
from unittest.mock import patch

import pytz
from freezegun import freeze_time

# ortools imports pandas, whose C extensions crash when first imported while freezegun
# has replaced datetime: import it before any test freezes time.
from ortools.sat.python import cp_model  # noqa: F401 pylint: disable=unused-import

from odoo.exceptions import ValidationError
from odoo.fields import Command
from odoo.tests import Form, tagged

from .common import AfterSalesCommon, make_technician

# Sunday 1 March 2026; Amsterdam is UTC+1: the horizon Monday 2 to Wednesday 4 March
# (local) runs from 1 March 23:00 to 4 March 23:00 UTC.
HORIZON_START = datetime(2026, 3, 1, 23, 0)
HORIZON_END = datetime(2026, 3, 4, 23, 0)
AMSTERDAM = pytz.timezone("Europe/Amsterdam")


def local(moment):
    return pytz.utc.localize(moment).astimezone(AMSTERDAM)


@tagged("post_install", "-at_install")
@freeze_time("2026-03-01 12:00:00")
class TestOrderDispatch(AfterSalesCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.calendar = cls._office_calendar("Amsterdam 8-17")
        cls.skill_type = (
            cls.env["hr.skill.type"]
            .sudo()
            .create(
                {
                    "name": "Refrigeration",
                    "skill_ids": [
                        Command.create({"name": "F-gas handling"}),
                        Command.create({"name": "Ammonia plants"}),
                    ],
                    "skill_level_ids": [
                        Command.create({"name": "Beginner", "level_progress": 25}),
                        Command.create({"name": "Expert", "level_progress": 75}),
                    ],
                }
            )
        )
        cls.fgas, cls.ammonia = cls.skill_type.skill_ids.sorted("id")
        cls.beginner, cls.expert = cls.skill_type.skill_level_ids.sorted("level_progress")
        cls.type_cooling = cls._service_type("Cooling repair", "cooling_dispatch", cls.fgas)
        cls.type_ammonia = cls._service_type("Ammonia plant", "ammonia_dispatch", cls.ammonia)
        cls.anna = cls._make_technician("anna", cls.expert)
        cls.bram = cls._make_technician("bram", cls.beginner)
        cls.customer.write({"partner_latitude": 52.37, "partner_longitude": 4.89})
        cls.other_customer.write({"partner_latitude": 52.09, "partner_longitude": 5.12})

    @classmethod
    def _service_type(cls, name, code, skill):
        return cls.env["after_sales.service.type"].create(
            {
                "name": name,
                "code": code,
                "required_skill_ids": [
                    Command.create(
                        {
                            "skill_type_id": cls.skill_type.id,
                            "skill_id": skill.id,
                            "skill_level_id": cls.expert.id,
                        }
                    )
                ],
            }
        )

    @classmethod
    def _make_technician(cls, login, skill_level):
        employee = make_technician(
            cls.env, f"dispatch_{login}", login.capitalize(), cls.calendar, cls.company
        )
        cls.env["hr.employee.skill"].sudo().create(
            {
                "employee_id": employee.id,
                "skill_type_id": cls.skill_type.id,
                "skill_id": cls.fgas.id,
                "skill_level_id": skill_level.id,
                "valid_from": date(2026, 1, 1),
            }
        )
        return employee.with_env(cls.env)

    def setUp(self):
        super().setUp()
        # other new unassigned orders of the company (demo data) are not ours to plan
        self.env["after_sales.order"].search(
            [("state", "=", "new"), ("technician_ids", "=", False)]
        ).write({"state": "cancelled"})
        self.cooling = self._order(self.type_cooling, 2.0)
        self.repair = self._order(self.type_corrective, 3.0, partner=self.other_customer)
        self.small = self._order(self.type_corrective, 1.5)
        self.orders = self.cooling | self.repair | self.small

    def _order(self, service_type, hours, partner=None, **vals):
        return self.env["after_sales.order"].create(
            {
                "service_type_id": service_type.id,
                "partner_id": (partner or self.customer).id,
                "date_received": datetime(2026, 3, 1, 8, 0),
                "planned_hours": hours,
                **vals,
            }
        )

    def _dispatch(self, user=None, solver="optimiser"):
        env = self.env(user=user) if user else self.env
        with Form(env["after_sales.order.dispatch"]) as form:
            form.date_start = HORIZON_START
            form.date_end = HORIZON_END
            form.time_limit = 2
            form.solver = solver
        wizard = form.record
        wizard.action_compute()
        return wizard

    def _snapshot(self, orders):
        return [
            (o.technician_ids, o.planned_date_start, o.planned_date_end, o.state) for o in orders
        ]

    def _assert_sound(self, lines):
        """Every planned line lies in one working half-day of its technician, and the
        lines of a technician do not overlap."""
        by_employee = {}
        for line in lines:
            start, end = local(line.date_start), local(line.date_end)
            self.assertEqual(start.date(), end.date())
            self.assertLess(start.weekday(), 5)
            self.assertTrue(
                (start.hour >= 8 and end.hour * 60 + end.minute <= 12 * 60)
                or (start.hour >= 13 and end.hour * 60 + end.minute <= 17 * 60),
                f"{start} - {end} outside working time",
            )
            by_employee.setdefault(line.employee_id, []).append((line.date_start, line.date_end))
        for slots in by_employee.values():
            slots.sort()
            for (_s1, e1), (s2, _e2) in zip(slots, slots[1:], strict=False):
                self.assertLessEqual(e1, s2)

    # ------------------------------------------------------------------
    def test_compute_proposes_sound_plan_and_writes_nothing(self):
        before = self._snapshot(self.orders)
        for solver in ("optimiser", "greedy"):
            wizard = self._dispatch(self.service_user, solver=solver)
            planned = wizard.planned_line_ids
            self.assertEqual(planned.order_id, self.orders, solver)
            self.assertFalse(wizard.unplanned_line_ids)
            # the cooling repair needs F-gas at expert level: only Anna has it
            self.assertEqual(
                planned.filtered(lambda line: line.order_id == self.cooling).employee_id, self.anna
            )
            self._assert_sound(planned)
            for line in planned:
                hours = (line.date_end - line.date_start).total_seconds() / 3600
                self.assertAlmostEqual(hours, line.order_id.planned_hours)
                self.assertIn("Travel:", line.explanation)
            self.env.invalidate_all()
            self.assertEqual(self._snapshot(self.orders), before)
            for order in self.orders:
                self.assertFalse(order.technician_ids)
                self.assertFalse(order.planned_date_start)
                self.assertEqual(order.state, "new")

    def test_confirm_writes_the_preview(self):
        wizard = self._dispatch(self.service_user)
        self.assertFalse(wizard.line_ids.employee_id.user_id - (self.anna | self.bram).user_id)
        proposal = {
            line.order_id: (line.employee_id.user_id, line.date_start, line.date_end)
            for line in wizard.planned_line_ids
        }
        wizard.action_confirm()
        self.env.invalidate_all()
        self.assertEqual(len(proposal), 3)
        for order, (user, start, end) in proposal.items():
            self.assertEqual(order.technician_ids, user)
            self.assertEqual((order.planned_date_start, order.planned_date_end), (start, end))
            # confirmed as a drop on the board does: scheduled, parts reserved
            self.assertEqual(order.state, "scheduled")
        # planned now: a second run has nothing left to plan
        self.assertFalse(self._dispatch().line_ids)

    def test_travel_from_planned_order_counts(self):
        # Bram works at the other customer (Utrecht, ~40 km away) Monday 08:00-11:00
        # local; the small job in Amsterdam right after must leave time to drive there
        (self.cooling | self.repair).write({"state": "cancelled"})
        self.anna.sudo().is_after_sales_technician = False
        planned = self._order(
            self.type_corrective,
            3.0,
            partner=self.other_customer,
            technician_ids=[Command.set(self.bram.user_id.ids)],
            planned_date_start=datetime(2026, 3, 2, 7, 0),
            planned_date_end=datetime(2026, 3, 2, 10, 0),
        )
        line = self._dispatch(solver="greedy").planned_line_ids
        self.assertEqual(line.order_id, self.small)
        self.assertEqual(line.employee_id, self.bram)
        self.assertGreater(line.travel_minutes, 30)
        self.assertGreaterEqual(
            (line.date_start - planned.planned_date_end).total_seconds() / 60,
            line.travel_minutes,
        )
        self.assertIn(f"from {planned.name}", line.explanation)

    def test_confirm_refused_rolls_everything_back(self):
        wizard = self._dispatch()
        last = wizard.planned_line_ids[-1]
        # someone books the technician in the last proposed slot after Compute
        self._order(
            self.type_corrective,
            1.0,
            technician_ids=[Command.set(last.employee_id.user_id.ids)],
            planned_date_start=last.date_start,
            planned_date_end=last.date_end,
        )
        # assertRaises (not assertRaisesRegex) rolls back to a savepoint, as the
        # failed request would
        with self.assertRaises(ValidationError) as refusal:
            wizard.action_confirm()
        self.assertIn("already booked", str(refusal.exception))
        self.env.invalidate_all()
        for order in self.orders:
            self.assertFalse(order.technician_ids)
            self.assertFalse(order.planned_date_start)

    def test_missing_skill_is_unplanned_with_reason(self):
        ammonia = self._order(self.type_ammonia, 1.0)
        wizard = self._dispatch()
        self.assertEqual(wizard.planned_line_ids.order_id, self.orders)
        line = wizard.unplanned_line_ids
        self.assertEqual(line.order_id, ammonia)
        self.assertIn("No technician has the skills", line.explanation)
        self.assertIn("Ammonia plants (75%)", line.explanation)

    def test_no_duration_takes_the_default_of_its_type(self):
        # the server's rule: the default duration of the service type (an hour)
        empty = self._order(self.type_corrective, 0.0)
        wizard = self._dispatch()
        self.assertFalse(wizard.unplanned_line_ids)
        line = wizard.planned_line_ids.filtered(lambda line: line.order_id == empty)
        self.assertEqual((line.date_end - line.date_start).total_seconds(), 3600)

    def test_zero_technicians_all_unplanned(self):
        (self.anna | self.bram).sudo().is_after_sales_technician = False
        wizard = self._dispatch()
        self.assertFalse(wizard.planned_line_ids)
        self.assertEqual(wizard.unplanned_line_ids.order_id, self.orders)
        for line in wizard.unplanned_line_ids:
            self.assertIn("No technician of", line.explanation)
        wizard.action_confirm()
        self.assertFalse(self.orders.technician_ids)

    def test_order_in_progress_never_touched(self):
        # Monday 09:00-12:00 local for Bram, started
        busy = self._order(
            self.type_corrective,
            3.0,
            technician_ids=[Command.set(self.bram.user_id.ids)],
            planned_date_start=datetime(2026, 3, 2, 8, 0),
            planned_date_end=datetime(2026, 3, 2, 11, 0),
        )
        busy.action_schedule()
        busy.action_start()
        before = self._snapshot(busy)
        wizard = self._dispatch()
        self.assertNotIn(busy, wizard.line_ids.order_id)
        for line in wizard.planned_line_ids.filtered(lambda line: line.employee_id == self.bram):
            self.assertTrue(
                line.date_end <= busy.planned_date_start or line.date_start >= busy.planned_date_end
            )
        wizard.action_confirm()
        self.env.invalidate_all()
        self.assertEqual(self._snapshot(busy), before)
        self.assertEqual(busy.state, "in_progress")

    def test_default_horizon(self):
        wizard = self.env["after_sales.order.dispatch"].create({})
        self.assertEqual((wizard.date_end - wizard.date_start).days, 5)
        self.assertEqual(wizard.speed_kmh, 50)
        self.assertEqual(wizard.solver, "optimiser")
        with self.assertRaises(ValidationError):
            wizard.date_end = wizard.date_start

    # ------------------------------------------------------------------
    # Customer windows, locks and the nightly planning
    # ------------------------------------------------------------------
    def test_customer_window_respected(self):
        # Tuesday 3 March, 14:00-16:30 in Amsterdam
        window = (datetime(2026, 3, 3, 13, 0), datetime(2026, 3, 3, 15, 30))
        self.small.write({"window_start": window[0], "window_end": window[1]})
        for solver in ("greedy", "optimiser"):
            wizard = self._dispatch(solver=solver)
            line = wizard.planned_line_ids.filtered(lambda line: line.order_id == self.small)
            self.assertTrue(line, solver)
            self.assertGreaterEqual(line.date_start, window[0], solver)
            self.assertLessEqual(line.date_end, window[1], solver)
        wizard.action_confirm()
        self.assertGreaterEqual(self.small.planned_date_start, window[0])
        # a window nobody can meet (a Saturday) leaves the order unplanned, with the reason
        saturday = self._order(
            self.type_corrective,
            1.0,
            window_start=datetime(2026, 3, 7, 8, 0),
            window_end=datetime(2026, 3, 7, 16, 0),
        )
        wizard = self._dispatch()
        self.assertEqual(wizard.unplanned_line_ids.order_id, saturday)
        self.assertIn("time window", wizard.unplanned_line_ids.explanation)

    def test_locked_and_confirmed_orders_are_not_planned(self):
        self.small.planning_locked = True
        self.repair.customer_confirmed = True
        wizard = self._dispatch()
        self.assertEqual(wizard.line_ids.order_id, self.cooling)

    def _cron(self):
        self.company.after_sales_plan_days = 3
        with patch.object(type(self.env["ir.cron"]), "_commit_progress", return_value=60.0):
            self.env["after_sales.order.dispatch"]._cron_plan_orders()
        self.env.invalidate_all()

    def test_nightly_planning(self):
        fixed = self._order(
            self.type_corrective,
            1.0,
            technician_ids=[Command.set(self.bram.user_id.ids)],
            planned_date_start=datetime(2026, 3, 3, 8, 0),
            planned_date_end=datetime(2026, 3, 3, 9, 0),
            planning_locked=True,
        )
        started = self._order(
            self.type_corrective,
            1.0,
            technician_ids=[Command.set(self.anna.user_id.ids)],
            planned_date_start=datetime(2026, 3, 2, 8, 0),
            planned_date_end=datetime(2026, 3, 2, 9, 0),
        )
        started.action_schedule()
        started.action_start()
        locked = self._order(self.type_corrective, 1.0, planning_locked=True)
        before = self._snapshot(fixed | started | locked)
        # no company asks for it: nothing happens
        with patch.object(type(self.env["ir.cron"]), "_commit_progress", return_value=60.0):
            self.env["after_sales.order.dispatch"]._cron_plan_orders()
        self.assertFalse(self.orders.technician_ids)
        self._cron()
        self.assertEqual(self._snapshot(fixed | started | locked), before)
        for order in self.orders:
            self.assertTrue(order.technician_ids, order.name)
            # planned as the dispatcher's Confirm does: scheduled
            self.assertEqual(order.state, "scheduled")
            self.assertGreaterEqual(order.planned_date_start, HORIZON_START)
            self.assertLessEqual(order.planned_date_end, HORIZON_END)
        self.assertEqual(self.cooling.technician_ids, self.anna.user_id)
        # a second run moves nothing
        planned = self._snapshot(self.orders)
        self._cron()
        self.assertEqual(self._snapshot(self.orders), planned)

    def test_nightly_planning_one_refused_order_gets_an_activity(self):
        order_model = type(self.env["after_sales.order"])
        check = order_model._check_technician_planning
        broken = self.repair

        def refuse_broken(orders):
            if broken in orders and orders.technician_ids:
                raise ValidationError(orders.env._("The customer's site is closed for works."))
            return check(orders)

        with patch.object(order_model, "_check_technician_planning", refuse_broken):
            self._cron()
        self.assertFalse(broken.technician_ids)
        self.assertFalse(broken.planned_date_start)
        activity = broken.activity_ids.filtered(lambda a: a.summary == "Automatic planning failed")
        self.assertEqual(len(activity), 1)
        self.assertIn("site is closed", str(activity.note))
        self.assertTrue(self.cooling.technician_ids)
        self.assertTrue(self.small.technician_ids)
