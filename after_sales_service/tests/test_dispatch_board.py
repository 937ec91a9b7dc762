from datetime import date, datetime, time, timedelta

import pytz
from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Command
from odoo.tests import HttpCase, new_test_user, tagged

from .common import AfterSalesCommon, make_technician, office_calendar
from .common_screenshots import ScreenshotTourMixin

# Monday 2 March 2026; Amsterdam is UTC+1 then: 09:00 local is 08:00 UTC.
MONDAY = date(2026, 3, 2)
AMSTERDAM = pytz.timezone("Europe/Amsterdam")


def utc(hour, minute=0, day=MONDAY):
    return datetime(day.year, day.month, day.day, hour, minute)


@tagged("post_install", "-at_install")
@freeze_time("2026-02-27 12:00:00")
class TestDispatchBoard(AfterSalesCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.calendar = cls._office_calendar("Amsterdam board hours")
        cls.anna = make_technician(cls.env, "board_anna", "Anna", cls.calendar, cls.company)
        cls.bram = make_technician(cls.env, "board_bram", "Bram", cls.calendar, cls.company)
        cls.service_user.tz = "Europe/Amsterdam"
        cls.other_company = cls.env["res.company"].create({"name": "Other Service Co"})
        cls.other_calendar = cls.calendar.sudo().copy({"company_id": cls.other_company.id})

    def setUp(self):
        super().setUp()
        # only the orders of these tests are unassigned
        self.env["after_sales.order"].search(
            [("state", "=", "new"), ("technician_ids", "=", False)]
        ).write({"state": "cancelled"})

    def _order(self, technician=None, start=None, end=None, **vals):
        values = {
            "service_type_id": self.type_corrective.id,
            "partner_id": self.customer.id,
            "date_received": utc(7),
            "planned_date_start": start,
            "planned_date_end": end,
            "planned_hours": 2.0,
        }
        if technician:
            values["technician_ids"] = [Command.set(technician.user_id.ids)]
        values.update(vals)
        return self.env["after_sales.order"].create(values)

    def _board(self, user=None, day=MONDAY):
        model = self.env["after_sales.order"].with_user(user or self.service_user)
        return model.get_dispatch_board_data(fields.Date.to_string(day))

    def _snapshot(self, order):
        order.invalidate_recordset()
        return (
            order.technician_ids,
            order.planned_date_start,
            order.planned_date_end,
            order.state,
        )

    # ------------------------------------------------------------------
    # Data of the board
    # ------------------------------------------------------------------
    def test_board_technicians_hours_and_orders(self):
        planned = self._order(self.anna, utc(8), utc(10))
        planned.action_schedule()
        # Bram is away on Tuesday
        self.env["resource.calendar.leaves"].sudo().create(
            {
                "name": "Training",
                "calendar_id": self.calendar.id,
                "resource_id": self.bram.resource_id.id,
                "date_from": utc(0, day=MONDAY + timedelta(days=1)),
                "date_to": utc(23, day=MONDAY + timedelta(days=1)),
            }
        )
        data = self._board()
        self.assertEqual(data["tz"], "Europe/Amsterdam")
        self.assertEqual(
            [day["date"] for day in data["days"]],
            [fields.Date.to_string(MONDAY + timedelta(days=n)) for n in range(5)],
        )
        self.assertTrue(all(day["label"] for day in data["days"]))
        self.assertEqual(data["utc_start"], "2026-03-01 23:00:00")
        self.assertEqual(data["utc_end"], "2026-03-06 23:00:00")
        technicians = {t["id"]: t for t in data["technicians"]}
        self.assertEqual(set(technicians), {self.anna.id, self.bram.id})
        anna, bram = technicians[self.anna.id], technicians[self.bram.id]
        self.assertEqual(anna["name"], "Anna")
        self.assertEqual(anna["days"]["2026-03-02"], {"available": 8.0, "planned": 2.0})
        self.assertEqual(anna["days"]["2026-03-03"], {"available": 8.0, "planned": 0.0})
        self.assertEqual(bram["days"]["2026-03-02"], {"available": 8.0, "planned": 0.0})
        self.assertEqual(bram["days"]["2026-03-03"], {"available": 0.0, "planned": 0.0})

        [order] = data["orders"]
        self.assertEqual(order["id"], planned.id)
        self.assertEqual(order["employee_ids"], [self.anna.id])
        self.assertEqual(order["date"], "2026-03-02")
        self.assertEqual(
            (order["start"], order["end"]), ("2026-03-02 08:00:00", "2026-03-02 10:00:00")
        )
        self.assertEqual((order["start_hour"], order["end_hour"]), (9.0, 11.0))
        self.assertEqual(order["state"], "scheduled")
        self.assertEqual(order["partner"], self.customer.display_name)
        self.assertFalse(order["planning_locked"])
        self.assertFalse(order["customer_confirmed"])
        self.assertEqual(order["planning_warning"], "")
        self.assertFalse(data["unassigned"])

    def test_unassigned_by_deadline_then_priority(self):
        def unassigned(deadline, priority):
            order = self._order(priority=priority)
            # no contract in these tests: give the SLA deadline directly
            order.resolution_deadline = deadline
            return order

        later = unassigned(utc(16, day=date(2026, 3, 5)), "1")
        soon_low = unassigned(utc(16, day=date(2026, 3, 3)), "0")
        none_urgent = unassigned(False, "3")
        none_normal = unassigned(False, "1")
        soon_high = unassigned(utc(16, day=date(2026, 3, 3)), "2")
        # an order with a technician is not unassigned, even without a slot
        self._order(self.anna)
        data = self._board()
        self.assertEqual(
            [order["id"] for order in data["unassigned"]],
            (soon_high | soon_low | later | none_urgent | none_normal).ids,
        )
        first = data["unassigned"][0]
        self.assertEqual(first["hours"], 2.0)
        self.assertEqual(first["deadline"], "2026-03-03 16:00:00")
        self.assertTrue(first["deadline_label"])

    def test_other_company_is_not_shown(self):
        make_technician(self.env, "board_other", "Otto", self.other_calendar, self.other_company)
        other_partner = (
            self.env["res.partner"]
            .sudo()
            .create({"name": "Elsewhere", "company_id": self.other_company.id})
        )
        other_order = (
            self.env["after_sales.order"]
            .sudo()
            .with_company(self.other_company)
            .create(
                {
                    "service_type_id": self.type_corrective.id,
                    "partner_id": other_partner.id,
                    "company_id": self.other_company.id,
                    "planned_hours": 1.0,
                }
            )
        )
        mine = self._order()
        data = self._board()
        self.assertEqual({t["id"] for t in data["technicians"]}, {self.anna.id, self.bram.id})
        self.assertEqual([order["id"] for order in data["unassigned"]], mine.ids)
        self.assertNotIn(other_order.id, [order["id"] for order in data["unassigned"]])

    def test_board_queries_do_not_grow(self):
        def count_queries():
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            data = self._board()
            return self.env.cr.sql_log_count - before, data

        for index, technician in enumerate((self.anna, self.bram)):
            self._order(technician, utc(8 + 2 * index), utc(9 + 2 * index))
        self._order()
        self._order(partner_id=self.other_customer.id)
        count_queries()  # warm the caches of access rules
        few, data = count_queries()
        self.assertEqual(len(data["technicians"]), 2)
        for index in range(8):
            technician = make_technician(
                self.env, f"board_many{index}", f"Many {index}", self.calendar, self.company
            )
            self._order(technician, utc(8), utc(9))
            self._order(technician, utc(13), utc(14), planned_hours=1.0)
            self._order(partner_id=self.other_customer.id)
        count_queries()  # new records: their pending computations are flushed here
        many, data = count_queries()
        self.assertEqual(len(data["technicians"]), 10)
        self.assertEqual(len(data["orders"]), 18)
        self.assertEqual(few, many)
        self.env.invalidate_all()
        with self.assertQueryCount(few):
            self._board()

    # ------------------------------------------------------------------
    # Moves
    # ------------------------------------------------------------------
    def _as_service_user(self, order):
        return order.with_user(self.service_user)

    def test_move_assigns_and_schedules(self):
        order = self._order()
        self._as_service_user(order).action_board_move(self.anna.id, "2026-03-02 12:00:00")
        self.assertEqual(self._snapshot(order), (self.anna.user_id, utc(12), utc(14), "scheduled"))
        # and on to Bram on Tuesday morning
        self._as_service_user(order).action_board_move(self.bram.id, "2026-03-03 08:00:00")
        self.assertEqual(
            self._snapshot(order),
            (
                self.bram.user_id,
                utc(8, day=date(2026, 3, 3)),
                utc(10, day=date(2026, 3, 3)),
                "scheduled",
            ),
        )

    def test_move_without_duration_takes_an_hour(self):
        order = self._order(planned_hours=0.0)
        self._as_service_user(order).action_board_move(self.anna.id, "2026-03-02 08:00:00")
        self.assertEqual(order.planned_date_end, utc(9))

    def test_move_refuses_double_booking(self):
        self._order(self.anna, utc(8), utc(10)).action_schedule()
        order = self._order()
        before = self._snapshot(order)
        with self.assertRaisesRegex(ValidationError, "Anna is already booked"):
            self._as_service_user(order).action_board_move(self.anna.id, "2026-03-02 09:00:00")
        self.assertEqual(self._snapshot(order), before)
        self.assertEqual(before, (self.env["res.users"], False, False, "new"))

    def test_move_refuses_outside_working_time(self):
        order = self._order()
        before = self._snapshot(order)
        # 06:00 in Amsterdam
        with self.assertRaisesRegex(ValidationError, "outside their working time"):
            self._as_service_user(order).action_board_move(self.anna.id, "2026-03-02 05:00:00")
        self.assertEqual(self._snapshot(order), before)

    def test_board_starts_today_without_date(self):
        """Called without a date (over RPC), the board starts today where the user is."""
        self._order(self.anna, utc(8), utc(10))
        model = self.env["after_sales.order"].with_user(self.service_user)
        self.assertEqual(
            model.get_dispatch_board_data(), model.get_dispatch_board_data("2026-02-27")
        )

    def test_order_refuses_people_of_another_company(self):
        """Responsible and technicians of an order work for its company."""
        otto = make_technician(
            self.env, "board_other", "Otto", self.other_calendar, self.other_company
        )
        order = self._order(self.anna)
        before = self._snapshot(order)
        as_service_user = self._as_service_user(order)
        for vals in (
            {"user_id": otto.user_id.id},
            {"technician_ids": [Command.link(otto.user_id.id)]},
        ):
            with self.assertRaises(UserError):
                as_service_user.write(vals)
            self.assertEqual(self._snapshot(order), before)
            self.assertNotEqual(order.user_id, otto.user_id)
        count = self.env["after_sales.order"].search_count([])
        with self.assertRaises(UserError):
            self._order(self.anna, user_id=otto.user_id.id)
        self.assertEqual(self.env["after_sales.order"].search_count([]), count)

    def test_move_refuses_other_company_or_non_technician(self):
        otto = make_technician(
            self.env, "board_other", "Otto", self.other_calendar, self.other_company
        )
        clerk = make_technician(self.env, "board_clerk", "Clerk", self.calendar, self.company)
        clerk.sudo().is_after_sales_technician = False
        order = self._order()
        before = self._snapshot(order)
        for employee in (otto, clerk, self.env["hr.employee"].browse(0)):
            with self.assertRaisesRegex(
                UserError, "can only be given to an after-sales technician"
            ):
                self._as_service_user(order).action_board_move(employee.id, "2026-03-02 08:00:00")
        self.assertEqual(self._snapshot(order), before)

    def test_move_respects_locks_and_rights(self):
        order = self._order(self.anna, utc(8), utc(10))
        order.action_schedule()
        order.planning_locked = True
        with self.assertRaisesRegex(UserError, "locked"):
            self._as_service_user(order).action_board_move(self.bram.id, "2026-03-02 08:00:00")
        with self.assertRaisesRegex(UserError, "locked"):
            self._as_service_user(order).action_board_unassign()
        self.assertEqual(self._snapshot(order), (self.anna.user_id, utc(8), utc(10), "scheduled"))
        # a technician does not dispatch
        free = self._order()
        with self.assertRaises(AccessError):
            free.with_user(self.technician).action_board_move(self.anna.id, "2026-03-02 12:00:00")
        self.assertFalse(free.technician_ids)

    def test_unassign(self):
        # proposed by the automatic planning: still New, with a technician and a slot
        order = self._order(self.anna, utc(8), utc(10))
        self._as_service_user(order).action_board_unassign()
        self.assertEqual(self._snapshot(order), (self.env["res.users"], False, False, "new"))
        self.assertIn(order.id, [o["id"] for o in self._board()["unassigned"]])
        # a scheduled order goes back to New as well
        scheduled = self._order(self.anna, utc(8), utc(10))
        scheduled.action_schedule()
        self._as_service_user(scheduled).action_board_unassign()
        self.assertEqual(self._snapshot(scheduled), (self.env["res.users"], False, False, "new"))


@tagged("post_install", "-at_install")
class TestDispatchBoardTour(ScreenshotTourMixin, HttpCase):
    def _board_setup(self):
        """A technician, a service user without HR rights who plans on the board and
        with the dispatcher, and two unassigned orders (nothing else to plan); the
        Monday three weeks ahead."""
        company = self.env.company
        calendar = office_calendar(self.env, "Board tour hours", company)
        technician = make_technician(
            self.env, "board_tour_technician", "Board Technician", calendar, company
        )
        new_test_user(
            self.env,
            login="board_tour_user",
            groups="after_sales_service.group_user",
            company_id=company.id,
            tz="Europe/Amsterdam",
        )
        self.env["after_sales.order"].search(
            [("state", "=", "new"), ("technician_ids", "=", False)]
        ).write({"state": "cancelled"})
        corrective = self.env.ref("after_sales_service.service_type_corrective")
        bakery, hotel = self.env["after_sales.order"].create(
            [
                {
                    "service_type_id": corrective.id,
                    "partner_id": self.env["res.partner"].create({"name": name}).id,
                    "planned_hours": 2.0,
                }
                for name in ("Board Bakery", "Board Hotel")
            ]
        )
        today = fields.Date.context_today(self.env["after_sales.order"])
        monday = today + timedelta(days=21 - today.weekday())
        return technician, bakery, hotel, monday

    def test_dispatcher_screens_and_cancel(self):
        """The board with a planned order and two unassigned ones, and the
        dispatcher's proposal (screenshots for the README); cancelling the proposal
        plans nothing."""
        technician, bakery, hotel, monday = self._board_setup()
        start = AMSTERDAM.localize(datetime.combine(monday, time(9))).astimezone(pytz.utc)
        planned = self.env["after_sales.order"].create(
            {
                "service_type_id": bakery.service_type_id.id,
                "partner_id": self.env["res.partner"].create({"name": "Board Cafe"}).id,
                "technician_ids": [Command.set(technician.user_id.ids)],
                "planned_date_start": start.replace(tzinfo=None),
                "planned_date_end": (start + timedelta(hours=2)).replace(tzinfo=None),
            }
        )
        planned.action_schedule()

        self.start_tour(
            f"/odoo/action-after_sales_dispatch_board?date_start={monday}",
            "after_sales_dispatcher_screens_tour",
            login="board_tour_user",
        )

        self.assertScreenshots("dispatch_board", "dispatcher")
        for order in bakery | hotel:
            self.assertFalse(order.technician_ids, "a cancelled proposal plans nothing")
            self.assertEqual(order.state, "new")

    def test_dispatch_board_tour(self):
        """A service user drags an unassigned order onto a technician's Monday, then
        plans the other one automatically from the board."""
        technician, bakery, hotel, monday = self._board_setup()

        self.start_tour(
            f"/odoo/action-after_sales_dispatch_board?date_start={monday}",
            "after_sales_dispatch_board_tour",
            login="board_tour_user",
        )

        user = technician.user_id
        self.assertEqual(bakery.technician_ids, user)
        self.assertEqual(bakery.state, "scheduled")
        local = pytz.utc.localize(bakery.planned_date_start).astimezone(AMSTERDAM)
        self.assertEqual(local.date(), monday)
        # dropped in the middle of the 06:00-20:00 cell
        self.assertTrue(time(12) <= local.time() <= time(14), local)
        self.assertEqual(bakery.planned_date_end - bakery.planned_date_start, timedelta(hours=2))
        self.assertEqual(hotel.technician_ids, user)
        hotel_day = pytz.utc.localize(hotel.planned_date_start).astimezone(AMSTERDAM).date()
        self.assertTrue(monday <= hotel_day < monday + timedelta(days=5), hotel_day)
