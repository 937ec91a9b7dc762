from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from .utils import company_local_date

PROVIDER_KINDS = [
    ("own", "Own Service Department"),
    ("branch", "Branch"),
    ("dealer", "Dealer"),
    ("specialist", "Specialised Firm"),
    ("customer_staff", "Customer's Own Staff"),
]


class AfterSalesProvider(models.Model):
    """Who does the service work when it is not the company's own technicians: a
    branch, a dealer, a specialised firm or the buyer's own staff, with the agreement
    made with them (what they may serve, their rates and their committed SLA)."""

    _name = "after_sales.provider"
    _description = "Service Provider"
    _inherit = ["mail.thread"]
    _order = "name, id"
    _check_company_auto = True

    partner_id = fields.Many2one(
        "res.partner",
        required=True,
        index=True,
        tracking=True,
        check_company=True,
        ondelete="restrict",
    )
    name = fields.Char(related="partner_id.name", store=True, index="trigram")
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    active = fields.Boolean(default=True, tracking=True)
    kind = fields.Selection(PROVIDER_KINDS, required=True, default="specialist", tracking=True)
    service_type_ids = fields.Many2many(
        "after_sales.service.type",
        "after_sales_provider_service_type_rel",
        "provider_id",
        "service_type_id",
        string="Service Types",
        help="The types of service this provider may do.",
    )
    product_ids = fields.Many2many(
        "product.product",
        "after_sales_provider_product_rel",
        "provider_id",
        "product_id",
        string="Products",
        check_company=True,
        help="The products whose units this provider may serve; empty means all products.",
    )
    zone_ids = fields.Many2many(
        "after_sales.zone",
        "after_sales_provider_zone_rel",
        "provider_id",
        "zone_id",
        string="Zones",
        check_company=True,
        help="The customers' service zones this provider covers; empty means all zones.",
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    labour_rate = fields.Monetary(tracking=True, help="What the provider charges per hour of work.")
    travel_rate = fields.Monetary(tracking=True, help="What the provider charges per km.")
    parts_margin = fields.Float(
        string="Parts Margin (%)",
        tracking=True,
        help="Added to the cost of the parts the provider supplies.",
    )
    response_hours = fields.Float(
        string="Committed Response (h)", tracking=True, help="Agreed time to respond."
    )
    resolution_hours = fields.Float(
        string="Committed Resolution (h)", tracking=True, help="Agreed time to resolve."
    )
    date_start = fields.Date(string="Valid From", tracking=True)
    date_end = fields.Date(string="Valid Until", tracking=True)
    warranty_allowed = fields.Boolean(
        string="May Do Warranty Work",
        tracking=True,
        help="Orders covered by the warranty may be given to this provider.",
    )
    note = fields.Html()

    _partner_company_unique = models.UniqueIndex(
        "(partner_id, company_id)",
        "This partner is already a service provider of this company.",
    )

    @api.constrains("date_start", "date_end")
    def _check_dates(self):
        for provider in self:
            if (
                provider.date_start
                and provider.date_end
                and provider.date_end < provider.date_start
            ):
                raise ValidationError(
                    self.env._(
                        "The agreement with %(provider)s ends before it starts.",
                        provider=provider.partner_id.display_name,
                    )
                )

    @api.constrains("labour_rate", "travel_rate", "parts_margin")
    def _check_rates(self):
        for provider in self:
            if min(provider.labour_rate, provider.travel_rate, provider.parts_margin) < 0:
                raise ValidationError(
                    self.env._(
                        "The rates and parts margin of %(provider)s cannot be negative.",
                        provider=provider.partner_id.display_name,
                    )
                )

    # ------------------------------------------------------------------
    # The one rule: may this provider serve these orders?
    # ------------------------------------------------------------------
    def _refusal_reason(self, order):
        """Why this provider may not serve ``order`` (a translated sentence), or ""."""
        self.ensure_one()
        provider = self.sudo()
        if not provider.active:
            return self.env._("the provider is archived")
        if provider.company_id != order.company_id:
            return self.env._(
                "the provider works for %(company)s", company=provider.company_id.name
            )
        if provider.service_type_ids and order.service_type_id not in provider.service_type_ids:
            return self.env._(
                "the provider does not do %(type)s", type=order.service_type_id.display_name
            )
        product = order.sudo().equipment_id.product_id
        if provider.product_ids and product not in provider.product_ids:
            if not product:
                return self.env._("the provider only serves units of given products")
            return self.env._(
                "the provider does not serve %(product)s", product=product.display_name
            )
        partner = order.sudo().partner_id
        zone = partner.after_sales_zone_id or partner.commercial_partner_id.after_sales_zone_id
        if provider.zone_ids and zone not in provider.zone_ids:
            if not zone:
                return self.env._("the customer has no service zone")
            return self.env._("the provider does not cover zone %(zone)s", zone=zone.display_name)
        day = company_local_date(
            order.company_id,
            order.planned_date_start or order.date_received or fields.Datetime.now(),
        )
        if (provider.date_start and day < provider.date_start) or (
            provider.date_end and day > provider.date_end
        ):
            return self.env._(
                "the agreement is not valid on %(date)s", date=fields.Date.to_string(day)
            )
        if order.coverage_source == "warranty" and not provider.warranty_allowed:
            return self.env._("the order is covered by the warranty")
        return ""

    def _check_may_serve(self, orders):
        """Raise a UserError naming the order and the reason when this provider may
        not serve one of ``orders``."""
        self.ensure_one()
        for order in orders:
            reason = self._refusal_reason(order)
            if reason:
                raise UserError(
                    self.env._(
                        "%(provider)s may not serve service order %(order)s: %(reason)s.",
                        provider=self.sudo().partner_id.display_name,
                        order=order.name,
                        reason=reason,
                    )
                )
        return True
