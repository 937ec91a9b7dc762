"""Parts of service orders are real stock moves: reserved in the source location when
the order is scheduled, consumed at stock valuation when it is done, given back when
unused or cancelled; defective parts taken back go to the defective returns location."""

import re
from datetime import datetime
from unittest.mock import patch

from odoo.exceptions import UserError, ValidationError
from odoo.fields import Command
from odoo.tests import Form, tagged

from .common import AfterSalesCommon


class OrderStockCommon(AfterSalesCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.supplier_location = cls.env.ref("stock.stock_location_suppliers")
        cls.consumption_location = cls.company.after_sales_consumption_location_id
        cls.defective_location = cls.company.after_sales_defective_location_id
        cls.parts_category = cls.env["product.category"].create(
            {
                "name": "Spare parts",
                "property_valuation": "real_time",
                "property_cost_method": "fifo",
            }
        )
        cls.gasket = cls._make_part("Boiler gasket", standard_price=10.0, lst_price=25.0)
        cls.pump = cls._make_part("Water pump", tracking="lot", standard_price=80.0)
        cls.board = cls._make_part("Control board", tracking="serial", standard_price=150.0)

        cls.technician_employee = (
            cls.env["hr.employee"]
            .sudo()
            .create({"name": "Sam Monteur", "user_id": cls.technician.id, "hourly_cost": 40.0})
        )
        cls.equipment = cls._create_equipment(delivery_date=datetime(2026, 1, 10).date())

    @classmethod
    def _make_part(cls, name, tracking="none", **vals):
        return cls.env["product.product"].create(
            {
                "name": name,
                "is_storable": True,
                "tracking": tracking,
                "categ_id": cls.parts_category.id,
                **vals,
            }
        )

    @classmethod
    def _receive(cls, product, quantity, unit_cost, location=None, lots=None):
        """Receive ``quantity`` of ``product`` at ``unit_cost`` (split over ``lots``)."""
        location = location or cls.stock_location
        move = cls.env["stock.move"].create(
            {
                "product_id": product.id,
                "product_uom_qty": quantity,
                "location_id": cls.supplier_location.id,
                "location_dest_id": location.id,
                "value_manual": unit_cost * quantity,
                "price_unit": unit_cost,
            }
        )
        move._action_confirm()
        if lots:
            move.move_line_ids.unlink()
            move.move_line_ids = [
                Command.create(
                    {
                        "product_id": product.id,
                        "lot_id": lot.id,
                        "quantity": quantity / len(lots),
                        "location_id": cls.supplier_location.id,
                        "location_dest_id": location.id,
                    }
                )
                for lot in lots
            ]
        else:
            move._action_assign()
        move.picked = True
        move._action_done()
        return move

    def _order(self, parts=(), **vals):
        """An order of ``self.technician`` for ``self.equipment``; ``parts`` are
        (product, quantity, vals) of part lines."""
        values = {
            "service_type_id": self.type_corrective.id,
            "partner_id": self.customer.id,
            "equipment_id": self.equipment.id,
            "date_received": datetime(2026, 3, 2, 8, 0),
            "planned_date_start": datetime(2026, 3, 3, 9, 0),
            "technician_ids": [Command.link(self.technician.id)],
            "line_ids": [
                Command.create({"product_id": product.id, "quantity": quantity, **extra})
                for product, quantity, extra in parts
            ],
            **vals,
        }
        return self.env["after_sales.order"].create(values)

    def _quant(self, product, location, lot=None):
        return self.env["stock.quant"]._gather(product, location, lot_id=lot, strict=True)

    def _finish(self, order, used):
        """Start ``order`` (when needed), record the ``used`` quantities ({line:
        quantity}) and close it."""
        if order.state != "in_progress":
            order.action_start()
        for line, quantity in used.items():
            line.quantity_done = quantity
        order.action_done()


@tagged("post_install", "-at_install")
class TestOrderStock(OrderStockCommon):
    def test_scheduling_reserves_the_parts(self):
        self._receive(self.gasket, 5, 10.0)
        order = self._order([(self.gasket, 2, {})])
        self.assertEqual(order.location_id, self.stock_location, "the warehouse: no van")
        self.assertFalse(order.line_ids.move_ids, "nothing reserved while new")
        order.action_schedule()
        move = order.line_ids.move_ids
        self.assertEqual(len(move), 1)
        self.assertEqual(move.state, "assigned")
        self.assertEqual(move.location_id, self.stock_location)
        self.assertEqual(move.location_dest_id, self.consumption_location)
        self.assertEqual(move.after_sales_order_id, order)
        self.assertEqual(move.reference, order.name)
        self.assertEqual(order.stock_move_count, 1)
        quant = self._quant(self.gasket, self.stock_location)
        self.assertEqual((quant.quantity, quant.reserved_quantity), (5.0, 2.0))

        # a part added or changed while the order is open follows
        order.action_start()
        order.line_ids.quantity = 3
        self.assertEqual(move.product_uom_qty, 3)
        self.assertEqual(quant.reserved_quantity, 3.0)
        order.part_ids = [Command.create({"product_id": self.gasket.id, "quantity": 1})]
        self.assertEqual(len(order.stock_move_ids), 2)
        self.assertEqual(quant.reserved_quantity, 4.0)
        order.part_ids[-1].unlink()
        self.assertEqual(quant.reserved_quantity, 3.0)

    def test_starting_a_new_order_reserves_the_parts_in_one_batch(self):
        self._receive(self.gasket, 10, 10.0)
        order = self._order([(self.gasket, 1, {})] * 4)
        model = type(self.env["stock.move"])
        batches = []
        origin_create = model.create

        def create(records, vals_list):
            batches.append(len(vals_list) if isinstance(vals_list, list) else 1)
            return origin_create(records, vals_list)

        with patch.object(model, "create", create):
            order.action_start()
        self.assertEqual(
            [n for n in batches if n], [4], "one batch of moves for all the part lines"
        )
        self.assertEqual(set(order.stock_move_ids.mapped("state")), {"assigned"})

    def test_done_consumes_at_fifo_value_and_posts_the_stock_entry(self):
        self._receive(self.gasket, 2, 10.0)
        self._receive(self.gasket, 2, 16.0)
        order = self._order([(self.gasket, 3, {})])
        line = order.line_ids
        order.action_schedule()
        # planned at the product's cost: the average of what is in stock
        self.assertEqual(self.gasket.standard_price, 13.0)
        self.assertEqual(line.cost_planned, 39.0)
        self._finish(order, {line: 3})

        move = line.move_ids
        self.assertEqual(move.state, "done")
        self.assertEqual(move.quantity, 3)
        # FIFO: 2 x 10 + 1 x 16
        self.assertAlmostEqual(move.value, 36.0)
        self.assertEqual(line.cost_actual, 36.0)
        self.assertEqual(order.cost_actual, 36.0)
        self.assertEqual(self._quant(self.gasket, self.stock_location).quantity, 1.0)

        entry = move.account_move_id
        self.assertEqual(entry.state, "posted")
        parts_account = self.company.after_sales_parts_account_id
        valuation_account = self.gasket._get_product_accounts()["stock_valuation"]
        self.assertTrue(parts_account)
        self.assertRecordValues(
            entry.line_ids.sorted("debit"),
            [
                {"account_id": valuation_account.id, "debit": 0.0, "credit": 36.0},
                {"account_id": parts_account.id, "debit": 36.0, "credit": 0.0},
            ],
        )

    def test_unused_parts_are_given_back(self):
        self._receive(self.gasket, 5, 10.0)
        order = self._order([(self.gasket, 3, {})])
        line = order.line_ids
        order.action_schedule()
        quant = self._quant(self.gasket, self.stock_location)
        self.assertEqual(quant.reserved_quantity, 3.0)
        self._finish(order, {line: 1})
        self.assertEqual(line.move_ids.state, "done")
        self.assertEqual(line.move_ids.quantity, 1)
        self.assertEqual((quant.quantity, quant.reserved_quantity), (4.0, 0.0))
        self.assertEqual(line.cost_actual, 10.0)

    def test_part_not_used_at_all_is_cancelled(self):
        self._receive(self.gasket, 5, 10.0)
        order = self._order([(self.gasket, 2, {})])
        order.action_schedule()
        self._finish(order, {})
        self.assertEqual(order.line_ids.move_ids.state, "cancel")
        quant = self._quant(self.gasket, self.stock_location)
        self.assertEqual((quant.quantity, quant.reserved_quantity), (5.0, 0.0))
        self.assertEqual(order.cost_actual, 0.0)

    def test_cancel_and_reset_free_the_reservation(self):
        self._receive(self.gasket, 5, 10.0)
        order = self._order([(self.gasket, 2, {})])
        order.action_schedule()
        quant = self._quant(self.gasket, self.stock_location)
        self.assertEqual(quant.reserved_quantity, 2.0)
        order.action_cancel()
        self.assertEqual(order.line_ids.move_ids.state, "cancel")
        self.assertEqual(quant.reserved_quantity, 0.0)
        order.action_reset()
        # back in the pool: planned again before it is scheduled
        self.assertFalse(order.technician_ids)
        order.write(
            {
                "technician_ids": [Command.link(self.technician.id)],
                "planned_date_start": datetime(2026, 3, 3, 9, 0),
            }
        )
        order.action_schedule()
        self.assertEqual(order.line_ids.move_ids.mapped("state"), ["cancel", "assigned"])
        self.assertEqual(quant.reserved_quantity, 2.0)

    def test_deleting_a_scheduled_order_frees_the_reservation(self):
        self._receive(self.gasket, 5, 10.0)
        order = self._order([(self.gasket, 2, {})])
        order.action_schedule()
        moves = order.stock_move_ids
        order.unlink()
        self.assertFalse(moves.exists())
        self.assertEqual(self._quant(self.gasket, self.stock_location).reserved_quantity, 0.0)

    def test_technician_completes_an_order_with_parts_without_stock_rights(self):
        self._receive(self.gasket, 5, 10.0)
        order = self._order([(self.gasket, 2, {})]).with_user(self.technician)
        self.assertFalse(self.technician.has_group("stock.group_stock_user"))
        order.action_start()
        order.line_ids.quantity_done = 2
        order.action_done()
        self.assertEqual(order.sudo().line_ids.move_ids.state, "done")
        self.assertEqual(order.sudo().cost_actual, 20.0)

    def test_parts_come_from_the_technicians_van(self):
        employee = self.technician_employee.sudo()
        employee.action_create_after_sales_van_location()
        van = employee.after_sales_van_location_id
        self.assertEqual(
            van.complete_name, f"{self.warehouse.lot_stock_id.complete_name}/Van Sam Monteur"
        )
        self.assertEqual(van.location_id, self.stock_location)
        self.assertEqual(van.usage, "internal")
        with self.assertRaisesRegex(UserError, "already has a van"):
            employee.action_create_after_sales_van_location()

        self._receive(self.gasket, 3, 10.0)  # warehouse stock
        self._receive(self.gasket, 2, 12.0, location=van)
        order = self._order([(self.gasket, 2, {})])
        self.assertEqual(order.location_id, van)
        order.action_schedule()
        move_line = order.line_ids.move_ids.move_line_ids
        self.assertEqual(move_line.location_id, van)
        self.assertEqual(self._quant(self.gasket, van).reserved_quantity, 2.0)
        self.assertEqual(self._quant(self.gasket, self.stock_location).reserved_quantity, 0.0)

        # without a van: the warehouse
        other = self._order([], technician_ids=[Command.link(self.service_user.id)])
        self.assertEqual(other.location_id, self.stock_location)

    def test_another_source_location_moves_the_reservation(self):
        self.technician_employee.sudo().action_create_after_sales_van_location()
        van = self.technician_employee.sudo().after_sales_van_location_id
        self._receive(self.gasket, 2, 10.0)
        self._receive(self.gasket, 2, 10.0, location=van)
        order = self._order([(self.gasket, 2, {})], location_id=self.stock_location.id)
        order.action_schedule()
        self.assertEqual(self._quant(self.gasket, self.stock_location).reserved_quantity, 2.0)
        order.location_id = van
        move = order.line_ids.move_ids
        self.assertEqual((move.location_id, move.state), (van, "assigned"))
        self.assertEqual(self._quant(self.gasket, self.stock_location).reserved_quantity, 0.0)
        self.assertEqual(self._quant(self.gasket, van).reserved_quantity, 2.0)

    def test_van_location_must_be_internal_of_a_warehouse(self):
        employee = self.technician_employee.sudo()
        with self.assertRaisesRegex(ValidationError, "internal location of a warehouse"):
            employee.after_sales_van_location_id = self.consumption_location
        self.assertFalse(employee.after_sales_van_location_id)

    def test_reserves_the_lot_of_the_line(self):
        lot_a = self._make_lot(self.pump, "PUMP-A")
        lot_b = self._make_lot(self.pump, "PUMP-B")
        self._receive(self.pump, 4, 80.0, lots=lot_a + lot_b)
        order = self._order([(self.pump, 1, {"lot_id": lot_b.id})])
        order.action_schedule()
        self.assertEqual(order.line_ids.move_ids.move_line_ids.lot_id, lot_b)
        self._finish(order, {order.line_ids: 2})
        move_line = order.line_ids.move_ids.move_line_ids
        self.assertEqual((move_line.lot_id, move_line.quantity), (lot_b, 2.0))
        self.assertEqual(order.line_ids.consumed_lot_ids, lot_b)
        self.assertEqual(self._quant(self.pump, self.stock_location, lot_b).quantity, 0.0)
        self.assertEqual(self._quant(self.pump, self.stock_location, lot_a).quantity, 2.0)

    def test_lot_not_in_the_source_location_is_refused(self):
        lot = self._make_lot(self.pump, "PUMP-VAN")
        missing = self._make_lot(self.pump, "PUMP-NOWHERE")
        self._receive(self.pump, 1, 80.0, lots=lot)
        order = self._order([(self.pump, 1, {"lot_id": missing.id})])
        location = re.escape(self.stock_location.complete_name)
        with self.assertRaisesRegex(ValidationError, f"PUMP-NOWHERE.*{location}"):
            order.action_schedule()
        self.assertEqual(order.state, "new")
        self.assertFalse(self.env["stock.move"].search([("after_sales_order_id", "=", order.id)]))

        # not enough of the lot: also refused, while the order is open
        order.line_ids.lot_id = lot
        order.action_schedule()
        self.assertEqual(order.line_ids.move_ids.state, "assigned")
        with self.assertRaisesRegex(ValidationError, "PUMP-VAN"):
            order.line_ids.quantity = 2
        self.assertEqual(order.line_ids.quantity, 1)
        self.assertEqual(order.line_ids.move_ids.product_uom_qty, 1)
        with self.assertRaisesRegex(ValidationError, "PUMP-NOWHERE"):
            order.part_ids = [Command.create({"product_id": self.pump.id, "lot_id": missing.id})]
        self.assertEqual(len(order.line_ids), 1)
        self.assertEqual(len(order.stock_move_ids), 1)

    def test_serials_used_are_recorded_and_the_defective_part_goes_back(self):
        delivered = self._make_lot(self.board, "BOARD-OLD")
        self._deliver(self.board, delivered, self.customer)
        new_a = self._make_lot(self.board, "BOARD-NEW-A")
        new_b = self._make_lot(self.board, "BOARD-NEW-B")
        self._receive(self.board, 2, 150.0, lots=new_a + new_b)
        order = self._order([(self.board, 2, {})])
        order.action_start()
        line = order.line_ids
        self.assertEqual(line.move_ids.move_line_ids.lot_id, new_a + new_b)
        line.write({"quantity_done": 2, "returned_lot_id": delivered.id, "returned_qty": 1})
        order.action_done()

        self.assertEqual(line.consumed_lot_ids, new_a + new_b)
        self.assertEqual(line.cost_actual, 300.0)
        returned = self.env["stock.move"].search([("after_sales_return_line_id", "=", line.id)])
        self.assertEqual(returned.state, "done")
        self.assertEqual(returned.location_id, self.customer.property_stock_customer)
        self.assertEqual(returned.location_dest_id, self.defective_location)
        self.assertEqual(returned.move_line_ids.lot_id, delivered)
        self.assertEqual(self._quant(self.board, self.defective_location, delivered).quantity, 1.0)
        self.assertFalse(returned.account_move_id, "defective returns are not valued")
        self.assertEqual(order.cost_actual, 300.0, "the defective part costs nothing")
        self.assertEqual(set(order.stock_move_ids.mapped("state")), {"done"})

    def test_defective_serial_part_needs_its_serial(self):
        order = self._order([(self.board, 1, {})])
        with self.assertRaisesRegex(ValidationError, "lot/serial of the defective"):
            order.line_ids.returned_qty = 1
        self.assertEqual(order.line_ids.returned_qty, 0)
        serial = self._make_lot(self.board, "BOARD-ONE")
        with self.assertRaisesRegex(ValidationError, "use a line per serial"):
            order.line_ids.write({"lot_id": serial.id, "quantity": 2})
        self.assertFalse(order.line_ids.lot_id)
        with self.assertRaisesRegex(ValidationError, "not one of"):
            order.line_ids.lot_id = self._make_lot(self.pump, "PUMP-X")
        self.assertFalse(order.line_ids.lot_id)

    def test_serial_part_used_without_a_reserved_serial_is_refused(self):
        order = self._order([(self.board, 1, {})])
        order.action_start()
        order.line_ids.quantity_done = 1
        with self.assertRaisesRegex(UserError, "record the lot/serial used"):
            order.action_done()
        self.assertEqual(order.state, "in_progress")
        self.assertEqual(order.line_ids.move_ids.state, "confirmed")

    def test_costing_page_shows_the_source_location(self):
        form = Form(self.env["after_sales.order"].with_user(self.service_user))
        form.service_type_id = self.type_corrective
        form.partner_id = self.customer
        self.assertEqual(form.location_id, self.stock_location)
        with form.line_ids.new() as line:
            line.product_id = self.gasket
            line.quantity = 2
        order = form.save()
        self.assertEqual(order.line_ids.cost_planned, 20.0)
