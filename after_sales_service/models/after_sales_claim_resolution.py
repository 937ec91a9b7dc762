from datetime import timedelta

from markupsafe import Markup

from odoo import fields, models
from odoo.exceptions import AccessError, UserError
from odoo.fields import Command
from odoo.tools import html2plaintext

from .after_sales_supplier_claim import DEAD_STATES
from .utils import company_today

RESOLUTIONS = [
    ("repair", "Repair"),
    ("replacement", "Replacement"),
    ("refund", "Refund"),
    ("loaner", "Loaner"),
    ("supplier", "Supplier Recovery"),
]
# Days a loaner lent from a claim is due back after (the service user may change it).
LOAN_DAYS = 14
# Written by the resolution buttons only: they create the documents these fields hold.
RESOLUTION_FIELDS = {
    "resolution",
    "order_id",
    "replacement_picking_id",
    "return_picking_id",
    "refund_move_id",
    "loan_id",
    "supplier_claim_id",
}


class AfterSalesClaim(models.Model):
    """The resolutions of a customer claim: each creates the real document (a repair
    order, a replacement delivery with the return of the faulty unit, a credit note,
    a loan, a supplier claim) and links it to the claim."""

    _inherit = "after_sales.claim"

    resolution = fields.Selection(
        RESOLUTIONS,
        readonly=True,
        copy=False,
        tracking=True,
        help="The last resolution chosen; the documents of earlier ones stay linked.",
    )
    order_id = fields.Many2one(
        "after_sales.order",
        string="Repair Order",
        readonly=True,
        copy=False,
        index="btree_not_null",
        check_company=True,
    )
    replacement_picking_id = fields.Many2one(
        "stock.picking",
        string="Replacement Delivery",
        readonly=True,
        copy=False,
        index="btree_not_null",
        check_company=True,
        help="The delivery of a new unit to the customer.",
    )
    return_picking_id = fields.Many2one(
        "stock.picking",
        string="Return of the Faulty Unit",
        readonly=True,
        copy=False,
        index="btree_not_null",
        check_company=True,
    )
    refund_move_id = fields.Many2one(
        "account.move",
        string="Credit Note",
        readonly=True,
        copy=False,
        index="btree_not_null",
        check_company=True,
    )
    loan_id = fields.Many2one(
        "after_sales.loan",
        readonly=True,
        copy=False,
        index="btree_not_null",
        check_company=True,
    )
    supplier_claim_id = fields.Many2one(
        "after_sales.supplier.claim",
        readonly=True,
        copy=False,
        index="btree_not_null",
        check_company=True,
    )

    def write(self, vals):
        if RESOLUTION_FIELDS & set(vals) and not self.env.su:
            raise AccessError(
                self.env._(
                    "The resolution of a claim is set by its buttons (Repair, Replacement, "
                    "Refund, Loaner, Supplier Recovery), which create its documents."
                )
            )
        return super().write(vals)

    # ------------------------------------------------------------------
    # Rules shared by every resolution
    # ------------------------------------------------------------------
    def _check_resolvable(self, kind):
        """A service user resolves an accepted claim, once per kind of document
        while the first one lives. The claim's row is locked: a double click or a
        second user waits, then is refused."""
        self.ensure_one()
        if not self.env.su and not self.env.user.has_group("after_sales_service.group_user"):
            raise AccessError(self.env._("Only service users can resolve a claim."))
        self.check_access("write")
        self.lock_for_update()
        self.invalidate_recordset(["state", *RESOLUTION_FIELDS])
        if self.state != "accepted":
            states = dict(self._fields["state"]._description_selection(self.env))
            raise UserError(
                self.env._(
                    "Claim %(claim)s is %(state)s: only an accepted claim can be resolved.",
                    claim=self.display_name,
                    state=states.get(self.state, self.state),
                )
            )
        alive = self._live_resolution(kind)
        if alive:
            raise UserError(
                self.env._(
                    "Claim %(claim)s already has %(document)s: cancel it before creating "
                    "another one.",
                    claim=self.display_name,
                    document=", ".join(alive.sudo().mapped("display_name")),
                )
            )

    def _live_resolution(self, kind):
        """The documents of resolution ``kind`` of the claim that are still alive."""
        self.ensure_one()
        claim = self.sudo()  # the documents' states, whatever the user's rights on them
        if kind == "repair":
            return claim.order_id.filtered(lambda order: order.state != "cancelled")
        if kind == "replacement":
            pickings = claim.replacement_picking_id | claim.return_picking_id
            return pickings.filtered(lambda picking: picking.state != "cancel")
        if kind == "refund":
            return claim.refund_move_id.filtered(lambda move: move.state != "cancel")
        if kind == "loaner":
            return claim.loan_id.filtered(lambda loan: loan.state == "lent")
        return claim.supplier_claim_id.filtered(lambda sc: sc.state not in DEAD_STATES)

    def _link_resolution(self, kind, vals, documents):
        """Link the new ``documents`` of resolution ``kind`` to the claim, say so in
        its chatter and open them."""
        # sudo: the link fields are written by the resolution buttons only (see write)
        self.sudo().write({**vals, "resolution": kind})
        label = dict(self._fields["resolution"]._description_selection(self.env))[kind]
        self.message_post(
            body=self.env._(
                "%(resolution)s: %(documents)s created.",
                resolution=label,
                documents=Markup(", ").join(doc.sudo()._get_html_link() for doc in documents),
            )
        )
        return self._open_resolution(documents[:1], label)

    def _open_resolution(self, document, label):
        """The action opening ``document`` when the user may read it, else a
        notification (a service user without stock or accounting rights)."""
        document = document.sudo(False)
        if document.has_access("read"):
            return document._get_records_action(name=label)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._(
                    "%(document)s was created for claim %(claim)s.",
                    document=document.sudo().display_name,
                    claim=self.display_name,
                ),
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def _claim_unit(self):
        """The customer's unit the claim is about: its equipment, else the unit of
        its serial number."""
        self.ensure_one()
        return self.equipment_id or self.lot_id.sudo().after_sales_equipment_ids[:1].sudo(False)

    def _claim_product(self):
        self.ensure_one()
        return self.product_id or self.lot_id.product_id or self._claim_unit().product_id

    def _claim_lot(self):
        self.ensure_one()
        return self.lot_id or self._claim_unit().lot_id

    def _check_same_company(self, document, what):
        if document and document.company_id and document.company_id != self.company_id:
            raise UserError(
                self.env._(
                    "%(what)s %(document)s belongs to %(company)s, claim %(claim)s to "
                    "%(claim_company)s.",
                    what=what,
                    document=document.display_name,
                    company=document.company_id.name,
                    claim=self.display_name,
                    claim_company=self.company_id.name,
                )
            )

    def action_view_resolution_order(self):
        self.ensure_one()
        return self.order_id._get_records_action(name=self.env._("Repair Order"))

    # ------------------------------------------------------------------
    # Repair
    # ------------------------------------------------------------------
    def action_resolve_repair(self):
        """A corrective service order for the claim's unit and customer."""
        self._check_resolvable("repair")
        order = self.env["after_sales.order"].create(self._prepare_repair_order_vals())
        return self._link_resolution("repair", {"order_id": order.id}, order)

    def _prepare_repair_order_vals(self):
        self.ensure_one()
        unit = self._claim_unit()
        self._check_same_company(unit, self.env._("Equipment"))
        service_type = self.service_type_id or self.env.ref(
            "after_sales_service.service_type_corrective"
        )
        vals = {
            "company_id": self.company_id.id,
            "service_type_id": service_type.id,
            "partner_id": self.partner_id.id,
            "equipment_id": unit.id,
            "priority": self.priority,
            "description": self.description,
            "claim_id": self.id,
            "user_id": (self.user_id or self.env.user).id,
        }
        if self.date_received:
            # the customer's request came in with the claim: coverage and SLA count from it
            vals["date_received"] = self.date_received
        return vals

    # ------------------------------------------------------------------
    # Replacement
    # ------------------------------------------------------------------
    def action_resolve_replacement(self):
        """A delivery of a new unit of the same product to the customer and the
        return of the faulty one. The pickings follow Odoo's stock rules: the serial
        of the new unit is chosen when the delivery is validated, and validating
        them moves the units in and out of the installed base."""
        self._check_resolvable("replacement")
        product = self._claim_product()
        if not product:
            raise UserError(
                self.env._("Claim %(claim)s has no product to replace.", claim=self.display_name)
            )
        # sudo: service users have no stock rights of their own; the pickings are
        # created for the claim, the warehouse validates them with its own rights
        warehouse = (
            self.env["stock.warehouse"]
            .sudo()
            .search([("company_id", "=", self.company_id.id)], limit=1)
        )
        if not warehouse:
            raise UserError(
                self.env._(
                    "Company %(company)s has no warehouse to deliver a replacement from.",
                    company=self.company_id.name,
                )
            )
        return_picking = self._create_return_picking(warehouse, product)
        delivery = self._create_replacement_delivery(warehouse, product)
        return self._link_resolution(
            "replacement",
            {"replacement_picking_id": delivery.id, "return_picking_id": return_picking.id},
            delivery.sudo(False) | return_picking.sudo(False),
        )

    def _delivery_partner(self):
        """Where the unit is: the address of the original delivery, else the site
        of the unit, else the customer."""
        return (
            self.sudo().picking_id.partner_id
            or self._claim_unit().site_partner_id
            or self.partner_id
        )

    def _create_replacement_delivery(self, warehouse, product):
        picking_type = warehouse.out_type_id
        partner = self._delivery_partner()
        source = picking_type.default_location_src_id or warehouse.lot_stock_id
        destination = partner.property_stock_customer or self.env.ref(
            "stock.stock_location_customers"
        )
        delivery = (
            self.env["stock.picking"]
            .sudo()
            .create(
                {
                    "picking_type_id": picking_type.id,
                    "partner_id": partner.id,
                    "origin": self.name,
                    "location_id": source.id,
                    "location_dest_id": destination.id,
                    "move_ids": [
                        Command.create(
                            {
                                "product_id": product.id,
                                "product_uom_qty": 1.0,
                                "product_uom": product.uom_id.id,
                                "location_id": source.id,
                                "location_dest_id": destination.id,
                            }
                        )
                    ],
                }
            )
        )
        delivery.action_confirm()
        delivery.action_assign()
        return delivery

    def _create_return_picking(self, warehouse, product):
        """The return of the faulty serial: by Odoo's return wizard on the delivery
        that brought it when there is one, else a receipt from the customer."""
        lot = self._claim_lot()
        original = self.sudo().picking_id or self._claim_unit().sudo().delivery_move_id.picking_id
        self._check_same_company(original, self.env._("Delivery"))
        origin_move = self._returnable_move(original, product, lot)
        if origin_move:
            wizard = (
                self.env["stock.return.picking"]
                .sudo()
                .with_context(
                    active_id=original.id, active_ids=original.ids, active_model="stock.picking"
                )
                .create({"picking_id": original.id})
            )
            for line in wizard.product_return_moves:
                line.quantity = 1.0 if line.move_id == origin_move else 0.0
            return_picking = wizard._create_return()
        else:
            return_picking = self._create_receipt(warehouse, product)
        if lot:
            self._set_returned_lot(return_picking, lot)
        return return_picking

    def _set_returned_lot(self, return_picking, lot):
        """The return takes back the claim's serial, not another one of the same
        delivery."""
        for move in return_picking.move_ids:
            lines = move.move_line_ids
            if not lines:
                lines = lines.create(move._prepare_move_line_vals(quantity=1.0))
            lines[:1].write({"lot_id": lot.id, "quantity": 1.0})
            (lines - lines[:1]).unlink()

    def _returnable_move(self, picking, product, lot):
        """The done move of ``picking`` that delivered ``lot`` (or ``product``)."""
        if not picking or picking.state != "done":
            return picking.browse().move_ids
        moves = picking.move_ids.filtered(
            lambda move: move.state == "done" and move.product_id == product
        )
        if lot:
            moves = moves.filtered(lambda move: lot in move.move_line_ids.lot_id)
        return moves[:1]

    def _create_receipt(self, warehouse, product):
        picking_type = warehouse.in_type_id
        customers = self.partner_id.property_stock_customer or self.env.ref(
            "stock.stock_location_customers"
        )
        destination = picking_type.default_location_dest_id or warehouse.lot_stock_id
        receipt = (
            self.env["stock.picking"]
            .sudo()
            .create(
                {
                    "picking_type_id": picking_type.id,
                    "partner_id": self.partner_id.id,
                    "origin": self.name,
                    "location_id": customers.id,
                    "location_dest_id": destination.id,
                    "move_ids": [
                        Command.create(
                            {
                                "product_id": product.id,
                                "product_uom_qty": 1.0,
                                "product_uom": product.uom_id.id,
                                "location_id": customers.id,
                                "location_dest_id": destination.id,
                            }
                        )
                    ],
                }
            )
        )
        receipt.action_confirm()
        receipt.action_assign()
        return receipt

    # ------------------------------------------------------------------
    # Refund
    # ------------------------------------------------------------------
    def action_resolve_refund(self):
        """A draft credit note reversing the claim's product on its posted customer
        invoice, made by Odoo's own reversal (posting it reconciles the invoice)."""
        self._check_resolvable("refund")
        # sudo: the credit note is a draft for an accountant to check and post; a
        # service user needs no accounting rights to propose it from the claim
        invoice = self.sudo().invoice_id
        if not invoice:
            raise UserError(
                self.env._(
                    "Claim %(claim)s has no customer invoice to refund.", claim=self.display_name
                )
            )
        self._check_same_company(invoice, self.env._("Invoice"))
        if invoice.move_type != "out_invoice" or invoice.state != "posted":
            raise UserError(
                self.env._(
                    "Only a posted customer invoice can be refunded: %(invoice)s is not.",
                    invoice=invoice.display_name,
                )
            )
        product = self._claim_product()
        refunded = invoice.invoice_line_ids.filtered(
            lambda line: line.display_type == "product" and line.product_id == product
        )
        if product and not refunded:
            raise UserError(
                self.env._(
                    "Invoice %(invoice)s has no line of %(product)s to refund.",
                    invoice=invoice.display_name,
                    product=product.display_name,
                )
            )
        refund = invoice._reverse_moves([self._prepare_refund_vals(invoice)])
        if product:
            self._keep_refund_lines(refund, product)
        invoice.message_post(
            body=self.env._(
                "This invoice is refunded by %(refund)s.", refund=refund._get_html_link()
            )
        )
        return self._link_resolution("refund", {"refund_move_id": refund.id}, refund.sudo(False))

    def _prepare_refund_vals(self, invoice):
        """Default values of the credit note, as Odoo's reversal wizard gives them."""
        today = company_today(self.company_id)
        lang = invoice.partner_id.lang or self.env.lang
        return {
            "ref": self.with_context(lang=lang).env._(
                "Reversal of: %(invoice)s, %(reason)s", invoice=invoice.name, reason=self.name
            ),
            "date": today,
            "invoice_date": today,
            "invoice_date_due": today,
            "journal_id": invoice.journal_id.id,
            "invoice_user_id": invoice.invoice_user_id.id,
            "invoice_origin": invoice.invoice_origin,
            "partner_bank_id": False,
        }

    def _keep_refund_lines(self, refund, product):
        """Refund only the claim's product: the other lines of the reversal go (the
        draft credit note recomputes its taxes and total); a serial-tracked product
        is refunded for the one unit claimed."""
        lines = refund.invoice_line_ids.filtered(lambda line: line.display_type == "product")
        kept = lines.filtered(lambda line: line.product_id == product)
        commands = [Command.delete(line.id) for line in lines - kept]
        if product.tracking == "serial":
            commands += [Command.delete(line.id) for line in kept[1:]]
            if kept[:1].quantity > 1:
                commands.append(Command.update(kept[0].id, {"quantity": 1.0}))
        if commands:
            refund.write({"invoice_line_ids": commands})

    # ------------------------------------------------------------------
    # Loaner
    # ------------------------------------------------------------------
    def action_resolve_loaner(self):
        """Lend a free loaner unit to the customer (with the repair order when there
        is one)."""
        self._check_resolvable("loaner")
        loaner = self._free_loaner()
        order = self._live_resolution("repair")
        loan = self.env["after_sales.loan"].create(
            {
                "company_id": self.company_id.id,
                "loaner_id": loaner.id,
                "partner_id": self.partner_id.id,
                "order_id": order.id,
                "date_due": fields.Date.context_today(self) + timedelta(days=LOAN_DAYS),
            }
        )
        return self._link_resolution("loaner", {"loan_id": loan.id}, loan)

    def _free_loaner(self):
        """A loaner unit of the claim's company that is not lent, one of the same
        product first."""
        lent = self.env["after_sales.loan"].sudo().search([("state", "=", "lent")]).loaner_id
        loaners = self.env["after_sales.equipment"].search(
            [
                ("is_loaner", "=", True),
                ("company_id", "=", self.company_id.id),
                ("id", "not in", lent.ids),
            ]
        )
        if not loaners:
            raise UserError(
                self.env._(
                    "No loaner unit is free in %(company)s: mark a unit as Loaner Unit or "
                    "take one back first.",
                    company=self.company_id.name,
                )
            )
        product = self._claim_product()
        return (loaners.filtered(lambda unit: unit.product_id == product) or loaners)[:1]

    # ------------------------------------------------------------------
    # Supplier recovery
    # ------------------------------------------------------------------
    def action_resolve_supplier(self):
        """Claim the warranty cost of the claim's repair order from the supplier:
        the part line that carries it (or the whole order when several lines do)."""
        self._check_resolvable("supplier")
        order = self._live_resolution("repair")
        if not order:
            raise UserError(
                self.env._(
                    "A supplier is claimed the warranty cost of the repair: create the "
                    "repair order of claim %(claim)s first (Repair).",
                    claim=self.display_name,
                )
            )
        currency = order.company_id.currency_id
        if currency.compare_amounts(order.cost_warranty, 0.0) <= 0:
            raise UserError(
                self.env._(
                    "Repair order %(order)s has no warranty-covered cost to claim from a "
                    "supplier (record the parts and hours under warranty first).",
                    order=order.name,
                )
            )
        parts = order.line_ids.filtered(
            lambda line: (
                line.line_type == "part" and currency.compare_amounts(line.warranty_cost, 0.0) > 0
            )
        )
        supplier_claim = self.env["after_sales.supplier.claim"].create(
            {
                "company_id": self.company_id.id,
                "order_id": order.id,
                "order_line_id": parts.id if len(parts) == 1 else False,
                "description": html2plaintext(self.description or "") or False,
            }
        )
        return self._link_resolution(
            "supplier", {"supplier_claim_id": supplier_claim.id}, supplier_claim
        )
