"""End of life of products in the installed base: obsolete products and their
successors, the list of obsolete units, replacement offers, take-back, disposal and
the contract moved to the successor unit with the customer's consent."""

from datetime import datetime, timedelta

from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Command
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tests.common import JsonRpcException
from odoo.tools import mute_logger

from .common import AfterSalesCommon, call_kw


class EndOfLifeCommon(AfterSalesCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # the X200 (espresso) succeeds the X100, no longer made
        cls.old_product = cls.env["product.product"].create(
            {
                "name": "Espresso Machine X100",
                "is_storable": True,
                "tracking": "serial",
                "warranty_months": 12,
                "after_sales_obsolete": True,
                "after_sales_successor_id": cls.espresso.id,
            }
        )
        cls.old_template = cls.old_product.product_tmpl_id
        cls.lots = cls.env["stock.lot"].concat(
            *(cls._make_lot(cls.old_product, f"X100-{n}") for n in range(1, 4))
        )
        cls._deliver(cls.old_product, cls.lots[:2], cls.customer_site)
        cls._deliver(cls.old_product, cls.lots[2:], cls.other_customer)
        Equipment = cls.env["after_sales.equipment"]
        cls.unit_1, cls.unit_2, cls.unit_3 = (
            Equipment.search([("lot_id", "=", lot.id)]) for lot in cls.lots
        )
        # the successor unit already at the customer
        cls.new_lot = cls._make_lot(cls.espresso, "X200-NEW")
        cls._deliver(cls.espresso, cls.new_lot, cls.customer_site)
        cls.new_unit = Equipment.search([("lot_id", "=", cls.new_lot.id)])
        cls.contact = cls.env["res.partner"].create(
            {"name": "Chef Jan", "parent_id": cls.customer.id}
        )
        cls.company_2 = cls.setup_other_company(name="End of Life Co 2")["company"]
        cls.service_user.write(
            {"group_ids": [Command.link(cls.env.ref("stock.group_stock_user").id)]}
        )

    def _take_back(self, unit, user=None):
        unit.with_user(user or self.service_user).action_take_back()
        picking = unit.take_back_picking_id
        picking.move_ids.picked = True
        picking.button_validate()
        return picking

    def _move_contract(self, contract, old, new, **vals):
        return (
            self.env["after_sales.contract.move"]
            .with_user(self.service_user)
            .create(
                {
                    "contract_id": contract.id,
                    "equipment_id": old.id,
                    "successor_equipment_id": new.id,
                    "is_consent_given": True,
                    "consent_date": fields.Date.today(),
                    "consent_partner_id": self.contact.id,
                    **vals,
                }
            )
        )

    def _dispose(self, unit, kind="recycling", user=None):
        return (
            self.env["after_sales.disposal"]
            .with_user(user or self.service_user)
            .create(
                {
                    "equipment_id": unit.id,
                    "kind": kind,
                    "certificate_reference": "REC-2026-001",
                }
            )
        )


@tagged("post_install", "-at_install")
class TestEndOfLife(EndOfLifeCommon):
    # ------------------------------------------------------------------
    # Product rules
    # ------------------------------------------------------------------
    def test_successor_rules(self):
        other = self.env["product.product"].create({"name": "X300", "is_storable": True})
        self.old_template.after_sales_successor_id = other
        self.assertEqual(self.old_template.after_sales_successor_id, other)

        obsolete = self.env["product.product"].create(
            {"name": "X50", "is_storable": True, "after_sales_obsolete": True}
        )
        with self.assertRaisesRegex(ValidationError, "obsolete itself"):
            self.old_template.after_sales_successor_id = obsolete
        with self.assertRaisesRegex(ValidationError, "its own successor"):
            self.old_template.after_sales_successor_id = self.old_product
        foreign = self.env["product.product"].create(
            {"name": "X200 (other company)", "company_id": self.company_2.id}
        )
        self.old_template.company_id = self.company
        with self.assertRaises(UserError):
            self.old_template.after_sales_successor_id = foreign
        self.assertEqual(self.old_template.after_sales_successor_id, other, "nothing written")

    # ------------------------------------------------------------------
    # Obsolete units
    # ------------------------------------------------------------------
    def test_obsolete_units_list(self):
        today = fields.Date.today()
        self.unit_1.write({"delivery_date": today - relativedelta(years=3, months=2)})
        contract = self._create_contract(
            self.unit_1, start=today - relativedelta(months=1), months=12
        )
        contract.action_start()
        expense = self.env["product.product"].create(
            {"name": "Parking", "type": "service", "standard_price": 5.0, "lst_price": 5.0}
        )

        def done_order(unit, days_ago, quantity):
            order = self.env["after_sales.order"].create(
                {
                    "service_type_id": self.type_corrective.id,
                    "partner_id": unit.partner_id.id,
                    "equipment_id": unit.id,
                    "line_ids": [
                        Command.create(
                            {
                                "line_type": "expense",
                                "product_id": expense.id,
                                "quantity_done": quantity,
                            }
                        )
                    ],
                }
            )
            order.action_start()
            order.write(
                {
                    "state": "done",
                    "date_done": datetime.now() - timedelta(days=days_ago),
                }
            )
            return order

        recent = done_order(self.unit_1, 30, 2) | done_order(self.unit_1, 200, 4)
        done_order(self.unit_1, 400, 10)  # more than 12 months ago
        self.env["after_sales.order"].create(  # not done
            {
                "service_type_id": self.type_corrective.id,
                "partner_id": self.customer.id,
                "equipment_id": self.unit_1.id,
            }
        )
        self.env.flush_all()

        rows = self.env["after_sales.obsolete.unit"].search(
            [("product_tmpl_id", "=", self.old_template.id)]
        )
        self.assertEqual(rows.equipment_id, self.unit_1 | self.unit_2 | self.unit_3)
        row = rows.filtered(lambda r: r.equipment_id == self.unit_1)
        self.assertRecordValues(
            row,
            [
                {
                    "partner_id": self.customer.id,
                    "successor_id": self.espresso.id,
                    "age_months": 38,
                    "warranty_end_date": self.unit_1.warranty_end_date,
                    "contract_id": contract.id,
                    "order_count_12m": 2,
                    "cost_12m": sum(recent.mapped("cost_actual")),
                }
            ],
        )
        self.assertEqual(row.cost_12m, 30.0)
        other_row = rows.filtered(lambda r: r.equipment_id == self.unit_3)
        self.assertFalse(other_row.contract_id)
        self.assertEqual(other_row.cost_12m, 0.0)
        self.assertEqual(self.old_template.after_sales_obsolete_unit_count, 3)

        # one query for the whole list, whatever the number of units
        self.env.invalidate_all()
        with self.assertQueryCount(1):
            self.env["after_sales.obsolete.unit"].search_fetch(
                [], ["age_months", "cost_12m", "contract_id"]
            )

        # units taken out of the base and products no longer obsolete are not listed
        self.unit_2.partner_id = False
        self.env.flush_all()
        self.assertNotIn(self.unit_2, self.env["after_sales.obsolete.unit"].search([]).equipment_id)
        self.old_template.after_sales_obsolete = False
        self.env.flush_all()
        self.assertFalse(
            self.env["after_sales.obsolete.unit"].search(
                [("product_tmpl_id", "=", self.old_template.id)]
            )
        )

    # ------------------------------------------------------------------
    # Replacement offer without Sales: activities
    # ------------------------------------------------------------------
    def test_fallback_offer_is_an_activity(self):
        units = self.unit_1 | self.unit_2
        Equipment = self.env.registry["after_sales.equipment"]
        # the after-sales module's own offer, whatever bridge is installed
        base_method = next(
            klass.__dict__["_create_replacement_offers"]
            for klass in Equipment.__mro__
            if "_create_replacement_offers" in klass.__dict__
            and klass.__module__.startswith("odoo.addons.after_sales_service.")
        )
        base_method(units.with_user(self.service_user))
        activity_type = self.env.ref("after_sales_service.mail_activity_type_replacement_offer")
        for unit in units:
            activity = unit.activity_ids.filtered(lambda a: a.activity_type_id == activity_type)
            self.assertEqual(len(activity), 1)
            self.assertEqual(activity.user_id, self.service_user)
            self.assertIn("X200", activity.summary)
        self.assertEqual(units._replacement_offer_pending(), units)
        self.assertFalse(self.unit_3._replacement_offer_pending())

        # not twice while the activity is open
        base_pending = units._replacement_offer_pending()
        with self.assertRaisesRegex(UserError, "already open"):
            (base_pending).with_user(self.service_user)._offer_replacement()
        self.assertEqual(len(self.unit_1.activity_ids), 1, "nothing written")

    def test_offer_refusals(self):
        with self.assertRaisesRegex(UserError, "not of an obsolete product"):
            self.new_unit.with_user(self.service_user).action_offer_replacement()
        self.old_template.after_sales_successor_id = False
        with self.assertRaisesRegex(UserError, "successor"):
            self.unit_1.with_user(self.service_user).action_offer_replacement()
        with self.assertRaises(AccessError):
            self.unit_1.with_user(self.technician).action_offer_replacement()
        self.assertFalse(self.unit_1.activity_ids, "nothing written")

    # ------------------------------------------------------------------
    # Take-back, contract move and disposal
    # ------------------------------------------------------------------
    def test_take_back_contract_move_and_disposal(self):
        contract = self._create_contract(self.unit_1 | self.unit_2)
        contract.action_start()
        invoice_date = contract.next_invoice_date
        invoices = contract.invoice_ids

        # take-back: a receipt of the warehouse from the customer, of the serial
        picking = self._take_back(self.unit_1)
        self.assertRecordValues(
            picking,
            [
                {
                    "picking_type_id": self.warehouse.in_type_id.id,
                    "location_id": self.customer_location.id,
                    "state": "done",
                }
            ],
        )
        self.assertEqual(picking.move_line_ids.lot_id, self.lots[0])
        self.assertEqual(self.unit_1.lifecycle_state, "taken_back")
        self.assertFalse(self.unit_1.partner_id, "back from the customer")
        with self.assertRaisesRegex(UserError, "no longer at a customer"):
            self.unit_1.with_user(self.service_user).action_take_back()

        # still listed on a running contract: no disposal
        disposal = self._dispose(self.unit_1)
        with self.assertRaisesRegex(UserError, "still covered by contract"):
            disposal.action_confirm()
        self.assertEqual(disposal.state, "draft", "nothing written")
        self.assertTrue(self.unit_1.active)

        # no move without the customer's consent
        move = self._move_contract(contract, self.unit_1, self.new_unit, is_consent_given=False)
        with self.assertRaisesRegex(UserError, "consent"):
            move.action_confirm()
        move.write({"is_consent_given": True, "consent_partner_id": False})
        with self.assertRaisesRegex(UserError, "consent"):
            move.action_confirm()
        self.assertIn(self.unit_1, contract.equipment_ids, "nothing written")

        move.write({"consent_partner_id": self.contact.id})
        move.action_confirm()
        self.assertEqual(move.state, "done")
        self.assertEqual(move.user_id, self.service_user)
        self.assertEqual(contract.equipment_ids, self.unit_2 | self.new_unit)
        self.assertEqual(contract.next_invoice_date, invoice_date, "invoicing unaffected")
        self.assertEqual(contract.invoice_ids, invoices)
        self.assertEqual(contract.price, 100.0)
        self.assertEqual(self.new_unit.contract_id, contract)
        with self.assertRaisesRegex(UserError, "cannot be changed"):
            move.with_user(self.service_user).write({"consent_partner_id": False})

        # disposal: scrapped into the recycling location, unit out of the base
        disposal.with_user(self.service_user).action_confirm()
        self.company._after_sales_setup_locations()
        self.assertRecordValues(
            disposal,
            [{"state": "done", "kind": "recycling", "user_id": self.service_user.id}],
        )
        self.assertEqual(disposal.picking_id, picking)
        self.assertEqual(disposal.scrap_id.state, "done")
        self.assertEqual(
            disposal.scrap_id.scrap_location_id, self.company.after_sales_recycling_location_id
        )
        self.assertEqual(disposal.scrap_id.lot_id, self.lots[0])
        quants = self.env["stock.quant"].search(
            [("lot_id", "=", self.lots[0].id), ("location_id.usage", "=", "internal")]
        )
        self.assertFalse(sum(quants.mapped("quantity")), "not in stock any more")
        self.assertFalse(self.unit_1.active)
        self.assertEqual(self.unit_1.lifecycle_state, "disposed")
        self.assertNotIn(self.unit_1, self.env["after_sales.equipment"].search([]))

        # once only
        with self.assertRaisesRegex(UserError, "already"):
            self._dispose(self.unit_1).action_confirm()
        with self.assertRaisesRegex(UserError, "cannot be deleted"):
            disposal.with_env(self.env).unlink()

    def test_dispose_scrap_needs_the_unit_back(self):
        contract = self._create_contract(self.unit_3, partner_id=self.other_customer.id)
        contract.action_start()
        self._take_back(self.unit_3)
        disposal = self._dispose(self.unit_3, kind="scrap")
        with self.assertRaisesRegex(UserError, "still covered by contract"):
            disposal.action_confirm()
        contract.action_cancel()
        self.assertTrue(self.unit_3.active, "nothing written")
        unit = self.unit_2
        disposal = self._dispose(unit, kind="scrap")
        with self.assertRaisesRegex(UserError, "not back in our stock"):
            disposal.action_confirm()
        self.assertEqual(disposal.state, "draft")
        self.assertTrue(unit.active, "nothing written")
        self._take_back(unit)
        disposal.action_confirm()
        self.assertEqual(
            disposal.scrap_id.scrap_location_id, self.company.after_sales_scrap_location_id
        )
        self.assertFalse(unit.active)
        # a cancelled contract no longer holds the unit back
        self._dispose(self.unit_3, kind="scrap").action_confirm()
        self.assertFalse(self.unit_3.active)

    def test_move_refusals(self):
        contract = self._create_contract(self.unit_1)
        contract.action_start()
        # a unit of another customer
        other_unit = self._create_equipment(product=self.espresso, partner=self.other_customer)
        move = self._move_contract(contract, self.unit_1, other_unit)
        with self.assertRaisesRegex(UserError, "not a unit of"):
            move.action_confirm()
        # a unit of another company
        company_2 = self.company_2
        foreign_unit = (
            self.env["after_sales.equipment"]
            .with_company(company_2)
            .create(
                {
                    "product_id": self.espresso.id,
                    "partner_id": self.customer.id,
                    "company_id": company_2.id,
                }
            )
        )
        with self.assertRaises(UserError):
            self._move_contract(contract, self.unit_1, foreign_unit).action_confirm()
        # a unit that is not of the successor product
        dishwasher = self._create_equipment(product=self.dishwasher)
        move = self._move_contract(contract, self.unit_1, dishwasher)
        with self.assertRaisesRegex(UserError, "successor"):
            move.action_confirm()
        # consent of someone who is not the customer
        stranger = self.env["res.partner"].create({"name": "Passer-by"})
        with self.assertRaisesRegex(ValidationError, "contact of its customer"):
            self._move_contract(
                contract, self.unit_1, self.new_unit, consent_partner_id=stranger.id
            )
        move = self._move_contract(contract, self.unit_1, self.new_unit)
        with self.assertRaisesRegex(ValidationError, "contact of its customer"):
            move.consent_partner_id = stranger
        self.assertEqual(contract.equipment_ids, self.unit_1, "nothing written")
        self.assertFalse(
            self.env["after_sales.contract.move"].search([("state", "=", "done")]),
        )
        # a technician moves nothing
        move = self._move_contract(contract, self.unit_1, self.new_unit)
        with self.assertRaises(AccessError):
            move.with_user(self.technician).action_confirm()
        self.assertEqual(move.state, "draft")

        # moved before the take-back: the unit's maintenance plan follows
        plan = self.env["after_sales.plan"].create(
            {
                "name": "Descaling",
                "contract_id": contract.id,
                "equipment_id": self.unit_1.id,
                "interval_number": 3,
                "interval_unit": "month",
                "date_start": "2026-01-01",
            }
        )
        move.with_user(self.service_user).action_confirm()
        self.assertEqual(contract.equipment_ids, self.new_unit)
        self.assertEqual(plan.equipment_id, self.new_unit)
        self.assertTrue(plan.active)
        self.assertFalse(self.unit_1.live_contract_ids)


@tagged("post_install", "-at_install")
class TestEndOfLifeRoles(EndOfLifeCommon, HttpCase):
    """The disposal over JSON-RPC: a service user disposes, a technician cannot."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.unit_1.with_user(cls.service_user).action_take_back()
        picking = cls.unit_1.take_back_picking_id
        picking.move_ids.picked = True
        picking.button_validate()
        cls.plain_technician = new_test_user(
            cls.env,
            login="as_eol_technician",
            groups="after_sales_service.group_technician,stock.group_stock_user",
            company_id=cls.company.id,
        )

    def rpc(self, user, model, method, *args, **kwargs):
        self.authenticate(user.login, user.login)
        return call_kw(self, model, method, *args, **kwargs)

    def assertRpcDenied(self, user, model, method, *args, **kwargs):  # noqa: N802
        with mute_logger("odoo.http"), self.assertRaises(JsonRpcException) as context:
            self.rpc(user, model, method, *args, **kwargs)
        self.assertEqual(context.exception.args[0], "odoo.exceptions.AccessError")

    def test_disposal_over_rpc(self):
        vals = {"equipment_id": self.unit_1.id, "kind": "scrap"}
        # the technician (even with stock rights) neither opens nor records a disposal
        self.assertRpcDenied(
            self.plain_technician, "after_sales.equipment", "action_dispose", self.unit_1.ids
        )
        self.assertRpcDenied(self.plain_technician, "after_sales.disposal", "create", vals)
        self.assertFalse(self.env["after_sales.disposal"].search([]), "nothing written")
        disposal = self._dispose(self.unit_1, kind="scrap")
        self.assertRpcDenied(
            self.plain_technician, "after_sales.disposal", "action_confirm", disposal.ids
        )
        self.assertEqual(disposal.state, "draft")
        self.assertTrue(self.unit_1.active)

        # the service user does
        action = self.rpc(
            self.service_user, "after_sales.equipment", "action_dispose", self.unit_1.ids
        )
        self.assertEqual(action["res_model"], "after_sales.disposal")
        self.rpc(self.service_user, "after_sales.disposal", "action_confirm", disposal.ids)
        self.assertEqual(disposal.state, "done")
        self.assertFalse(self.unit_1.active)
        self.assertEqual(disposal.scrap_id.state, "done")

    def test_contract_move_and_offer_over_rpc(self):
        contract = self._create_contract(self.unit_2)
        contract.action_start()
        vals = {
            "contract_id": contract.id,
            "equipment_id": self.unit_2.id,
            "successor_equipment_id": self.new_unit.id,
            "is_consent_given": True,
            "consent_date": "2026-03-02",
            "consent_partner_id": self.contact.id,
        }
        self.assertRpcDenied(self.plain_technician, "after_sales.contract.move", "create", vals)
        self.assertRpcDenied(
            self.plain_technician, "after_sales.equipment", "action_move_contract", self.unit_2.ids
        )
        self.assertRpcDenied(
            self.plain_technician,
            "after_sales.obsolete.unit",
            "action_offer_replacement",
            self.unit_2.ids,
        )
        self.assertEqual(contract.equipment_ids, self.unit_2, "nothing written")
        self.assertFalse(self.unit_2.activity_ids)

        move_id = self.rpc(self.service_user, "after_sales.contract.move", "create", vals)
        self.rpc(self.service_user, "after_sales.contract.move", "action_confirm", [move_id])
        self.assertEqual(contract.equipment_ids, self.new_unit)

    def test_disposal_tour(self):
        """The service user disposes of a taken-back unit from its form."""
        self.start_tour(
            f"/odoo/action-after_sales_service.after_sales_equipment_action/{self.unit_1.id}",
            "after_sales_end_of_life_tour",
            login=self.service_user.login,
        )
        disposal = self.unit_1.with_context(active_test=False).disposal_ids
        self.assertRecordValues(
            disposal, [{"state": "done", "kind": "scrap", "certificate_reference": "CERT-TOUR-42"}]
        )
        self.assertFalse(self.unit_1.active)
        self.assertEqual(disposal.scrap_id.state, "done")
