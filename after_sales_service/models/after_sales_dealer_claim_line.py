from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import formatLang

from .utils import moved_off

LINE_KINDS = [("labour", "Labour"), ("part", "Part"), ("travel", "Travel")]
# Sane bounds of one line: hours of work, parts of one kind, km of travel.
MAX_QUANTITY = {"labour": 24.0, "part": 100.0, "travel": 1000.0}
# What the service manager decides, line by line.
CHECK_FIELDS = {"check_state", "amount_accepted", "reject_reason_id", "reject_note"}
# The warranty share of the claim that pays each kind of line.
PCT_OF_KIND = {"labour": "labour_pct", "part": "parts_pct", "travel": "travel_pct"}


class AfterSalesDealerClaimLine(models.Model):
    """One item of a dealer claim: hours of labour, parts or km of travel, priced at
    the dealer's agreement; accepted (up to the cap of the agreement and the
    warranty) or rejected with a reason by a service manager."""

    _name = "after_sales.dealer.claim.line"
    _description = "Dealer Warranty Claim Line"
    _inherit = ["after_sales.portal.access.mixin"]
    _order = "claim_id, sequence, id"
    _check_company_auto = True

    # What the dealer claimed at its agreement and what was decided; never the cap
    # (``amount_max``), which is derived from our own cost of the parts.
    _portal_readable_fields = frozenset(
        {
            "claim_id",
            "company_id",
            "currency_id",
            "sequence",
            "kind",
            "name",
            "product_id",
            "quantity",
            "unit_cost",
            "price_unit",
            "amount_claimed",
            "check_state",
            "amount_accepted",
            "reject_reason_id",
            "reject_note",
        }
    )

    claim_id = fields.Many2one(
        "after_sales.dealer.claim", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="claim_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="claim_id.currency_id")
    sequence = fields.Integer(default=10)
    kind = fields.Selection(LINE_KINDS, required=True, default="labour")
    name = fields.Char(string="Description")
    product_id = fields.Many2one(
        "product.product", string="Part", check_company=True, domain="[('type', '=', 'consu')]"
    )
    quantity = fields.Float(
        default=1.0, digits="Product Unit", help="Hours of labour, number of parts or km."
    )
    unit_cost = fields.Monetary(help="Parts: what one part cost the dealer.")
    price_unit = fields.Monetary(
        string="Agreement Price",
        compute="_compute_price_unit",
        store=True,
        help="Labour and travel: the agreement's rate; parts: their cost plus the "
        "agreement's parts margin. Fixed when the claim is submitted.",
    )
    amount_claimed = fields.Monetary(
        string="Claimed", compute="_compute_amount_claimed", store=True
    )
    amount_max = fields.Monetary(
        string="Acceptable",
        readonly=True,
        copy=False,
        help="The most the warranty pays of the line: the agreement's rate (parts: the "
        "lower of the dealer's and our cost, plus the margin) times the share the "
        "warranty paid on the repair date. Fixed when the claim is submitted.",
    )
    check_state = fields.Selection(
        [("pending", "To Check"), ("accepted", "Accepted"), ("rejected", "Rejected")],
        string="Decision",
        default="pending",
        required=True,
        copy=False,
    )
    amount_accepted = fields.Monetary(string="Accepted", copy=False)
    reject_reason_id = fields.Many2one(
        "after_sales.reject.reason", string="Refusal Reason", copy=False, ondelete="restrict"
    )
    reject_note = fields.Char(string="Refusal Note", copy=False)

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------
    @api.depends("kind", "unit_cost", "claim_id.provider_id")
    def _compute_price_unit(self):
        for line in self:
            line.price_unit = line._agreement_price(line.unit_cost)

    def _agreement_price(self, part_cost):
        """The price of one unit of the line at the dealer's agreement."""
        self.ensure_one()
        provider = self.claim_id.provider_id.sudo()
        if self.kind == "labour":
            return provider.labour_rate
        if self.kind == "travel":
            return provider.travel_rate
        return part_cost * (1.0 + provider.parts_margin / 100.0)

    @api.depends("quantity", "price_unit")
    def _compute_amount_claimed(self):
        for line in self:
            currency = line.currency_id or line.env.company.currency_id
            line.amount_claimed = currency.round(line.quantity * line.price_unit)

    def _label(self):
        self.ensure_one()
        kind = dict(self._fields["kind"]._description_selection(self.env))[self.kind]
        what = self.name or self.product_id.display_name or ""
        return f"{kind} {what} ({self.quantity:g})".replace("  ", " ")

    # ------------------------------------------------------------------
    # Checks
    # ------------------------------------------------------------------
    def _amount_refusal(self):
        """Why the figures of this line are not acceptable (translated), or ""."""
        self.ensure_one()
        bound = MAX_QUANTITY[self.kind]
        if self.quantity <= 0 or self.quantity > bound:
            return self.env._(
                "the quantity of %(line)s must be above 0 and at most %(max)s.",
                line=self._label(),
                max=f"{bound:g}",
            )
        if self.unit_cost < 0 or self.amount_accepted < 0:
            return self.env._("the amounts of %(line)s cannot be negative.", line=self._label())
        if self.kind == "part" and not self.product_id:
            return self.env._("choose the part of %(line)s.", line=self._label())
        if self.currency_id.compare_amounts(self.amount_accepted, self.amount_max) > 0:
            return self.env._(
                "%(line)s: at most %(max)s can be accepted (the agreement's rates and the "
                "warranty's share).",
                line=self._label(),
                max=formatLang(self.env, self.amount_max, currency_obj=self.currency_id),
            )
        if self.check_state == "rejected" and not self.reject_reason_id:
            return self.env._("give the reason why %(line)s is rejected.", line=self._label())
        return ""

    @api.constrains(
        "kind", "quantity", "unit_cost", "amount_accepted", "check_state", "reject_reason_id"
    )
    def _check_figures(self):
        for line in self:
            reason = line._amount_refusal()
            if reason:
                raise ValidationError(
                    self.env._(
                        "Dealer claim %(claim)s: %(reason)s",
                        claim=line.claim_id.name,
                        reason=reason,
                    )
                )

    def _check_claim_draft(self):
        self.claim_id._check_draft()

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if CHECK_FIELDS & set(vals):
                raise UserError(self.env._("A new claim line is not checked yet."))
        lines = super().create(vals_list)
        lines._check_claim_draft()
        return lines

    def write(self, vals):
        """What the dealer claims changes while the claim is a draft; what the
        manager decides, while it is submitted, by a service manager only. A line
        stays on its claim."""
        self._check_claim_kept(vals)
        if CHECK_FIELDS & set(vals):
            self.claim_id._check_manager()
            not_submitted = self.claim_id.filtered(lambda c: c.state != "submitted")
            if not_submitted:
                raise UserError(
                    self.env._(
                        "Dealer claim %(name)s is not waiting for a check.",
                        name=not_submitted[0].name,
                    )
                )
        if set(vals) - CHECK_FIELDS:
            self._check_claim_draft()
        return super().write(vals)

    def _check_claim_kept(self, vals):
        """The claim of a line is fixed once it is created, for everyone: a line
        moved to another claim (of another dealer or company) would leave the rules
        checked on that claim behind."""
        moved = moved_off(self, vals, "claim_id")
        if moved:
            raise UserError(
                self.env._(
                    "A line of dealer claim %(claim)s cannot be moved to another claim: "
                    "remove it and add it to the other claim.",
                    claim=moved[0].claim_id.name,
                )
            )

    def _check_decider(self):
        """Accept, reject and reset are a service manager's decisions: refused
        (AccessError) to anyone else before the line is looked at."""
        self.check_access("write")
        self.claim_id._check_manager()

    @api.ondelete(at_uninstall=False)
    def _unlink_except_submitted(self):
        self.filtered(lambda line: line.claim_id.state != "cancelled")._check_claim_draft()

    def _capture_agreement(self):
        """At submission (the claim still a draft): the agreement's prices and the
        cap of each line (the claim's warranty shares are written first)."""
        for line in self:
            claim = line.claim_id
            cost = line.unit_cost
            if line.kind == "part":
                our_cost = line.product_id.sudo().with_company(claim.company_id).standard_price
                if our_cost > 0:
                    cost = min(cost, our_cost)
            pct = claim[PCT_OF_KIND[line.kind]]
            line.write(
                {
                    "price_unit": line._agreement_price(line.unit_cost),
                    "amount_max": line.currency_id.round(
                        line.quantity * line._agreement_price(cost) * pct / 100.0
                    ),
                }
            )

    # ------------------------------------------------------------------
    # Decisions
    # ------------------------------------------------------------------
    def action_accept(self):
        """Accept the lines: what the manager wrote, else their cap."""
        self._check_decider()
        for line in self:
            amount = line.amount_accepted
            if line.check_state != "accepted" or line.currency_id.is_zero(amount):
                amount = amount or line.amount_max
            line.write({"check_state": "accepted", "amount_accepted": amount})
        return True

    def action_reject(self):
        self._check_decider()
        missing = self.filtered(lambda line: not line.reject_reason_id)
        if missing:
            raise UserError(
                self.env._(
                    "Choose the refusal reason of %(line)s before rejecting it.",
                    line=missing[0]._label(),
                )
            )
        self.write({"check_state": "rejected", "amount_accepted": 0.0})
        return True

    def action_reset(self):
        self._check_decider()
        self.write({"check_state": "pending", "amount_accepted": 0.0})
        return True
