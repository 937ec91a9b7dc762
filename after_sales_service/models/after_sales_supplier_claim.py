from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Command, Domain
from odoo.tools import formatLang

from .after_sales_order_entry import check_company_accounts
from .sequence import next_sequence_names
from .utils import company_today

CLAIM_STATES = [
    ("draft", "Draft"),
    ("claimed", "Claimed"),
    ("accepted", "Accepted"),
    ("rejected", "Rejected"),
    ("received", "Received"),
    ("cancelled", "Cancelled"),
]
# Claims that do not count against the covered cost
DEAD_STATES = ("rejected", "cancelled")
RECOVERY_ACCOUNTS = ("after_sales_recovery_account_id", "after_sales_warranty_expense_account_id")
# Allowed state changes: {new state: states it may come from}.
CLAIM_TRANSITIONS = {
    "draft": ("rejected", "cancelled"),
    "claimed": ("draft",),
    "accepted": ("claimed", "received"),
    "rejected": ("claimed",),
    "received": ("accepted",),
    "cancelled": ("draft", "claimed", "rejected", "accepted"),
}
# What the books hold of a claim: written by accounting users only.
ACCOUNTING_FIELDS = {"amount_accepted", "recovery_move_id", "recovery_line_id", "credit_note_id"}
# What cannot change once the claim is booked.
BOOKED_FIELDS = {"company_id", "order_id", "order_line_id", "partner_id", "amount_claimed"}


class AfterSalesSupplierClaim(models.Model):
    """A claim to the supplier or manufacturer of a part or a product for the
    warranty cost of a service order. Accepted, it is what the supplier owes (Dr
    recovery receivable / Cr warranty expense); the supplier's credit note clears it."""

    _name = "after_sales.supplier.claim"
    _description = "Supplier Warranty Claim"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(
        string="Reference", required=True, copy=False, readonly=True, default="/", index="trigram"
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id", string="Currency")
    order_id = fields.Many2one(
        "after_sales.order",
        string="Service Order",
        required=True,
        index=True,
        check_company=True,
        tracking=True,
    )
    order_line_id = fields.Many2one(
        "after_sales.order.line",
        index="btree_not_null",
        check_company=True,
        domain="[('order_id', '=', order_id), ('warranty_cost', '>', 0)]",
        help="The part or work claimed; empty: the warranty cost of the whole order.",
    )
    equipment_id = fields.Many2one(related="order_id.equipment_id")
    product_id = fields.Many2one(
        "product.product",
        compute="_compute_product_id",
        store=True,
        readonly=False,
        check_company=True,
        help="The part (or the unit) that failed under warranty.",
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Supplier",
        compute="_compute_partner_id",
        store=True,
        readonly=False,
        index="btree_not_null",
        check_company=True,
        tracking=True,
        help="Who the claim goes to: by default the product's first vendor.",
    )
    amount_covered = fields.Monetary(
        string="Warranty Cost",
        compute="_compute_amount_covered",
        help="The warranty-covered cost of the order line (or of the whole order): no "
        "claim may exceed it.",
    )
    amount_claimed = fields.Monetary(
        string="Claimed",
        compute="_compute_amount_claimed",
        store=True,
        readonly=False,
        tracking=True,
    )
    amount_accepted = fields.Monetary(string="Accepted", copy=False, tracking=True)
    amount_received = fields.Monetary(
        string="Received",
        compute="_compute_amount_received",
        store=True,
        help="What the supplier's credit notes (or payments) reconciled with the claim.",
    )
    state = fields.Selection(
        CLAIM_STATES,
        compute="_compute_state",
        store=True,
        readonly=False,
        default="draft",
        required=True,
        copy=False,
        index=True,
        tracking=True,
    )
    reject_reason = fields.Char(string="Reason for Rejection", copy=False, tracking=True)
    date_claimed = fields.Date(copy=False, readonly=True)
    description = fields.Text(help="What failed and why the supplier should pay for it.")
    recovery_move_id = fields.Many2one(
        "account.move", string="Recovery Entry", copy=False, readonly=True, index="btree_not_null"
    )
    recovery_line_id = fields.Many2one(
        "account.move.line", string="Receivable Item", copy=False, readonly=True
    )
    credit_note_id = fields.Many2one(
        "account.move",
        copy=False,
        readonly=True,
        index="btree_not_null",
    )

    _amounts_valid = models.Constraint(
        "CHECK(amount_accepted >= 0 AND amount_accepted <= amount_claimed)",
        "The accepted amount of a claim cannot be negative nor above the claimed amount.",
    )

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------
    @api.depends("order_line_id", "order_id")
    def _compute_product_id(self):
        for claim in self:
            line = claim.order_line_id
            if line.line_type == "part" and line.product_id:
                claim.product_id = line.product_id
            else:
                claim.product_id = claim.order_id.equipment_id.product_id

    @api.depends("product_id")
    def _compute_partner_id(self):
        for claim in self:
            claim.partner_id = claim._get_default_supplier() or claim.partner_id

    def _get_default_supplier(self):
        """The product's first vendor for the claim's company, else the
        manufacturer of the unit when the installed base records one."""
        self.ensure_one()
        company = self.company_id or self.env.company
        sellers = self.product_id.sudo().seller_ids.filtered(
            lambda s: (
                s.company_id in (company, company.browse())
                and s.product_id in (self.product_id, self.product_id.browse())
            )
        )
        if sellers:
            return sellers[:1].partner_id
        equipment = self.order_id.equipment_id
        if "manufacturer_id" in equipment._fields:
            return equipment.manufacturer_id
        return self.env["res.partner"]

    @api.depends("order_line_id.warranty_cost", "order_id.cost_warranty")
    def _compute_amount_covered(self):
        for claim in self:
            claim.amount_covered = claim._covered_cost()

    def _covered_cost(self):
        self.ensure_one()
        if self.order_line_id:
            return self.order_line_id.warranty_cost
        return self.order_id.cost_warranty

    @api.depends("order_id", "order_line_id")
    def _compute_amount_claimed(self):
        """By default what is left to claim of the covered cost."""
        for claim in self:
            if claim.state not in ("draft", False):
                continue  # what was claimed is history
            scope = Domain("order_id", "=", claim.order_id.id) & Domain(
                "state", "not in", DEAD_STATES
            )
            if claim.order_line_id:
                scope &= Domain("order_line_id", "=", claim.order_line_id.id)
            if claim._origin.id:
                scope &= Domain("id", "!=", claim._origin.id)
            others = self.search(scope) if claim.order_id else self.browse()
            left = claim._covered_cost() - sum(others.mapped("amount_claimed"))
            claim.amount_claimed = max(claim.currency_id.round(left), 0.0)

    @api.depends(
        "recovery_line_id.matched_credit_ids.amount",
        "recovery_line_id.matched_credit_ids.credit_move_id.parent_state",
    )
    def _compute_amount_received(self):
        """What posted credit notes (or payments) reconciled with the receivable of
        the claim (a credit note reset to draft keeps its matching but pays nothing)."""
        for claim in self:
            partials = claim.recovery_line_id.matched_credit_ids.filtered(
                lambda partial: partial.credit_move_id.parent_state == "posted"
            )
            claim.amount_received = claim.currency_id.round(sum(partials.mapped("amount")))

    @api.depends("amount_received", "amount_accepted")
    def _compute_state(self):
        """An accepted claim is received once what the supplier's credit notes
        cleared reaches the accepted amount (and back when they are undone)."""
        for claim in self:
            if claim.state not in ("accepted", "received"):
                claim.state = claim.state or "draft"
                continue
            fully = (
                claim.amount_accepted
                and claim.currency_id.compare_amounts(claim.amount_received, claim.amount_accepted)
                >= 0
            )
            claim.state = "received" if fully else "accepted"

    # ------------------------------------------------------------------
    # Checks
    # ------------------------------------------------------------------
    @api.constrains("amount_claimed", "order_id", "order_line_id", "state")
    def _check_amount_claimed(self):
        """A claim is positive and the live claims of an order (and of a line) never
        exceed its warranty-covered cost."""
        for claim in self:
            if (
                claim.state not in DEAD_STATES
                and claim.currency_id.compare_amounts(claim.amount_claimed, 0.0) <= 0
            ):
                raise ValidationError(
                    self.env._(
                        "The claimed amount of %(claim)s must be positive.", claim=claim.name
                    )
                )
            if claim.order_line_id and claim.order_line_id.order_id != claim.order_id:
                raise ValidationError(
                    self.env._("The claimed line must be a line of the claimed order.")
                )
        orders = self.order_id
        by_order = defaultdict(float)
        by_line = defaultdict(float)
        for order, line, amount in self._read_group(
            Domain("order_id", "in", orders.ids) & Domain("state", "not in", DEAD_STATES),
            ["order_id", "order_line_id"],
            ["amount_claimed:sum"],
        ):
            by_order[order] += amount
            if line:
                by_line[line] += amount
        for scope, claimed, covered in [
            *((order, by_order[order], order.cost_warranty) for order in orders),
            *((line, amount, line.warranty_cost) for line, amount in by_line.items()),
        ]:
            currency = scope.company_id.currency_id
            if currency.compare_amounts(claimed, covered) > 0:
                raise ValidationError(
                    self.env._(
                        "The claims on %(what)s come to %(claimed)s, more than its "
                        "warranty-covered cost (%(covered)s).",
                        what=scope.display_name,
                        claimed=formatLang(self.env, claimed, currency_obj=currency),
                        covered=formatLang(self.env, covered, currency_obj=currency),
                    )
                )

    @api.constrains("amount_accepted", "amount_claimed")
    def _check_amount_accepted(self):
        for claim in self:
            currency = claim.currency_id
            if currency.compare_amounts(claim.amount_accepted, 0.0) < 0 or (
                currency.compare_amounts(claim.amount_accepted, claim.amount_claimed) > 0
            ):
                raise ValidationError(
                    self.env._(
                        "The accepted amount of %(claim)s cannot be negative nor above the "
                        "claimed amount.",
                        claim=claim.name,
                    )
                )

    def _check_claim_state(self, allowed, action):
        wrong = self.filtered(lambda c: c.state not in allowed)
        if wrong:
            states = dict(self._fields["state"]._description_selection(self.env))
            raise UserError(
                self.env._(
                    "Claim %(name)s is %(state)s: it cannot be %(action)s.",
                    name=wrong[0].name,
                    state=states[wrong[0].state],
                    action=action,
                )
            )

    def _check_accountant(self):
        if not self.env.su and not self.env.user.has_group("account.group_account_invoice"):
            raise AccessError(
                self.env._("Only accounting users can book what a supplier owes on a claim.")
            )

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        unnamed = defaultdict(list)
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                unnamed[vals.get("company_id") or self.env.company.id].append(vals)
        for company_id, company_vals in unnamed.items():
            company = self.env["res.company"].browse(company_id)
            names = next_sequence_names(
                self.env, "after_sales.supplier.claim", company, len(company_vals)
            )
            for vals, name in zip(company_vals, names, strict=True):
                vals["name"] = name
        for vals in vals_list:
            if ACCOUNTING_FIELDS & set(vals):
                self._check_accountant()
            if vals.get("state", "draft") != "draft":
                raise UserError(self.env._("A supplier claim starts as a draft."))
        return super().create(vals_list)

    def write(self, vals):
        """The rules of the claim, for every caller (buttons, forms and RPC)."""
        if ACCOUNTING_FIELDS & set(vals):
            self._check_accountant()
        if BOOKED_FIELDS & set(vals) and self.filtered("recovery_move_id"):
            raise UserError(
                self.env._(
                    "Claim %(name)s is booked in the accounts: its order, supplier and "
                    "amounts can no longer change.",
                    name=self.filtered("recovery_move_id")[0].name,
                )
            )
        if "state" in vals:
            self._check_state_change(vals)
        return super().write(vals)

    def _check_state_change(self, vals):
        new_state = vals["state"]
        if new_state not in CLAIM_TRANSITIONS:
            raise UserError(self.env._("Unknown state %(state)s.", state=new_state))
        changing = self.filtered(lambda c: c.state != new_state)
        label = dict(self._fields["state"]._description_selection(self.env))[new_state]
        changing._check_claim_state(CLAIM_TRANSITIONS[new_state], label.lower())
        if new_state in ("accepted", "received") and not (
            vals.get("recovery_move_id") or all(claim.recovery_move_id for claim in changing)
        ):
            raise UserError(self.env._("A claim is accepted by the button Accept, which books it."))

    @api.ondelete(at_uninstall=False)
    def _unlink_except_booked(self):
        booked = self.filtered("recovery_move_id")
        if booked:
            raise UserError(
                self.env._(
                    "Claim %(name)s is booked in the accounts: cancel it instead.",
                    name=booked[0].name,
                )
            )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_claim(self):
        """Send the claim to the supplier (the order's cost is final once done)."""
        self._check_claim_state(("draft",), self.env._("claimed"))
        for claim in self:
            if claim.order_id.state != "done":
                raise UserError(
                    self.env._(
                        "Service order %(order)s is not done: its warranty cost is not final yet.",
                        order=claim.order_id.name,
                    )
                )
            if not claim.partner_id:
                raise UserError(
                    self.env._("Choose the supplier of claim %(name)s first.", name=claim.name)
                )
        for company, claims in self.grouped("company_id").items():
            claims.write({"state": "claimed", "date_claimed": company_today(company)})
        return True

    def action_accept(self):
        """The supplier accepts (the accepted amount, by default what was claimed):
        post what they owe, Dr recovery receivable / Cr warranty expense."""
        self._check_accountant()
        # a double click or a second user accepting the same claim waits, then is refused
        self.lock_for_update()
        self.invalidate_recordset(["state", "recovery_move_id"])
        self._check_claim_state(("claimed",), self.env._("accepted"))
        booked = self.filtered("recovery_move_id")
        if booked:
            raise UserError(self.env._("Claim %(name)s is already accepted.", name=booked[0].name))
        for claim in self.filtered(lambda c: c.currency_id.is_zero(c.amount_accepted)):
            claim.amount_accepted = claim.amount_claimed
        for company in self.company_id:
            company._after_sales_check_accounting()
            check_company_accounts(company, RECOVERY_ACCOUNTS)
            if not company.after_sales_recovery_account_id.reconcile:
                raise UserError(
                    self.env._(
                        "The warranty recovery account %(account)s must allow reconciliation: "
                        "the supplier's credit notes clear it.",
                        account=company.after_sales_recovery_account_id.display_name,
                    )
                )
        moves = self.env["account.move"].create(
            [claim._prepare_recovery_move_vals() for claim in self]
        )
        moves._post(soft=False)
        for claim, move in zip(self, moves, strict=True):
            receivable = move.line_ids.filtered(
                lambda line, claim=claim: (
                    line.account_id == claim.company_id.after_sales_recovery_account_id
                )
            )
            claim.write(
                {
                    "state": "accepted",
                    "recovery_move_id": move.id,
                    "recovery_line_id": receivable.id,
                }
            )
        return True

    def _prepare_recovery_move_vals(self):
        self.ensure_one()
        company = self.company_id
        label = self.env._(
            "%(claim)s: warranty claim on %(order)s", claim=self.name, order=self.order_id.name
        )
        common = {
            "name": label,
            "partner_id": self.partner_id.id,
            "after_sales_order_id": self.order_id.id,
            "after_sales_order_line_id": self.order_line_id.id,
        }
        return {
            "move_type": "entry",
            "journal_id": company.after_sales_journal_id.id,
            "company_id": company.id,
            "date": company_today(company),
            "ref": self.name,
            "after_sales_entry_kind": "recovery",
            "line_ids": [
                Command.create(
                    {
                        **common,
                        "account_id": company.after_sales_recovery_account_id.id,
                        "balance": self.amount_accepted,
                    }
                ),
                Command.create(
                    {
                        **common,
                        "account_id": company.after_sales_warranty_expense_account_id.id,
                        "balance": -self.amount_accepted,
                    }
                ),
            ],
        }

    def action_reject(self):
        self._check_claim_state(("claimed",), self.env._("rejected"))
        missing = self.filtered(lambda c: not (c.reject_reason or "").strip())
        if missing:
            raise UserError(
                self.env._(
                    "Write why the supplier rejects claim %(name)s first.", name=missing[0].name
                )
            )
        self.write({"state": "rejected"})
        return True

    def action_create_credit_note(self):
        """Draft the supplier's credit note of what is still owed on the accepted
        claims; posting it clears the claim."""
        self._check_accountant()
        self._check_claim_state(("accepted",), self.env._("credited"))
        drafted = self.filtered(lambda c: c.credit_note_id and c.credit_note_id.state != "cancel")
        if drafted:
            raise UserError(
                self.env._(
                    "Claim %(name)s already has its credit note %(move)s.",
                    name=drafted[0].name,
                    move=drafted[0].credit_note_id.display_name,
                )
            )
        credit_notes = self.env["account.move"].create(
            [claim._prepare_credit_note_vals() for claim in self]
        )
        for claim, credit_note in zip(self, credit_notes, strict=True):
            claim.credit_note_id = credit_note
        action = self.env["ir.actions.act_window"]._for_xml_id("account.action_move_in_refund_type")
        if len(credit_notes) == 1:
            action.update(views=[(False, "form")], view_mode="form", res_id=credit_notes.id)
        else:
            action["domain"] = [("id", "in", credit_notes.ids)]
        return action

    def _prepare_credit_note_vals(self):
        self.ensure_one()
        company = self.company_id
        return {
            "move_type": "in_refund",
            "partner_id": self.partner_id.id,
            "company_id": company.id,
            "currency_id": company.currency_id.id,
            "ref": self.name,
            "invoice_origin": self.name,
            "invoice_line_ids": [
                Command.create(
                    {
                        "name": self.env._(
                            "%(claim)s: warranty claim on %(order)s",
                            claim=self.name,
                            order=self.order_id.name,
                        ),
                        "account_id": company.after_sales_recovery_account_id.id,
                        "quantity": 1.0,
                        "price_unit": self.amount_accepted - self.amount_received,
                        "tax_ids": [Command.clear()],
                        "after_sales_order_id": self.order_id.id,
                        "after_sales_order_line_id": self.order_line_id.id,
                    }
                )
            ],
        }

    def _reconcile_credit_note(self):
        """Clear what the supplier owes with the posted credit note of each claim."""
        for claim in self:
            receivable = claim.recovery_line_id
            if claim.credit_note_id.state != "posted" or not receivable or receivable.reconciled:
                continue
            lines = claim.credit_note_id.line_ids.filtered(
                lambda line, account=receivable.account_id: (
                    line.account_id == account and not line.reconciled
                )
            )
            if lines:
                (receivable + lines).reconcile()

    def action_cancel(self):
        """Cancel a claim; an accepted one only while nothing was received: its
        recovery entry is reversed and its draft credit note cancelled."""
        self._check_claim_state(
            ("draft", "claimed", "rejected", "accepted"), self.env._("cancelled")
        )
        accepted = self.filtered(lambda c: c.state == "accepted")
        if accepted:
            accepted._check_accountant()
            cleared = accepted.filtered(
                lambda c: (
                    not c.currency_id.is_zero(c.amount_received)
                    or c.credit_note_id.state == "posted"
                )
            )
            if cleared:
                raise UserError(
                    self.env._(
                        "The supplier already credited claim %(name)s: it cannot be cancelled.",
                        name=cleared[0].name,
                    )
                )
        self.write({"state": "cancelled"})
        if accepted:
            accepted.credit_note_id.filtered(lambda m: m.state == "draft").button_cancel()
            accepted.recovery_move_id._reverse_moves(
                [{"date": company_today(claim.company_id)} for claim in accepted], cancel=True
            )
            # the reversal is not what the supplier paid
            accepted.recovery_line_id = False
        return True

    def action_draft(self):
        self._check_claim_state(("rejected", "cancelled"), self.env._("reset to draft"))
        booked = self.filtered("recovery_move_id")
        if booked:
            raise UserError(
                self.env._(
                    "Claim %(name)s was booked: create a new claim instead.", name=booked[0].name
                )
            )
        self.write({"state": "draft", "reject_reason": False})
        return True

    def action_view_recovery_move(self):
        self.ensure_one()
        return self.order_id._action_view_moves(self.recovery_move_id, self.env._("Recovery Entry"))

    def action_view_credit_note(self):
        self.ensure_one()
        return self.order_id._action_view_moves(self.credit_note_id, self.env._("Credit Note"))
