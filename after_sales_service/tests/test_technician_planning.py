from datetime import date, datetime

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Command
from odoo.tests import new_test_user, tagged

from .common import AfterSalesCommon, make_technician

# Monday 2 March 2026; Amsterdam is UTC+1 then: 08:30 local is 07:30 UTC.
MONDAY = date(2026, 3, 2)


def utc(hour, minute=0, day=MONDAY):
    return datetime(day.year, day.month, day.day, hour, minute)


@tagged("post_install", "-at_install")
@freeze_time("2026-02-27 12:00:00")
class TestTechnicianPlanning(AfterSalesCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.calendar = cls._office_calendar("Amsterdam office hours")
        cls.skill_type = (
            cls.env["hr.skill.type"]
            .sudo()
            .create(
                {
                    "name": "Refrigeration",
                    "skill_ids": [Command.create({"name": "F-gas handling"})],
                    "skill_level_ids": [
                        Command.create({"name": "Beginner", "level_progress": 25}),
                        Command.create({"name": "Expert", "level_progress": 75}),
                    ],
                }
            )
        )
        cls.fgas = cls.skill_type.skill_ids
        cls.beginner, cls.expert = cls.skill_type.skill_level_ids.sorted("level_progress")
        cls.type_cooling = cls.env["after_sales.service.type"].create(
            {
                "name": "Cooling repair",
                "code": "cooling_test",
                "required_skill_ids": [
                    Command.create(
                        {
                            "skill_type_id": cls.skill_type.id,
                            "skill_id": cls.fgas.id,
                            "skill_level_id": cls.expert.id,
                        }
                    )
                ],
            }
        )
        cls.anna = cls._make_technician("anna", skill_level=cls.expert)
        cls.bram = cls._make_technician("bram", skill_level=cls.beginner)

    @classmethod
    def _make_technician(cls, login, calendar=None, skill_level=None):
        employee = make_technician(
            cls.env,
            f"tech_{login}",
            login.capitalize(),
            calendar if calendar is not None else cls.calendar,
            cls.company,
        )
        if skill_level:
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

    def _order(self, technician=None, start=None, end=None, **vals):
        values = {
            "service_type_id": self.type_corrective.id,
            "partner_id": self.customer.id,
            "date_received": utc(7),
            "planned_date_start": start,
            "planned_date_end": end,
        }
        if technician:
            values["technician_ids"] = [Command.set(technician.user_id.ids)]
        values.update(vals)
        return self.env["after_sales.order"].create(values)

    # ------------------------------------------------------------------
    # Duration
    # ------------------------------------------------------------------
    def test_duration_from_checklist_unless_set_by_hand(self):
        self._create_checklist(self.type_corrective, ("Diagnose", 30, True), ("Fix", 60, True))
        order = self._order(self.anna, utc(8))
        self.assertAlmostEqual(order.planned_hours, 1.5)
        self.assertEqual(order._planning_interval(), (utc(8), utc(9, 30)))
        order.planned_hours = 2.0
        self.assertEqual(order._planning_interval(), (utc(8), utc(10)))
        # given at creation, the duration wins over the checklist too
        order = self._order(self.anna, utc(13), planned_hours=0.75)
        self.assertEqual(len(order.task_ids), 2)
        self.assertAlmostEqual(order.planned_hours, 0.75)

    # ------------------------------------------------------------------
    # Double booking
    # ------------------------------------------------------------------
    def test_double_booking_refused(self):
        first = self._order(self.anna, utc(8), utc(10))
        other = self._order(self.bram, utc(8), utc(10))  # another technician: fine
        self.assertEqual(other.technician_ids, self.bram.user_id)
        after = self._order(self.anna, utc(10), utc(11))  # right after: fine
        with self.assertRaisesRegex(ValidationError, f"Anna.*already booked.*{first.name}"):
            after.write({"planned_date_start": utc(9), "planned_date_end": utc(11)})
        self.assertEqual(after.planned_date_start, utc(10))
        count = self.env["after_sales.order"].search_count([])
        with self.assertRaisesRegex(ValidationError, "already booked"):
            self._order(self.anna, utc(9, 30), utc(10, 30))
        self.assertEqual(self.env["after_sales.order"].search_count([]), count)

    def test_context_does_not_switch_checks_off(self):
        self._order(self.anna, utc(8), utc(10))
        orders = self.env["after_sales.order"].with_context(
            skip_planning_check=True, tracking_disable=True
        )
        with self.assertRaisesRegex(ValidationError, "already booked"):
            orders.create(
                {
                    "service_type_id": self.type_corrective.id,
                    "partner_id": self.customer.id,
                    "planned_date_start": utc(9),
                    "planned_date_end": utc(11),
                    "technician_ids": [Command.set(self.anna.user_id.ids)],
                }
            )

    # ------------------------------------------------------------------
    # Working time and leaves
    # ------------------------------------------------------------------
    def test_outside_working_hours(self):
        # 08:30 in Amsterdam is 07:30 UTC: inside; 07:30 local (06:30 UTC) is not
        order = self._order(self.anna, utc(7, 30), utc(9))
        self.assertEqual(order.planned_date_start, utc(7, 30))
        with self.assertRaisesRegex(ValidationError, "Anna does not work.*outside their working"):
            order.write({"planned_date_start": utc(6, 30)})
        self.assertEqual(order.planned_date_start, utc(7, 30))
        # over the lunch break is fine, over the evening is not
        order.write({"planned_date_start": utc(10), "planned_date_end": utc(13)})
        with self.assertRaisesRegex(ValidationError, "outside their working"):
            order.write({"planned_date_end": utc(17)})
        self.assertEqual(order.planned_date_end, utc(13))

    def test_on_leave(self):
        self.env["resource.calendar.leaves"].sudo().create(
            {
                "name": "Dentist",
                "calendar_id": self.calendar.id,
                "resource_id": self.anna.resource_id.id,
                "date_from": utc(12),
                "date_to": utc(14),
            }
        )
        order = self._order(self.anna, utc(8), utc(10))
        with self.assertRaisesRegex(ValidationError, f"Anna is on leave during.*{order.name}"):
            order.write({"planned_date_start": utc(13), "planned_date_end": utc(15)})
        self.assertEqual(order.planned_date_start, utc(8))
        # Bram is not on leave then
        order.write({"technician_ids": [Command.set(self.bram.user_id.ids)]})
        order.write({"planned_date_start": utc(13), "planned_date_end": utc(15)})
        self.assertEqual(order.planned_date_start, utc(13))

    def test_technician_without_calendar_is_never_available(self):
        nocal = self._make_technician("nocal", calendar=self.env["resource.calendar"])
        self.assertFalse(nocal.resource_calendar_id)
        availability = nocal._after_sales_availability(utc(0), utc(23, 59))
        self.assertEqual(availability, {nocal.id: []})
        count = self.env["after_sales.order"].search_count([])
        with self.assertRaisesRegex(ValidationError, "Nocal has no working calendar"):
            self._order(nocal, utc(8), utc(9))
        self.assertEqual(self.env["after_sales.order"].search_count([]), count)

    # ------------------------------------------------------------------
    # Skills
    # ------------------------------------------------------------------
    def test_skills_and_levels(self):
        order = self._order(self.anna, utc(8), utc(9), service_type_id=self.type_cooling.id)
        self.assertEqual(order.technician_ids, self.anna.user_id)
        with self.assertRaisesRegex(ValidationError, "Bram cannot do.*F-gas handling.*75%"):
            order.write({"technician_ids": [Command.set(self.bram.user_id.ids)]})
        self.assertEqual(order.technician_ids, self.anna.user_id)
        nobody = self._make_technician("nobody")
        with self.assertRaisesRegex(ValidationError, "Nobody cannot do.*and they have none"):
            order.write({"technician_ids": [Command.set(nobody.user_id.ids)]})
        self.assertEqual(order.technician_ids, self.anna.user_id)

    def test_checklist_skills_count_too(self):
        self._create_checklist(
            self.type_corrective,
            ("Diagnose", 30, True),
            required_skill_ids=[
                Command.create(
                    {
                        "skill_type_id": self.skill_type.id,
                        "skill_id": self.fgas.id,
                        "skill_level_id": self.expert.id,
                    }
                )
            ],
        )
        self._order(self.anna, utc(8))
        with self.assertRaisesRegex(ValidationError, "Bram cannot do"):
            self._order(self.bram, utc(8))

    # ------------------------------------------------------------------
    # In progress, SLA, plain users
    # ------------------------------------------------------------------
    def test_order_in_progress_cannot_move(self):
        order = self._order(self.anna, utc(8), utc(9))
        order.action_schedule()
        order.action_start()
        with self.assertRaisesRegex(UserError, "in progress: it cannot be moved"):
            order.write({"planned_date_start": utc(10), "planned_date_end": utc(11)})
        self.assertEqual(order.planned_date_start, utc(8))
        # unchanged values are fine
        order.write({"planned_date_start": utc(8), "planned_date_end": utc(9)})
        other = self._order(self.bram, utc(8))
        other.action_schedule()
        other.action_start()
        other.write({"planned_date_end": False})

    def test_sla_lateness_is_a_warning(self):
        equipment = self._create_equipment(delivery_date=date(2025, 1, 1))
        contract = self._create_contract(
            equipment,
            start="2026-01-01",
            resource_calendar_id=self.calendar.id,
            sla_ids=[
                Command.create({"priority": "3", "response_hours": 1, "resolution_hours": 2}),
            ],
        )
        contract.action_start()
        order = self._order(
            self.anna, utc(8), utc(9), equipment_id=equipment.id, priority="3", date_received=utc(7)
        )
        self.assertTrue(order.resolution_deadline)
        self.assertFalse(order.planning_warning)
        order.write({"planned_date_start": utc(14), "planned_date_end": utc(15)})
        self.assertEqual(order.planned_date_start, utc(14))
        self.assertGreater(order.planning_late_hours, 0)
        self.assertIn("after the SLA resolution deadline", order.planning_warning)

    def test_plain_users_are_not_checked(self):
        # the common technician user has no technician employee: no calendar, no checks
        first = self._order(
            start=utc(3), end=utc(5), technician_ids=[Command.set(self.technician.ids)]
        )
        second = self._order(
            start=utc(4), end=utc(6), technician_ids=[Command.set(self.technician.ids)]
        )
        self.assertEqual((first | second).technician_ids, self.technician)

    # ------------------------------------------------------------------
    # Availability
    # ------------------------------------------------------------------
    def test_availability(self):
        self._order(self.anna, utc(8), utc(10))
        self.env["resource.calendar.leaves"].sudo().create(
            {
                "name": "Training",
                "calendar_id": self.calendar.id,
                "resource_id": self.bram.resource_id.id,
                "date_from": utc(13),
                "date_to": utc(16),
            }
        )
        availability = (self.anna | self.bram)._after_sales_availability(utc(0), utc(23))
        self.assertEqual(
            availability[self.anna.id], [(utc(7), utc(8)), (utc(10), utc(11)), (utc(12), utc(16))]
        )
        self.assertEqual(availability[self.bram.id], [(utc(7), utc(11)), (utc(12), utc(13))])
        everyone = self.env["hr.employee"]._after_sales_availability(utc(0), utc(23))
        self.assertEqual(everyone[self.anna.id], availability[self.anna.id])

    def test_availability_queries_do_not_grow_with_technicians(self):
        technicians = self.env["hr.employee"]
        for index in range(12):
            technician = self._make_technician(f"many{index}")
            technicians |= technician
            self._order(technician, utc(8), utc(9))

        def count_queries(employees):
            self.env.invalidate_all()
            employees = employees.browse(employees.ids)
            before = self.env.cr.sql_log_count
            result = employees._after_sales_availability(utc(0), utc(23))
            self.assertEqual(len(result), len(employees))
            return self.env.cr.sql_log_count - before

        count_queries(technicians)  # warm the caches of access rules
        few = count_queries(technicians[:3])
        many = count_queries(technicians)
        self.assertEqual(few, many)
        self.env.invalidate_all()
        with self.assertQueryCount(few):
            technicians.browse(technicians.ids)._after_sales_availability(utc(0), utc(23))

    # ------------------------------------------------------------------
    # Locks, customer confirmation, time windows
    # ------------------------------------------------------------------
    def test_locked_order_is_not_moved(self):
        order = self._order(self.anna, utc(8), utc(9))
        order.planning_locked = True
        with self.assertRaisesRegex(UserError, f"{order.name} is locked: unlock it"):
            order.write({"planned_date_start": utc(9), "planned_date_end": utc(10)})
        with self.assertRaisesRegex(UserError, "is locked"):
            order.write({"technician_ids": [Command.set(self.bram.user_id.ids)]})
        with self.assertRaisesRegex(UserError, "is locked"):
            order.with_context(skip_planning_check=True).write({"planned_hours": 3.0})
        self.assertEqual(order.technician_ids, self.anna.user_id)
        self.assertEqual(order._planning_interval(), (utc(8), utc(9)))
        # the same values, or other fields, are no move
        order.write(
            {
                "planned_date_start": utc(8),
                "technician_ids": [Command.set(self.anna.user_id.ids)],
                "description": "<p>Bring the ladder</p>",
            }
        )
        # a person lifting the lock in the same write moves it
        order.write(
            {"planning_locked": False, "planned_date_start": utc(9), "planned_date_end": utc(10)}
        )
        self.assertEqual(order.planned_date_start, utc(9))

    def test_customer_confirmed_order_is_not_moved(self):
        order = self._order(self.anna, utc(8), utc(9))
        order.customer_confirmed = True
        with self.assertRaisesRegex(UserError, "customer confirmed the visit"):
            order.write({"planned_date_start": utc(9), "planned_date_end": utc(10)})
        self.assertEqual(order.planned_date_start, utc(8))
        order.write(
            {"customer_confirmed": False, "planned_date_start": utc(9), "planned_date_end": utc(10)}
        )
        self.assertEqual(order.planned_date_start, utc(9))

    def test_customer_time_window(self):
        order = self._order(self.anna, utc(8), utc(9), window_start=utc(8), window_end=utc(10))
        with self.assertRaisesRegex(ValidationError, "within the customer's time window"):
            order.write({"planned_date_start": utc(9, 30), "planned_date_end": utc(10, 30)})
        with self.assertRaisesRegex(ValidationError, "within the customer's time window"):
            order.write({"planned_date_start": utc(7, 30)})
        self.assertEqual(order._planning_interval(), (utc(8), utc(9)))
        order.write({"planned_date_start": utc(9), "planned_date_end": utc(10)})
        # an unassigned order is held to its window as well
        with self.assertRaisesRegex(ValidationError, "within the customer's time window"):
            self._order(start=utc(12), end=utc(13), window_end=utc(11))
        with self.assertRaisesRegex(ValidationError, "must end after it starts"):
            order.write({"window_end": utc(7)})
        self.assertEqual(order.window_end, utc(10))

    # ------------------------------------------------------------------
    # Travel between consecutive orders
    # ------------------------------------------------------------------
    def test_travel_between_orders(self):
        # Amsterdam and Utrecht: 34.5 km, 42 minutes at the default 50 km/h
        self.customer.write({"partner_latitude": 52.37, "partner_longitude": 4.89})
        self.other_customer.write({"partner_latitude": 52.09, "partner_longitude": 5.12})
        self.assertEqual(self.company.after_sales_speed_kmh, 50.0)
        first = self._order(self.anna, utc(7), utc(8))
        count = self.env["after_sales.order"].search_count([])
        with self.assertRaisesRegex(
            ValidationError,
            f"Anna cannot get from service order {first.name} to .* the travel takes "
            "42 minutes and there are 15",
        ):
            self._order(self.anna, utc(8, 15), utc(9), partner_id=self.other_customer.id)
        self.assertEqual(self.env["after_sales.order"].search_count([]), count)
        second = self._order(self.anna, utc(8, 45), utc(9, 30), partner_id=self.other_customer.id)
        # the order before is held to the travel too
        with self.assertRaisesRegex(ValidationError, f"to {second.name} in time"):
            first.write({"planned_date_start": utc(7, 30), "planned_date_end": utc(8, 15)})
        self.assertEqual(first.planned_date_end, utc(8))
        # another technician, or the same customer, needs no travel
        self._order(self.bram, utc(8, 15), utc(9), partner_id=self.other_customer.id)
        self._order(self.anna, utc(9, 30), utc(10), partner_id=self.other_customer.id)
        # at a faster average speed the first order can end later
        self.company.after_sales_speed_kmh = 100.0
        first.write({"planned_date_start": utc(7, 30), "planned_date_end": utc(8, 15)})
        self.assertEqual(first.planned_date_end, utc(8, 15))

    def test_travel_by_zone_without_coordinates(self):
        north, south = self.env["after_sales.zone"].create([{"name": "North"}, {"name": "South"}])
        self.customer.after_sales_zone_id = north
        self.other_customer.after_sales_zone_id = south
        self._order(self.anna, utc(7), utc(8))
        # other zone: 45 minutes
        with self.assertRaisesRegex(ValidationError, "the travel takes 45 minutes"):
            self._order(self.anna, utc(8, 30), utc(9), partner_id=self.other_customer.id)
        self._order(self.anna, utc(8, 45), utc(9), partner_id=self.other_customer.id)
        # same zone: 15 minutes
        neighbour = self.env["res.partner"].create(
            {"name": "Neighbour", "after_sales_zone_id": south.id}
        )
        with self.assertRaisesRegex(ValidationError, "the travel takes 15 minutes"):
            self._order(self.anna, utc(9, 10), utc(10), partner_id=neighbour.id)
        self._order(self.anna, utc(9, 15), utc(10), partner_id=neighbour.id)
        # nothing known about a place: no travel is assumed
        nowhere = self.env["res.partner"].create({"name": "Nowhere"})
        self._order(self.anna, utc(10), utc(10, 30), partner_id=nowhere.id)

    # ------------------------------------------------------------------
    # Workload
    # ------------------------------------------------------------------
    def test_workload_planned_against_available(self):
        self._order(self.anna, utc(8), utc(10))
        self._order(self.anna, utc(12), utc(13, 30))
        self.env["resource.calendar.leaves"].sudo().create(
            {
                "name": "Training",
                "calendar_id": self.calendar.id,
                "resource_id": self.bram.resource_id.id,
                "date_from": utc(13),
                "date_to": utc(16),
            }
        )
        workload = self.env["after_sales.workload"]
        tuesday = date(2026, 3, 3)
        workload._refresh(MONDAY, tuesday, self.anna | self.bram)

        def figures():
            rows = workload.search([("employee_id", "in", (self.anna | self.bram).ids)])
            return {
                (row.employee_id.name, row.date): (
                    row.available_hours,
                    row.planned_hours,
                    row.free_hours,
                )
                for row in rows
            }

        self.assertEqual(
            figures(),
            {
                ("Anna", MONDAY): (8.0, 3.5, 4.5),
                ("Anna", tuesday): (8.0, 0.0, 8.0),
                ("Bram", MONDAY): (5.0, 0.0, 5.0),
                ("Bram", tuesday): (8.0, 0.0, 8.0),
            },
        )
        # refreshing again updates the same rows
        self._order(self.bram, utc(8), utc(9), date_received=utc(7))
        workload._refresh(MONDAY, tuesday, self.anna | self.bram)
        self.assertEqual(figures()[("Bram", MONDAY)], (5.0, 1.0, 4.0))
        self.assertEqual(len(figures()), 4)
        # the pivot groups by technician
        groups = workload._read_group(
            [("employee_id", "in", (self.anna | self.bram).ids)],
            ["employee_id"],
            ["planned_hours:sum", "available_hours:sum"],
        )
        self.assertEqual(
            {employee.name: (planned, available) for employee, planned, available in groups},
            {"Anna": (3.5, 16.0), "Bram": (1.0, 13.0)},
        )

    def test_workload_queries_do_not_grow_with_technicians(self):
        technicians = self.env["hr.employee"]
        for index in range(10):
            technician = self._make_technician(f"load{index}")
            technicians |= technician
            self._order(technician, utc(8), utc(9))
        workload = self.env["after_sales.workload"]

        def count_queries(employees):
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            workload._refresh(MONDAY, date(2026, 3, 6), employees.browse(employees.ids))
            return self.env.cr.sql_log_count - before

        count_queries(technicians)
        self.assertEqual(count_queries(technicians[:2]), count_queries(technicians))

    def test_workload_action_opens_for_a_service_user(self):
        user = new_test_user(
            self.env,
            login="workload_planner",
            groups="after_sales_service.group_user",
            company_id=self.company.id,
        )
        self._order(self.anna, utc(8), utc(10))
        action = self.env["after_sales.workload"].with_user(user).action_open_workload()
        self.assertEqual(action["res_model"], "after_sales.workload")
        rows = self.env["after_sales.workload"].with_user(user).search([("date", "=", MONDAY)])
        self.assertIn(self.anna, rows.employee_id)
        with self.assertRaises(AccessError):
            self.env["after_sales.workload"].with_user(user).create(
                {"employee_id": self.anna.id, "company_id": self.company.id, "date": MONDAY}
            )
