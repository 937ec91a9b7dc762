"""A unit a customer bought elsewhere, registered by them on the portal with its
serial number, purchase date and proof of purchase. It is a request, not a unit:
nothing of the installed base (coverage, claims, orders, counts) sees it until a
service user accepts it, which makes the unit with the product's warranty terms
from the purchase date. A refusal is told to the customer with its reason."""

from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools.sql import escape_psql

from .utils import company_today

# What the customer gave: fixed once the request is made.
REQUEST_FIELDS = (
    "name",
    "company_id",
    "partner_id",
    "contact_id",
    "product_id",
    "purchase_date",
    "equipment_id",
)
REGISTRATION_STATES = [
    ("requested", "To Accept"),
    ("accepted", "Accepted"),
    ("refused", "Refused"),
]


class AfterSalesEquipmentRegistration(models.Model):
    _name = "after_sales.equipment.registration"
    _description = "Equipment Registration Request"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(string="Serial Number", required=True, readonly=True, index="trigram")
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        readonly=True,
        default=lambda self: self.env.company,
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        readonly=True,
        index=True,
        check_company=True,
        help="The customer's commercial entity.",
    )
    contact_id = fields.Many2one(
        "res.partner", readonly=True, check_company=True, help="The person who registered it."
    )
    product_id = fields.Many2one(
        "product.product", required=True, readonly=True, index=True, check_company=True
    )
    purchase_date = fields.Date(
        required=True, readonly=True, help="The warranty of the unit counts from this day."
    )
    state = fields.Selection(
        REGISTRATION_STATES,
        default="requested",
        required=True,
        readonly=True,
        index=True,
        tracking=True,
    )
    refusal_note = fields.Text(
        string="Refusal Reason",
        tracking=True,
        help="Why the registration is refused: shown to the customer on the portal.",
    )
    equipment_id = fields.Many2one(
        "after_sales.equipment",
        string="Unit",
        readonly=True,
        index="btree_not_null",
        check_company=True,
        help="The unit of the installed base made when the registration was accepted.",
    )

    @api.depends("product_id", "name")
    def _compute_display_name(self):
        for registration in self:
            registration.display_name = (
                f"{registration.product_id.sudo().display_name} ({registration.name})"
            )

    # ------------------------------------------------------------------
    # Rules
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("state", "requested") != "requested" or vals.get("equipment_id"):
                raise UserError(self.env._("A registration starts as a request."))
            vals["name"] = (vals.get("name") or "").strip()
            if not vals["name"]:
                raise ValidationError(self.env._("Enter the serial number of the unit."))
            partner = self.env["res.partner"].browse(vals.get("partner_id"))
            if partner and partner.commercial_partner_id != partner:
                vals.setdefault("contact_id", partner.id)
                vals["partner_id"] = partner.commercial_partner_id.id
        registrations = super().create(vals_list)
        registrations._check_purchase_date()
        registrations._check_serial_free()
        registrations._check_daily_limit()
        for registration in registrations:
            registration.activity_schedule(
                "mail.mail_activity_data_todo",
                summary=self.env._("Accept or refuse the registration of a unit"),
                user_id=registration.company_id._after_sales_service_team_user().id,
            )
        return registrations

    def write(self, vals):
        if any(name in vals for name in REQUEST_FIELDS):
            raise UserError(
                self.env._(
                    "What the customer registered is not changed; its unit is made by Accept."
                )
            )
        if "state" not in vals:
            if "refusal_note" in vals and any(reg.state == "accepted" for reg in self):
                raise UserError(self.env._("An accepted registration has no refusal reason."))
            return super().write(vals)
        state = vals["state"]
        if any(registration.state != "requested" for registration in self):
            raise UserError(self.env._("This registration was already accepted or refused."))
        if state == "refused":
            for registration in self:
                note = vals.get("refusal_note", registration.refusal_note)
                if not (note or "").strip():
                    raise UserError(
                        self.env._(
                            "Write why the registration is refused first: the customer reads it."
                        )
                    )
            result = super().write(vals)
            self.activity_ids.action_feedback(feedback=self.env._("Refused"))
            return result
        if state == "accepted":
            if vals.get("refusal_note"):
                raise UserError(self.env._("An accepted registration has no refusal reason."))
            self._check_serial_free()
            result = super().write(vals)
            for registration in self:
                super(AfterSalesEquipmentRegistration, registration).write(
                    {"equipment_id": registration._make_unit().id}
                )
            self.activity_ids.action_feedback(feedback=self.env._("Accepted"))
            return result
        raise UserError(self.env._("A registration is accepted or refused, once."))

    def _check_purchase_date(self):
        for registration in self:
            if registration.product_id.tracking != "serial":
                raise ValidationError(
                    self.env._("Only products with a serial number can be registered.")
                )
            if registration.purchase_date > company_today(registration.company_id):
                raise ValidationError(self.env._("The purchase date cannot be in the future."))

    def _check_serial_free(self):
        """A serial number already in the installed base, or asked for by another
        request, is refused without saying whose it is."""
        for registration in self:
            # any case of letters, no wildcards: a customer cannot probe for serials
            serial = escape_psql(registration.name)
            Equipment = self.env["after_sales.equipment"].sudo().with_context(active_test=False)
            taken = Equipment.search_count(
                [
                    ("product_id", "=", registration.product_id.id),
                    ("lot_id.name", "=ilike", serial),
                ],
                limit=1,
            ) or self.sudo().search_count(
                [
                    ("id", "!=", registration.id),
                    ("product_id", "=", registration.product_id.id),
                    ("name", "=ilike", serial),
                    ("state", "=", "requested"),
                ],
                limit=1,
            )
            if taken:
                raise ValidationError(
                    self.env._(
                        "The serial number %(serial)s is already registered. Please contact "
                        "us if you think this is a mistake.",
                        serial=registration.name,
                    )
                )

    def _check_daily_limit(self):
        """A customer registers at most the company's number of units a day."""
        since = fields.Datetime.now() - timedelta(days=1)
        for registration in self:
            limit = registration.company_id.after_sales_registration_daily_limit
            count = self.sudo().search_count(
                [
                    ("partner_id", "=", registration.partner_id.id),
                    ("create_date", ">=", since),
                ]
            )
            if count > limit:
                raise ValidationError(
                    self.env._(
                        "You can register at most %(count)s units a day. Please try again "
                        "tomorrow or contact us.",
                        count=limit,
                    )
                )

    def _make_unit(self):
        """The unit of the accepted registration: the customer's, with the product's
        warranty terms counted from the purchase date."""
        self.ensure_one()
        Lot = self.env["stock.lot"].sudo()
        lot = Lot.search(
            [
                ("product_id", "=", self.product_id.id),
                ("name", "=", self.name),
                ("company_id", "in", (self.company_id.id, False)),
            ],
            limit=1,
        ) or Lot.create(
            {"product_id": self.product_id.id, "name": self.name, "company_id": self.company_id.id}
        )
        return self.env["after_sales.equipment"].create(
            {
                "company_id": self.company_id.id,
                "partner_id": self.partner_id.id,
                "product_id": self.product_id.id,
                "lot_id": lot.id,
                "delivery_date": self.purchase_date,
                # bought elsewhere: the warranty counts from the purchase
                "warranty_trigger": "delivery",
            }
        )

    # ------------------------------------------------------------------
    # Buttons
    # ------------------------------------------------------------------
    def action_accept(self):
        self.write({"state": "accepted"})

    def action_refuse(self):
        self.write({"state": "refused"})
