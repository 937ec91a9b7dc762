from collections import defaultdict
from datetime import timedelta

import psycopg2.errors

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.fields import Command, Domain
from odoo.tools import SQL, format_date

from .after_sales_order_entry import check_company_accounts
from .sequence import next_sequence_names
from .utils import company_today

CLAIM_STATES = [
    ("draft", "Draft"),
    ("submitted", "Submitted"),
    ("accepted", "Accepted"),
    ("partial", "Partly Accepted"),
    ("rejected", "Rejected"),
    ("paid", "Paid"),
    ("cancelled", "Cancelled"),
]
# The outcome of the check of a claim, decided by its lines.
CHECKED_STATES = ("accepted", "partial", "rejected")
# Claims that count as a claim made for the work (the same work cannot be claimed twice).
LIVE_STATES = ("submitted", "accepted", "partial", "paid")
# Allowed state changes: {new state: states it may come from}.
CLAIM_TRANSITIONS = {
    "submitted": ("draft",),
    "accepted": ("submitted", "paid"),
    "partial": ("submitted", "paid"),
    "rejected": ("submitted",),
    "paid": ("accepted", "partial"),
    "cancelled": ("draft", "submitted"),
}
# What the dealer claims: fixed once the claim is submitted.
CLAIMED_FIELDS = {"company_id", "provider_id", "equipment_id", "repair_date", "work_done"}
MANAGER_GROUP = "after_sales_service.group_manager"
BILLING_GROUP = "account.group_account_invoice"
# The warranty share (coverage answer) that pays each kind of claim line, and the
# provision movement of its cost.
SHARE_OF_KIND = {"labour": "labour", "part": "parts", "travel": "travel"}
PROVISION_KIND_OF_KIND = {"labour": "usage_labour", "part": "usage_parts", "travel": "usage_other"}


class AfterSalesDealerClaim(models.Model):
    """A dealer's claim for the warranty work it did on a unit it sold: labour,
    parts and travel at the rates of its agreement. Submitted (checked against the
    warranty, the dealer's agreement and earlier claims), a service manager accepts
    or rejects it line by line; the accepted amount is billed by the dealer (a
    vendor bill on the warranty provision) and paid."""

    _name = "after_sales.dealer.claim"
    _description = "Dealer Warranty Claim"
    _inherit = [
        "mail.thread",
        "mail.activity.mixin",
        "portal.mixin",
        "after_sales.portal.access.mixin",
    ]
    _order = "id desc"
    _check_company_auto = True

    # What the dealer's portal users read of their claims (the portal pages render
    # as superuser; RPC reads only these): what they claimed and what was decided,
    # not who checked it nor our bills.
    _portal_readable_fields = frozenset(
        {
            "name",
            "company_id",
            "currency_id",
            "provider_id",
            "partner_id",
            "equipment_id",
            "product_id",
            "customer_id",
            "repair_date",
            "work_done",
            "line_ids",
            "amount_claimed",
            "amount_accepted",
            "state",
            "date_submitted",
            "date_checked",
            "parts_pct",
            "labour_pct",
            "travel_pct",
            "coverage_reason",
            "access_url",
        }
    )

    name = fields.Char(
        string="Reference", required=True, copy=False, readonly=True, default="/", index="trigram"
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id", string="Currency")
    provider_id = fields.Many2one(
        "after_sales.provider",
        string="Dealer",
        required=True,
        index=True,
        check_company=True,
        tracking=True,
        domain="[('kind', '=', 'dealer')]",
    )
    partner_id = fields.Many2one(
        related="provider_id.partner_id",
        string="Dealer Partner",
        store=True,
        index=True,
        help="Who the accepted amount is paid to (and whose portal users see the claim).",
    )
    equipment_id = fields.Many2one(
        "after_sales.equipment",
        string="Unit",
        required=True,
        index=True,
        check_company=True,
        tracking=True,
        domain="[('dealer_id', '=', provider_id)]",
    )
    product_id = fields.Many2one(related="equipment_id.product_id")
    customer_id = fields.Many2one(related="equipment_id.partner_id", string="Customer")
    repair_date = fields.Date(required=True, tracking=True, default=fields.Date.context_today)
    work_done = fields.Text(help="What failed and what the dealer did.")
    line_ids = fields.One2many(
        "after_sales.dealer.claim.line", "claim_id", string="Lines", copy=True
    )
    amount_claimed = fields.Monetary(
        string="Claimed", compute="_compute_amounts", store=True, tracking=True
    )
    amount_accepted = fields.Monetary(
        string="Accepted", compute="_compute_amounts", store=True, tracking=True
    )
    state = fields.Selection(
        CLAIM_STATES,
        default="draft",
        required=True,
        copy=False,
        index=True,
        tracking=True,
    )
    date_submitted = fields.Date(copy=False, readonly=True)
    date_checked = fields.Date(copy=False, readonly=True)
    checked_by_id = fields.Many2one("res.users", copy=False, readonly=True)
    # What the warranty paid of each share on the repair date, captured at submission
    # (the coverage answer of the unit): the accepted amounts are capped by it.
    parts_pct = fields.Float(string="Warranty Parts (%)", copy=False, readonly=True)
    labour_pct = fields.Float(string="Warranty Labour (%)", copy=False, readonly=True)
    travel_pct = fields.Float(string="Warranty Travel (%)", copy=False, readonly=True)
    coverage_reason = fields.Char(string="Coverage", copy=False, readonly=True)
    bill_ids = fields.One2many(
        "account.move",
        "after_sales_dealer_claim_id",
        string="Vendor Bills",
        readonly=True,
        groups="account.group_account_invoice,account.group_account_readonly",
    )
    bill_id = fields.Many2one(
        "account.move",
        string="Vendor Bill",
        compute="_compute_bill_id",
        groups="account.group_account_invoice,account.group_account_readonly",
        help="The dealer's vendor bill of the accepted amount (not cancelled).",
    )

    _repair_date_required = models.Constraint(
        "CHECK(repair_date IS NOT NULL)", "A dealer claim needs the date of the repair."
    )

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------
    @api.depends("line_ids.amount_claimed", "line_ids.amount_accepted", "line_ids.check_state")
    def _compute_amounts(self):
        for claim in self:
            claim.amount_claimed = sum(claim.line_ids.mapped("amount_claimed"))
            claim.amount_accepted = sum(
                claim.line_ids.filtered(lambda line: line.check_state == "accepted").mapped(
                    "amount_accepted"
                )
            )

    @api.depends("bill_ids.state")
    def _compute_bill_id(self):
        for claim in self:
            claim.bill_id = claim.bill_ids.filtered(lambda move: move.state != "cancel")[:1]

    def _compute_access_url(self):
        result = super()._compute_access_url()
        for claim in self:
            claim.access_url = f"/my/dealer_claims/{claim.id}"
        return result

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("state", "draft") != "draft":
                raise UserError(self.env._("A dealer claim starts as a draft."))
        unnamed = defaultdict(list)
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                unnamed[vals.get("company_id") or self.env.company.id].append(vals)
        for company_id, company_vals in unnamed.items():
            company = self.env["res.company"].browse(company_id)
            names = next_sequence_names(
                self.env, "after_sales.dealer.claim", company, len(company_vals)
            )
            for vals, name in zip(company_vals, names, strict=True):
                vals["name"] = name
        return super().create(vals_list)

    def write(self, vals):
        """The rules of the claim, for every caller (buttons, forms, portal and RPC)."""
        vals = dict(vals)
        if CLAIMED_FIELDS & set(vals):
            self._check_draft()
        new_state = vals.get("state")
        if new_state:
            self._check_state_change(new_state)
            changing = self.filtered(lambda c: c.state != new_state)
            if new_state == "submitted":
                changing._check_submission()
                # the agreement and the warranty shares are captured while the
                # claim is still a draft (nothing of it changes once submitted)
                changing._capture_submission()
            elif new_state in CHECKED_STATES:
                changing.filtered(lambda c: c.state == "submitted")._check_checked(new_state)
                vals.setdefault("date_checked", company_today(self.env.company))
                vals.setdefault("checked_by_id", self.env.uid)
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_submitted(self):
        if any(claim.state not in ("draft", "cancelled") for claim in self):
            raise UserError(
                self.env._("A submitted dealer claim cannot be deleted: cancel or reject it.")
            )

    # ------------------------------------------------------------------
    # Checks
    # ------------------------------------------------------------------
    def _check_draft(self):
        not_draft = self.filtered(lambda c: c.state != "draft")
        if not_draft:
            raise UserError(
                self.env._(
                    "Dealer claim %(name)s is submitted: what it claims can no longer change.",
                    name=not_draft[0].name,
                )
            )

    def _state_label(self, state):
        return dict(self._fields["state"]._description_selection(self.env))[state]

    def _check_state_change(self, new_state):
        if new_state not in CLAIM_TRANSITIONS:
            raise UserError(self.env._("Unknown state %(state)s.", state=new_state))
        changing = self.filtered(lambda c: c.state != new_state)
        wrong = changing.filtered(lambda c: c.state not in CLAIM_TRANSITIONS[new_state])
        if wrong:
            raise UserError(
                self.env._(
                    "Dealer claim %(name)s is %(state)s: it cannot become %(new)s.",
                    name=wrong[0].name,
                    state=self._state_label(wrong[0].state),
                    new=self._state_label(new_state),
                )
            )
        if new_state in CHECKED_STATES:
            changing.filtered(lambda c: c.state == "submitted")._check_manager()
        if new_state == "paid" and not all(
            claim.sudo().bill_id.state == "posted" for claim in changing
        ):
            raise UserError(self.env._("A dealer claim is paid by posting its vendor bill."))
        if new_state in ("accepted", "partial") and any(
            claim.state == "paid" and claim.sudo().bill_id.state == "posted" for claim in changing
        ):
            raise UserError(
                self.env._("The vendor bill of this claim is posted: reset or cancel it first.")
            )
        back = changing.filtered(lambda c: c.state == "paid" and c._checked_state() != new_state)
        if new_state in ("accepted", "partial") and back:
            raise UserError(
                self.env._(
                    "The lines of dealer claim %(name)s make it %(state)s.",
                    name=back[0].name,
                    state=self._state_label(back[0]._checked_state()),
                )
            )
        if new_state == "cancelled" and changing.sudo().bill_ids.filtered(
            lambda move: move.state != "cancel"
        ):
            raise UserError(self.env._("Cancel the vendor bill of the claim first."))

    def _check_manager(self):
        if not self.env.su and not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(self.env._("Only service managers check dealer claims."))

    def _check_checked(self, new_state):
        """The check is over: every line is accepted or rejected, and the state says
        what the lines decided."""
        for claim in self:
            pending = claim.line_ids.filtered(lambda line: line.check_state == "pending")
            if pending or not claim.line_ids:
                raise UserError(
                    self.env._(
                        "Accept or reject every line of dealer claim %(name)s first.",
                        name=claim.name,
                    )
                )
            if claim._checked_state() != new_state:
                raise UserError(
                    self.env._(
                        "The lines of dealer claim %(name)s make it %(state)s.",
                        name=claim.name,
                        state=self._state_label(claim._checked_state()),
                    )
                )

    def _checked_state(self):
        """What the decided lines make of the claim: rejected when nothing is
        accepted, accepted when everything claimed is, else partly accepted."""
        self.ensure_one()
        accepted = self.line_ids.filtered(lambda line: line.check_state == "accepted")
        if not accepted or self.currency_id.is_zero(self.amount_accepted):
            return "rejected"
        if accepted == self.line_ids and not self.currency_id.compare_amounts(
            self.amount_accepted, self.amount_claimed
        ):
            return "accepted"
        return "partial"

    def _check_submission(self):
        """Everything a claim must satisfy to be submitted, checked before anything
        is written (UserError naming the claim and the reason)."""
        for claim in self:
            reason = claim._submission_refusal()
            if reason:
                raise UserError(
                    self.env._(
                        "Dealer claim %(name)s cannot be submitted: %(reason)s",
                        name=claim.name,
                        reason=reason,
                    )
                )
        # the same work claimed twice: the units are locked first, so that two
        # submissions at once are serialized (the second sees the first)
        self._lock_units()
        for claim in self:
            reason = claim._duplicate_refusal()
            if reason:
                raise UserError(
                    self.env._(
                        "Dealer claim %(name)s cannot be submitted: %(reason)s",
                        name=claim.name,
                        reason=reason,
                    )
                )

    def _submission_refusal(self):
        """Why this claim cannot be submitted (a translated sentence), or ""."""
        self.ensure_one()
        claim = self.sudo()
        provider = claim.provider_id
        unit = claim.equipment_id
        day = claim.repair_date
        if not claim.line_ids:
            return self.env._("it claims nothing (add labour, parts or travel).")
        for line in claim.line_ids:
            reason = line._amount_refusal()
            if reason:
                return reason
        if day > company_today(claim.company_id):
            return self.env._("the repair date is in the future.")
        if provider.kind != "dealer" or not provider.active:
            return self.env._(
                "%(provider)s is not an active dealer.", provider=provider.display_name
            )
        if not provider.warranty_allowed:
            return self.env._(
                "the agreement with %(provider)s does not allow warranty work.",
                provider=provider.display_name,
            )
        if (provider.date_start and day < provider.date_start) or (
            provider.date_end and day > provider.date_end
        ):
            return self.env._(
                "the agreement with %(provider)s is not valid on %(date)s.",
                provider=provider.display_name,
                date=format_date(self.env, day),
            )
        if unit.dealer_id != provider:
            return self.env._(
                "%(unit)s is not a unit of %(provider)s's customers (the unit's dealer is "
                "%(dealer)s).",
                unit=unit.display_name,
                provider=provider.display_name,
                dealer=unit.dealer_id.display_name or self.env._("none"),
            )
        coverage = unit._get_coverage(day)
        if coverage.source != "warranty":
            return self.env._(
                "%(unit)s was not covered by the warranty on %(date)s (%(reason)s).",
                unit=unit.display_name,
                date=format_date(self.env, day),
                reason=coverage.reason,
            )
        return ""

    def _lock_units(self):
        """Lock the rows of the claimed units until the end of the transaction. The
        row is updated (not only locked), so that a transaction that started before
        this one commits fails with a serialization error when it locks it in turn
        (and is retried: it then sees this claim) instead of missing this claim."""
        units = self.equipment_id
        if units:
            self.env.execute_query(
                SQL(
                    "UPDATE after_sales_equipment SET write_date = write_date WHERE id IN %s",
                    tuple(units.ids),
                )
            )

    def _duplicate_refusal(self):
        """Why this claim repeats another one (a live claim for the same unit whose
        repair date is within the company's window), or ""."""
        self.ensure_one()
        days = self.company_id.after_sales_dealer_claim_days
        other = self.sudo().search(
            Domain("equipment_id", "=", self.equipment_id.id)
            & Domain("state", "in", LIVE_STATES)
            & Domain("id", "!=", self.id)
            & Domain("repair_date", ">=", self.repair_date - timedelta(days=days))
            & Domain("repair_date", "<=", self.repair_date + timedelta(days=days)),
            limit=1,
        )
        if other:
            return self.env._(
                "%(unit)s was already claimed by %(other)s for a repair on %(date)s (less "
                "than %(days)s days apart).",
                unit=self.equipment_id.display_name,
                other=other.name,
                date=format_date(self.env, other.repair_date),
                days=days,
            )
        return ""

    def _capture_submission(self):
        """What the submission fixes: the date, the warranty shares of the coverage
        on the repair date, the agreement rates and the cap of every line."""
        for claim in self:
            coverage = claim.sudo().equipment_id._get_coverage(claim.repair_date)
            pcts = {
                share: getattr(coverage, f"{share}_pct")
                if getattr(coverage, f"{share}_source") == "warranty"
                else 0.0
                for share in ("parts", "labour", "travel")
            }
            claim.write(
                {
                    "date_submitted": company_today(claim.company_id),
                    "parts_pct": pcts["parts"],
                    "labour_pct": pcts["labour"],
                    "travel_pct": pcts["travel"],
                    "coverage_reason": coverage.reason,
                }
            )
            claim.line_ids.sudo()._capture_agreement()

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_submit(self):
        self.write({"state": "submitted"})
        return True

    def action_accept_all(self):
        """Accept every line not decided yet, at its cap."""
        self._check_manager()
        self.line_ids.filtered(lambda line: line.check_state == "pending").action_accept()
        return True

    def action_check(self):
        """End the check: the claim is accepted, partly accepted or rejected as its
        lines say."""
        self._check_manager()
        for claim in self:
            if claim.state != "submitted":
                raise UserError(
                    self.env._("Dealer claim %(name)s is not waiting for a check.", name=claim.name)
                )
            claim.write({"state": claim._checked_state()})
        return True

    def action_cancel(self):
        self.write({"state": "cancelled"})
        return True

    def _check_billing_user(self):
        if not self.env.su and not self.env.user.has_group(BILLING_GROUP):
            raise AccessError(self.env._("Only accounting users create the dealer's vendor bill."))

    def action_create_vendor_bill(self):
        """One draft vendor bill per claim to the dealer, one line per accepted line,
        on the warranty provision account (it uses the provision: tagged for the
        provision report). Nothing is posted here; the bill's posting pays the claim."""
        self._check_billing_user()
        # a double click or a second user billing the same claim waits, then is refused
        self.lock_for_update()
        self.invalidate_recordset(["state"])
        wrong = self.filtered(lambda c: c.state not in ("accepted", "partial"))
        if wrong:
            raise UserError(
                self.env._(
                    "Dealer claim %(name)s is %(state)s: only an accepted claim is billed.",
                    name=wrong[0].name,
                    state=self._state_label(wrong[0].state),
                )
            )
        billed = self.sudo().bill_ids.filtered(lambda move: move.state != "cancel")
        if billed:
            raise UserError(
                self.env._(
                    "Dealer claim %(name)s already has its vendor bill %(bill)s: cancel it first.",
                    name=billed[0].after_sales_dealer_claim_id.name,
                    bill=billed[0].display_name,
                )
            )
        vals_list = []
        for claim in self:
            company = claim.company_id
            company._after_sales_check_accounting()
            check_company_accounts(company, ["after_sales_provision_account_id"])
            vals_list.append(claim._prepare_vendor_bill_vals())
        try:
            with self.env.cr.savepoint():
                bills = self.env["account.move"].create(vals_list)
                self.env.flush_all()
        except psycopg2.errors.UniqueViolation as error:
            if not (error.diag.constraint_name or "").endswith("dealer_claim_unique"):
                raise
            raise UserError(
                self.env._("One of these claims was billed by someone else meanwhile.")
            ) from error
        for claim, bill in zip(self, bills, strict=True):
            claim.sudo().message_post(
                body=self.env._("Vendor bill drafted: %(bill)s", bill=bill.display_name)
            )
        return bills._get_records_action(name=self.env._("Vendor Bills"))

    def _prepare_vendor_bill_vals(self):
        self.ensure_one()
        company = self.company_id
        categ = self.sudo().equipment_id.product_id.categ_id
        lines = self.line_ids.filtered(
            lambda line: (
                line.check_state == "accepted"
                and not line.currency_id.is_zero(line.amount_accepted)
            )
        )
        if not lines:
            raise UserError(
                self.env._("Dealer claim %(name)s accepts nothing to pay.", name=self.name)
            )
        return {
            "move_type": "in_invoice",
            "partner_id": self.partner_id.id,
            "company_id": company.id,
            "ref": self.name,
            "invoice_origin": self.name,
            "after_sales_dealer_claim_id": self.id,
            "invoice_line_ids": [
                Command.create(
                    {
                        "name": f"{self.name}: {line._label()}",
                        "account_id": company.after_sales_provision_account_id.id,
                        "quantity": 1.0,
                        "price_unit": line.amount_accepted,
                        "tax_ids": [Command.clear()],
                        "after_sales_provision_kind": PROVISION_KIND_OF_KIND[line.kind],
                        "after_sales_categ_id": categ.id,
                        "analytic_distribution": False,
                    }
                )
                for line in lines
            ],
        }

    def action_view_vendor_bill(self):
        self.ensure_one()
        return self.bill_ids._get_records_action(name=self.env._("Vendor Bills"))

    # ------------------------------------------------------------------
    # The dealer's vendor bill (called by account.move as superuser)
    # ------------------------------------------------------------------
    def _on_bill_posted(self):
        self.filtered(lambda c: c.state in ("accepted", "partial")).write({"state": "paid"})

    def _on_bill_unposted(self):
        """The bill reset or cancelled: the claim is accepted again (and a cancelled
        bill frees it for a new one)."""
        for claim in self.filtered(lambda c: c.state == "paid"):
            claim.write({"state": claim._checked_state()})
