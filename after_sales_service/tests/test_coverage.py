from datetime import date

from odoo.tests import tagged

from .common import AfterSalesCommon


@tagged("post_install", "-at_install")
class TestCoverage(AfterSalesCommon):
    """``after_sales.equipment._get_coverage``: the one answer to "who pays?"."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # delivered 2026-09-01: warranty (6 months) until 2027-03-01
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
        self.assertEqual(coverage.reason, "Warranty until 2027-03-01")
        self.assertFalse(coverage.contract_id)
        self.assertTrue(coverage.is_covered)

    def test_last_day_of_warranty_is_covered(self):
        self.assertEqual(
            self.equipment._get_coverage(date(2027, 3, 1), self.type_corrective).source,
            "warranty",
        )
        self.assertEqual(
            self.equipment._get_coverage(date(2027, 3, 2), self.type_corrective).source,
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
        self.contract.state = "expired"
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
