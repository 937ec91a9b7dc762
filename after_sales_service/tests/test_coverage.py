from datetime import date, datetime

from freezegun import freeze_time

from odoo.tests import tagged

from .common import AfterSalesCommon


@tagged("post_install", "-at_install")
class TestCoverage(AfterSalesCommon):
    """``after_sales.equipment._get_coverage``: the one answer to "who pays?"."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # delivered 2026-09-01: warranty (6 months) until 2027-02-28
        cls.equipment = cls._create_equipment(delivery_date=date(2026, 9, 1))
        cls.contract = cls._create_contract(
            cls.equipment,
            start="2027-01-01",
            months=24,
            parts_pct=80,
            labour_pct=100,
            travel_pct=0,
        )
        cls.contract.action_start()

    def test_warranty_first(self):
        coverage = self.equipment._get_coverage(date(2027, 2, 1), self.type_corrective)
        self.assertEqual(coverage.source, "warranty")
        self.assertEqual(
            (coverage.parts_pct, coverage.labour_pct, coverage.travel_pct), (100, 100, 50)
        )
        self.assertEqual(
            coverage.reason, "Warranty until 2027-02-28, parts 100 %, labour 100 %, travel 50 %"
        )
        self.assertEqual(
            {coverage.parts_source, coverage.labour_source, coverage.travel_source}, {"warranty"}
        )
        self.assertFalse(coverage.contract_id)
        self.assertTrue(coverage.is_covered)

    def test_last_day_of_warranty_is_covered(self):
        self.assertEqual(
            self.equipment._get_coverage(date(2027, 2, 28), self.type_corrective).source,
            "warranty",
        )
        self.assertEqual(
            self.equipment._get_coverage(date(2027, 3, 1), self.type_corrective).source,
            "contract",
        )

    def test_warranty_does_not_cover_every_service_type(self):
        coverage = self.equipment._get_coverage(date(2027, 2, 1), self.type_preventive)
        self.assertEqual(coverage.source, "contract")
        self.assertEqual(coverage.contract_id, self.contract.id)

    def test_contract_after_warranty(self):
        coverage = self.equipment._get_coverage(date(2027, 6, 1), self.type_corrective)
        self.assertEqual(coverage.source, "contract")
        self.assertEqual(
            (coverage.parts_pct, coverage.labour_pct, coverage.travel_pct), (80, 100, 0)
        )
        self.assertEqual(
            coverage.reason,
            f"Contract {self.contract.name}, parts 80 %, labour 100 %, travel 0 %",
        )

    def test_nothing_before_delivery_or_after_contract(self):
        for day in (date(2026, 8, 31), date(2029, 1, 1)):
            coverage = self.equipment._get_coverage(day, self.type_corrective)
            self.assertEqual(coverage.source, "none")
            self.assertEqual((coverage.parts_pct, coverage.labour_pct), (0, 0))
            self.assertFalse(coverage.is_covered)

    def test_contract_limited_to_service_types(self):
        self.contract.service_type_ids = self.type_preventive
        self.assertEqual(
            self.equipment._get_coverage(date(2027, 6, 1), self.type_preventive).source,
            "contract",
        )
        self.assertEqual(
            self.equipment._get_coverage(date(2027, 6, 1), self.type_training).source, "none"
        )

    def test_draft_and_cancelled_contracts_do_not_cover(self):
        self.contract.action_cancel()
        self.assertEqual(
            self.equipment._get_coverage(date(2027, 6, 1), self.type_corrective).source, "none"
        )

    def test_expired_contract_still_covers_its_past_term(self):
        self.contract.sudo().state = "expired"
        coverage = self.equipment._get_coverage(date(2027, 6, 1), self.type_corrective)
        self.assertEqual(coverage.source, "contract")

    def test_best_of_two_contracts(self):
        better = self._create_contract(
            self.equipment, start="2027-06-01", months=12, parts_pct=100, travel_pct=100
        )
        better.action_start()
        coverage = self.equipment._get_coverage(date(2027, 7, 1), self.type_corrective)
        self.assertEqual(coverage.contract_id, better.id)

    def test_batch_reads_in_constant_queries(self):
        """Coverage of many units costs the same number of queries as of a few."""
        equipment = self.env["after_sales.equipment"].create(
            [
                {
                    "product_id": self.espresso.id,
                    "partner_id": self.customer.id,
                    "delivery_date": date(2025, 1, i + 1),
                }
                for i in range(20)
            ]
        )
        self.contract.equipment_ids |= equipment
        for _warm_up in range(2):  # access rules and caches of the ORM, loaded once
            self.env.invalidate_all()
            equipment[:2]._get_coverage_batch(date(2027, 6, 1), self.type_corrective)
        self.env.invalidate_all()
        with self.assertQueryCount(4):
            coverages = equipment[:2]._get_coverage_batch(date(2027, 6, 1), self.type_corrective)
        self.assertEqual({c.source for c in coverages.values()}, {"contract"})
        self.env.invalidate_all()
        with self.assertQueryCount(4):
            coverages = equipment._get_coverage_batch(date(2027, 6, 1), self.type_corrective)
        self.assertEqual(len(coverages), 20)

    def test_warranty_and_contract_pay_per_share(self):
        """A parts-only warranty and a labour contract: each pays its share."""
        parts_only = self.env["product.product"].create(
            {
                "name": "Grinder G10",
                "is_storable": True,
                "tracking": "serial",
                "warranty_months": 6,
                "warranty_parts_pct": 100,
                "warranty_labour_pct": 0,
                "warranty_travel_pct": 0,
            }
        )
        grinder = self._create_equipment(parts_only, delivery_date=date(2026, 3, 1))
        contract = self._create_contract(
            grinder, start="2026-01-01", parts_pct=0, labour_pct=100, travel_pct=0
        )
        contract.action_start()

        coverage = grinder._get_coverage(date(2026, 8, 31), self.type_corrective)
        self.assertEqual(
            (coverage.parts_source, coverage.labour_source, coverage.travel_source),
            ("warranty", "contract", "none"),
        )
        self.assertEqual(
            (coverage.parts_pct, coverage.labour_pct, coverage.travel_pct), (100, 100, 0)
        )
        self.assertEqual(coverage.source, "warranty")
        self.assertEqual(coverage.contract_id, contract.id)
        self.assertTrue(coverage.is_covered)
        self.assertEqual(coverage.parts_reason, "warranty until 2026-08-31 (100 %)")
        self.assertEqual(coverage.labour_reason, f"contract {contract.name} (100 %)")
        self.assertEqual(coverage.travel_reason, "not covered")
        self.assertEqual(
            coverage.reason,
            f"Parts: warranty until 2026-08-31 (100 %); labour: contract {contract.name} "
            "(100 %); travel: not covered",
        )

        # the service order reads the combined shares
        order = self.env["after_sales.order"].create(
            {
                "service_type_id": self.type_corrective.id,
                "partner_id": self.customer.id,
                "equipment_id": grinder.id,
                "date_received": datetime(2026, 8, 31, 9, 0),
            }
        )
        self.assertEqual(order.coverage_source, "warranty")
        self.assertEqual(
            (order.coverage_parts_pct, order.coverage_labour_pct, order.coverage_travel_pct),
            (100, 100, 0),
        )
        self.assertEqual(order.contract_id, contract)

        # the day after the warranty, the contract alone
        coverage = grinder._get_coverage(date(2026, 9, 1), self.type_corrective)
        self.assertEqual(coverage.source, "contract")
        self.assertEqual(
            (coverage.parts_source, coverage.labour_source, coverage.travel_source),
            ("none", "contract", "none"),
        )
        self.assertEqual(
            (coverage.parts_pct, coverage.labour_pct, coverage.travel_pct), (0, 100, 0)
        )

    def test_higher_percentage_wins_each_share_and_warranty_wins_a_tie(self):
        better = self._create_contract(
            self.equipment, start="2026-09-01", parts_pct=100, labour_pct=100, travel_pct=100
        )
        better.action_start()
        coverage = self.equipment._get_coverage(date(2026, 10, 1), self.type_corrective)
        self.assertEqual(
            (coverage.parts_source, coverage.labour_source, coverage.travel_source),
            ("warranty", "warranty", "contract"),
        )
        self.assertEqual(
            (coverage.parts_pct, coverage.labour_pct, coverage.travel_pct), (100, 100, 100)
        )
        self.assertEqual(coverage.contract_id, better.id)

    @freeze_time("2027-06-01 10:00:00")
    def test_contract_covers_only_while_the_customer_owns_the_unit(self):
        lot = self._make_lot(self.espresso, "X200-OWNED")
        with freeze_time("2025-01-10 10:00:00"):
            picking = self._deliver(self.espresso, lot, self.customer_site)
        unit = self.env["after_sales.equipment"].search([("lot_id", "=", lot.id)])
        contract = self._create_contract(unit, start="2027-01-01", months=24)
        contract.action_start()
        search = self.env["after_sales.equipment"].search
        self.assertEqual(unit._get_coverage(date(2027, 6, 1)).contract_id, contract.id)
        self.assertEqual(unit.warranty_state, "contract")
        self.assertEqual(unit.contract_id, contract)
        self.assertEqual(search([("warranty_state", "=", "contract"), ("id", "=", unit.id)]), unit)

        self._return(picking)
        self.env.invalidate_all()
        self.assertEqual(unit._get_coverage(date(2027, 6, 1)).source, "none")
        self.assertEqual(unit.warranty_state, "expired")
        self.assertFalse(unit.contract_id)
        self.assertFalse(search([("warranty_state", "=", "contract"), ("id", "=", unit.id)]))
        self.assertEqual(search([("warranty_state", "=", "expired"), ("id", "=", unit.id)]), unit)

        # sold to someone else: the former owner's contract still does not cover it
        self._deliver(self.espresso, lot, self.other_customer)
        self.env.invalidate_all()
        self.assertEqual(unit.partner_id, self.other_customer)
        self.assertEqual(unit.warranty_state, "warranty", "a new warranty from this sale")
        self.assertEqual(unit._get_coverage(date(2027, 6, 1), self.type_preventive).source, "none")
        self.assertFalse(unit.contract_id)
