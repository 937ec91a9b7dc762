from odoo import models

CLAIM_RATING_TEMPLATE = "after_sales_service.mail_template_claim_rating_request"


class AfterSalesClaim(models.Model):
    """The customer rates a resolved claim; its responsible is rated."""

    _name = "after_sales.claim"
    _inherit = ["after_sales.rating.mixin", "after_sales.claim"]

    def write(self, vals):
        result = super().write(vals)
        if vals.get("state") == "resolved":
            self._send_rating_requests()
        return result

    def _rating_get_partner(self):
        # the person who filed the claim, else the customer
        return self._customer()

    def _rating_request_template(self):
        """The company-wide claim template, unless the claim's service type asks
        for no ratings."""
        self.ensure_one()
        if self.service_type_id and not self.service_type_id.rating_request:
            return self.env["mail.template"]
        return (
            self.env.ref(CLAIM_RATING_TEMPLATE, raise_if_not_found=False)
            or self.env["mail.template"]
        )
