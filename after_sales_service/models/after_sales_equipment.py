from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.fields import Domain

from .coverage import Coverage
from .utils import context_date, count_by, window_action

WARRANTY_STATES = [
    ("warranty", "In Warranty"),
    ("contract", "Under Contract"),
    ("expired", "Expired"),
]

# Contract states in which a contract covered the dates of its term.
COVERING_CONTRACT_STATES = ("running", "expired")


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
    warranty_start_date = fields.Date(
        compute="_compute_warranty_dates",
        store=True,
        readonly=False,
        tracking=True,
    )
    warranty_end_date = fields.Date(
        compute="_compute_warranty_dates",
        store=True,
        readonly=False,
        index=True,
        tracking=True,
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
        "after_sales.meter.reading", "equipment_id", string="Meter Readings"
    )
    loan_ids = fields.One2many("after_sales.loan", "loaner_id", string="Loans")

    _lot_unique = models.UniqueIndex(
        "(lot_id) WHERE lot_id IS NOT NULL",
        "This serial number is already in the installed base.",
    )

    @api.depends("product_id", "lot_id")
    def _compute_name(self):
        for equipment in self:
            name = equipment.product_id.display_name or ""
            if equipment.lot_id:
                name = f"{name} ({equipment.lot_id.name})"
            equipment.name = name

    @api.depends(
        "delivery_date",
        "install_date",
        "product_id.warranty_months",
        "product_id.warranty_trigger",
    )
    def _compute_warranty_dates(self):
        for equipment in self:
            template = equipment.product_id.product_tmpl_id
            if template.warranty_trigger == "installation":
                start = equipment.install_date
            else:
                start = equipment.delivery_date
            if not start or template.warranty_months <= 0:
                equipment.warranty_start_date = start
                equipment.warranty_end_date = False
                continue
            equipment.warranty_start_date = start
            equipment.warranty_end_date = start + relativedelta(months=template.warranty_months)

    @api.depends("warranty_start_date", "warranty_end_date", "contract_ids.state")
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
        under_contract = ~in_warranty & Domain(
            "contract_ids",
            "any",
            Domain("state", "in", COVERING_CONTRACT_STATES)
            & Domain("date_start", "<=", today)
            & Domain("date_end", ">=", today),
        )
        by_state = {
            "warranty": in_warranty,
            "contract": under_contract,
            "expired": ~in_warranty & ~under_contract,
        }
        domain = Domain.OR(by_state[state] for state in value if state in by_state)
        return ~domain if operator == "not in" else domain

    @api.depends("contract_ids.state", "contract_ids.date_start", "contract_ids.date_end")
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
        return super().create(vals_list)

    def write(self, vals):
        if vals.get("lot_id"):
            self._check_lots_free([vals["lot_id"]] * len(self), exclude=self)
        return super().write(vals)

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

    @api.onchange("lot_id")
    def _onchange_lot_id(self):
        if self.lot_id and not self.product_id:
            self.product_id = self.lot_id.product_id

    # ------------------------------------------------------------------
    # Coverage: the one place that says who pays for a service.
    # ------------------------------------------------------------------
    def _get_coverage(self, date=None, service_type=None):
        """Return what covers this equipment on ``date`` for ``service_type``.

        :param date: a date (default: today)
        :param service_type: an ``after_sales.service.type`` record, or None for "any"
        :rtype: Coverage
        """
        self.ensure_one()
        return self._get_coverage_batch(date or context_date(self), service_type)[self.id]

    def _get_coverage_batch(self, date, service_type=None, use_warranty=True):
        """Coverage of every equipment in ``self`` on ``date``: {equipment id: Coverage}.

        Warranty comes first when it applies to the service type (it is free to the
        customer); otherwise the best contract whose term includes ``date`` and which
        covers the service type; otherwise nothing. Reads in a fixed number of queries.
        """
        date = fields.Date.to_date(date)
        result = {}
        for equipment in self:
            coverage = None
            if use_warranty:
                coverage = equipment._warranty_coverage(date, service_type)
            if coverage is None:
                coverage = equipment._contract_coverage(date, service_type)
            result[equipment.id] = coverage
        return result

    def _warranty_coverage(self, date, service_type):
        start, end = self.warranty_start_date, self.warranty_end_date
        if not (start and end and start <= date <= end):
            return None
        if service_type and not service_type.is_warranty_covered:
            return None
        template = self.product_id.product_tmpl_id
        return Coverage(
            source="warranty",
            parts_pct=template.warranty_parts_pct,
            labour_pct=template.warranty_labour_pct,
            travel_pct=template.warranty_travel_pct,
            reason=self.env._("Warranty until %(date)s", date=fields.Date.to_string(end)),
        )

    def _contract_coverage(self, date, service_type):
        contracts = self.contract_ids.filtered(
            lambda c: (
                c.state in COVERING_CONTRACT_STATES
                and c.date_start <= date <= c.date_end
                and (
                    not service_type or not c.service_type_ids or service_type in c.service_type_ids
                )
            )
        )
        if not contracts:
            return Coverage(source="none", reason=self.env._("Not covered"))
        best = max(
            contracts,
            key=lambda c: (c.parts_pct + c.labour_pct + c.travel_pct, c.date_start, c.id),
        )
        return Coverage(
            source="contract",
            parts_pct=best.parts_pct,
            labour_pct=best.labour_pct,
            travel_pct=best.travel_pct,
            reason=self.env._(
                "Contract %(contract)s, parts %(parts)s %%, labour %(labour)s %%, "
                "travel %(travel)s %%",
                contract=best.name,
                parts=_format_pct(best.parts_pct),
                labour=_format_pct(best.labour_pct),
                travel=_format_pct(best.travel_pct),
            ),
            contract_id=best.id,
        )

    # ------------------------------------------------------------------
    # Installed base from stock moves
    # ------------------------------------------------------------------
    @api.model
    def _register_deliveries(self, move_lines):
        """Put delivered serials in their customer's base and take returned ones out.

        ``move_lines`` are done ``stock.move.line`` records; only serial-tracked
        products matter. One equipment per serial, ever: a unit delivered again
        after a return gets its new owner and dates.
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

        to_create = []
        touched = self.browse()
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
            equipment.write({"partner_id": False, "site_partner_id": False})
            touched |= equipment
        for line in outgoing:
            move = line.move_id
            site = line.picking_id.partner_id or move.partner_id
            if not site:
                continue
            vals = {
                "partner_id": site.commercial_partner_id.id,
                "site_partner_id": site.id,
                "delivery_date": fields.Date.to_date(
                    fields.Datetime.context_timestamp(self, line.date or fields.Datetime.now())
                ),
                "delivery_move_id": move.id,
                "active": True,
            }
            equipment = by_lot.get(line.lot_id.id)
            if equipment:
                equipment.write(vals)
                touched |= equipment
            else:
                vals.update(
                    {
                        "product_id": line.product_id.id,
                        "lot_id": line.lot_id.id,
                        "company_id": move.company_id.id,
                    }
                )
                to_create.append(vals)
        if to_create:
            touched |= equipment_model.create(to_create)
        return touched

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


def _format_pct(value):
    return f"{value:g}"
