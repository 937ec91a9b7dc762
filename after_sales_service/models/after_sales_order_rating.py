from odoo import models

ORDER_RATING_TEMPLATE = "after_sales_service.mail_template_order_rating_request"
# What the rating request writes on a done order, as part of its conversation: its
# date, and the portal token Odoo adds to the link of a mail to the customer.
RATING_DONE_WRITABLE_FIELDS = {"rating_requested_date", "access_token"}


class AfterSalesOrder(models.Model):
    """The customer rates a done service order; the first technician is rated."""

    _name = "after_sales.order"
    _inherit = ["after_sales.rating.mixin", "after_sales.order"]

    def write(self, vals):
        result = super().write(vals)
        if vals.get("state") == "done":
            self._send_rating_requests()
        return result

    def _check_done_write(self, vals):
        return super()._check_done_write(
            {f: v for f, v in vals.items() if f not in RATING_DONE_WRITABLE_FIELDS}
        )

    def _rating_get_operator(self):
        return self.technician_ids[:1].partner_id

    def _rating_request_template(self):
        self.ensure_one()
        service_type = self.service_type_id
        if not service_type.rating_request:
            return self.env["mail.template"]
        return service_type.rating_template_id or self.env.ref(
            ORDER_RATING_TEMPLATE, raise_if_not_found=False
        )
