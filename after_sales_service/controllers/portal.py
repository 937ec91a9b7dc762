"""The customer portal of the after-sales service: a customer's equipment, service
contracts, service orders (with their PDF service report) and claims, and the form
to file a claim.

Which records a customer sees is decided by the record rules, never here: lists are
searched as the portal user, and a single document goes through
``_document_check_access`` (read access as the user, or a valid access token) before
it is read as superuser for display. A document the user may not see answers 404,
whether it exists or not.
"""

import unicodedata

from odoo import http
from odoo.exceptions import AccessError, MissingError, ValidationError
from odoo.http import request
from odoo.tools import plaintext2html
from odoo.tools.mimetypes import guess_mimetype

from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager

SERVICE_REPORT = "after_sales_service.action_report_service_order"

# Photos and documents joined to a claim filed on the portal.
CLAIM_MAX_FILES = 5
CLAIM_MAX_FILE_SIZE = 5 * 1024 * 1024
CLAIM_FILE_MIMETYPES = ("image/jpeg", "image/png", "application/pdf")
CLAIM_MAX_FILENAME = 128


def sanitize_filename(filename):
    """The base name of an uploaded file: no directory part, no control or format
    characters (``\\x00``, newlines, bidirectional overrides), no leading dots."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(char for char in name if unicodedata.category(char)[0] != "C")
    name = name.strip().lstrip(".").strip()
    return name[-CLAIM_MAX_FILENAME:] or "attachment"


class AfterSalesCustomerPortal(CustomerPortal):
    # ------------------------------------------------------------------
    # Home
    # ------------------------------------------------------------------
    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        for counter, model in (
            ("as_equipment_count", "after_sales.equipment"),
            ("as_contract_count", "after_sales.contract"),
            ("as_order_count", "after_sales.order"),
            ("as_claim_count", "after_sales.claim"),
        ):
            if counter in counters:
                Model = request.env[model]
                values[counter] = Model.search_count([]) if Model.has_access("read") else 0
        return values

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------
    def _as_list_values(self, model, url, page, page_name, history_key, domain=None):
        """Values of a portal list: the page of records the user may read (searched
        as the user, read as superuser for display) and its pager."""
        Model = request.env[model]
        domain = domain or []
        pager = portal_pager(
            url=url,
            total=Model.search_count(domain),
            page=page,
            step=self._items_per_page,
        )
        records = Model.search(domain, limit=self._items_per_page, offset=pager["offset"])
        request.session[history_key] = records.ids[:100]
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "records": records.sudo(),
                "pager": pager,
                "page_name": page_name,
                "default_url": url,
            }
        )
        return values

    def _as_document(self, model, record_id, access_token=None):
        """The record as superuser once the user may read it, else ``None``."""
        try:
            return self._document_check_access(model, record_id, access_token)
        except (AccessError, MissingError):
            return None

    def _as_readable(self, records):
        """Those of ``records`` (any env) that the portal user may read, as superuser."""
        if not records:
            return records.sudo()
        Model = request.env[records._name]
        return Model.search([("id", "in", records.ids)]).sudo()

    def _as_page_values(self, document, access_token, page_name, history_key, **kwargs):
        values = self._prepare_portal_layout_values()
        values["page_name"] = page_name
        return self._get_page_view_values(
            document, access_token, values, history_key, False, **kwargs
        )

    # ------------------------------------------------------------------
    # Equipment
    # ------------------------------------------------------------------
    @http.route(
        ["/my/equipment", "/my/equipment/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
        readonly=True,
    )
    def portal_my_equipment_list(self, page=1, **kwargs):
        values = self._as_list_values(
            "after_sales.equipment", "/my/equipment", page, "as_equipment", "my_as_equipment"
        )
        return request.render("after_sales_service.portal_my_equipment_list", values)

    @http.route(
        ["/my/equipment/<int:equipment_id>"], type="http", auth="user", website=True, readonly=True
    )
    def portal_my_equipment(self, equipment_id, access_token=None, **kwargs):
        equipment = self._as_document("after_sales.equipment", equipment_id, access_token)
        if not equipment:
            return request.not_found()
        values = self._as_page_values(
            equipment, access_token, "as_equipment", "my_as_equipment", **kwargs
        )
        values.update(
            {
                "equipment": equipment,
                "contract": self._as_readable(equipment.contract_id),
                "orders": request.env["after_sales.order"]
                .search([("equipment_id", "=", equipment.id)])
                .sudo(),
                "claims": request.env["after_sales.claim"]
                .search([("equipment_id", "=", equipment.id)])
                .sudo(),
            }
        )
        return request.render("after_sales_service.portal_my_equipment", values)

    # ------------------------------------------------------------------
    # Contracts
    # ------------------------------------------------------------------
    @http.route(
        ["/my/contracts", "/my/contracts/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
        readonly=True,
    )
    def portal_my_contracts(self, page=1, **kwargs):
        values = self._as_list_values(
            "after_sales.contract", "/my/contracts", page, "as_contract", "my_as_contracts"
        )
        return request.render("after_sales_service.portal_my_contracts", values)

    @http.route(
        ["/my/contracts/<int:contract_id>"], type="http", auth="user", website=True, readonly=True
    )
    def portal_my_contract(self, contract_id, access_token=None, **kwargs):
        contract = self._as_document("after_sales.contract", contract_id, access_token)
        if not contract:
            return request.not_found()
        values = self._as_page_values(
            contract, access_token, "as_contract", "my_as_contracts", **kwargs
        )
        values.update(
            {
                "contract": contract,
                "equipments": self._as_readable(contract.equipment_ids),
                # the invoices the customer may open on the portal (their own, posted)
                "invoices": request.env["account.move"]
                .search([("after_sales_contract_id", "=", contract.id)])
                .sudo(),
            }
        )
        return request.render("after_sales_service.portal_my_contract", values)

    # ------------------------------------------------------------------
    # Service orders
    # ------------------------------------------------------------------
    @http.route(
        ["/my/service-orders", "/my/service-orders/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
        readonly=True,
    )
    def portal_my_service_orders(self, page=1, **kwargs):
        values = self._as_list_values(
            "after_sales.order", "/my/service-orders", page, "as_order", "my_as_orders"
        )
        return request.render("after_sales_service.portal_my_service_orders", values)

    @http.route(["/my/service-orders/<int:order_id>"], type="http", auth="user", website=True)
    def portal_my_service_order(
        self, order_id, access_token=None, report_type=None, download=False, **kwargs
    ):
        order = self._as_document("after_sales.order", order_id, access_token)
        if not order:
            return request.not_found()
        if report_type in ("html", "pdf"):
            return self._show_report(
                model=order, report_type=report_type, report_ref=SERVICE_REPORT, download=download
            )
        values = self._as_page_values(order, access_token, "as_order", "my_as_orders", **kwargs)
        values["order"] = order
        return request.render("after_sales_service.portal_my_service_order", values)

    # ------------------------------------------------------------------
    # Claims
    # ------------------------------------------------------------------
    def _prepare_claims_values(self, page=1):
        """Values of the claims list (a fixed number of queries for any page size)."""
        return self._as_list_values(
            "after_sales.claim", "/my/claims", page, "as_claim", "my_as_claims"
        )

    @http.route(
        ["/my/claims", "/my/claims/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
        readonly=True,
    )
    def portal_my_claims(self, page=1, **kwargs):
        values = self._prepare_claims_values(page)
        return request.render("after_sales_service.portal_my_claims", values)

    @http.route(["/my/claims/<int:claim_id>"], type="http", auth="user", website=True)
    def portal_my_claim(self, claim_id, access_token=None, **kwargs):
        claim = self._as_document("after_sales.claim", claim_id, access_token)
        if not claim:
            return request.not_found()
        values = self._as_page_values(claim, access_token, "as_claim", "my_as_claims", **kwargs)
        values.update(
            {
                "claim": claim,
                "equipment": self._as_readable(claim.equipment_id),
                # the files the customer joined (never those of internal notes),
                # served with their access token
                "attachments": request.env["ir.attachment"]
                .sudo()
                .search(
                    [
                        ("res_model", "=", "after_sales.claim"),
                        ("res_id", "=", claim.id),
                        ("res_field", "=", False),
                        ("create_uid.share", "=", True),
                        ("access_token", "!=", False),
                    ]
                ),
            }
        )
        return request.render("after_sales_service.portal_my_claim", values)

    def _claim_form_values(self, **kwargs):
        """Values of the claim form: the user's own units and the categories."""
        values = self._prepare_portal_layout_values()
        Claim = request.env["after_sales.claim"]
        values.update(
            {
                "page_name": "as_claim_new",
                "equipments": request.env["after_sales.equipment"].search([]).sudo(),
                "categories": Claim._fields["category"]._description_selection(request.env),
                "max_files": CLAIM_MAX_FILES,
                "max_file_mb": CLAIM_MAX_FILE_SIZE // (1024 * 1024),
                "accept": ",".join(CLAIM_FILE_MIMETYPES),
                "form": kwargs,
                "error": False,
            }
        )
        return values

    def _claim_unit(self, equipment_id):
        """The unit a claim is filed for, as superuser, once it is known to belong
        to the user's commercial partner (searched as the user: the record rules
        apply too); an empty recordset otherwise."""
        try:
            equipment_id = int(equipment_id or 0)
        except (TypeError, ValueError):
            equipment_id = 0
        commercial_partner = request.env.user.partner_id.commercial_partner_id
        return (
            request.env["after_sales.equipment"]
            .search(
                [("id", "=", equipment_id), ("partner_id", "child_of", commercial_partner.id)],
                limit=1,
            )
            .sudo()
        )

    def _claim_files(self, uploads):
        """[(name, content, mimetype)] of the files uploaded with a claim, or a
        ValidationError that says which file is refused and why."""
        uploads = [upload for upload in uploads if upload and upload.filename]
        if len(uploads) > CLAIM_MAX_FILES:
            raise ValidationError(
                request.env._("You can join at most %(count)s files.", count=CLAIM_MAX_FILES)
            )
        files = []
        for upload in uploads:
            name = sanitize_filename(upload.filename)
            content = upload.read(CLAIM_MAX_FILE_SIZE + 1)
            if len(content) > CLAIM_MAX_FILE_SIZE:
                raise ValidationError(
                    request.env._(
                        "The file %(name)s is larger than %(size)s MB.",
                        name=name,
                        size=CLAIM_MAX_FILE_SIZE // (1024 * 1024),
                    )
                )
            mimetype = guess_mimetype(content, default="")
            if mimetype not in CLAIM_FILE_MIMETYPES:
                raise ValidationError(
                    request.env._(
                        "The file %(name)s is not a JPEG or PNG picture or a PDF document.",
                        name=name,
                    )
                )
            files.append((name, content, mimetype))
        return files

    @http.route(["/my/claims/new"], type="http", auth="user", website=True, methods=["GET"])
    def portal_new_claim(self, equipment_id=None, **kwargs):
        values = self._claim_form_values(equipment_id=equipment_id)
        return request.render("after_sales_service.portal_claim_form", values)

    @http.route(
        ["/my/claims/new"], type="http", auth="user", website=True, methods=["POST"], csrf=True
    )
    def portal_create_claim(self, equipment_id=None, category=None, description=None, **kwargs):
        equipment = self._claim_unit(equipment_id)
        if not equipment:
            return request.not_found()
        form = {"equipment_id": equipment.id, "category": category, "description": description}
        try:
            categories = dict(self._claim_form_values()["categories"])
            if category not in categories:
                raise ValidationError(request.env._("Choose the kind of problem."))
            if not (description or "").strip():
                raise ValidationError(request.env._("Describe the problem."))
            files = self._claim_files(request.httprequest.files.getlist("attachments"))
        except ValidationError as error:
            values = self._claim_form_values(**form)
            values["error"] = error.args[0]
            return request.render("after_sales_service.portal_claim_form", values, status=400)

        # every input is checked: the claim is created as superuser for the customer
        partner = request.env.user.partner_id
        claim = (
            request.env["after_sales.claim"]
            .sudo()
            .with_company(equipment.company_id)
            .create(
                {
                    "company_id": equipment.company_id.id,
                    "partner_id": partner.commercial_partner_id.id,
                    "contact_id": partner.id,
                    "channel": "portal",
                    "category": category,
                    "equipment_id": equipment.id,
                    "product_id": equipment.product_id.id,
                    "lot_id": equipment.lot_id.id,
                    "description": plaintext2html(description),
                }
            )
        )
        if files:
            # shown on the claim page to whoever may read the claim, with their token
            request.env["ir.attachment"].sudo().create(
                [
                    {
                        "name": name,
                        "raw": content,
                        "mimetype": mimetype,
                        "res_model": claim._name,
                        "res_id": claim.id,
                    }
                    for name, content, mimetype in files
                ]
            ).generate_access_token()
        return request.redirect(f"/my/claims/{claim.id}")
