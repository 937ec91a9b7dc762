"""The customer's self-service on their claims: close a solved claim on the portal
and reopen it within the company's window. The rules hold for every client: a
closed claim goes back to Accepted only while its window is open."""

from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError

from .utils import company_local_date, company_today


class AfterSalesClaim(models.Model):
    _inherit = "after_sales.claim"

    date_closed = fields.Datetime(
        copy=False,
        readonly=True,
        help="When the claim was last closed: the reopening window counts from that day.",
    )
    reopen_deadline = fields.Date(
        string="Reopen Until",
        compute="_compute_reopen_deadline",
        help="The last day the closed claim may be reopened (the company's window).",
    )
    is_reopenable = fields.Boolean(compute="_compute_reopen_deadline")

    @api.depends("state", "date_closed", "reject_reason_id", "company_id")
    def _compute_reopen_deadline(self):
        for claim in self:
            deadline = False
            if claim.state == "closed" and claim.date_closed and not claim.reject_reason_id:
                deadline = company_local_date(claim.company_id, claim.date_closed) + timedelta(
                    days=claim.company_id.after_sales_claim_reopen_days
                )
            claim.reopen_deadline = deadline
            claim.is_reopenable = bool(deadline) and company_today(claim.company_id) <= deadline

    @api.model_create_multi
    def create(self, vals_list):
        if any("date_closed" in vals for vals in vals_list):
            raise UserError(self._date_closed_error())
        return super().create(vals_list)

    def write(self, vals):
        if "date_closed" in vals:
            raise UserError(self._date_closed_error())
        return super().write(vals)

    def _date_closed_error(self):
        return self.env._("The closing date of a claim is set by Close, with its state.")

    def _prepare_state_vals(self, vals):
        """Closing dates the claim (the reopening window starts); going back to
        Accepted from Closed is a reopening: refused once the window has passed,
        and for a refused claim."""
        state = vals["state"]
        if state == "closed":
            closed = self.filtered(lambda claim: claim.state == "closed")
            if closed and closed != self:
                raise UserError(
                    self.env._("Claim %(claim)s is already closed.", claim=closed[0].name)
                )
            if not closed:
                vals["date_closed"] = fields.Datetime.now()
        elif state == "accepted":
            self.filtered(lambda claim: claim.state == "closed")._check_reopenable()
            vals["date_closed"] = False
        return super()._prepare_state_vals(vals)

    def _check_reopenable(self):
        for claim in self:
            if claim.reject_reason_id:
                raise UserError(
                    self.env._(
                        "Claim %(claim)s was refused: it cannot be reopened.", claim=claim.name
                    )
                )
            if not claim.is_reopenable:
                raise UserError(
                    self.env._(
                        "Claim %(claim)s was closed more than %(days)s days ago: it can no "
                        "longer be reopened. Please file a new claim.",
                        claim=claim.name,
                        days=claim.company_id.after_sales_claim_reopen_days,
                    )
                )

    # ------------------------------------------------------------------
    # The customer's buttons on the portal (called as superuser by the portal
    # routes once the claim is the customer's)
    # ------------------------------------------------------------------
    def _customer_close(self, partner):
        """``partner`` closes their solved claim."""
        self.ensure_one()
        if self.state != "resolved":
            raise UserError(
                self.env._(
                    "Only a resolved claim can be closed: %(claim)s is not.", claim=self.name
                )
            )
        self.write({"state": "closed"})
        self._post_customer_note(partner, self.env._("Closed by the customer: solved."))

    def _customer_reopen(self, partner):
        """``partner`` reopens their closed claim within the window."""
        self.ensure_one()
        if self.state != "closed":
            raise UserError(
                self.env._(
                    "Only a closed claim can be reopened: %(claim)s is not.", claim=self.name
                )
            )
        self.write({"state": "accepted"})
        self._post_customer_note(partner, self.env._("Reopened by the customer: not solved."))
        self.activity_schedule(
            "mail.mail_activity_data_todo",
            summary=self.env._("Claim reopened by the customer"),
            user_id=(self.user_id or self.company_id._after_sales_service_team_user()).id,
        )

    def _post_customer_note(self, partner, body):
        self.message_post(
            body=body, author_id=partner.id, message_type="comment", subtype_xmlid="mail.mt_note"
        )
