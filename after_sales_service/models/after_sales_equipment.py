from collections import defaultdict

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.fields import Domain
from odoo.tools import SQL

from .coverage import SHARES, Coverage, describe_coverage
from .product_template import (
    WARRANTY_TERM_FIELDS,
    WARRANTY_TERMS_CHECK,
    WARRANTY_TRIGGERS,
    check_warranty_terms,
)
from .utils import company_local_date, company_today, context_date, count_by, window_action

WARRANTY_STATES = [
    ("warranty", "In Warranty"),
    ("contract", "Under Contract"),
    ("expired", "Expired"),
]

# Contract states in which a contract covered the dates of its term.
COVERING_CONTRACT_STATES = ("running", "expired")


def warranty_end(start, months):
    """Last day of a warranty of ``months`` months from ``start`` (False if none).

    The warranty covers the days up to, not including, the ``months``-month
    anniversary of ``start`` (by ``relativedelta``: 31 January + 1 month is
    28 February): 6 months from 1 March end on 31 August.
    """
    if not start or months <= 0:
        return False
    return start + relativedelta(months=months, days=-1)


WARRANTY_START_DEPENDS = (
    "delivery_date",
    "install_date",
    "warranty_trigger",
    "warranty_install_cap_months",
)


def captured_term(name):
    """Field parameters of a warranty term copied from the product when the unit is
    created or gets another product; a later change of the product does not apply.

    One compute per term, so that a term given at creation is not overwritten
    while the others are computed.
    """

    @api.depends("product_id")
    def compute(self):
        for equipment in self:
            equipment[name] = equipment.product_id[name]

    return {"compute": compute, "store": True, "readonly": False, "precompute": True}


class AfterSalesEquipment(models.Model):
    """A unit of the installed base: one product (usually one serial) at a customer."""

    _name = "after_sales.equipment"
    _description = "Customer Equipment"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "partner_id, product_id, id"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True, index="trigram")
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Owner",
        index=True,
        tracking=True,
        check_company=True,
        help="The customer who owns the unit. Empty once the unit was returned.",
    )
    site_partner_id = fields.Many2one(
        "res.partner",
        string="Site Address",
        check_company=True,
        help="Where the unit is installed (the delivery address).",
    )
    product_id = fields.Many2one(
        "product.product",
        required=True,
        index=True,
        tracking=True,
        check_company=True,
    )
    product_tmpl_id = fields.Many2one(related="product_id.product_tmpl_id")
    lot_id = fields.Many2one(
        "stock.lot",
        string="Serial Number",
        index="btree_not_null",
        tracking=True,
        check_company=True,
        domain="[('product_id', '=', product_id)]",
    )
    delivery_date = fields.Date(tracking=True)
    install_date = fields.Date(string="Installation Date", tracking=True)
    # Set with the owner by create and write (not a compute that reads its own old
    # value: a unit delivered and returned before the next flush kept no last owner)
    last_partner_id = fields.Many2one(
        "res.partner",
        string="Last Owner",
        readonly=True,
        help="The customer who owns or last owned the unit (kept after a return): a unit "
        "delivered again to the same customer keeps its warranty.",
    )
    # Warranty terms of the product when the unit was sold: later changes of the
    # product apply to units sold later.
    warranty_months = fields.Integer(
        string="Warranty (months)", tracking=True, **captured_term("warranty_months")
    )
    warranty_trigger = fields.Selection(
        WARRANTY_TRIGGERS, string="Warranty Starts On", **captured_term("warranty_trigger")
    )
    warranty_install_cap_months = fields.Integer(
        string="Starts No Later Than Delivery + (months)",
        **captured_term("warranty_install_cap_months"),
    )
    warranty_parts_pct = fields.Float(
        string="Warranty Parts %", **captured_term("warranty_parts_pct")
    )
    warranty_labour_pct = fields.Float(
        string="Warranty Labour %", **captured_term("warranty_labour_pct")
    )
    warranty_travel_pct = fields.Float(
        string="Warranty Travel %", **captured_term("warranty_travel_pct")
    )
    warranty_start_date = fields.Date(
        compute="_compute_warranty_start_date",
        store=True,
        precompute=True,
        tracking=True,
        help="The delivery or installation date, following the warranty terms.",
    )
    warranty_end_date = fields.Date(
        compute="_compute_warranty_end_date",
        inverse="_inverse_warranty_end_date",
        store=True,
        readonly=False,
        precompute=True,
        index=True,
        tracking=True,
    )
    warranty_end_override = fields.Date(
        string="Extended Warranty End",
        copy=False,
        help="End date entered by hand (an extended warranty): kept whatever happens "
        "to the unit until someone edits the end date again.",
    )
    warranty_state = fields.Selection(
        WARRANTY_STATES,
        compute="_compute_warranty_state",
        search="_search_warranty_state",
        help="Coverage today: in warranty, under a running contract, or not covered.",
    )
    contract_ids = fields.Many2many(
        "after_sales.contract",
        "after_sales_contract_equipment_rel",
        "equipment_id",
        "contract_id",
        string="Contracts",
        copy=False,
    )
    contract_id = fields.Many2one(
        "after_sales.contract",
        string="Current Contract",
        compute="_compute_current_contract",
    )
    contract_count = fields.Integer(compute="_compute_contract_count")
    delivery_move_id = fields.Many2one(
        "stock.move",
        string="Delivery",
        readonly=True,
        copy=False,
        help="The stock move that delivered the unit to its owner.",
    )
    note = fields.Html()
    is_loaner = fields.Boolean(
        string="Loaner Unit",
        help="A unit of ours that is lent to customers while theirs is in repair.",
    )
    order_ids = fields.One2many("after_sales.order", "equipment_id", string="Service Orders")
    order_count = fields.Integer(compute="_compute_history_counts")
    plan_ids = fields.One2many("after_sales.plan", "equipment_id", string="Maintenance Plans")
    plan_count = fields.Integer(compute="_compute_history_counts")
    meter_reading_ids = fields.One2many(
        "after_sales.meter.reading",
        "equipment_id",
        string="Meter Readings",
        groups="after_sales_service.group_technician",
    )
    loan_ids = fields.One2many(
        "after_sales.loan",
        "loaner_id",
        string="Loans",
        groups="after_sales_service.group_technician",
    )

    _lot_unique = models.UniqueIndex(
        "(lot_id) WHERE lot_id IS NOT NULL",
        "This serial number is already in the installed base.",
    )
    _warranty_terms_check = models.Constraint(
        WARRANTY_TERMS_CHECK,
        "Warranty durations cannot be negative and percentages must be between 0 and 100.",
    )
    _warranty_dates_check = models.Constraint(
        "CHECK(warranty_end_date >= warranty_start_date)",
        "The warranty cannot end before it starts.",
    )

    @api.depends("product_id", "lot_id")
    def _compute_name(self):
        # stored for searching; people read display_name, in their own language
        for equipment in self:
            equipment.name = equipment._unit_label()

    @api.depends("product_id", "lot_id")
    @api.depends_context("lang")
    def _compute_display_name(self):
        # the names of the product and serial of a unit one may read are shown to
        # whoever reads it (portal customers and accountants read no stock records)
        for equipment in self:
            equipment.display_name = equipment.sudo()._unit_label()

    def _unit_label(self):
        self.ensure_one()
        name = self.product_id.display_name or ""
        if self.lot_id:
            name = f"{name} ({self.lot_id.name})"
        return name

    @api.model
    def _product_warranty_terms(self, product):
        return {name: product[name] for name in WARRANTY_TERM_FIELDS}

    def _warranty_start(self):
        """The delivery date; for a warranty starting at installation, the
        installation date but no later than delivery + the cap (when the product
        has one): a unit never installed starts its warranty on that cap date."""
        self.ensure_one()
        start = self.delivery_date
        if self.warranty_trigger == "installation":
            cap_months = self.warranty_install_cap_months
            cap = start and cap_months > 0 and start + relativedelta(months=cap_months)
            start = min(filter(None, (self.install_date, cap)), default=False)
        return start

    @api.depends(*WARRANTY_START_DEPENDS)
    def _compute_warranty_start_date(self):
        for equipment in self:
            equipment.warranty_start_date = equipment._warranty_start()

    # Computed from the same facts as the start date, not from the start date
    # field: the two are consistent whichever is computed first.
    @api.depends(*WARRANTY_START_DEPENDS, "warranty_months", "warranty_end_override")
    def _compute_warranty_end_date(self):
        for equipment in self:
            equipment.warranty_end_date = equipment.warranty_end_override or warranty_end(
                equipment._warranty_start(), equipment.warranty_months
            )

    def _inverse_warranty_end_date(self):
        """An end date entered by hand is an override, unless it is the computed one
        (the form sends the end date it recomputed when the start date changed)."""
        for equipment in self:
            computed = warranty_end(equipment._warranty_start(), equipment.warranty_months)
            end = equipment.warranty_end_date
            equipment.warranty_end_override = end if end != computed else False

    @api.depends("warranty_start_date", "warranty_end_date", "partner_id", "contract_ids.state")
    @api.depends_context("date")
    def _compute_warranty_state(self):
        coverages = self._get_coverage_batch(context_date(self))
        for equipment in self:
            source = coverages[equipment.id].source
            equipment.warranty_state = source if source != "none" else "expired"

    def _search_warranty_state(self, operator, value):
        if operator not in ("in", "not in"):
            return NotImplemented
        today = context_date(self)
        in_warranty = Domain("warranty_start_date", "<=", today) & Domain(
            "warranty_end_date", ">=", today
        )
        under_contract = ~in_warranty & self._under_contract_domain(today)
        by_state = {
            "warranty": in_warranty,
            "contract": under_contract,
            "expired": ~in_warranty & ~under_contract,
        }
        domain = Domain.OR(by_state[state] for state in value if state in by_state)
        return ~domain if operator == "not in" else domain

    def _under_contract_domain(self, day):
        """Units that a contract of their owner covers on ``day``: the contract's
        customer is the unit's owner (a former owner's contract does not count)."""
        contracts = self.env["after_sales.contract"]._search(
            Domain("state", "in", COVERING_CONTRACT_STATES)
            & Domain("date_start", "<=", day)
            & Domain("date_end", ">=", day)
        )

        def to_sql(model, alias, query):
            return SQL(
                """EXISTS (
                    SELECT 1
                      FROM after_sales_contract_equipment_rel rel
                      JOIN after_sales_contract contract ON contract.id = rel.contract_id
                      JOIN res_partner customer ON customer.id = contract.partner_id
                      JOIN res_partner owner ON owner.id = %(owner)s
                     WHERE rel.equipment_id = %(equipment)s
                       AND rel.contract_id IN %(contracts)s
                       AND customer.commercial_partner_id = owner.commercial_partner_id
                )""",
                owner=model._field_to_sql(alias, "partner_id", query),
                equipment=model._field_to_sql(alias, "id", query),
                contracts=contracts.subselect(),
            )

        return Domain.custom(to_sql=to_sql)

    @api.depends(
        "partner_id", "contract_ids.state", "contract_ids.date_start", "contract_ids.date_end"
    )
    @api.depends_context("date")
    def _compute_current_contract(self):
        coverages = self._get_coverage_batch(context_date(self), use_warranty=False)
        for equipment in self:
            contract_id = coverages[equipment.id].contract_id
            equipment.contract_id = self.env["after_sales.contract"].browse(contract_id)

    def _compute_contract_count(self):
        counts = count_by(self.env["after_sales.contract"], "equipment_ids", self)
        for equipment in self:
            equipment.contract_count = counts.get(equipment, 0)

    def _compute_history_counts(self):
        orders = count_by(self.env["after_sales.order"], "equipment_id", self)
        plans = count_by(self.env["after_sales.plan"], "equipment_id", self)
        for equipment in self:
            equipment.order_count = orders.get(equipment, 0)
            equipment.plan_count = plans.get(equipment, 0)

    @api.constrains("lot_id", "product_id")
    def _check_lot_product(self):
        for equipment in self:
            if equipment.lot_id and equipment.lot_id.product_id != equipment.product_id:
                raise ValidationError(
                    self.env._(
                        "Serial number %(lot)s belongs to %(lot_product)s, not to %(product)s.",
                        lot=equipment.lot_id.name,
                        lot_product=equipment.lot_id.product_id.display_name,
                        product=equipment.product_id.display_name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        self._check_lots_free([vals.get("lot_id") for vals in vals_list])
        # the owners' commercial entities in one query, not one per unit
        self.env["res.partner"].browse(
            list({vals["partner_id"] for vals in vals_list if vals.get("partner_id")})
        ).fetch(["commercial_partner_id"])
        for vals in vals_list:
            vals.update(self._last_partner_vals(vals))
        return super().create(vals_list)

    def write(self, vals):
        if vals.get("lot_id"):
            self._check_lots_free([vals["lot_id"]] * len(self), exclude=self)
        changed = self.browse()
        if "partner_id" in vals:
            owner = self.env["res.partner"].browse(vals["partner_id"]).commercial_partner_id
            changed = self.filtered(lambda e: e.partner_id.commercial_partner_id != owner)
            vals = {**vals, **self._last_partner_vals(vals)}
        result = super().write(vals)
        if changed:
            changed._move_plans_to_owner()
        return result

    @api.model
    def _last_partner_vals(self, vals):
        """The last owner that ``vals`` sets: the commercial entity of a new owner (a
        return, which empties the owner, keeps the last one)."""
        if not vals.get("partner_id"):
            return {}
        owner = self.env["res.partner"].browse(vals["partner_id"]).commercial_partner_id
        return {"last_partner_id": owner.id}

    def _move_plans_to_owner(self):
        """After a change of owner, the active maintenance plans of the units follow
        a running contract of the new owner covering the unit, or stop today."""
        plans = self.env["after_sales.plan"].search([("equipment_id", "in", self.ids)])
        if not plans:
            return
        contracts = self.env["after_sales.contract"].search(
            [("equipment_ids", "in", self.ids), ("state", "=", "running")],
            order="date_start desc, id desc",
        )
        to_stop = plans.browse()
        moves = defaultdict(plans.browse)  # contract: plans
        for plan in plans:
            equipment = plan.equipment_id
            contract = next(
                (
                    c
                    for c in contracts
                    if equipment in c.equipment_ids and equipment._is_owned_by(c.partner_id)
                ),
                None,
            )
            if contract:
                if plan.contract_id != contract:
                    moves[contract] |= plan
            else:
                to_stop |= plan
        for contract, moved in moves.items():
            moved.write({"contract_id": contract.id})
        for company in to_stop.company_id:
            to_stop.filtered(lambda p, company=company: p.company_id == company)._stop(
                company_today(company),
                self.env._("The equipment changed owner: the plan stopped."),
            )

    def _check_lots_free(self, lot_ids, exclude=None):
        """Refuse a serial that is already in the installed base, before writing.

        The unique index on ``lot_id`` is the guarantee under concurrency; this
        check gives the clear message (and costs one query per batch).
        """
        lot_ids = [lot_id for lot_id in lot_ids if lot_id]
        if not lot_ids:
            return
        domain = [("lot_id", "in", lot_ids)]
        if exclude:
            domain.append(("id", "not in", exclude.ids))
        taken = self.sudo().with_context(active_test=False).search(domain).lot_id
        taken |= self.env["stock.lot"].browse(
            {lot_id for lot_id in lot_ids if lot_ids.count(lot_id) > 1}
        )
        if taken:
            raise ValidationError(
                self.env._(
                    "Serial number %(lots)s is already in the installed base.",
                    lots=", ".join(taken.sudo().mapped("name")),
                )
            )

    @api.constrains("warranty_start_date", "warranty_end_date")
    def _check_warranty_dates(self):
        for equipment in self:
            start, end = equipment.warranty_start_date, equipment.warranty_end_date
            if start and end and end < start:
                raise ValidationError(
                    self.env._(
                        "The warranty of %(name)s ends before it starts.", name=equipment.name
                    )
                )

    @api.constrains(*WARRANTY_TERM_FIELDS)
    def _check_warranty_terms(self):
        check_warranty_terms(self)

    @api.onchange("lot_id")
    def _onchange_lot_id(self):
        if self.lot_id and not self.product_id:
            self.product_id = self.lot_id.product_id

    # ------------------------------------------------------------------
    # Coverage: the one place that says who pays for a service.
    # ------------------------------------------------------------------
    def _get_coverage(self, date=None, service_type=None):
        """Return what covers this equipment on ``date`` for ``service_type``.

        :param date: a date, local to the company (default: the ``date`` of the
            context, else today where the equipment's company works)
        :param service_type: an ``after_sales.service.type`` record, or None for "any"
        :rtype: Coverage
        """
        self.ensure_one()
        date = date or self.env.context.get("date") or company_today(self.company_id)
        return self._get_coverage_batch(date, service_type)[self.id]

    def _get_coverage_batch(self, date, service_type=None, use_warranty=True):
        """Coverage of every equipment in ``self`` on ``date``: {equipment id: Coverage}.

        Two sources may pay: the warranty (its captured terms, when ``date`` is in
        its period and it covers the service type) and the best contract of the
        unit's owner whose term includes ``date`` and which covers the service
        type. Each share (parts, labour, travel) is paid by the source paying the
        higher percentage of it, the warranty winning a tie. Reads in a fixed
        number of queries.
        """
        date = fields.Date.to_date(date)
        result = {}
        for equipment in self:
            warranty = use_warranty and equipment._warranty_applies(date, service_type)
            contract = equipment._covering_contract(date, service_type)
            result[equipment.id] = equipment._combine_coverage(warranty, contract)
        return result

    def _warranty_applies(self, date, service_type):
        start, end = self.warranty_start_date, self.warranty_end_date
        return bool(
            start
            and end
            and start <= date <= end
            and (not service_type or service_type.is_warranty_covered)
        )

    def _covering_contract(self, date, service_type):
        """The best contract of the unit's owner covering it on ``date`` (or none)."""
        contracts = self.contract_ids.filtered(
            lambda c: (
                self._is_owned_by(c.partner_id)
                and c.state in COVERING_CONTRACT_STATES
                and c.date_start <= date <= c.date_end
                and (
                    not service_type or not c.service_type_ids or service_type in c.service_type_ids
                )
            )
        )
        return max(
            contracts,
            key=lambda c: (c.parts_pct + c.labour_pct + c.travel_pct, c.date_start, c.id),
            default=contracts,
        )

    def _is_owned_by(self, partner):
        """Whether the unit belongs to ``partner`` (a contact of its owner counts)."""
        owner = self.partner_id
        return bool(owner) and (
            partner == owner or partner.commercial_partner_id == owner.commercial_partner_id
        )

    def _combine_coverage(self, warranty, contract):
        """The Coverage of the warranty (if it applies) and ``contract``, per share."""
        values = {}
        for share in SHARES:
            warranty_pct = self[f"warranty_{share}_pct"] if warranty else 0.0
            contract_pct = contract[f"{share}_pct"] if contract else 0.0
            if warranty_pct and warranty_pct >= contract_pct:
                source, pct = "warranty", warranty_pct
            elif contract_pct:
                source, pct = "contract", contract_pct
            else:
                source, pct = "none", 0.0
            values[f"{share}_source"] = source
            values[f"{share}_pct"] = pct
        shares = {share: (values[f"{share}_source"], values[f"{share}_pct"]) for share in SHARES}
        reason, fragments = describe_coverage(
            self.env,
            shares,
            warranty_end=fields.Date.to_string(self.warranty_end_date),
            contract_name=contract.name,
        )
        for share in SHARES:
            values[f"{share}_reason"] = fragments[share]
        payers = {source for source, _pct in shares.values()} - {"none"}
        if "warranty" in payers:
            source = "warranty"
        else:
            source = "contract" if contract else "none"
        pays = "contract" in payers or source == "contract"
        return Coverage(
            source=source,
            reason=reason,
            contract_id=contract.id if pays else 0,
            **values,
        )

    # ------------------------------------------------------------------
    # Installed base from stock moves
    # ------------------------------------------------------------------
    @api.model
    def _register_deliveries(self, move_lines):
        """Put delivered serials in their customer's base and take returned ones out.

        ``move_lines`` are done ``stock.move.line`` records; only serial-tracked
        products matter. One equipment per serial, ever. A unit delivered again
        after a return:

        - to the customer who owned it last (a repair exchange, a cancelled
          return) keeps the warranty it had: dates and terms unchanged;
        - to another customer is a resale: the product's current warranty terms
          are captured again and a new warranty starts from this delivery (or
          from the new installation); a hand-entered end date does not carry over.
        """
        lines = move_lines.filtered(
            lambda ml: ml.lot_id and ml.product_id.tracking == "serial" and ml.quantity > 0
        )
        outgoing = lines.filtered(
            lambda ml: (
                ml.location_dest_id.usage == "customer" and ml.location_id.usage != "customer"
            )
        )
        returned = lines.filtered(
            lambda ml: (
                ml.location_id.usage == "customer" and ml.location_dest_id.usage != "customer"
            )
        )
        if not (outgoing or returned):
            return self.browse()
        equipment_model = self.sudo().with_context(active_test=False)
        existing = equipment_model.search([("lot_id", "in", (outgoing | returned).lot_id.ids)])
        by_lot = {equipment.lot_id.id: equipment for equipment in existing}

        removed = equipment_model.browse()
        for line in returned:
            equipment = by_lot.get(line.lot_id.id)
            if not equipment or not equipment.partner_id:
                continue
            reference = line.picking_id.name or line.move_id.reference or ""
            equipment.message_post(
                body=self.env._(
                    "Returned by %(partner)s (%(reference)s): removed from the installed base.",
                    partner=equipment.partner_id.display_name,
                    reference=reference,
                )
            )
            removed |= equipment
        removed.write({"partner_id": False, "site_partner_id": False})

        to_create = []
        updates = defaultdict(equipment_model.browse)  # values: equipment, one write each
        for line in outgoing:
            move = line.move_id
            site = line.picking_id.partner_id or move.partner_id
            if not site:
                continue
            day = company_local_date(move.company_id, line.date or fields.Datetime.now())
            vals = {
                "partner_id": site.commercial_partner_id.id,
                "site_partner_id": site.id,
                "delivery_move_id": move.id,
                "active": True,
            }
            equipment = by_lot.get(line.lot_id.id)
            if not equipment:
                vals.update(
                    {
                        "product_id": line.product_id.id,
                        "lot_id": line.lot_id.id,
                        "company_id": move.company_id.id,
                        "delivery_date": day,
                    }
                )
                to_create.append(vals)
                continue
            if equipment.last_partner_id != site.commercial_partner_id:
                vals.update(equipment._new_sale_vals(line.product_id, day))
            elif not equipment.delivery_date:
                vals["delivery_date"] = day
            updates[tuple(vals.items())] |= equipment
        for vals, equipment in updates.items():
            equipment.write(dict(vals))
        created = equipment_model.create(to_create) if to_create else equipment_model
        return removed | created | equipment_model.union(*updates.values())

    def _new_sale_vals(self, product, day):
        """Values that start a new warranty for a unit sold on ``day``."""
        return {
            **self._product_warranty_terms(product),
            "delivery_date": day,
            "install_date": False,
            "warranty_end_override": False,
        }

    def _set_installation_date(self, day):
        """The units were installed on ``day`` (a date, local to the company): set it
        on those without an installation date, which starts a warranty that runs
        from installation. A unit keeps its first installation date."""
        self.filtered(lambda e: not e.install_date).write({"install_date": day})

    def _history_action(self, xmlid, field="equipment_id", context=None):
        self.ensure_one()
        return window_action(
            self.env,
            xmlid,
            [(field, "in", self.ids)],
            context or {"default_equipment_id": self.id, "default_partner_id": self.partner_id.id},
        )

    def action_view_orders(self):
        return self._history_action("after_sales_service.after_sales_order_action")

    def action_view_plans(self):
        return self._history_action("after_sales_service.after_sales_plan_action")

    def action_view_contracts(self):
        return self._history_action(
            "after_sales_service.after_sales_contract_action",
            "equipment_ids",
            {"default_partner_id": self.partner_id.id, "default_equipment_ids": [self.id]},
        )
