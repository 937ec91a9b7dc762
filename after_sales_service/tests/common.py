from contextlib import contextmanager
from unittest.mock import patch

from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.fields import Command
from odoo.tests import Form, HttpCase, new_test_user
from odoo.tests.common import JsonRpcException
from odoo.tools import mute_logger

from odoo.addons.account.tests.common import AccountTestInvoicingCommon

ACCESS_ERROR = "odoo.exceptions.AccessError"


def office_calendar(env, name, company):
    """A working calendar in Europe/Amsterdam: Monday to Friday, 8-12 and 13-17."""
    return env["resource.calendar"].create(
        {
            "name": name,
            "tz": "Europe/Amsterdam",
            "company_id": company.id,
            "attendance_ids": [
                Command.create(
                    {
                        "name": f"{day} {period}",
                        "dayofweek": str(day),
                        "hour_from": hour_from,
                        "hour_to": hour_to,
                        "day_period": period,
                    }
                )
                for day in range(5)
                for hour_from, hour_to, period in ((8, 12, "morning"), (13, 17, "afternoon"))
            ],
        }
    )


def make_technician(env, login, name, calendar, company):
    """A technician user with its employee, flagged and on ``calendar``."""
    user = new_test_user(
        env,
        login=login,
        name=name,
        groups="after_sales_service.group_technician",
        company_id=company.id,
        tz="Europe/Amsterdam",
    )
    vals = {
        "name": name,
        "user_id": user.id,
        "company_id": company.id,
        "resource_calendar_id": calendar.id,
        "tz": "Europe/Amsterdam",
        "is_after_sales_technician": True,
    }
    employee = user.employee_ids[:1]
    if employee:
        employee.sudo().write(vals)
    else:
        employee = env["hr.employee"].sudo().create(vals)
    return employee.with_env(env)


def call_kw(case, model, method, *args, **kwargs):
    """``model.method(*args, **kwargs)`` through /web/dataset/call_kw, as the web client
    calls it, for the user ``case`` (an HttpCase) authenticated last. A server error
    is raised as ``JsonRpcException`` with the exception's name as its message and the
    server's text in ``server_message`` (and as a note)."""
    case.env.flush_all()
    try:
        response = case.url_open(
            "/web/dataset/call_kw",
            json={
                "id": 0,
                "jsonrpc": "2.0",
                "method": "call",
                "params": {"model": model, "method": method, "args": list(args), "kwargs": kwargs},
            },
        )
    finally:
        case.env.invalidate_all()
    response.raise_for_status()
    body = response.json()
    if "error" in body:
        error = JsonRpcException(body["error"]["code"], body["error"]["data"]["name"])
        error.server_message = body["error"]["data"]["message"]
        error.add_note(error.server_message)
        raise error
    return body.get("result")


class RpcCase(HttpCase):
    """Calls over /web/dataset/call_kw as one of ``cls.users`` (role -> user), as the
    web client does."""

    _logged_in = None

    def rpc(self, role, model, method, *args, **kwargs):
        """Call ``model.method(*args, **kwargs)`` as ``role`` through /web/dataset/call_kw."""
        user = self.users[role]
        if self._logged_in != user.login:
            self.authenticate(user.login, user.login)
            self._logged_in = user.login
        return call_kw(self, model, method, *args, **kwargs)

    def assertRpcDenied(self, role, model, method, *args, error=ACCESS_ERROR, **kwargs):  # noqa: N802
        """The call is refused with ``error`` (an exception's name; None: any)."""
        with mute_logger("odoo.http"), self.assertRaises(JsonRpcException) as context:
            self.rpc(role, model, method, *args, **kwargs)
        if error:
            self.assertEqual(context.exception.args[0], error, context.exception.server_message)
        return context.exception


class AfterSalesCommon(AccountTestInvoicingCommon):
    """Shared data: a company with a chart of accounts and a warehouse, customers,
    serial-tracked products with warranty terms, and users of each service group."""

    @classmethod
    def get_default_groups(cls):
        return super().get_default_groups() | cls.env.ref("after_sales_service.group_manager")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.company.id)], limit=1
        )
        cls.stock_location = cls.warehouse.lot_stock_id
        cls.customer_location = cls.env.ref("stock.stock_location_customers")

        cls.customer = cls.env["res.partner"].create(
            {"name": "Brasserie De Gouden Leeuw", "is_company": True}
        )
        cls.customer_site = cls.env["res.partner"].create(
            {"name": "Kitchen", "type": "delivery", "parent_id": cls.customer.id}
        )
        cls.other_customer = cls.env["res.partner"].create(
            {"name": "Hotel Zonnehof", "is_company": True}
        )

        cls.espresso = cls.env["product.product"].create(
            {
                "name": "Espresso Machine X200",
                "is_storable": True,
                "tracking": "serial",
                "warranty_months": 6,
                "warranty_trigger": "delivery",
                "warranty_parts_pct": 100,
                "warranty_labour_pct": 100,
                "warranty_travel_pct": 50,
            }
        )
        cls.dishwasher = cls.env["product.product"].create(
            {
                "name": "Industrial Dishwasher D500",
                "is_storable": True,
                "tracking": "serial",
                "warranty_months": 12,
                "warranty_trigger": "installation",
            }
        )
        cls.coffee_beans = cls.env["product.product"].create(
            {"name": "Coffee beans", "is_storable": True, "tracking": "none"}
        )

        cls.type_corrective = cls.env.ref("after_sales_service.service_type_corrective")
        cls.type_preventive = cls.env.ref("after_sales_service.service_type_preventive")
        cls.type_training = cls.env.ref("after_sales_service.service_type_training")

        cls.technician = new_test_user(
            cls.env,
            login="as_technician",
            groups="after_sales_service.group_technician",
            company_id=cls.company.id,
        )
        cls.service_user = new_test_user(
            cls.env,
            login="as_service_user",
            groups="after_sales_service.group_user",
            company_id=cls.company.id,
        )
        cls.service_manager = new_test_user(
            cls.env,
            login="as_service_manager",
            groups="after_sales_service.group_manager",
            company_id=cls.company.id,
        )

    @contextmanager
    def assertRaisesRegex(self, exception, expected_regex, msg=None):  # noqa: N802
        """Like Odoo's ``assertRaises``: the failed operation is rolled back to a
        savepoint, so "nothing written" can be checked afterwards."""
        with self.assertRaises(exception, msg=msg) as context:
            yield context
        self.assertRegex(str(context.exception), expected_regex)

    def _run_cron(self, method_name, *args):
        """Run a cron method in the test transaction (``_commit_progress`` would commit)."""
        with patch.object(type(self.env["ir.cron"]), "_commit_progress", return_value=60.0):
            getattr(self.env["after_sales.contract"], method_name)(*args)

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------
    @classmethod
    def _office_calendar(cls, name):
        """A working calendar in Europe/Amsterdam: Monday to Friday, 8-12 and 13-17."""
        return office_calendar(cls.env, name, cls.company)

    @classmethod
    def _make_lot(cls, product, name):
        return cls.env["stock.lot"].create(
            {"name": name, "product_id": product.id, "company_id": cls.company.id}
        )

    @classmethod
    def _deliver(cls, product, lots, partner):
        """Deliver serial numbers to a customer the way a stock user does; a returned
        serial is in stock already, the others are put there first."""
        Quant = cls.env["stock.quant"]
        for lot in lots:
            if not Quant._get_available_quantity(product, cls.stock_location, lot_id=lot):
                Quant._update_available_quantity(product, cls.stock_location, 1.0, lot_id=lot)
        return cls._validated_delivery(product, len(lots), partner)

    @classmethod
    def _deliver_untracked(cls, product, quantity, partner):
        """Deliver ``quantity`` of a product without serial numbers (put in stock
        first) the way a stock user does."""
        cls.env["stock.quant"]._update_available_quantity(product, cls.stock_location, quantity)
        return cls._validated_delivery(product, quantity, partner)

    @classmethod
    def _validated_delivery(cls, product, quantity, partner):
        picking = cls.env["stock.picking"].create(
            {
                "picking_type_id": cls.warehouse.out_type_id.id,
                "partner_id": partner.id,
                "location_id": cls.stock_location.id,
                "location_dest_id": cls.customer_location.id,
                "move_ids": [
                    Command.create(
                        {
                            "product_id": product.id,
                            "product_uom_qty": quantity,
                            "location_id": cls.stock_location.id,
                            "location_dest_id": cls.customer_location.id,
                        }
                    )
                ],
            }
        )
        picking.action_confirm()
        picking.action_assign()
        picking.move_ids.picked = True
        picking.button_validate()
        return picking

    @classmethod
    def _return(cls, picking):
        wizard = Form(
            cls.env["stock.return.picking"].with_context(
                active_ids=picking.ids, active_id=picking.id, active_model="stock.picking"
            )
        ).save()
        for line in wizard.product_return_moves:
            line.quantity = line.move_id.quantity
        return_picking = cls.env["stock.picking"].browse(wizard.action_create_returns()["res_id"])
        return_picking.action_assign()
        for move in return_picking.move_ids:
            move.picked = True
        return_picking.button_validate()
        return return_picking

    @classmethod
    def _create_equipment(cls, product=None, partner=None, lot=None, delivery_date=None, **vals):
        product = product or cls.espresso
        return cls.env["after_sales.equipment"].create(
            {
                "product_id": product.id,
                "partner_id": (partner or cls.customer).id,
                "lot_id": lot and lot.id,
                "delivery_date": delivery_date,
                **vals,
            }
        )

    @classmethod
    def _create_contract(cls, equipment=None, start="2026-01-01", months=12, **vals):
        start = fields.Date.to_date(start)
        values = {
            "partner_id": cls.customer.id,
            "date_start": start,
            "date_end": start + relativedelta(months=months, days=-1),
            "equipment_ids": [Command.set(equipment.ids if equipment else [])],
            "price": 100.0,
            "billing_period": "monthly",
        }
        values.update(vals)
        return cls.env["after_sales.contract"].create(values)

    @classmethod
    def _create_checklist(cls, service_type, *lines, **vals):
        """A checklist for ``service_type``; ``lines`` are (name, minutes, mandatory)."""
        return cls.env["after_sales.checklist.template"].create(
            {
                "name": service_type.name,
                "sequence": 1,
                "service_type_id": service_type.id,
                "line_ids": [
                    Command.create(
                        {"name": name, "expected_minutes": minutes, "is_mandatory": mandatory}
                    )
                    for name, minutes, mandatory in lines
                ],
                **vals,
            }
        )

    def _plan(self, **vals):
        """A monthly plan of ``self.contract`` for ``self.equipment``, no horizon."""
        values = {
            "name": "Service",
            "interval_number": 1,
            "interval_unit": "month",
            "horizon_days": 0,
            "tolerance_days": 0,
            **vals,
        }
        if "contract_id" not in values:
            values["contract_id"] = self.contract.id
        if "equipment_id" not in values:
            values["equipment_id"] = self.equipment.id
        return self.env["after_sales.plan"].create(values)

    def _read(self, when, value, order=None):
        """Read ``self.meter`` of ``self.equipment`` (during ``order``)."""
        return self.env["after_sales.meter.reading"].create(
            {
                "equipment_id": self.equipment.id,
                "meter_id": self.meter.id,
                "date": when,
                "value": value,
                "order_id": order and order.id,
            }
        )
