from datetime import date

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import AfterSalesCommon


@tagged("post_install", "-at_install")
class TestSecurity(AfterSalesCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.equipment = cls._create_equipment(delivery_date=date(2025, 1, 1))
        cls.contract = cls._create_contract(cls.equipment)
        cls.contract.action_start()
        cls.other_equipment = cls._create_equipment(partner=cls.other_customer)

    def test_technician_reads_but_does_not_manage_contracts(self):
        contract = self.contract.with_user(self.technician)
        self.assertEqual(contract.name, self.contract.name)
        self.assertTrue(self.equipment.with_user(self.technician).warranty_state)
        with self.assertRaises(AccessError):
            contract.price = 1
        with self.assertRaises(AccessError):
            self._create_contract(self.equipment).with_user(self.technician).copy()
        with self.assertRaises(AccessError):
            self.env["after_sales.equipment"].with_user(self.technician).create(
                {"product_id": self.espresso.id, "partner_id": self.customer.id}
            )

    def test_technician_does_not_change_the_installed_base(self):
        end = self.equipment.warranty_end_date
        with self.assertRaises(AccessError):
            self.equipment.with_user(self.technician).warranty_end_date = date(2030, 12, 31)
        self.assertEqual(self.equipment.warranty_end_date, end)

    def test_serial_numbers_are_managed_by_stock(self):
        lot = self._make_lot(self.espresso, "SEC-001")
        self.assertEqual(lot.with_user(self.service_user).name, "SEC-001")
        with self.assertRaises(AccessError):
            lot.with_user(self.service_user).name = "SEC-002"
        with self.assertRaises(AccessError):
            self.env["stock.lot"].with_user(self.service_user).create(
                {"name": "SEC-003", "product_id": self.espresso.id}
            )

    def test_service_user_manages_but_does_not_delete(self):
        contract = self._create_contract(self.equipment).with_user(self.service_user)
        contract.price = 10
        with self.assertRaises(AccessError):
            contract.unlink()
        with self.assertRaises(AccessError):
            self.type_training.with_user(self.service_user).name = "Renamed"
        self._create_contract(self.equipment).with_user(self.service_manager).unlink()

    def test_accountant_reads_contracts_and_installed_base(self):
        accountant = new_test_user(
            self.env, login="as_accountant", groups="account.group_account_readonly"
        )
        self.assertEqual(self.contract.with_user(accountant).price, 100.0)
        self.assertTrue(self.equipment.with_user(accountant).name)
        with self.assertRaises(AccessError):
            self.contract.with_user(accountant).price = 0

    def test_company_rule(self):
        other_company = self.env["res.company"].create({"name": "Other Service Co"})
        outsider = new_test_user(
            self.env,
            login="as_outsider",
            groups="after_sales_service.group_manager",
            company_id=other_company.id,
            company_ids=[other_company.id],
        )
        Equipment = self.env["after_sales.equipment"].with_user(outsider)
        self.assertFalse(Equipment.search([("id", "in", [self.equipment.id])]))
        with self.assertRaises(AccessError):
            self.contract.with_user(outsider).read(["name"])

    def test_portal_customer_sees_only_own_records(self):
        contact = self.env["res.partner"].create(
            {"name": "Chef", "parent_id": self.customer.id, "email": "chef@example.com"}
        )
        portal_user = new_test_user(
            self.env, login="as_portal", groups="base.group_portal", partner_id=contact.id
        )
        Equipment = self.env["after_sales.equipment"].with_user(portal_user)
        self.assertEqual(Equipment.search([]), self.equipment)
        with self.assertRaises(AccessError):
            self.other_equipment.with_user(portal_user).read(["name"])
        with self.assertRaises(AccessError):
            self.equipment.with_user(portal_user).note = "mine"
        self.assertEqual(
            self.env["after_sales.contract"].with_user(portal_user).search([]), self.contract
        )
        Order = self.env["after_sales.order"]
        corrective = self.env.ref("after_sales_service.service_type_corrective")
        own, foreign = Order.create(
            [
                {"service_type_id": corrective.id, "partner_id": partner.id}
                for partner in (self.customer, self.other_customer)
            ]
        )
        self.assertEqual(Order.with_user(portal_user).search([]), own)
        with self.assertRaises(AccessError):
            foreign.with_user(portal_user).read(["name"])
        with self.assertRaises(AccessError):
            own.with_user(portal_user).description = "changed by the customer"
