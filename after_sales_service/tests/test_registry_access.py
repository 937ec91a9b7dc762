"""Every path guarded, generated from the registry rather than listed by hand.

The models, fields and public methods of after_sales_service, after_sales_purchase
and after_sales_sale are read from the registry; each is tried over
``/web/dataset/call_kw`` (as the web client calls it) as each role:

1. links: a relational field a role may write does not take a record of another
   order, another customer or another company, on create nor on a later write;
2. public methods: refused unless allow-listed for the role, with a reason;
3. readable fields: exactly the lists of ``registry_access_tables.READABLE``, so a
   new field stays unreadable to a role until someone adds it there; values copied
   from a field a role may not read are as restricted as their source;
4. states: a plain ``write({'state': ...})`` has the button's outcome, per the table
   ``registry_access_tables.STATE_WRITES``.

Set ``AFTER_SALES_ACCESS_DUMP=/path/file.json`` to write what the server actually
does instead of asserting it (to review a change and update the tables).
"""

import inspect
import json
import os
from datetime import timedelta

from odoo import fields
from odoo.fields import Command, Field
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tests.common import JsonRpcException
from odoo.tools import mute_logger

from . import registry_access_tables as tables
from .common import call_kw
from .test_dealer_claim import DealerClaimCommon

OURS = frozenset({"after_sales_service", "after_sales_purchase", "after_sales_sale"})
REFUSALS = frozenset(
    {
        "odoo.exceptions.AccessError",
        "odoo.exceptions.ValidationError",
        "odoo.exceptions.UserError",
        "odoo.exceptions.MissingError",
    }
)
ACCESS_ERROR = "odoo.exceptions.AccessError"
MAGIC_FIELDS = frozenset(
    {"id", "display_name", "create_date", "create_uid", "write_date", "write_uid"}
)
DUMP = os.environ.get("AFTER_SALES_ACCESS_DUMP")


def our_models(env):
    """{model name: registry class} of the models our modules define or extend."""
    result = {}
    for name in sorted(env.registry):
        cls = env.registry[name]
        if any(getattr(c, "_module", None) in OURS for c in cls.__mro__[1:]):
            result[name] = cls
    return result


def our_fields(cls):
    """Names of the fields of ``cls`` that only our modules define (for an Odoo model,
    the fields we add; for ours, all but those of Odoo's mixins)."""
    names = set()
    for fname in cls._fields:
        defs = [c for c in cls.__mro__[1:] if isinstance(c.__dict__.get(fname), Field)]
        if defs and all(getattr(c, "_module", None) in OURS for c in defs):
            names.add(fname)
    return names


def our_public_methods(cls):
    """Public methods our modules' classes define on ``cls`` and Odoo's do not."""
    odoo_names = set()
    for c in cls.__mro__[1:]:
        if c is not object and getattr(c, "_module", None) not in OURS:
            odoo_names.update(c.__dict__)
    names = set()
    for c in cls.__mro__[1:]:
        if getattr(c, "_module", None) not in OURS:
            continue
        for name, value in c.__dict__.items():
            if name.startswith("_") or name in odoo_names or not callable(value):
                continue
            names.add(name)
    return sorted(names)


@tagged("post_install", "-at_install")
class TestRegistryAccess(DealerClaimCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b = cls.env["res.company"].create({"name": "Other Service Co"})
        cls.env.user.company_ids |= cls.company_b
        cls.customer_b = cls.env["res.partner"].create(
            {"name": "Other Co Customer", "is_company": True, "company_id": cls.company_b.id}
        )
        cls.product_b = cls.env["product.product"].create(
            {"name": "Other Co part", "is_storable": True, "company_id": cls.company_b.id}
        )
        cls.product_a = cls.env["product.product"].create(
            {"name": "Our part", "is_storable": True, "company_id": cls.company.id}
        )
        cls.technician_employee = (
            cls.env["hr.employee"]
            .sudo()
            .create({"name": "Technician", "user_id": cls.technician.id})
        )
        cls.contact = cls.env["res.partner"].create(
            {"name": "Chef", "parent_id": cls.customer.id, "email": "chef@example.com"}
        )
        user_b = new_test_user(
            cls.env,
            login="as_other_company",
            groups="after_sales_service.group_user",
            company_id=cls.company_b.id,
            company_ids=[Command.set(cls.company_b.ids)],
        )
        cls.technician_b = new_test_user(
            cls.env,
            login="as_technician_b",
            groups="after_sales_service.group_technician",
            company_id=cls.company_b.id,
            company_ids=[Command.set(cls.company_b.ids)],
        )
        cls.env["hr.employee"].sudo().create(
            {
                "name": "Technician B",
                "user_id": cls.technician_b.id,
                "company_id": cls.company_b.id,
            }
        )
        cls.users = {
            "technician": cls.technician,
            "service_user": cls.service_user,
            "accountant": new_test_user(
                cls.env,
                login="as_accountant",
                groups="account.group_account_readonly",
                company_id=cls.company.id,
            ),
            "portal": new_test_user(
                cls.env,
                login="as_portal",
                groups="base.group_portal",
                partner_id=cls.contact.id,
                company_id=cls.company.id,
            ),
            "dealer": cls.dealer_a_user,
            "other_company": user_b,
            "internal": new_test_user(
                cls.env, login="as_internal", groups="base.group_user", company_id=cls.company.id
            ),
        }
        # SQL views (``_auto = False``) have no fields to link nor states: their
        # public methods are tried all the same
        cls.method_models = {
            name: klass for name, klass in our_models(cls.env).items() if not klass._abstract
        }
        cls.models = {name: klass for name, klass in cls.method_models.items() if klass._auto}
        cls.world_a = cls._world(cls.company, cls.customer, cls.technician, cls.dealer_a)
        dealer_b_partner = cls.env["res.partner"].create(
            {"name": "Dealer Other Co", "is_company": True, "company_id": cls.company_b.id}
        )
        cls.world_b = cls._world(
            cls.company_b,
            cls.customer_b,
            cls.technician_b,
            cls._dealer(dealer_b_partner, company_id=cls.company_b.id),
        )
        # records of company A the roles of company A may not all see: an order of
        # another technician, a unit of another customer, a claim of another dealer
        env = cls.env
        cls.world_a_other = {
            "after_sales.order": cls._world_order(env, cls.company, cls.other_customer, None),
            "after_sales.equipment": cls.unit_b,
            "after_sales.dealer.claim": cls._claim(unit=cls.unit_b),
        }
        other = cls.world_a_other
        other["res.partner"] = cls.env["res.partner"].create(
            {"name": "Our own supplier", "company_id": cls.company.id}
        )
        other["after_sales.order.task"] = other["after_sales.order"].task_ids
        other["after_sales.order.line"] = other["after_sales.order"].line_ids[:1]
        other["after_sales.dealer.claim.line"] = other["after_sales.dealer.claim"].line_ids[:1]
        old_model = cls.env["product.product"].create(
            {"name": "Espresso X100", "is_storable": True, "after_sales_obsolete": True}
        )
        cls._create_equipment(product=old_model)
        cls.results = {}

    @classmethod
    def tearDownClass(cls):
        if DUMP:
            with open(DUMP, "w", encoding="utf-8") as dump:
                json.dump(cls.results, dump, indent=1, sort_keys=True, default=sorted)
        super().tearDownClass()

    # ------------------------------------------------------------------
    # Data: the same documents in each company
    # ------------------------------------------------------------------
    @classmethod
    def _world_order(cls, env, company, customer, technician, equipment=None):
        order = env["after_sales.order"].create(
            {
                "service_type_id": cls.type_corrective.id,
                "partner_id": customer.id,
                "equipment_id": equipment and equipment.id,
                "user_id": False,
                "technician_ids": [Command.set(technician.ids if technician else [])],
                "company_id": company.id,
                "task_ids": [Command.create({"name": "Descale", "is_mandatory": True})],
                "line_ids": [
                    Command.create({"line_type": "part", "product_id": cls.pump.id, "quantity": 1})
                ],
            }
        )
        return order

    @classmethod
    def _world(cls, company, customer, technician, dealer):
        """One record of each model, in ``company``, of ``customer``, the order assigned
        to ``technician``, the dealer claim of ``dealer``: {model: record}."""
        env = cls.env(context=dict(cls.env.context, allowed_company_ids=company.ids))
        espresso = cls.espresso.with_env(env)
        today = fields.Date.today()
        lot = env["stock.lot"].create(
            {"name": f"WORLD-{company.id}", "product_id": espresso.id, "company_id": company.id}
        )
        equipment = env["after_sales.equipment"].create(
            {
                "product_id": espresso.id,
                "partner_id": customer.id,
                "lot_id": lot.id,
                "delivery_date": today - timedelta(days=30),
                "company_id": company.id,
                "dealer_id": dealer.id,
            }
        )
        successor = env["after_sales.equipment"].create(
            {"product_id": espresso.id, "partner_id": customer.id, "company_id": company.id}
        )
        contract = env["after_sales.contract"].create(
            {
                "partner_id": customer.id,
                "company_id": company.id,
                "date_start": "2026-01-01",
                "date_end": "2026-12-31",
                "equipment_ids": [Command.set(equipment.ids)],
                "price": 100.0,
                "billing_period": "monthly",
                "sla_ids": [
                    Command.create({"priority": "2", "response_hours": 4, "resolution_hours": 16})
                ],
            }
        )
        contract.action_start()
        plan = env["after_sales.plan"].create(
            {
                "name": "Quarterly descaling",
                "contract_id": contract.id,
                "equipment_id": equipment.id,
                "interval_number": 3,
                "interval_unit": "month",
                "date_start": "2026-01-01",
            }
        )
        order = cls._world_order(env, company, customer, technician, equipment)
        employee = env["hr.employee"].sudo().search([("user_id", "=", technician.id)], limit=1)
        labour = env["after_sales.order.line"].create(
            {
                "order_id": order.id,
                "line_type": "labour",
                "quantity_done": 1.0,
                "employee_id": employee.id,
            }
        )
        meter = env["after_sales.meter"].create({"name": "Hours", "unit": "h"})
        reading = env["after_sales.meter.reading"].create(
            {
                "equipment_id": equipment.id,
                "meter_id": meter.id,
                "order_id": order.id,
                "date": "2026-02-01 10:00:00",
                "value": 10.0,
            }
        )
        loaner = env["after_sales.equipment"].create(
            {"product_id": espresso.id, "is_loaner": True, "company_id": company.id}
        )
        loan = env["after_sales.loan"].create(
            {
                "loaner_id": loaner.id,
                "partner_id": customer.id,
                "order_id": order.id,
                "date_out": "2026-01-01",
                "date_due": "2026-01-31",
                "company_id": company.id,
            }
        )
        claim = env["after_sales.claim"].create(
            {
                "partner_id": customer.id,
                "equipment_id": equipment.id,
                "channel": "phone",
                "company_id": company.id,
            }
        )
        dealer_claim = env["after_sales.dealer.claim"].create(
            {
                "provider_id": dealer.id,
                "equipment_id": equipment.id,
                "repair_date": today - timedelta(days=10),
                "work_done": "Pump replaced",
                "company_id": company.id,
                "line_ids": [
                    Command.create({"kind": "labour", "name": "Replace pump", "quantity": 2.5})
                ],
            }
        )
        template = env["after_sales.checklist.template"].create(
            {
                "name": "Descale",
                "company_id": company.id,
                "line_ids": [Command.create({"name": "Flush the boiler"})],
            }
        )
        kit = env["after_sales.parts.kit"].create(
            {
                "name": "Service kit",
                "company_id": company.id,
                "checklist_template_id": template.id,
                "line_ids": [Command.create({"product_id": cls.coffee_beans.id})],
            }
        )
        sale = (
            env["sale.order"]
            .sudo()
            .create(
                {
                    "partner_id": customer.id,
                    "company_id": company.id,
                    "order_line": [Command.create({"product_id": cls.coffee_beans.id})],
                }
            )
        )
        world = {
            "stock.lot": lot,
            "after_sales.equipment": equipment,
            "after_sales.contract": contract,
            "after_sales.contract.sla": contract.sla_ids,
            "after_sales.plan": plan,
            "after_sales.order": order,
            "after_sales.order.task": order.task_ids,
            "after_sales.order.line": labour,
            "after_sales.meter.reading": reading,
            "after_sales.meter": meter,
            "after_sales.loan": loan,
            "after_sales.claim": claim,
            "after_sales.dealer.claim": dealer_claim,
            "after_sales.dealer.claim.line": dealer_claim.line_ids,
            "after_sales.provider": dealer,
            "after_sales.checklist.template": template,
            "after_sales.checklist.template.line": template.line_ids,
            "after_sales.parts.kit": kit,
            "after_sales.parts.kit.line": kit.line_ids,
            "after_sales.zone": env["after_sales.zone"].create(
                {"name": "North", "company_id": company.id}
            ),
            "after_sales.failure.code": env["after_sales.failure.code"].create(
                {"name": "Leak", "kind": "symptom", "company_id": company.id}
            ),
            "after_sales.disposal": env["after_sales.disposal"].create(
                {"equipment_id": successor.id, "company_id": company.id}
            ),
            "after_sales.contract.move": env["after_sales.contract.move"].create(
                {
                    "contract_id": contract.id,
                    "equipment_id": equipment.id,
                    "successor_equipment_id": successor.id,
                    "date": "2026-06-01",
                    "company_id": company.id,
                }
            ),
            "after_sales.part.substitute": env["after_sales.part.substitute"].create(
                {
                    "product_tmpl_id": (
                        cls.coffee_beans if company == cls.company else cls.product_b
                    ).product_tmpl_id.id,
                    "substitute_id": cls.pump.id,
                }
            ),
            "after_sales.reject.reason": env["after_sales.reject.reason"].create(
                {"name": "Outside the term"}
            ),
            "after_sales.service.type": cls.type_corrective,
            "purchase.order": env["purchase.order"]
            .sudo()
            .create({"partner_id": customer.id, "company_id": company.id}),
            "sale.order": sale,
            "sale.order.line": sale.order_line,
            "hr.employee": employee,
            "res.partner": customer,
            "res.company": company,
            "product.template": espresso.product_tmpl_id,
            "product.product": cls.product_a if company == cls.company else cls.product_b,
        }
        if company == cls.company:  # the other company has no chart of accounts
            world["account.move"] = env["account.move"].create({"move_type": "entry"})
        return world

    # ------------------------------------------------------------------
    # JSON-RPC
    # ------------------------------------------------------------------
    _logged_in = None

    def rpc(self, role, model, method, *args, **kwargs):
        user = self.users[role]
        if self._logged_in != user.login:
            self.authenticate(user.login, user.login)
            self._logged_in = user.login
        return call_kw(self, model, method, *args, **kwargs)

    def try_rpc(self, role, model, method, *args, **kwargs):
        """(error name or None, result) of the call."""
        try:
            with mute_logger("odoo.http"):
                return None, self.rpc(role, model, method, *args, **kwargs)
        except JsonRpcException as error:
            return error.args[0], error.server_message

    def record(self, role, model):
        """The record of ``model`` the role works on: its company's."""
        world = self.world_b if role == "other_company" else self.world_a
        return world.get(model)

    def record_for_method(self, role, model):
        """The record a method is called on: always company A's (the portal user's,
        the technician's), so the other company's user tries across companies."""
        if model in self.world_a:
            return self.world_a[model]
        Model = self.env[model].sudo()
        if "company_id" in Model._fields:
            return Model.search([("company_id", "=", self.company.id)], limit=1)
        return Model.search([], limit=1)

    def can(self, role, records, operation):
        user = self.users[role]
        records = records.with_user(user).with_context(allowed_company_ids=user.company_ids.ids)
        return records.has_access(operation)

    def record_result(self, part, key, value):
        self.results.setdefault(part, {})[key] = value

    # ------------------------------------------------------------------
    # 1. Links
    # ------------------------------------------------------------------
    def _foreign_target(self, role, comodel):
        """A record of ``comodel`` the role may not read: of another order or customer
        in the same company first, else of the other company; None if every record is
        readable (then ``comodel`` must be listed in SHARED_COMODELS)."""
        candidates = []
        for world in (self.world_a_other, self.world_a, self.world_b):
            record = world.get(comodel)
            if record:
                candidates.append(record[:1])
        if comodel == "res.users":
            # users are readable by every internal user: a foreign one works for
            # none of the role's companies
            user = self.users[role]
            return (self.technician_b | self.technician).filtered(
                lambda other: not other.company_ids & user.company_ids
            )[:1]
        if comodel == "hr.employee":
            # only HR officers read employees, so "not readable" says nothing: a
            # foreign one is of none of the role's companies
            user = self.users[role]
            employees = self.world_b[comodel] | self.world_a[comodel]
            return employees.filtered(lambda other: other.company_id not in user.company_ids)[:1]
        for record in candidates:
            if not self.can(role, record, "read"):
                return record
        Comodel = self.env[comodel].sudo().with_context(active_test=False)
        if "company_id" in Comodel._fields and Comodel._fields["company_id"].store:
            other = self.company if role == "other_company" else self.company_b
            record = Comodel.search([("company_id", "=", other.id)], limit=1)
            if record and not self.can(role, record, "read"):
                return record
        return None

    def _link_value(self, field, target):
        if field.type == "many2one":
            return target.id
        return [Command.link(target.id)]

    def test_links(self):
        """No role links a record of another order, customer or company."""
        for role, user in self.users.items():
            if role == "internal":
                continue
            for model, cls in self.models.items():
                if cls._transient or model in tables.LINK_SKIP_MODELS:
                    continue
                record = self.record(role, model)
                if not record:
                    with self.subTest(part="links", model=model):
                        self.assertIn(model, tables.NO_RECORD, "build a record of the model")
                    continue
                record = record[:1]
                Model = self.env[model].with_user(user)
                may_write = Model.has_access("write") and self.can(role, record, "write")
                may_create = Model.has_access("create")
                if not (may_write or may_create):
                    continue
                for fname in sorted(our_fields(cls)):
                    field = cls._fields[fname]
                    if field.type not in ("many2one", "many2many", "one2many"):
                        continue
                    if field.readonly or not Model._has_field_access(field, "write"):
                        continue
                    if (model, fname) in tables.LINK_SKIP_FIELDS:
                        continue
                    target = self._foreign_target(role, field.comodel_name)
                    if target is None:
                        with self.subTest(part="links", role=role, comodel=field.comodel_name):
                            self.assertIn(
                                field.comodel_name,
                                tables.SHARED_COMODELS,
                                f"no foreign {field.comodel_name} for {model}.{fname}",
                            )
                        continue
                    value = self._link_value(field, target)
                    if may_write:
                        self._check_link_write(role, model, record, fname, value, target)
                    if may_create:
                        self._check_link_create(role, model, record, fname, value, target)

    def _check_link_write(self, role, model, record, fname, value, target):
        field = record._fields[fname]
        before = record.sudo().read([fname])
        target_before = field.type == "one2many" and target.sudo().read([field.inverse_name])
        error, message = self.try_rpc(role, model, "write", record.ids, {fname: value})
        after = record.sudo().read([fname])
        if after != before:  # put it back for the next checks
            self._restore(record, fname, before[0][fname], target, target_before)
        key = f"{role} write {model}.{fname} -> {target._name},{target.id}"
        if DUMP:
            self.record_result("links", key, error or "WRITTEN")
            return
        with self.subTest(part="links", role=role, op="write", model=model, field=fname):
            self.assertIn(error, REFUSALS, f"{key}: {message}")
            self.assertEqual(after, before, "nothing written")

    def _restore(self, record, fname, value, target, target_before):
        field = record._fields[fname]
        if field.type == "many2one":
            record.sudo().write({fname: value and value[0]})
        elif field.type == "many2many":
            record.sudo().write({fname: [Command.set(value)]})
        else:
            inverse = target_before[0][field.inverse_name]
            target.sudo().write({field.inverse_name: inverse and inverse[0]})

    def _check_link_create(self, role, model, record, fname, value, target):
        cls = self.models[model]
        vals = {
            name: val
            for name, val in record.sudo().copy_data()[0].items()
            if cls._fields[name].type not in ("one2many", "many2many")
        }
        vals = json.loads(json.dumps(vals, default=str))
        vals[fname] = value
        Model = self.env[model].sudo().with_context(active_test=False)
        count = Model.search_count([])
        error, message = self.try_rpc(role, model, "create", [vals])
        key = f"{role} create {model}.{fname} -> {target._name},{target.id}"
        if DUMP:
            self.record_result("links", key, error or "CREATED")
            return
        with self.subTest(part="links", role=role, op="create", model=model, field=fname):
            self.assertIn(error, REFUSALS, f"{key}: {message}")
            self.assertEqual(Model.search_count([]), count, "nothing created")

    # ------------------------------------------------------------------
    # 2. Public methods
    # ------------------------------------------------------------------
    def test_public_methods(self):
        """Our public methods refuse whoever is not meant to call them. A wizard's
        methods are reached through a wizard of one's own: its creation is refused."""
        for role in ("portal", "technician", "internal", "other_company"):
            allowed = tables.METHOD_ALLOW.get(role, {})
            for model, cls in self.method_models.items():
                methods = our_public_methods(cls)
                if cls._transient and methods:
                    error, message = self.try_rpc(role, model, "create", [{}])
                    key = f"{role} {model}.create"
                    if DUMP:
                        self.record_result("methods", key, error or "OK")
                        continue
                    with self.subTest(part="methods", role=role, model=model, method="create"):
                        if "create" in allowed.get(model, {}):
                            self.assertNotEqual(error, ACCESS_ERROR, f"{key}: {message}")
                        else:
                            self.assertEqual(error, ACCESS_ERROR, f"{key}: {message}")
                    continue
                for method in methods:
                    record = self.record_for_method(role, model)
                    func = getattr(cls, method)
                    args = []
                    if not getattr(func, "_api_model", False):
                        if not record:
                            with self.subTest(part="methods", model=model):
                                self.assertIn(model, tables.NO_RECORD)
                            continue
                        args.append(record[:1].ids)
                    params = list(inspect.signature(func).parameters.values())[1:]
                    args += [
                        False
                        for param in params
                        if param.default is param.empty
                        and param.kind in (param.POSITIONAL_ONLY, param.POSITIONAL_OR_KEYWORD)
                    ]
                    error, message = self.try_rpc(role, model, method, *args)
                    key = f"{role} {model}.{method}"
                    if DUMP:
                        self.record_result("methods", key, error or "OK")
                        continue
                    with self.subTest(part="methods", role=role, model=model, method=method):
                        if method in allowed.get(model, {}):
                            self.assertNotEqual(error, ACCESS_ERROR, f"{key}: {message}")
                        else:
                            self.assertEqual(error, ACCESS_ERROR, f"{key}: {message}")

    # ------------------------------------------------------------------
    # 3. Readable fields
    # ------------------------------------------------------------------
    def _readable(self, role, model, cls):
        """Our fields of ``model`` the role reads (None: the model is closed to it),
        checked by fields_get and by reading them all on a record it may read."""
        if not self.env[model].with_user(self.users[role]).has_access("read"):
            return None, None
        error, result = self.try_rpc(role, model, "fields_get", [], ["type"])
        if error:
            return None, None
        names = sorted(set(result) & our_fields(cls) - MAGIC_FIELDS)
        records = [
            world.get(model)
            for world in (self.world_a, self.world_a_other, self.world_b)
            if world.get(model)
        ]
        readable = [record[:1] for record in records if self.can(role, record[:1], "read")]
        if not readable or not names:
            return set(names), None
        error, rows = self.try_rpc(role, model, "read", readable[0].ids, names)
        return set(names), (error, message_or_keys(rows))

    def test_readable_fields(self):
        """Each role reads exactly the fields its list names."""
        for role in self.users:
            if role == "internal":
                continue
            expected_role = tables.READABLE.get(role, {})
            for model, cls in self.models.items():
                if cls._transient:
                    continue
                names, read = self._readable(role, model, cls)
                if DUMP:
                    self.record_result(
                        "readable", f"{role} {model}", "CLOSED" if names is None else names
                    )
                    if read and read[0]:
                        self.record_result("read_errors", f"{role} {model}", read)
                    continue
                with self.subTest(part="readable", role=role, model=model):
                    expected = expected_role.get(model)
                    expected = None if expected is None else set(expected.split())
                    self.assertEqual(names, expected, "fields_get")
                    if read:
                        error, keys = read
                        self.assertIsNone(error, f"reading every field of fields_get: {keys}")
                        self.assertEqual(set(keys) - {"id"}, names, "read")

    def test_copied_values_keep_their_restriction(self):
        """A field of ours that copies a value a role may not read (an employee's
        cost, our product cost) is unreadable to that role as well; the roles of
        COST_READERS read costs by decision (they cost and book the orders)."""
        for (model, fname), (source_model, source_field) in tables.DERIVED.items():
            for role, user in self.users.items():
                if role == "internal" or role in tables.COST_READERS:
                    continue
                source = self.env[source_model].with_user(user)
                may_read_source = source.has_access("read") and source._has_field_access(
                    source._fields[source_field], "read"
                )
                if may_read_source:
                    continue
                error, result = self.try_rpc(role, model, "fields_get", [fname], ["type"])
                with self.subTest(part="derived", role=role, field=f"{model}.{fname}"):
                    self.assertFalse(
                        not error and fname in result,
                        f"{role} reads {model}.{fname} but not {source_model}.{source_field}",
                    )

    def test_derived_table_is_complete(self):
        """Every amount of ours that relates to or names a cost or margin is in DERIVED
        or in NOT_DERIVED (with its reason)."""
        for model, cls in self.models.items():
            for fname in our_fields(cls):
                field = cls._fields[fname]
                related = field.related or ""
                if field.type not in ("float", "monetary"):
                    continue
                if not (
                    "cost" in fname
                    or "margin" in fname
                    or related.endswith(("standard_price", "hourly_cost"))
                ):
                    continue
                with self.subTest(field=f"{model}.{fname}"):
                    self.assertTrue(
                        (model, fname) in tables.DERIVED or (model, fname) in tables.NOT_DERIVED,
                        "decide whether it copies a restricted value",
                    )

    # ------------------------------------------------------------------
    # 4. States
    # ------------------------------------------------------------------
    def _reset_state(self, record, state):
        self.env.flush_all()
        self.env.cr.execute(
            f'UPDATE "{record._table}" SET state = %s WHERE id = %s',  # noqa: S608
            (state, record.id),
        )
        self.env.invalidate_all()

    def test_state_writes(self):
        """A plain write of each state has the outcome of the table, for each role."""
        for model, cls in self.models.items():
            field = cls._fields.get("state")
            if cls._transient or not field or field.type != "selection" or not field.store:
                continue
            if "state" not in our_fields(cls):
                continue
            states = [value for value, _label in field._description_selection(self.env)]
            for role in self.users:
                if role == "internal":
                    continue
                record = self.record(role, model)
                if not record:
                    with self.subTest(part="states", model=model):
                        self.assertIn(model, tables.NO_RECORD)
                    continue
                record = record[:1]
                initial = record.state
                for state in states:
                    if state == initial:
                        continue
                    error, message = self.try_rpc(
                        role, model, "write", record.ids, {"state": state}
                    )
                    written = record.state
                    self._reset_state(record, initial)
                    key = f"{model} {role} {state}"
                    outcome = "refused" if error in REFUSALS else (error or "ok")
                    if DUMP:
                        self.record_result("states", key, outcome)
                        continue
                    allowed = state in tables.STATE_WRITES.get(model, {}).get(role, ())
                    with self.subTest(part="states", model=model, role=role, state=state):
                        expected = "ok" if allowed else "refused"
                        self.assertEqual(outcome, expected, f"{key}: {message}")
                        if outcome == "refused":
                            self.assertEqual(written, initial, "nothing written")
                        else:
                            self.assertEqual(written, state)


def message_or_keys(rows):
    if isinstance(rows, list) and rows:
        return sorted(rows[0])
    return rows
