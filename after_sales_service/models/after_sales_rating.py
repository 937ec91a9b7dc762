"""Customer ratings of the after-sales documents, on top of Odoo's ``rating.mixin``:
one rating request per record, ever, sent by mail with Odoo's own rating links
(``/rate/<token>/<1|3|5>``) and answered on Odoo's public rating page."""

from odoo import fields, models
from odoo.exceptions import AccessError

from .utils import window_action


class AfterSalesRatingMixin(models.AbstractModel):
    """What orders, claims and contracts share about rating requests."""

    _name = "after_sales.rating.mixin"
    _description = "After-Sales Rating Request"
    _inherit = ["rating.mixin"]

    rating_requested_date = fields.Datetime(
        string="Rating Requested On",
        copy=False,
        readonly=True,
        groups="base.group_user",
        help="When the customer was asked to rate it. A record is asked once, ever.",
    )

    def write(self, vals):
        # the request date is a fact written by the request itself, never by hand or RPC
        if "rating_requested_date" in vals and not self.env.su:
            raise AccessError(self.env._("The rating request date is set when it is sent."))
        return super().write(vals)

    def _rating_request_template(self):
        """The mail.template asking the customer of ``self`` (one record) to rate
        it; an empty recordset when no request is to be sent."""
        return self.env["mail.template"]

    def _send_rating_requests(self):
        """Ask the customer of each record of ``self`` to rate it, by mail in the
        customer's language, unless it was asked already. Returns the records
        that were asked now."""
        # sudo: the request and its date follow from a state the user was allowed to
        # reach (a technician closing their order); the mail is posted as the user
        # (two transactions asking for the same record both update its row: the
        # second one fails to serialize and, retried, finds the date of the first)
        records = self.sudo()
        asked = self.browse()
        now = fields.Datetime.now()
        for record in records.filtered(lambda r: not r.rating_requested_date):
            template = record._rating_request_template()
            partner = record._rating_get_partner()
            if not template or not partner:
                continue
            record.rating_send_request(template, lang=partner.lang, force_send=False)
            record.rating_requested_date = now
            asked |= record
        return asked.sudo(False)

    def action_view_ratings(self):
        """The ratings the customer gave to this record."""
        self.ensure_one()
        self.check_access("read")
        return window_action(
            self.env,
            "rating.rating_rating_action",
            [
                ("res_model", "=", self._name),
                ("res_id", "=", self.id),
                ("consumed", "=", True),
            ],
            {"create": False},
        )
