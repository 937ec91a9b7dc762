from odoo import fields, models
from odoo.exceptions import UserError

# Orders that may still be refused: the work has not started.
REFUSABLE_STATES = ("new", "scheduled")


class AfterSalesOrder(models.Model):
    """Refusal of a service request: cancelled with a reason from the same list as
    claims, so that the refusal rate counts both."""

    _inherit = "after_sales.order"

    # filtered on by the service criteria (requests received in a period)
    date_received = fields.Datetime(index=True)
    date_done = fields.Datetime(index=True)
    reject_reason_id = fields.Many2one(
        "after_sales.reject.reason",
        string="Refusal Reason",
        copy=False,
        readonly=True,
        index="btree_not_null",
        tracking=True,
    )
    reject_note = fields.Text(string="Refusal Note", copy=False, readonly=True)

    _refusal_idx = models.Index(
        "(service_type_id, reject_reason_id) WHERE reject_reason_id IS NOT NULL"
    )

    def action_refuse(self):
        """Open the refusal dialog: a reason from the list is required."""
        self.check_access("write")
        # refusing cancels: up to the service team, not to technicians
        self._check_technician_write({"state": "cancelled"})
        self._check_state(REFUSABLE_STATES, self.env._("refused"))
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Refuse Service Request"),
            "res_model": "after_sales.order.refuse",
            "view_mode": "form",
            "target": "new",
            "context": {"default_order_ids": self.ids},
        }

    def _refuse(self, reason, note=False):
        """Refuse the requests for ``reason`` (a record or an id): cancelled, with
        the reason and a note, in one write."""
        if isinstance(reason, int):
            reason = self.env["after_sales.reject.reason"].browse(reason)
        if not reason:
            raise UserError(self.env._("Choose why the service request is refused."))
        self._check_state(REFUSABLE_STATES, self.env._("refused"))
        self.write(
            {"state": "cancelled", "reject_reason_id": reason.id, "reject_note": note or False}
        )
        for order in self:
            order.message_post(
                body=self.env._(
                    "Refused: %(reason)s. %(note)s", reason=reason.display_name, note=note or ""
                )
            )
        return True

    def _prepare_state_change(self, vals):
        vals = super()._prepare_state_change(vals)
        if vals["state"] == "new":
            # a request taken up again is no longer refused
            vals.update(reject_reason_id=False, reject_note=False)
        return vals
