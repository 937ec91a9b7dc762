from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Command

LIFECYCLE_STATES = [
    ("in_use", "In Use"),
    ("taking_back", "Being Taken Back"),
    ("taken_back", "Taken Back"),
    ("disposed", "Disposed"),
]


class AfterSalesEquipment(models.Model):
    """End of life of a unit: a replacement offer to its owner, its take-back, its
    disposal, and its contract moved to the unit that replaces it."""

    _inherit = "after_sales.equipment"

    is_obsolete = fields.Boolean(related="product_id.after_sales_obsolete", string="Obsolete")
    successor_product_id = fields.Many2one(
        related="product_id.after_sales_successor_id", string="Successor"
    )
    take_back_picking_id = fields.Many2one(
        "stock.picking",
        string="Take-Back Receipt",
        readonly=True,
        copy=False,
        check_company=True,
        groups="stock.group_stock_user",
        help="The receipt that brings the unit back from its owner.",
    )
    disposal_ids = fields.One2many("after_sales.disposal", "equipment_id", string="Disposals")
    lifecycle_state = fields.Selection(
        LIFECYCLE_STATES,
        string="Life Cycle",
        compute="_compute_lifecycle_state",
    )
    live_contract_ids = fields.Many2many(
        "after_sales.contract",
        string="Live Contracts",
        compute="_compute_live_contract_ids",
        help="Running contracts that list the unit, whoever owns it now.",
    )

    @api.depends("disposal_ids.state", "take_back_picking_id.state")
    def _compute_lifecycle_state(self):
        pickings = {unit.id: unit.sudo().take_back_picking_id for unit in self}
        for unit in self:
            picking = pickings[unit.id]
            if any(disposal.state == "done" for disposal in unit.disposal_ids):
                unit.lifecycle_state = "disposed"
            elif picking.state == "done":
                unit.lifecycle_state = "taken_back"
            elif picking and picking.state != "cancel":
                unit.lifecycle_state = "taking_back"
            else:
                unit.lifecycle_state = "in_use"

    def _compute_live_contract_ids(self):
        contracts = self.env["after_sales.contract"].search(
            [("equipment_ids", "in", self.ids), ("state", "=", "running")]
        )
        for unit in self:
            unit.live_contract_ids = contracts.filtered(lambda c, u=unit: u in c.equipment_ids)

    # ------------------------------------------------------------------
    # Replacement offer
    # ------------------------------------------------------------------
    def _offer_replacement(self):
        """Offer the successor of their product to the owners of these units: the
        units that cannot be offered are refused, those with an open offer skipped."""
        self.check_access("write")
        self._check_replaceable()
        pending = self._replacement_offer_pending()
        units = self - pending
        if not units:
            raise UserError(
                self.env._(
                    "An offer is already open for every selected unit: %(units)s.",
                    units=", ".join(pending.mapped("display_name")),
                )
            )
        return units._create_replacement_offers()

    def _check_replaceable(self):
        """Refuse units whose product is not obsolete or has no successor, and units
        no customer owns."""
        for unit in self:
            if not unit.is_obsolete:
                raise UserError(
                    self.env._("%(unit)s is not of an obsolete product.", unit=unit.display_name)
                )
            if not unit.successor_product_id:
                raise UserError(
                    self.env._(
                        "Set the successor of %(product)s first.",
                        product=unit.product_id.display_name,
                    )
                )
            if not unit.partner_id or not unit.active:
                raise UserError(
                    self.env._(
                        "%(unit)s is no longer in the installed base.", unit=unit.display_name
                    )
                )

    def _replacement_offer_pending(self):
        """The units of ``self`` with an open replacement offer (here: an open
        activity; the sales bridge adds its open quotations)."""
        activity_type = self.env.ref(
            "after_sales_service.mail_activity_type_replacement_offer", raise_if_not_found=False
        )
        if not activity_type or not self:
            return self.browse()
        activities = (
            self.env["mail.activity"]
            .sudo()
            .search(
                [
                    ("res_model", "=", self._name),
                    ("res_id", "in", self.ids),
                    ("activity_type_id", "=", activity_type.id),
                ]
            )
        )
        offered = set(activities.mapped("res_id"))
        return self.filtered(lambda unit: unit.id in offered)

    def _create_replacement_offers(self):
        """Make the offers. Without a sales application: an activity per unit for
        the service user who asks; the sales bridge makes quotations instead."""
        return self._create_replacement_activities()

    def _create_replacement_activities(self):
        activity_type = self.env.ref("after_sales_service.mail_activity_type_replacement_offer")
        model = self.env["ir.model"]._get_id(self._name)
        today = fields.Date.context_today(self)
        vals_list = []
        for unit in self:
            vals_list.append(
                {
                    "res_model_id": model,
                    "res_id": unit.id,
                    "activity_type_id": activity_type.id,
                    "summary": self.env._(
                        "Offer %(successor)s to %(customer)s",
                        successor=unit.successor_product_id.display_name,
                        customer=unit.partner_id.display_name,
                    ),
                    "note": self.env._(
                        "%(product)s is obsolete: offer its successor %(successor)s to "
                        "replace %(unit)s.",
                        product=unit.product_id.display_name,
                        successor=unit.successor_product_id.display_name,
                        unit=unit.display_name,
                    ),
                    "user_id": self.env.user.id,
                    "date_deadline": today,
                }
            )
        activities = self.env["mail.activity"].create(vals_list)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._(
                    "%(count)s replacement offers to make are in your activities.",
                    count=len(activities),
                ),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def action_offer_replacement(self):
        return self._offer_replacement()

    # ------------------------------------------------------------------
    # Take-back
    # ------------------------------------------------------------------
    def action_take_back(self):
        """Create the receipt that brings the units back from their owners."""
        self.check_access("write")
        for unit in self:
            if not unit.partner_id or not unit.active:
                raise UserError(
                    self.env._(
                        "%(unit)s is no longer at a customer: there is nothing to take back.",
                        unit=unit.display_name,
                    )
                )
            if not unit.lot_id:
                raise UserError(
                    self.env._(
                        "%(unit)s has no serial number: take it back with a return of its "
                        "delivery.",
                        unit=unit.display_name,
                    )
                )
            if unit.lifecycle_state == "taking_back":
                raise UserError(
                    self.env._(
                        "%(unit)s is already being taken back (%(picking)s).",
                        unit=unit.display_name,
                        picking=unit.sudo().take_back_picking_id.name,
                    )
                )
        warehouses = self._take_back_warehouses()
        pickings = self.env["stock.picking"].sudo()
        for unit in self:
            pickings |= unit._create_take_back_picking(warehouses[unit.company_id])
        if len(self) == 1 and self.env.user.has_group("stock.group_stock_user"):
            return {
                "type": "ir.actions.act_window",
                "res_model": "stock.picking",
                "res_id": pickings.id,
                "view_mode": "form",
                "views": [(False, "form")],
            }
        return True

    def _take_back_warehouses(self):
        """{company: its first warehouse}, for the companies of the units."""
        warehouses = (
            self.env["stock.warehouse"]
            .sudo()
            .search([("company_id", "in", self.company_id.ids)], order="sequence, id")
        )
        result = {}
        for warehouse in warehouses:
            result.setdefault(warehouse.company_id, warehouse)
        missing = self.company_id - self.env["res.company"].union(*result)
        if missing:
            raise UserError(
                self.env._(
                    "%(company)s has no warehouse to take units back to.",
                    company=missing[0].name,
                )
            )
        return result

    def _create_take_back_picking(self, warehouse):
        """A receipt of the warehouse from the customer's location, of this unit's
        serial number, ready to validate when the unit arrives."""
        self.ensure_one()
        picking_type = warehouse.in_type_id
        partner = self.site_partner_id or self.partner_id
        source = partner.with_company(self.company_id).property_stock_customer or self.env.ref(
            "stock.stock_location_customers"
        )
        destination = picking_type.default_location_dest_id or warehouse.lot_stock_id
        Picking = self.env["stock.picking"].sudo().with_company(self.company_id)
        picking = Picking.create(
            {
                "picking_type_id": picking_type.id,
                "partner_id": partner.id,
                "location_id": source.id,
                "location_dest_id": destination.id,
                "origin": self.display_name,
                "company_id": self.company_id.id,
                "move_ids": [
                    Command.create(
                        {
                            "product_id": self.product_id.id,
                            "product_uom_qty": 1.0,
                            "product_uom": self.product_id.uom_id.id,
                            "location_id": source.id,
                            "location_dest_id": destination.id,
                            "company_id": self.company_id.id,
                        }
                    )
                ],
            }
        )
        picking.action_confirm()
        move = picking.move_ids
        line_vals = {"lot_id": self.lot_id.id, "quantity": 1.0}
        if move.move_line_ids:
            move.move_line_ids.write(line_vals)
        else:
            self.env["stock.move.line"].sudo().create(
                {**move._prepare_move_line_vals(quantity=1.0), **line_vals}
            )
        self.sudo().take_back_picking_id = picking
        self.message_post(
            body=self.env._(
                "Take-back receipt %(picking)s created.", picking=picking._get_html_link()
            )
        )
        return picking

    # ------------------------------------------------------------------
    # Disposal
    # ------------------------------------------------------------------
    def action_dispose(self):
        """Open the disposal of the unit (scrap or recycling)."""
        self.ensure_one()
        self.check_access("write")
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Dispose"),
            "res_model": "after_sales.disposal",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {
                "default_equipment_id": self.id,
            },
        }

    def _check_disposable(self):
        """A unit is disposed of once it is back in our stock and no running
        contract lists it (move the contract to its successor first)."""
        for unit in self:
            if unit.live_contract_ids:
                raise UserError(
                    self.env._(
                        "%(unit)s is still covered by contract %(contract)s: move the "
                        "contract to the unit that replaces it first.",
                        unit=unit.display_name,
                        contract=", ".join(unit.live_contract_ids.mapped("name")),
                    )
                )
            if unit.lifecycle_state == "disposed":
                raise UserError(
                    self.env._("%(unit)s was already disposed of.", unit=unit.display_name)
                )
            if unit.lifecycle_state != "taken_back":
                raise UserError(
                    self.env._(
                        "%(unit)s is not back in our stock: take it back and validate the "
                        "receipt first.",
                        unit=unit.display_name,
                    )
                )

    # ------------------------------------------------------------------
    # Contract moved to the successor unit
    # ------------------------------------------------------------------
    def action_move_contract(self):
        self.ensure_one()
        self.check_access("write")
        if not self.live_contract_ids:
            raise UserError(
                self.env._("No running contract covers %(unit)s.", unit=self.display_name)
            )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Move Contract"),
            "res_model": "after_sales.contract.move",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {
                "default_equipment_id": self.id,
                "default_contract_id": self.live_contract_ids[:1].id,
            },
        }

    def _group_by_owner(self):
        """{(commercial partner, company): units}."""
        groups = defaultdict(self.browse)
        for unit in self:
            groups[unit.partner_id.commercial_partner_id, unit.company_id] |= unit
        return groups
