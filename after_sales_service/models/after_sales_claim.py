"""Customer claims: a complaint about a delivered product or a service, received by
email, through the portal, by phone or entered in the back office."""

import logging
import re
import uuid
from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Domain
from odoo.tools import email_normalize, formataddr, html2plaintext

from .after_sales_contract_sla import PRIORITIES
from .after_sales_equipment import COVERING_CONTRACT_STATES
from .sequence import next_sequence_names
from .utils import company_local_date

_logger = logging.getLogger(__name__)

CLAIM_STATES = [
    ("new", "New"),
    ("review", "Under Review"),
    ("accepted", "Accepted"),
    ("rejected", "Rejected"),
    ("resolved", "Resolved"),
    ("closed", "Closed"),
]
# Allowed state changes: {new state: states it may come from}.
CLAIM_TRANSITIONS = {
    "review": ("new",),
    # from closed: reopened within the company's window (after_sales_claim_selfservice)
    "accepted": ("new", "review", "closed"),
    "rejected": ("new", "review", "accepted"),
    "resolved": ("accepted",),
    "closed": ("resolved", "rejected"),
    "new": ("review", "accepted", "rejected"),
}
# A claim whose outcome is known: its deadlines and intake facts are history.
CLAIM_CHANNELS = [
    ("email", "Email"),
    ("portal", "Portal"),
    ("phone", "Phone"),
    ("back_office", "Back Office"),
]
CLAIM_CATEGORIES = [
    ("product_defect", "Product Defect"),
    ("transport_damage", "Transport Damage"),
    ("installation", "Installation"),
    ("service_quality", "Service Quality"),
    ("billing", "Billing"),
    ("other", "Other"),
]
COVERAGE_KINDS = [
    ("warranty", "Warranty"),
    ("contract", "Contract"),
    ("none", "Not Covered"),
]
# Why a claim needs a person to look at it; worded when read (review_reason).
REVIEW_REASONS = [
    ("unknown_sender", "Unknown sender"),
    ("no_serial", "No known serial number"),
    ("not_delivered", "Serial number not delivered to this customer"),
    ("foreign_link", "Serial number, unit or document of another customer or company: not linked"),
]
# Links that must belong to the claim's customer and company (else not linked).
OWNED_LINKS = ("equipment_id", "lot_id", "contract_id", "picking_id", "invoice_id")
# Set by Reject only (with the state), cleared by Reset to New only.
REFUSAL_FIELDS = ("reject_reason_id", "reject_note", "date_rejected")
# Channels where the customer files the claim: they get an acknowledgement.
SELF_SERVICE_CHANNELS = ("email", "portal")
# Words that may be a serial number: letters, digits and - _ / . (at least 3).
SERIAL_TOKEN_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-_/.]{1,62}[A-Za-z0-9]")


class AfterSalesClaim(models.Model):
    """A customer's claim: what went wrong, on which unit, and what we decided."""

    _name = "after_sales.claim"
    _description = "Customer Claim"
    _inherit = [
        "mail.thread",
        "mail.activity.mixin",
        "portal.mixin",
        "after_sales.portal.access.mixin",
    ]
    _order = "priority desc, id desc"
    _check_company_auto = True
    _mail_post_access = "read"
    # messages need no parent: replies find their claim by their References header,
    # and a post spares the search for the thread's last message
    _mail_flat_thread = False

    # Fields a portal customer may read of their own claims (record rules decide
    # which claims). access_token stays hidden: the portal reads it as superuser.
    _portal_readable_fields = frozenset(
        {
            "name",
            "state",
            "partner_id",
            "contact_id",
            "channel",
            "category",
            "product_id",
            "lot_id",
            "equipment_id",
            "description",
            "priority",
            "date_received",
            "response_deadline",
            "resolution_deadline",
            "reject_reason_id",
            "reject_note",
            "date_rejected",
            "access_url",
            "company_id",
        }
    )

    name = fields.Char(
        string="Reference", required=True, copy=False, readonly=True, default="/", index="trigram"
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        tracking=True,
        check_company=True,
        domain="[('is_company', '=', True)]",
        help="The customer's commercial entity.",
    )
    contact_id = fields.Many2one(
        "res.partner",
        index="btree_not_null",
        check_company=True,
        domain="[('commercial_partner_id', '=', partner_id)]",
        help="The person who filed the claim.",
    )
    channel = fields.Selection(
        CLAIM_CHANNELS, required=True, default="back_office", index=True, readonly=True
    )
    category = fields.Selection(CLAIM_CATEGORIES, default="product_defect", index=True)
    date_received = fields.Datetime(
        string="Received",
        default=fields.Datetime.now,
        required=True,
        readonly=True,
        help="When the claim came in: SLA times count from here.",
    )
    product_id = fields.Many2one(
        "product.product",
        compute="_compute_product_id",
        store=True,
        readonly=False,
        index="btree_not_null",
        check_company=True,
    )
    lot_id = fields.Many2one(
        "stock.lot",
        string="Serial Number",
        index="btree_not_null",
        tracking=True,
        check_company=True,
        domain="[('product_id', '=?', product_id)]",
    )
    equipment_id = fields.Many2one(
        "after_sales.equipment",
        compute="_compute_equipment_id",
        store=True,
        readonly=False,
        index="btree_not_null",
        tracking=True,
        check_company=True,
    )
    contract_id = fields.Many2one(
        "after_sales.contract",
        compute="_compute_contract_id",
        store=True,
        index="btree_not_null",
        check_company=True,
        help="The contract whose SLA applies to the claim.",
    )
    picking_id = fields.Many2one(
        "stock.picking",
        string="Delivery",
        index="btree_not_null",
        check_company=True,
        domain="[('picking_type_code', '=', 'outgoing'), ('partner_id', 'child_of', partner_id)]",
    )
    invoice_id = fields.Many2one(
        "account.move",
        index="btree_not_null",
        check_company=True,
        domain="[('move_type', '=', 'out_invoice'), ('partner_id', 'child_of', partner_id)]",
    )
    description = fields.Html()
    priority = fields.Selection(PRIORITIES, default="1", required=True, index=True, tracking=True)
    user_id = fields.Many2one(
        "res.users",
        string="Responsible",
        index="btree_not_null",
        tracking=True,
        check_company=True,
        domain="[('share', '=', False), ('company_ids', 'in', company_id)]",
    )
    service_type_id = fields.Many2one("after_sales.service.type", index=True, tracking=True)
    state = fields.Selection(
        CLAIM_STATES, default="new", required=True, copy=False, index=True, tracking=True
    )

    # Failure codes
    symptom_id = fields.Many2one(
        "after_sales.failure.code",
        check_company=True,
        domain="[('kind', '=', 'symptom')]",
        index="btree_not_null",
    )
    cause_id = fields.Many2one(
        "after_sales.failure.code",
        check_company=True,
        domain="[('kind', '=', 'cause')]",
        index="btree_not_null",
    )
    remedy_id = fields.Many2one(
        "after_sales.failure.code",
        check_company=True,
        domain="[('kind', '=', 'remedy')]",
        index="btree_not_null",
    )

    # Refusal
    reject_reason_id = fields.Many2one(
        "after_sales.reject.reason",
        string="Refusal Reason",
        copy=False,
        readonly=True,
        index="btree_not_null",
        tracking=True,
    )
    reject_note = fields.Text(string="Refusal Note", copy=False, readonly=True)
    date_rejected = fields.Datetime(copy=False, readonly=True)

    # SLA
    response_deadline = fields.Datetime(compute="_compute_deadlines", store=True, index=True)
    resolution_deadline = fields.Datetime(compute="_compute_deadlines", store=True, index=True)

    # Intake checks: facts of the day the claim came in, stored
    coverage_at_delivery = fields.Selection(
        COVERAGE_KINDS,
        compute="_compute_intake_checks",
        store=True,
        help="What covered the unit on the day it was delivered.",
    )
    coverage_today = fields.Selection(
        COVERAGE_KINDS,
        string="Coverage at Claim",
        compute="_compute_intake_checks",
        store=True,
        help="What covers the unit on the day the claim came in.",
    )
    coverage_description = fields.Char(string="Coverage", compute="_compute_coverage_description")
    delivered_to_customer = fields.Boolean(
        compute="_compute_intake_checks",
        store=True,
        help="The serial number was delivered to this customer.",
    )
    is_sender_unknown = fields.Boolean(
        readonly=True,
        copy=False,
        help="The claim came by email from an address no customer uses.",
    )
    has_foreign_link = fields.Boolean(
        readonly=True,
        copy=False,
        help="A serial number, unit, contract, delivery or invoice named for the claim "
        "belongs to another customer or company: it was not linked.",
    )
    review_reason_keys = fields.Char(
        compute="_compute_intake_checks",
        store=True,
        help="Technical: the keys of REVIEW_REASONS, separated by spaces.",
    )
    needs_review = fields.Boolean(compute="_compute_intake_checks", store=True, index=True)
    review_reason = fields.Text(compute="_compute_review_reason")

    _refusal_idx = models.Index("(service_type_id, reject_reason_id) WHERE state = 'rejected'")

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------
    def _compute_access_url(self):
        for claim in self:
            claim.access_url = f"/my/claims/{claim.id}"

    @api.depends("lot_id", "equipment_id")
    def _compute_product_id(self):
        for claim in self:
            unit_product = claim.equipment_id.product_id or claim.lot_id.product_id
            if unit_product:
                claim.product_id = unit_product

    @api.depends("lot_id")
    def _compute_equipment_id(self):
        """The unit of the serial that is the customer's in the claim's company;
        none when the serial's units are another customer's."""
        with_lot = self.filtered("lot_id")
        equipment = (
            self.env["after_sales.equipment"]
            .with_context(active_test=False)
            .search([("lot_id", "in", with_lot.lot_id.ids)])
        )
        by_lot = defaultdict(equipment.browse)
        for unit in equipment:
            by_lot[unit.lot_id.id] |= unit
        for claim in with_lot:
            units = by_lot[claim.lot_id.id]
            if units:
                claim.equipment_id = units.filtered(
                    lambda unit, claim=claim: claim._is_customers_unit(
                        unit, claim.partner_id, claim.company_id
                    )
                )[:1]

    def _claim_day(self):
        return company_local_date(self.company_id, self.date_received or fields.Datetime.now())

    @api.depends("equipment_id", "partner_id", "company_id", "service_type_id", "date_received")
    def _compute_contract_id(self):
        """The contract whose SLA applies: the one of the unit for this service
        type, else a running contract of the customer; always one of the
        customer's contracts in the claim's company."""
        for claim in self:
            day = claim._claim_day()
            contract = self.env["after_sales.contract"]
            if claim.equipment_id:
                coverage = claim.equipment_id._get_coverage_batch(
                    day, claim.service_type_id or None, use_warranty=False
                )[claim.equipment_id.id]
                contract = contract.browse(coverage.contract_id)
                if not claim._is_customers("contract_id", contract):
                    contract = contract.browse()
            if not contract and claim.partner_id:
                contract = contract.search(
                    [
                        (
                            "partner_id.commercial_partner_id",
                            "=",
                            claim.partner_id.commercial_partner_id.id,
                        ),
                        ("company_id", "=", claim.company_id.id),
                        ("state", "in", COVERING_CONTRACT_STATES),
                        ("date_start", "<=", day),
                        ("date_end", ">=", day),
                        ("sla_ids", "!=", False),
                    ],
                    order="date_start desc, id desc",
                    limit=1,
                )
            claim.contract_id = contract

    # not on the SLA lines themselves: the promise is made at intake, and an SLA
    # edited later (or after closing) does not rewrite the claims it answered
    @api.depends("contract_id", "priority", "date_received")
    def _compute_deadlines(self):
        for claim in self:
            if claim.contract_id:
                response, resolution = claim.contract_id._get_sla_deadlines(
                    claim.priority, claim.date_received or fields.Datetime.now()
                )
                claim.response_deadline = response
                claim.resolution_deadline = resolution
            else:
                claim.response_deadline = claim.resolution_deadline = False

    @api.depends("lot_id", "equipment_id", "partner_id", "is_sender_unknown", "has_foreign_link")
    def _compute_intake_checks(self):
        delivered = self._delivered_pairs(self.lot_id)
        for claim in self:
            unit = claim.equipment_id
            if unit:
                at_delivery = (
                    unit._get_coverage(unit.delivery_date, claim.service_type_id or None)
                    if unit.delivery_date
                    else None
                )
                today = unit._get_coverage(claim._claim_day(), claim.service_type_id or None)
                claim.coverage_at_delivery = at_delivery.source if at_delivery else "none"
                claim.coverage_today = today.source
            else:
                claim.coverage_at_delivery = claim.coverage_today = False
            commercial = claim.partner_id.commercial_partner_id
            claim.delivered_to_customer = (claim.lot_id.id, commercial.id) in delivered
            reasons = []
            if claim.is_sender_unknown:
                reasons.append("unknown_sender")
            if claim.has_foreign_link:
                reasons.append("foreign_link")
            if claim.channel in SELF_SERVICE_CHANNELS and not claim.lot_id:
                # a serial named but another customer's is said so, not "no serial"
                if not claim.has_foreign_link:
                    reasons.append("no_serial")
            elif claim.lot_id and not claim.delivered_to_customer:
                reasons.append("not_delivered")
            claim.review_reason_keys = " ".join(reasons) or False
            claim.needs_review = bool(reasons)

    @api.model
    def _delivered_pairs(self, lots):
        """{(lot id, commercial partner id)} of the serials ``lots`` delivered to
        a customer by a done outgoing move line, in one query."""
        if not lots:
            return set()
        groups = (
            self.env["stock.move.line"]
            .sudo()
            ._read_group(
                [
                    ("lot_id", "in", lots.ids),
                    ("state", "=", "done"),
                    ("location_dest_id.usage", "=", "customer"),
                    ("location_id.usage", "!=", "customer"),
                ],
                ["lot_id", "picking_partner_id"],
            )
        )
        return {(lot.id, partner.commercial_partner_id.id) for lot, partner in groups if partner}

    @api.depends("coverage_today", "equipment_id.warranty_end_date")
    @api.depends_context("lang")
    def _compute_coverage_description(self):
        labels = dict(self._fields["coverage_today"]._description_selection(self.env))
        for claim in self:
            if not claim.equipment_id:
                claim.coverage_description = self.env._("No equipment")
                continue
            claim.coverage_description = self.env._(
                "At delivery: %(delivery)s; at claim: %(today)s",
                delivery=labels.get(claim.coverage_at_delivery, ""),
                today=labels.get(claim.coverage_today, ""),
            )

    @api.depends("review_reason_keys")
    @api.depends_context("lang")
    def _compute_review_reason(self):
        labels = {
            "unknown_sender": self.env._("Unknown sender"),
            "no_serial": self.env._("No known serial number"),
            "not_delivered": self.env._("Serial number not delivered to this customer"),
            "foreign_link": self.env._(
                "Serial number, unit or document of another customer or company: not linked"
            ),
        }
        for claim in self:
            keys = (claim.review_reason_keys or "").split()
            claim.review_reason = "\n".join(labels[key] for key in keys if key in labels) or False

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        unnamed = defaultdict(list)  # company id: vals without a name
        self._check_link_companies(vals_list)
        for vals in vals_list:
            if vals.get("state", "new") != "new":
                raise UserError(self.env._("A claim starts as New."))
            if any(vals.get(name) for name in REFUSAL_FIELDS):
                raise UserError(self._refusal_fields_error())
            self._normalize_partner_vals(vals)
            self._check_new_links(vals)
            # given now, not by an UPDATE when the acknowledgement links the portal page
            vals.setdefault("access_token", str(uuid.uuid4()))
            if vals.get("name", "/") == "/":
                unnamed[vals.get("company_id") or self.env.company.id].append(vals)
        for company_id, company_vals in unnamed.items():
            company = self.env["res.company"].browse(company_id)
            names = next_sequence_names(self.env, "after_sales.claim", company, len(company_vals))
            for vals, name in zip(company_vals, names, strict=True):
                vals["name"] = name
        claims = super().create(vals_list)
        claims.filtered(lambda c: c.channel in SELF_SERVICE_CHANNELS)._send_acknowledgement()
        return claims

    @api.model
    def _normalize_partner_vals(self, vals):
        """A person given as customer: the customer is their commercial entity,
        the person the contact. A unit given without serial: its serial."""
        if vals.get("equipment_id") and "lot_id" not in vals:
            unit = self.env["after_sales.equipment"].browse(vals["equipment_id"])
            if unit.lot_id:
                vals["lot_id"] = unit.lot_id.id
        if not vals.get("partner_id"):
            return
        partner = self.env["res.partner"].browse(vals["partner_id"])
        if partner.commercial_partner_id != partner:
            vals.setdefault("contact_id", partner.id)
            vals["partner_id"] = partner.commercial_partner_id.id

    @api.onchange("equipment_id")
    def _onchange_equipment_id(self):
        if self.equipment_id.lot_id and self.lot_id != self.equipment_id.lot_id:
            self.lot_id = self.equipment_id.lot_id

    def write(self, vals):
        self._check_link_companies([vals])
        if "partner_id" in vals or "equipment_id" in vals:
            self._normalize_partner_vals(vals)
        rejected = self.browse()
        if "state" in vals:
            self._check_transition(vals["state"])
            rejected = self._prepare_state_vals(vals)
        elif any(name in vals for name in REFUSAL_FIELDS):
            raise UserError(self._refusal_fields_error())
        for claims, claim_vals in self._split_link_vals(vals):
            super(AfterSalesClaim, claims).write(claim_vals)
        if rejected:
            rejected._post_customer_template("after_sales_service.mail_template_claim_rejected")
        return True

    def _prepare_state_vals(self, vals):
        """The guards and values of a state change, whichever button or client
        writes it: a refusal needs a reason (its date is now) and the claims it
        refuses are told why (returned: mailed once written); Reset to New clears
        the refusal. The refusal fields are written with these two states only."""
        state = vals["state"]
        refusal = [name for name in REFUSAL_FIELDS if name in vals]
        changing = self.filtered(lambda claim: claim.state != state)
        if state == "rejected":
            if refusal and changing != self:
                raise UserError(self._refusal_fields_error())
            if not changing:
                return changing
            if not vals.get("reject_reason_id"):
                raise UserError(self.env._("Choose why the claim is rejected."))
            vals["date_rejected"] = fields.Datetime.now()
            vals.setdefault("reject_note", False)
            return changing
        if state == "new":
            if any(vals[name] for name in refusal):
                raise UserError(self._refusal_fields_error())
            vals.update(dict.fromkeys(REFUSAL_FIELDS, False))
        elif refusal:
            raise UserError(self._refusal_fields_error())
        return self.browse()

    def _refusal_fields_error(self):
        return self.env._(
            "The refusal reason, note and date of a claim are set by Reject (and cleared "
            "by Reset to New), with its state."
        )

    # ------------------------------------------------------------------
    # Links: only the customer's own, in the claim's company
    # ------------------------------------------------------------------
    @api.model
    def _is_customers_unit(self, unit, partner, company):
        """Whether ``unit`` is ``partner``'s (its owner, or its last owner once
        returned, has the same commercial entity) in ``company``."""
        unit = unit.sudo()
        owner = unit.partner_id or unit.last_partner_id
        return bool(
            owner
            and owner.commercial_partner_id == partner.commercial_partner_id
            and unit.company_id == company
        )

    def _is_customers(self, name, record, partner=None, company=None):
        """Whether ``record``, a value of the link ``name``, is the customer's
        (``partner``, default the claim's) in ``company`` (default the claim's).
        A serial with units is the customer's when one of its units is; a serial
        without units when it was never delivered to another customer."""
        partner = (partner if partner is not None else self.partner_id).commercial_partner_id
        company = company if company is not None else self.company_id
        record = record.sudo()  # a service user may not read deliveries or invoices
        if not record:
            return True
        if name == "equipment_id":
            return self._is_customers_unit(record, partner, company)
        if record.company_id and record.company_id != company:
            return False
        if name == "lot_id":
            units = record.with_context(active_test=False).after_sales_equipment_ids
            if units:
                return any(self._is_customers_unit(unit, partner, company) for unit in units)
            customers = {customer for _lot, customer in self._delivered_pairs(record)}
            return not customers or partner.id in customers
        if name == "invoice_id":
            return record.commercial_partner_id == partner
        return record.partner_id.commercial_partner_id == partner

    @api.model
    def _check_link_companies(self, vals_list):
        """A user names only what they may read, in the companies they work for, for
        the claim's company as for its links: record rules check a claim before it
        is written, not what it is made to name. Refused (nothing written), not left
        unlinked; another customer's record the user may read is not linked and the
        claim flagged (_check_new_links, _split_link_vals), as what customers name
        through the superuser's paths (mail, portal)."""
        if self.env.su:
            return
        allowed = self.env.companies
        for name in ("company_id", *OWNED_LINKS):
            ids = {vals[name] for vals in vals_list if vals.get(name)}
            if not ids:
                continue
            records = self.env[self._fields[name].comodel_name].browse(ids)
            companies = records if name == "company_id" else records.sudo().company_id
            if companies - allowed:
                raise AccessError(
                    self.env._(
                        "A claim can only be in, and linked to records of, the companies "
                        "you work for."
                    )
                )
            if name != "company_id":
                records.check_access("read")

    def _link_records(self, vals):
        """{link name: record} of the links given in ``vals``."""
        return {
            name: self.env[self._fields[name].comodel_name].browse(vals[name])
            for name in OWNED_LINKS
            if vals.get(name)
        }

    @api.model
    def _check_new_links(self, vals):
        """The links of a new claim: a unit of the customer takes the claim to its
        company (when none is given); what is not the customer's in the claim's
        company is not linked, and the claim is flagged for triage."""
        partner = self.env["res.partner"].browse(vals.get("partner_id"))
        links = self._link_records(vals)
        if "company_id" not in vals:
            lot = links.get("lot_id", self.env["stock.lot"]).sudo()
            units = (
                links.get("equipment_id")
                or lot.with_context(active_test=False).after_sales_equipment_ids
            )
            owned = units.sudo().filtered(
                lambda unit: self._is_customers_unit(unit, partner, unit.company_id)
            )
            if owned:
                vals["company_id"] = owned[0].company_id.id
        company = self.env["res.company"].browse(vals.get("company_id")) or self.env.company
        foreign = [
            name
            for name, record in links.items()
            if not self._is_customers(name, record, partner, company)
        ]
        if foreign:
            vals.update(dict.fromkeys(foreign, False), has_foreign_link=True)

    def _split_link_vals(self, vals):
        """[(claims, vals)] to write ``vals``: a link given that would not be the
        customer's in the claim's company is not written (the claim keeps its own
        link, if still the customer's), a link kept while the customer or company
        changes goes when it is no longer theirs; those claims are flagged."""
        checked = {*OWNED_LINKS, "partner_id", "company_id"}
        if not self or checked.isdisjoint(vals):
            return [(self, vals)]
        given = self._link_records(vals)
        groups = defaultdict(self.browse)
        for claim in self:
            partner = (
                self.env["res.partner"].browse(vals["partner_id"])
                if "partner_id" in vals
                else claim.partner_id
            )
            company = (
                self.env["res.company"].browse(vals["company_id"])
                if "company_id" in vals
                else claim.company_id
            )
            kept, dropped = set(), set()
            for name in OWNED_LINKS:
                current = claim[name]
                if name in vals:
                    record = given.get(name, current.browse())
                    if not claim._is_customers(name, record, partner, company):
                        if claim._is_customers(name, current, partner, company):
                            kept.add(name)
                        else:
                            dropped.add(name)
                # the contract follows the customer by its compute
                elif name != "contract_id" and not claim._is_customers(
                    name, current, partner, company
                ):
                    dropped.add(name)
            groups[frozenset(kept), frozenset(dropped)] |= claim
        result = []
        for (kept, dropped), claims in groups.items():
            claim_vals = {key: value for key, value in vals.items() if key not in kept}
            if kept or dropped:
                claim_vals.update(dict.fromkeys(dropped, False), has_foreign_link=True)
            result.append((claims, claim_vals))
        return result

    def _check_transition(self, new_state):
        allowed = CLAIM_TRANSITIONS.get(new_state, ())
        labels = dict(self._fields["state"]._description_selection(self.env))
        for claim in self:
            if claim.state != new_state and claim.state not in allowed:
                raise UserError(
                    self.env._(
                        "Claim %(claim)s cannot go from %(from)s to %(to)s.",
                        claim=claim.name,
                        **{"from": labels[claim.state], "to": labels[new_state]},
                    )
                )

    # ------------------------------------------------------------------
    # Workflow
    # ------------------------------------------------------------------
    def action_review(self):
        self.check_access("write")
        self.write({"state": "review"})

    def action_accept(self):
        self.check_access("write")
        self.write({"state": "accepted"})

    def action_reject(self):
        """Open the refusal dialog: a reason from the list is required."""
        self.check_access("write")
        self._check_transition("rejected")
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Reject Claim"),
            "res_model": "after_sales.claim.reject",
            "view_mode": "form",
            "target": "new",
            "context": {"default_claim_ids": self.ids},
        }

    def _reject(self, reason, note=False):
        """Refuse the claims for ``reason`` (a record or an id) and tell the
        customers why."""
        if isinstance(reason, int):
            reason = self.env["after_sales.reject.reason"].browse(reason)
        if not reason:
            raise UserError(self.env._("Choose why the claim is rejected."))
        # the guards, the date and the customer's mail are write's (any client)
        self.write(
            {"state": "rejected", "reject_reason_id": reason.id, "reject_note": note or False}
        )

    def action_resolve(self):
        self.check_access("write")
        self.write({"state": "resolved"})

    def action_close(self):
        self.check_access("write")
        self.write({"state": "closed"})

    def action_reset(self):
        self.check_access("write")
        # the refusal is cleared by write
        self.write({"state": "new"})

    # ------------------------------------------------------------------
    # Customer messages
    # ------------------------------------------------------------------
    def _customer(self):
        self.ensure_one()
        return self.contact_id or self.partner_id

    def _send_acknowledgement(self):
        self._post_customer_template("after_sales_service.mail_template_claim_acknowledgement")

    def _post_customer_template(self, xmlid):
        """Post the template ``xmlid`` on each claim, rendered in the customer's
        language and sent to the customer, from the company."""
        template_id = self.env["ir.model.data"]._xmlid_to_res_id(xmlid, raise_if_not_found=False)
        if not template_id or not self:
            return
        template = self.env["mail.template"].sudo().browse(template_id)
        subjects = template._render_field("subject", self.ids, compute_lang=True)
        bodies = template._render_field("body_html", self.ids, compute_lang=True)
        # what message_post would look up (two queries a message), known here: the
        # company's alias domain, and answers to the claims address on that domain
        # (without a domain, Odoo's answer too: the sender's address)
        alias = (
            self.env["mail.alias"]
            .sudo()
            .browse(
                self.env["ir.model.data"]._xmlid_to_res_id(
                    "after_sales_service.mail_alias_claims", raise_if_not_found=False
                )
            )
        )
        for claim in self:
            customer = claim._customer()
            domain = claim.company_id.alias_domain_id
            email_from = claim.company_id.email_formatted or None
            claim.message_post(
                record_alias_domain_id=domain.id,
                reply_to=(
                    formataddr((claim.company_id.name, f"{alias.alias_name}@{domain.name}"))
                    if domain and alias.alias_name
                    else email_from
                ),
                body=bodies[claim.id],
                subject=subjects[claim.id],
                partner_ids=customer.ids,
                author_id=claim.company_id.partner_id.id,
                email_from=email_from,
                message_type="auto_comment",
                subtype_xmlid="mail.mt_comment",
                email_layout_xmlid="mail.mail_notification_light",
            )

    # ------------------------------------------------------------------
    # Mail gateway
    # ------------------------------------------------------------------
    @api.model
    def message_new(self, msg_dict, custom_values=None):
        """A claim from an email: the sender is the customer, a serial number in
        the subject or the body names the unit."""
        values = dict(custom_values or {})
        values.setdefault("channel", "email")
        email = email_normalize(msg_dict.get("email_from") or "")
        partner = self.env["res.partner"]
        if msg_dict.get("author_id"):
            partner = partner.browse(msg_dict["author_id"])
        elif email:
            partner = self._partner_find_from_emails_single([email], no_create=True)
        if not partner and msg_dict.get("email_from"):
            partner = self._partner_find_from_emails_single(
                [msg_dict["email_from"]], no_create=False
            )
            values["is_sender_unknown"] = True
            msg_dict["author_id"] = partner.id
        elif partner:
            # a new mail quoting a claim of the sender's customer joins that claim
            quoted = self._quoted_claim(msg_dict.get("subject"), partner)
            if quoted:
                quoted.message_update(msg_dict)
                return quoted
        commercial = partner.commercial_partner_id
        values.setdefault("partner_id", commercial.id)
        if partner != commercial:
            values.setdefault("contact_id", partner.id)
        body = msg_dict.get("body") or ""
        lot, unit = self._find_unit_in_text(
            f"{msg_dict.get('subject') or ''}\n{html2plaintext(body) if body else ''}",
            commercial,
        )
        if lot:
            values.setdefault("lot_id", lot.id)
        if unit and values.get("lot_id") == lot.id:
            values.setdefault("equipment_id", unit.id)
        # the unit's company when it is the sender's, else the sender's or the alias's
        if unit and self._is_customers_unit(unit, commercial, unit.company_id):
            values.setdefault("company_id", unit.company_id.id)
        values.setdefault("company_id", (commercial.company_id or self._alias_company()).id)
        values.setdefault("description", body)
        values.setdefault("name", "/")
        try:
            with self.env.cr.savepoint():
                return super().message_new(msg_dict, custom_values=values)
        except (UserError, ValidationError) as error:
            # a mail is never bounced for what it names: it becomes a claim of the
            # sender's customer to triage, linked to nothing else
            _logger.info("Claim from %s filed for triage: %s", msg_dict.get("email_from"), error)
            values = {
                key: value
                for key, value in values.items()
                if key not in (*OWNED_LINKS, "contact_id", "product_id", "company_id")
            }
            values.update(
                company_id=(commercial.company_id or self._alias_company()).id,
                has_foreign_link=True,
            )
            return super().message_new(msg_dict, custom_values=values)

    @api.model
    def _alias_company(self):
        """The company of the claims alias: the company (among the gateway's) whose
        alias domain it is, the current one first."""
        alias = self.env.ref("after_sales_service.mail_alias_claims", raise_if_not_found=False)
        companies = alias.sudo().alias_domain_id.company_ids & self.env.companies if alias else []
        if not companies or self.env.company in companies:
            return self.env.company
        return companies[:1]

    @api.model
    def _quoted_claim(self, subject, partner):
        """The claim of ``partner``'s customer (their commercial entity) whose
        reference ``subject`` quotes, the latest first; else none. Another
        customer's reference is not looked at."""
        tokens = self._serial_tokens(subject)
        commercial = partner.commercial_partner_id
        if not tokens or not commercial:
            return self.browse()
        return self.sudo().search(
            [
                ("name", "in", list(tokens)),
                ("partner_id", "=", commercial.id),
                ("company_id", "in", self.env.companies.ids),
            ],
            order="id desc",
            limit=1,
        )

    @api.model
    def _find_unit_in_text(self, text, partner=None):
        """(serial, unit of the installed base) named in ``text``: the unit in one
        query when the serial is in the installed base (the customer's own first),
        else the serial alone (:meth:`_find_lot_in_text`)."""
        tokens = self._serial_tokens(text)
        if not tokens:
            return self.env["stock.lot"], self.env["after_sales.equipment"]
        units = (
            self.env["after_sales.equipment"]
            .sudo()
            .with_context(active_test=False)
            .search_fetch(
                Domain("lot_id.name", "in", list(tokens))
                & Domain("company_id", "in", [False, *self.env.companies.ids]),
                ["lot_id", "partner_id", "product_id", "company_id"],
                order="id",
            )
        )
        if units:
            theirs = units.filtered(
                lambda u: partner and u.partner_id.commercial_partner_id == partner
            )
            unit = theirs[:1] or units[:1]
            return unit.lot_id.sudo(False), unit.sudo(False)
        return self._find_lot_in_text(text, partner), self.env["after_sales.equipment"]

    @api.model
    def _serial_tokens(self, text):
        """The words of ``text`` that may be serial numbers (they hold a digit)."""
        return {
            token
            for token in SERIAL_TOKEN_RE.findall(text or "")
            if any(c.isdigit() for c in token)
        }

    @api.model
    def _find_lot_in_text(self, text, partner=None):
        """The serial number named in ``text``, in one query: the words that may
        be serial numbers are matched against ``stock.lot`` names. Several
        matches: the one delivered to ``partner`` wins, else the first."""
        tokens = self._serial_tokens(text)
        if not tokens:
            return self.env["stock.lot"]
        lots = (
            self.env["stock.lot"]
            .sudo()
            .search(
                Domain("name", "in", list(tokens))
                & Domain("company_id", "in", [False, *self.env.companies.ids]),
                order="id",
            )
        )
        if len(lots) > 1 and partner:
            delivered = self._delivered_pairs(lots)
            lots = lots.filtered(lambda lot: (lot.id, partner.id) in delivered) or lots
        return lots[:1].sudo(False)

    # ------------------------------------------------------------------
    # Quick creation from other documents
    # ------------------------------------------------------------------
    @api.model
    def _new_claim_action(self, defaults):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("New Claim"),
            "res_model": "after_sales.claim",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
            "context": {f"default_{key}": value for key, value in defaults.items() if value},
        }
