"""Service providers: what each may serve (types, products, zones, validity, warranty
work, company), orders given to them, and their quality beside the own department."""

from datetime import date, datetime

import psycopg2.errors

from odoo.exceptions import UserError, ValidationError
from odoo.fields import Command
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from .common import AfterSalesCommon
from .test_roles import ACCESS_ERROR


class ProviderCommon(AfterSalesCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.resource_calendar_id.tz = "Europe/Amsterdam"
        cls.zone_north = cls.env["after_sales.zone"].create({"name": "North"})
        cls.zone_south = cls.env["after_sales.zone"].create({"name": "South"})
        cls.customer.after_sales_zone_id = cls.zone_north
        cls.other_customer.after_sales_zone_id = cls.zone_south
        # delivered in 2024: out of warranty; in January 2026: under warranty
        cls.old_unit = cls._create_equipment(delivery_date=date(2024, 1, 10))
        cls.warranty_unit = cls._create_equipment(delivery_date=date(2026, 1, 10))
        cls.dealer_partner = cls.env["res.partner"].create(
            {"name": "Dealer Horeca Noord", "is_company": True}
        )
        cls.firm_partner = cls.env["res.partner"].create(
            {"name": "Koeltechniek Janssen BV", "is_company": True}
        )
        cls.provider = cls.env["after_sales.provider"].create(
            {
                "partner_id": cls.firm_partner.id,
                "kind": "specialist",
                "service_type_ids": [Command.set(cls.type_corrective.ids)],
                "product_ids": [Command.set(cls.espresso.ids)],
                "zone_ids": [Command.set(cls.zone_north.ids)],
                "labour_rate": 60.0,
                "travel_rate": 0.4,
                "parts_margin": 10.0,
                "resolution_hours": 24.0,
                "date_start": date(2026, 3, 2),
                "date_end": date(2026, 12, 31),
            }
        )

    @classmethod
    def _order(cls, equipment=None, **vals):
        return cls.env["after_sales.order"].create(
            {
                "service_type_id": cls.type_corrective.id,
                "partner_id": cls.customer.id,
                "equipment_id": (equipment or cls.old_unit).id,
                # 00:30 on 2 March in Amsterdam, still 1 March in UTC
                "date_received": datetime(2026, 3, 1, 23, 30),
                **vals,
            }
        )


@tagged("post_install", "-at_install")
class TestProvider(ProviderCommon):
    def test_provider_serves_an_allowed_order(self):
        order = self._order()
        order.provider_id = self.provider
        self.assertEqual(order.provider_id, self.provider)
        # the local date (2 March) counts, not UTC's 1 March
        self.assertEqual(order.provider_kind, "specialist")
        groups = dict(
            self.env["after_sales.order"]._read_group(
                [("id", "=", order.id)], ["provider_id"], ["__count"]
            )
        )
        self.assertEqual(groups, {self.provider: 1})

    def _assert_refused(self, order, provider, reason):
        with self.assertRaisesRegex(UserError, reason):
            order.provider_id = provider
        order.invalidate_recordset()
        self.assertFalse(order.provider_id)

    def test_refused_for_another_service_type(self):
        order = self._order(service_type_id=self.type_preventive.id)
        self._assert_refused(order, self.provider, "does not do")

    def test_refused_for_another_product(self):
        dishwasher_unit = self._create_equipment(
            product=self.dishwasher, delivery_date=date(2024, 1, 10)
        )
        self._assert_refused(self._order(dishwasher_unit), self.provider, "does not serve")
        self._assert_refused(self._order(equipment_id=False), self.provider, "given products")

    def test_refused_for_another_zone(self):
        unit = self._create_equipment(partner=self.other_customer, delivery_date=date(2024, 1, 10))
        order = self._order(unit, partner_id=self.other_customer.id)
        self._assert_refused(order, self.provider, "does not cover zone South")
        self.other_customer.after_sales_zone_id = False
        self._assert_refused(order, self.provider, "has no service zone")
        # a provider for all zones serves it
        self.provider.zone_ids = False
        order.provider_id = self.provider
        self.assertEqual(order.provider_id, self.provider)

    def test_refused_outside_the_agreement_period(self):
        # received at 23:30 UTC on 1 March: 2 March in Amsterdam, the first valid day
        self.provider.date_start = date(2026, 3, 3)
        self._assert_refused(self._order(), self.provider, "not valid on 2026-03-02")
        self.provider.write({"date_start": date(2026, 1, 1), "date_end": date(2026, 3, 1)})
        self._assert_refused(self._order(), self.provider, "not valid on 2026-03-02")
        # the planned start, when there is one, is the order's date
        order = self._order(planned_date_start=datetime(2026, 2, 27, 9, 0))
        order.provider_id = self.provider
        self.assertEqual(order.provider_id, self.provider)

    def test_warranty_work_needs_the_permission(self):
        order = self._order(self.warranty_unit)
        self.assertEqual(order.coverage_source, "warranty")
        self._assert_refused(order, self.provider, "covered by the warranty")
        self.provider.warranty_allowed = True
        order.provider_id = self.provider
        self.assertEqual(order.provider_id, self.provider)

    def test_archived_provider_refused(self):
        self.provider.action_archive()
        self._assert_refused(self._order(), self.provider, "archived")

    def test_provider_of_another_company_refused(self):
        other_company = self.env["res.company"].create({"name": "Other BV"})
        foreign = self.env["after_sales.provider"].create(
            {"partner_id": self.dealer_partner.id, "company_id": other_company.id}
        )
        order = self._order()
        with self.assertRaises(UserError):
            order.provider_id = foreign
        order.invalidate_recordset()
        self.assertFalse(order.provider_id)
        # and at creation
        with self.assertRaises(UserError):
            self._order(provider_id=foreign.id)

    def test_agreement_of_another_company_refused(self):
        other_company = self.env["res.company"].create({"name": "Other BV"})
        foreign_zone = self.env["after_sales.zone"].create(
            {"name": "Elsewhere", "company_id": other_company.id}
        )
        with self.assertRaises(UserError):
            self.provider.zone_ids = [Command.link(foreign_zone.id)]
        self.provider.invalidate_recordset()
        self.assertEqual(self.provider.zone_ids, self.zone_north)

    def test_creation_checks_the_provider(self):
        with self.assertRaisesRegex(UserError, "does not do"):
            self._order(service_type_id=self.type_preventive.id, provider_id=self.provider.id)
        self.assertFalse(
            self.env["after_sales.order"].search([("provider_id", "=", self.provider.id)])
        )

    def test_change_of_the_order_is_checked_again(self):
        order = self._order(provider_id=self.provider.id)
        with self.assertRaisesRegex(UserError, "does not do"):
            order.service_type_id = self.type_preventive

    def test_closed_orders_keep_their_provider(self):
        order = self._order()
        order.action_cancel()
        self._assert_refused(order, self.provider, "closed")
        done = self._order()
        done.action_start()
        done.action_done()
        self._assert_refused(done, self.provider, "closed")
        # nor is a done order's provider taken back
        given = self._order(provider_id=self.provider.id)
        given.action_start()
        given.action_done()
        with self.assertRaisesRegex(UserError, "closed"):
            given.provider_id = False
        given.invalidate_recordset()
        self.assertEqual(given.provider_id, self.provider)

    def test_provider_order_needs_no_technician(self):
        order = self._order(provider_id=self.provider.id)
        with self.assertRaisesRegex(UserError, "planned start"):
            order.action_schedule()
        self.assertEqual(order.state, "new")
        order.planned_date_start = datetime(2026, 3, 3, 9, 0)
        order.action_schedule()
        self.assertEqual(order.state, "scheduled")
        self.assertFalse(order.technician_ids)
        # own orders still need a technician
        own = self._order(planned_date_start=datetime(2026, 3, 3, 9, 0))
        with self.assertRaisesRegex(UserError, "Assign a technician"):
            own.action_schedule()

    def test_provider_labour_needs_no_own_technician(self):
        order = self._order(provider_id=self.provider.id)
        line = self.env["after_sales.order.line"].create(
            {"order_id": order.id, "line_type": "labour", "employee_id": False, "quantity": 2}
        )
        self.assertFalse(line.employee_id)
        own = self._order()
        with self.assertRaisesRegex(ValidationError, "technician who worked"):
            self.env["after_sales.order.line"].create(
                {"order_id": own.id, "line_type": "labour", "employee_id": False, "quantity": 2}
            )

    def test_agreement_rules(self):
        with self.assertRaisesRegex(ValidationError, "ends before it starts"):
            self.provider.date_end = date(2026, 1, 1)
        with self.assertRaisesRegex(ValidationError, "cannot be negative"):
            self.provider.labour_rate = -1
        with self.assertRaisesRegex(ValidationError, "cannot be negative"):
            self.provider.parts_margin = -5
        self.assertEqual(self.provider.labour_rate, 60.0)
        with mute_logger("odoo.sql_db"), self.assertRaises(psycopg2.errors.UniqueViolation):
            self.env["after_sales.provider"].create({"partner_id": self.firm_partner.id})
        self.assertEqual(
            self.env["after_sales.provider"].search_count(
                [("partner_id", "=", self.firm_partner.id)]
            ),
            1,
        )

    def test_dispatch_leaves_provider_orders_alone(self):
        own = self._order()
        outsourced = self._order(provider_id=self.provider.id)
        wizard = self.env["after_sales.order.dispatch"].new({"company_id": self.company.id})
        to_plan = wizard._orders_to_plan()
        self.assertIn(own, to_plan)
        self.assertNotIn(outsourced, to_plan)


@tagged("post_install", "-at_install")
class TestProviderReport(ProviderCommon):
    """Own department and providers side by side on a small set of done orders."""

    def _done(self, order, sla, day):
        order.action_start()
        order.write({"state": "done", "date_done": datetime(2026, 3, day, 12, 0)})
        # the SLA result the closing stored, fixed for the figures below
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE after_sales_order SET sla_resolution_result = %s WHERE id = %s",
            [sla, order.id],
        )
        order.invalidate_recordset()
        return order

    def _rate(self, order, value):
        self.env["rating.rating"].create(
            {
                "res_model_id": self.env["ir.model"]._get_id("after_sales.order"),
                "res_id": order.id,
                "rating": value,
                "consumed": True,
                "partner_id": self.customer.id,
            }
        )

    def test_quality_side_by_side(self):
        self.provider.zone_ids = False
        unit_a, unit_b, unit_c, unit_d = (
            self._create_equipment(delivery_date=date(2024, 1, 10)) for _i in range(4)
        )

        def received(day):
            return {"date_received": datetime(2026, 3, day, 8, 0)}

        provider = {"provider_id": self.provider.id}
        # own department: 3 done orders (SLA met, missed, none), one cancelled
        own_1 = self._done(self._order(unit_a, **received(2)), "met", day=3)
        own_2 = self._done(self._order(unit_b, **received(2)), "missed", day=4)
        self._done(self._order(equipment_id=False, **received(2)), "none", day=5)
        self._order(unit_d, **received(2)).action_cancel()
        # the provider: 3 done orders (met, met, missed), one still open. prov_1 comes
        # back to unit A 2 days after own_1: own_1's fix failed, a repeat visit
        prov_1 = self._done(self._order(unit_a, **received(5), **provider), "met", day=6)
        prov_2 = self._done(self._order(unit_c, **received(3), **provider), "met", day=7)
        self._done(self._order(unit_d, **received(3), **provider), "missed", day=8)
        self._order(self.old_unit, **received(4), **provider)
        # an own repair of unit C received 3 days after prov_2: prov_2's fix failed
        self._order(unit_c, **received(10))
        self.assertEqual(
            (own_1 | own_2 | prov_1 | prov_2).mapped("kpi_fix_result"),
            ["failed", "held", "held", "failed"],
        )
        # claims about unit A: one after own_1 (before prov_1), two after prov_1
        for day in (5, 8, 9):
            self.env["after_sales.claim"].create(
                {
                    "partner_id": self.customer.id,
                    "equipment_id": unit_a.id,
                    "date_received": datetime(2026, 3, day, 13, 0),
                }
            )
        # ratings: own_1 happy, own_2 unhappy; prov_1 happy, prov_2 neutral
        self._rate(own_1, 5)
        self._rate(own_2, 1)
        self._rate(prov_1, 5)
        self._rate(prov_2, 3)
        self.env.flush_all()

        measures = [
            "order_count:sum",
            "sla_attainment:avg",
            "first_time_fix:avg",
            "repeat_visit_rate:avg",
            "claim_count:sum",
            "csat:avg",
        ]
        report = self.env["after_sales.provider.report"]
        groups = {
            provider: values
            for provider, *values in report._read_group(
                [("company_id", "=", self.company.id)], ["provider_id"], measures
            )
        }
        self.assertEqual(set(groups), {self.env["after_sales.provider"], self.provider})
        own_figures = groups[self.env["after_sales.provider"]]
        provider_figures = groups[self.provider]
        # own: 3 orders; SLA 1 met of 2 with an SLA; first-time fix 1 held of 2 on a
        # unit; repeat visits 1 of 2 on a unit; 1 claim; CSAT 1 happy of 2 rated
        for got, expected in zip(own_figures, [3, 50.0, 50.0, 50.0, 1, 50.0], strict=True):
            self.assertAlmostEqual(got, expected, places=2)
        # provider: 3 orders; SLA 2 of 3; fix 2 held of 3; repeat 1 of 3; 2 claims;
        # CSAT 1 happy of 2 rated
        for got, expected in zip(
            provider_figures, [3, 200 / 3, 200 / 3, 100 / 3, 2, 50.0], strict=True
        ):
            self.assertAlmostEqual(got, expected, places=2)
        executors = dict(
            report._read_group(
                [("company_id", "=", self.company.id)], ["executor"], ["order_count:sum"]
            )
        )
        self.assertEqual(executors, {"own": 3, "provider": 3})


@tagged("post_install", "-at_install")
class TestProviderRoles(ProviderCommon, HttpCase):
    def _rpc(self, user, model, method, *args, **kwargs):
        self.authenticate(user.login, user.login)
        self.env.flush_all()
        try:
            return self.make_jsonrpc_request(
                "/web/dataset/call_kw",
                {"model": model, "method": method, "args": list(args), "kwargs": kwargs},
            )
        finally:
            self.env.invalidate_all()

    def test_technician_cannot_write_agreements(self):
        with mute_logger("odoo.http"), self.assertRaises(Exception) as context:
            self._rpc(
                self.technician,
                "after_sales.provider",
                "write",
                [self.provider.id],
                {"labour_rate": 1.0},
            )
        self.assertIn(ACCESS_ERROR, str(context.exception.args))
        self.assertEqual(self.provider.labour_rate, 60.0)
        with mute_logger("odoo.http"), self.assertRaises(Exception) as context:
            self._rpc(
                self.technician,
                "after_sales.provider",
                "create",
                {"partner_id": self.dealer_partner.id},
            )
        self.assertIn(ACCESS_ERROR, str(context.exception.args))
        # the technician reads the provider of an order; a manager changes the agreement
        self.assertEqual(
            self._rpc(
                self.technician, "after_sales.provider", "read", [self.provider.id], ["kind"]
            )[0]["kind"],
            "specialist",
        )
        self._rpc(
            self.service_manager,
            "after_sales.provider",
            "write",
            [self.provider.id],
            {"labour_rate": 65.0},
        )
        self.assertEqual(self.provider.labour_rate, 65.0)

    def test_technician_cannot_give_an_order_to_a_provider(self):
        order = self._order(technician_ids=[Command.set(self.technician.ids)])
        with mute_logger("odoo.http"), self.assertRaises(Exception) as context:
            self._rpc(
                self.technician,
                "after_sales.order",
                "write",
                [order.id],
                {"provider_id": self.provider.id},
            )
        self.assertIn(ACCESS_ERROR, str(context.exception.args))
        self.assertFalse(order.provider_id)
