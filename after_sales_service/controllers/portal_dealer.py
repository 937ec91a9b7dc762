"""The dealer's portal: the warranty claims of a dealer (its portal users are the
contacts of the dealer's partner) for the units it sold, and the form to submit one.

Which claims and units a dealer sees is decided by the record rules: lists are
searched as the portal user, a claim goes through ``_document_check_access``. A unit
is claimed for only when the user's search finds it among the units of its dealer;
the claim is then created (and submitted, which checks every rule of the claim) as
superuser for that dealer, in a savepoint: a refused claim leaves nothing behind.
"""

import math

from odoo import fields, http
from odoo.exceptions import UserError, ValidationError
from odoo.http import request

from .portal import AfterSalesCustomerPortal

DEALER_CLAIM_PARTS = 3


class AfterSalesDealerPortal(AfterSalesCustomerPortal):
    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "as_dealer_claim_count" in counters:
            Claim = request.env["after_sales.dealer.claim"]
            values["as_dealer_claim_count"] = (
                Claim.search_count([]) if Claim.has_access("read") else 0
            )
        return values

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------
    def _dealer_providers(self):
        """The dealer agreements of the user's commercial partner (its own record:
        read as superuser with the user's partner in the domain)."""
        commercial_partner = request.env.user.partner_id.commercial_partner_id
        return (
            request.env["after_sales.provider"]
            .sudo()
            .search([("partner_id", "=", commercial_partner.id), ("kind", "=", "dealer")])
        )

    def _dealer_units(self, domain=(), limit=None):
        """The units of the user's dealer that the user may read (the record rules
        apply: the user's own search is a subquery), as superuser for display. The
        unit's dealer is not a field a portal user reads: it is matched here."""
        Equipment = request.env["after_sales.equipment"]
        readable = Equipment._search(list(domain))
        return Equipment.sudo().search(
            [("id", "in", readable), ("dealer_id", "in", self._dealer_providers().ids)],
            limit=limit,
        )

    def _dealer_unit(self, equipment_id):
        """The unit, as superuser, once it is found among the units of the user's
        dealer that the user may read; else an empty recordset."""
        try:
            equipment_id = int(equipment_id or 0)
        except (TypeError, ValueError):
            equipment_id = 0
        return self._dealer_units([("id", "=", equipment_id)], limit=1)

    def _dealer_claim_form_values(self, form=None, error=False):
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "as_dealer_claim_new",
                "equipments": self._dealer_units(),
                "part_rows": range(1, DEALER_CLAIM_PARTS + 1),
                "form": form or {},
                "error": error,
            }
        )
        return values

    @staticmethod
    def _number(value, label):
        try:
            number = float(value or 0.0)
        except (TypeError, ValueError):
            raise ValidationError(
                request.env._("%(field)s must be a number.", field=label)
            ) from None
        if not math.isfinite(number):
            raise ValidationError(request.env._("%(field)s must be a number.", field=label))
        return number

    def _dealer_claim_lines(self, form, company):
        """Claim line values of the form (labour, travel, parts)."""
        env = request.env
        lines = []
        hours = self._number(form.get("labour_hours"), env._("Labour hours"))
        if hours:
            lines.append({"kind": "labour", "name": env._("Labour"), "quantity": hours})
        km = self._number(form.get("travel_km"), env._("Travel km"))
        if km:
            lines.append({"kind": "travel", "name": env._("Travel"), "quantity": km})
        Product = env["product.product"].sudo().with_company(company)
        for row in range(1, DEALER_CLAIM_PARTS + 1):
            reference = (form.get(f"part_ref_{row}") or "").strip()
            if not reference:
                continue
            product = Product.search(
                [
                    ("default_code", "=", reference),
                    ("company_id", "in", (company.id, False)),
                ],
                limit=1,
            )
            if not product:
                raise ValidationError(
                    env._("There is no part with reference %(ref)s.", ref=reference)
                )
            lines.append(
                {
                    "kind": "part",
                    "product_id": product.id,
                    "name": product.display_name,
                    "quantity": self._number(form.get(f"part_qty_{row}"), env._("Quantity")),
                    "unit_cost": self._number(form.get(f"part_cost_{row}"), env._("Unit cost")),
                }
            )
        if not lines:
            raise ValidationError(env._("Claim labour, travel or parts."))
        return lines

    # ------------------------------------------------------------------
    # Pages
    # ------------------------------------------------------------------
    @http.route(
        ["/my/dealer_claims", "/my/dealer_claims/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
        readonly=True,
    )
    def portal_my_dealer_claims(self, page=1, **kwargs):
        values = self._as_list_values(
            "after_sales.dealer.claim",
            "/my/dealer_claims",
            page,
            "as_dealer_claim",
            "my_as_dealer_claims",
        )
        values["is_dealer"] = bool(self._dealer_providers())
        return request.render("after_sales_service.portal_my_dealer_claims", values)

    @http.route(
        ["/my/dealer_claims/<int:claim_id>"], type="http", auth="user", website=True, readonly=True
    )
    def portal_my_dealer_claim(self, claim_id, access_token=None, **kwargs):
        claim = self._as_document("after_sales.dealer.claim", claim_id, access_token)
        if not claim:
            return request.not_found()
        values = self._as_page_values(
            claim, access_token, "as_dealer_claim", "my_as_dealer_claims", **kwargs
        )
        values["claim"] = claim
        return request.render("after_sales_service.portal_my_dealer_claim", values)

    @http.route(["/my/dealer_claims/new"], type="http", auth="user", website=True, methods=["GET"])
    def portal_new_dealer_claim(self, equipment_id=None, **kwargs):
        if not self._dealer_providers():
            return request.not_found()
        values = self._dealer_claim_form_values({"equipment_id": equipment_id})
        return request.render("after_sales_service.portal_dealer_claim_form", values)

    @http.route(
        ["/my/dealer_claims/new"],
        type="http",
        auth="user",
        website=True,
        methods=["POST"],
        csrf=True,
    )
    def portal_create_dealer_claim(self, equipment_id=None, **form):
        unit = self._dealer_unit(equipment_id)
        if not unit:
            return request.not_found()
        form["equipment_id"] = unit.id
        Claim = request.env["after_sales.dealer.claim"].sudo().with_company(unit.company_id)
        try:
            repair_date = fields.Date.to_date(form.get("repair_date") or None)
            if not repair_date:
                raise ValidationError(request.env._("Give the date of the repair."))
            lines = self._dealer_claim_lines(form, unit.company_id)
            # every rule of the claim is checked by its submission; refused, the
            # savepoint takes the draft away again
            with request.env.cr.savepoint():
                claim = Claim.create(
                    {
                        "company_id": unit.company_id.id,
                        "provider_id": unit.dealer_id.id,
                        "equipment_id": unit.id,
                        "repair_date": repair_date,
                        "work_done": form.get("work_done") or "",
                        "line_ids": [fields.Command.create(vals) for vals in lines],
                    }
                )
                claim.action_submit()
        except (UserError, ValidationError, ValueError) as error:
            message = error.args[0] if error.args else str(error)
            values = self._dealer_claim_form_values(form, message)
            return request.render(
                "after_sales_service.portal_dealer_claim_form", values, status=400
            )
        claim.message_post(
            body=request.env._("Submitted on the portal by %(user)s.", user=request.env.user.name),
            author_id=request.env.user.partner_id.id,
        )
        return request.redirect(f"/my/dealer_claims/{claim.id}")
