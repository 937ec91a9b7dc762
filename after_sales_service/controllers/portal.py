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

from odoo import fields, http
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError
from odoo.fields import Domain
from odoo.http import request
from odoo.tools import plaintext2html
from odoo.tools.mimetypes import guess_mimetype

from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager

from ..models.after_sales_order import CLOSED_STATES

SERVICE_REPORT = "after_sales_service.action_report_service_order"
# Claims the customer gets no more answer on: the *Done* filter of their list.
CLAIM_DONE_STATES = ("rejected", "resolved", "closed")

# Photos and documents joined to a claim filed on the portal.
CLAIM_MAX_FILES = 5
CLAIM_MAX_FILE_SIZE = 5 * 1024 * 1024
CLAIM_FILE_MIMETYPES = ("image/jpeg", "image/png", "application/pdf")
CLAIM_MAX_FILENAME = 128
# Kinds of claim a customer may file without naming one of their units.
CLAIM_UNITLESS_CATEGORIES = ("service_quality", "billing", "other")


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
    def _as_list_values(
        self,
        model,
        url,
        page,
        page_name,
        history_key,
        searchbar=None,
        sortby=None,
        filterby=None,
        search=None,
        search_in=None,
    ):
        """Values of a portal list: the page of records the user may read and its
        pager; with ``searchbar`` (one of the ``_as_searchbar_*`` methods), Odoo's
        searchbar: the records sorted, filtered and searched as it allows (an
        unknown sort, filter or search field falls back to the default one).

        Records are searched as the user (the record rules and the portal field
        whitelist apply, whatever is searched) and read as superuser for display.
        """
        Model = request.env[model]
        domain = Domain.TRUE
        order = None
        url_args = {}
        searchbar_values = {}
        if searchbar:
            sortings, filters = searchbar["sortings"], searchbar["filters"]
            inputs = searchbar["inputs"]
            sortby = sortby if sortby in sortings else next(iter(sortings))
            filterby = filterby if filterby in filters else "all"
            search_in = search_in if search_in in inputs else "all"
            search = (search or "").strip()
            domain = Domain(filters[filterby]["domain"])
            if search:
                domain &= Domain.OR(
                    Domain(field_name, "ilike", search)
                    for field_name in inputs[search_in]["fields"]
                )
            order = sortings[sortby]["order"]
            url_args = {"sortby": sortby, "filterby": filterby}
            if search:
                url_args.update(search=search, search_in=search_in)
            searchbar_values = {
                "searchbar_sortings": sortings,
                "sortby": sortby,
                "searchbar_filters": filters,
                "filterby": filterby,
                "searchbar_inputs": {
                    key: {"input": key, "label": value["label"]} for key, value in inputs.items()
                },
                "search_in": search_in,
                "search": search,
                "is_searched": bool(search) or filterby != "all",
            }
        pager = portal_pager(
            url=url,
            url_args=url_args,
            total=Model.search_count(domain),
            page=page,
            step=self._items_per_page,
        )
        records = Model.search(
            domain, order=order, limit=self._items_per_page, offset=pager["offset"]
        )
        request.session[history_key] = records.ids[:100]
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "records": records.sudo(),
                "pager": pager,
                "page_name": page_name,
                "default_url": url,
                **searchbar_values,
            }
        )
        return values

    @staticmethod
    def _as_searchbar(sortings, open_domain, done_domain, inputs, open_label=None, done_label=None):
        """A searchbar of Odoo's portal lists: ``sortings`` {key: (label, order)},
        the first one the default; the filters *Open*, *Done* and *All* (the
        default); the search inputs {key: (label, [field names])}, plus *All*
        that searches them all."""
        env = request.env
        all_fields = list(dict.fromkeys(f for _label, names in inputs.values() for f in names))
        return {
            "sortings": {
                key: {"label": label, "order": order} for key, (label, order) in sortings.items()
            },
            "filters": {
                "all": {"label": env._("All"), "domain": []},
                "open": {"label": open_label or env._("Open"), "domain": open_domain},
                "done": {"label": done_label or env._("Done"), "domain": done_domain},
            },
            "inputs": {
                "all": {"label": env._("Search in All"), "fields": all_fields},
                **{
                    key: {"label": label, "fields": names} for key, (label, names) in inputs.items()
                },
            },
        }

    def _as_searchbar_equipment(self):
        env = request.env
        covered = ["warranty", "contract"]
        return self._as_searchbar(
            {
                "date": (env._("Delivery Date"), "delivery_date desc nulls last, id desc"),
                "name": (env._("Unit"), "name, id"),
                "state": (env._("Warranty End"), "warranty_end_date desc nulls last, id desc"),
            },
            [("warranty_state", "in", covered)],
            [("warranty_state", "not in", covered)],
            {"name": (env._("Search in Unit and Serial Number"), ["name"])},
            open_label=env._("Covered"),
            done_label=env._("Not Covered"),
        )

    def _as_searchbar_contracts(self):
        env = request.env
        done = ["expired", "cancelled"]
        return self._as_searchbar(
            {
                "date": (env._("Start Date"), "date_start desc, id desc"),
                "name": (env._("Reference"), "name desc, id desc"),
                "state": (env._("Status"), "state, date_start desc, id desc"),
            },
            [("state", "not in", done)],
            [("state", "in", done)],
            {
                "name": (env._("Search in Reference"), ["name"]),
                "equipment": (env._("Search in Equipment"), ["equipment_ids.name"]),
            },
        )

    def _as_searchbar_orders(self):
        env = request.env
        return self._as_searchbar(
            {
                "date": (env._("Planned Visit"), "planned_date_start desc nulls last, id desc"),
                "name": (env._("Reference"), "name desc, id desc"),
                "state": (env._("Status"), "state, planned_date_start desc nulls last, id desc"),
            },
            [("state", "not in", CLOSED_STATES)],
            [("state", "in", CLOSED_STATES)],
            {
                "name": (env._("Search in Reference"), ["name"]),
                "equipment": (env._("Search in Equipment"), ["equipment_id.name"]),
            },
        )

    def _as_searchbar_claims(self):
        env = request.env
        return self._as_searchbar(
            {
                "date": (env._("Received"), "date_received desc, id desc"),
                "name": (env._("Reference"), "name desc, id desc"),
                "state": (env._("Status"), "state, date_received desc, id desc"),
            },
            [("state", "not in", CLAIM_DONE_STATES)],
            [("state", "in", CLAIM_DONE_STATES)],
            {
                "name": (env._("Search in Reference"), ["name"]),
                "equipment": (env._("Search in Equipment"), ["equipment_id.name"]),
            },
        )

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
    def portal_my_equipment_list(
        self, page=1, sortby=None, filterby=None, search=None, search_in=None, **kwargs
    ):
        values = self._as_list_values(
            "after_sales.equipment",
            "/my/equipment",
            page,
            "as_equipment",
            "my_as_equipment",
            self._as_searchbar_equipment(),
            sortby,
            filterby,
            search,
            search_in,
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
    def portal_my_contracts(
        self, page=1, sortby=None, filterby=None, search=None, search_in=None, **kwargs
    ):
        values = self._as_list_values(
            "after_sales.contract",
            "/my/contracts",
            page,
            "as_contract",
            "my_as_contracts",
            self._as_searchbar_contracts(),
            sortby,
            filterby,
            search,
            search_in,
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
    def portal_my_service_orders(
        self, page=1, sortby=None, filterby=None, search=None, search_in=None, **kwargs
    ):
        values = self._as_list_values(
            "after_sales.order",
            "/my/service-orders",
            page,
            "as_order",
            "my_as_orders",
            self._as_searchbar_orders(),
            sortby,
            filterby,
            search,
            search_in,
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
        # not "order": the sale and purchase breadcrumbs take any "order" for theirs
        values["service_order"] = order
        return request.render("after_sales_service.portal_my_service_order", values)

    # ------------------------------------------------------------------
    # Registering a unit bought elsewhere
    # ------------------------------------------------------------------
    def _registration_products(self, product_id=None):
        """The products a customer may register a unit of (sold, with a serial
        number, of the user's company or shared), as superuser; with ``product_id``
        that one only, if it is among them."""
        domain = [
            ("sale_ok", "=", True),
            ("tracking", "=", "serial"),
            ("company_id", "in", (request.env.user.company_id.id, False)),
        ]
        if product_id is not None:
            try:
                product_id = int(product_id or 0)
            except (TypeError, ValueError):
                product_id = 0
            domain.append(("id", "=", product_id))
        return request.env["product.product"].sudo().search(domain, order="name")

    def _registration_values(self, error=False, **form):
        values = self._prepare_portal_layout_values()
        commercial_partner = request.env.user.partner_id.commercial_partner_id
        values.update(
            {
                "page_name": "as_equipment_register",
                "products": self._registration_products(),
                # the customer's own requests (accepted ones are units of their list)
                "registrations": request.env["after_sales.equipment.registration"]
                .sudo()
                .search(
                    [
                        ("partner_id", "=", commercial_partner.id),
                        ("state", "in", ("requested", "refused")),
                    ]
                ),
                "accept": ",".join(CLAIM_FILE_MIMETYPES),
                "max_file_mb": CLAIM_MAX_FILE_SIZE // (1024 * 1024),
                "form": form,
                "error": error,
            }
        )
        return values

    @http.route(["/my/equipment/register"], type="http", auth="user", website=True, methods=["GET"])
    def portal_register_equipment_form(self, **kwargs):
        values = self._registration_values(registered=kwargs.get("registered"))
        return request.render("after_sales_service.portal_equipment_register", values)

    @http.route(
        ["/my/equipment/register"],
        type="http",
        auth="user",
        website=True,
        methods=["POST"],
        csrf=True,
    )
    def portal_register_equipment(self, product_id=None, serial=None, purchase_date=None, **kwargs):
        form = {"product_id": product_id, "serial": serial, "purchase_date": purchase_date}
        partner = request.env.user.partner_id
        try:
            product = self._registration_products(product_id)
            if not product:
                raise ValidationError(request.env._("Choose the product of the unit."))
            try:
                date = fields.Date.to_date(purchase_date)
            except ValueError:
                date = None
            if not date:
                raise ValidationError(request.env._("Enter the purchase date."))
            files = self._claim_files(request.httprequest.files.getlist("proof"))
            if not files:
                raise ValidationError(request.env._("Join the proof of purchase."))
            if len(files) > 1:
                raise ValidationError(request.env._("Join one proof of purchase."))
            company = request.env.user.company_id
            with request.env.cr.savepoint():
                # every input is checked: made as superuser for the customer
                registration = (
                    request.env["after_sales.equipment.registration"]
                    .sudo()
                    .with_company(company)
                    .create(
                        {
                            "company_id": company.id,
                            "partner_id": partner.commercial_partner_id.id,
                            "contact_id": partner.id,
                            "product_id": product.id,
                            "name": serial,
                            "purchase_date": date,
                        }
                    )
                )
        except (UserError, ValidationError) as error:
            values = self._registration_values(error=error.args[0], **form)
            return request.render(
                "after_sales_service.portal_equipment_register", values, status=400
            )
        name, content, mimetype = files[0]
        attachment = (
            request.env["ir.attachment"]
            .sudo()
            .create(
                {
                    "name": name,
                    "raw": content,
                    "mimetype": mimetype,
                    "res_model": registration._name,
                    "res_id": registration.id,
                }
            )
        )
        registration.message_post(
            body=request.env._("Proof of purchase"),
            author_id=partner.id,
            attachment_ids=attachment.ids,
            message_type="comment",
            subtype_xmlid="mail.mt_note",
        )
        return request.redirect("/my/equipment/register?registered=1")

    # ------------------------------------------------------------------
    # Claims
    # ------------------------------------------------------------------
    def _prepare_claims_values(
        self, page=1, sortby=None, filterby=None, search=None, search_in=None
    ):
        """Values of the claims list (a fixed number of queries for any page size)."""
        return self._as_list_values(
            "after_sales.claim",
            "/my/claims",
            page,
            "as_claim",
            "my_as_claims",
            self._as_searchbar_claims(),
            sortby,
            filterby,
            search,
            search_in,
        )

    @http.route(
        ["/my/claims", "/my/claims/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
        readonly=True,
    )
    def portal_my_claims(
        self, page=1, sortby=None, filterby=None, search=None, search_in=None, **kwargs
    ):
        values = self._prepare_claims_values(page, sortby, filterby, search, search_in)
        return request.render("after_sales_service.portal_my_claims", values)

    @http.route(["/my/claims/<int:claim_id>"], type="http", auth="user", website=True)
    def portal_my_claim(self, claim_id, access_token=None, **kwargs):
        claim = self._as_document("after_sales.claim", claim_id, access_token)
        if not claim:
            return request.not_found()
        return self._claim_page(claim, access_token, kwargs)

    def _claim_page(self, claim, access_token=None, query=None, error=None, status=200):
        """The claim page; ``error`` is a refusal of the customer's buttons (never
        taken from the query string)."""
        values = self._as_page_values(
            claim, access_token, "as_claim", "my_as_claims", **(query or {})
        )
        commercial_partner = request.env.user.partner_id.commercial_partner_id
        values.update(
            {
                "claim": claim,
                # the customer's buttons: to the customer's own claims only
                "is_claim_customer": claim.partner_id == commercial_partner,
                "claim_error": error,
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
        return request.render("after_sales_service.portal_my_claim", values, status=status)

    def _customer_claim(self, claim_id):
        """The claim ``claim_id`` as superuser when it is a claim of the user's
        commercial partner that the user may read; an empty recordset otherwise."""
        commercial_partner = request.env.user.partner_id.commercial_partner_id
        return (
            request.env["after_sales.claim"]
            .search([("id", "=", claim_id), ("partner_id", "=", commercial_partner.id)], limit=1)
            .sudo()
        )

    def _claim_customer_action(self, claim_id, method):
        """Run the claim's customer button ``method`` for the user; a refusal
        writes nothing and shows the claim page with the reason."""
        claim = self._customer_claim(claim_id)
        if not claim:
            return request.not_found()
        try:
            with request.env.cr.savepoint():
                getattr(claim, method)(request.env.user.partner_id)
        except (UserError, ValidationError) as error:
            claim.invalidate_recordset()
            return self._claim_page(claim, error=error.args[0], status=409)
        return request.redirect(claim.access_url)

    @http.route(
        ["/my/claims/<int:claim_id>/close"],
        type="http",
        auth="user",
        website=True,
        methods=["POST"],
        csrf=True,
    )
    def portal_close_claim(self, claim_id, **kwargs):
        return self._claim_customer_action(claim_id, "_customer_close")

    @http.route(
        ["/my/claims/<int:claim_id>/reopen"],
        type="http",
        auth="user",
        website=True,
        methods=["POST"],
        csrf=True,
    )
    def portal_reopen_claim(self, claim_id, **kwargs):
        return self._claim_customer_action(claim_id, "_customer_reopen")

    def _claim_form_values(self, **kwargs):
        """Values of the claim form: the user's own units (exactly those the form
        accepts, :meth:`_claim_units`) and the categories."""
        values = self._prepare_portal_layout_values()
        Claim = request.env["after_sales.claim"]
        values.update(
            {
                "page_name": "as_claim_new",
                "equipments": self._claim_units(),
                "categories": Claim._fields["category"]._description_selection(request.env),
                "max_files": CLAIM_MAX_FILES,
                "max_file_mb": CLAIM_MAX_FILE_SIZE // (1024 * 1024),
                "accept": ",".join(CLAIM_FILE_MIMETYPES),
                "form": kwargs,
                "error": False,
            }
        )
        return values

    def _claim_units(self, domain=(), limit=None):
        """The units a customer claim may be filed for, as superuser: those of the
        user's commercial partner (a claim is the customer's about their own unit;
        a dealer claims for the units it sold on /my/dealer_claims), searched as the
        user (the record rules apply too)."""
        commercial_partner = request.env.user.partner_id.commercial_partner_id
        return (
            request.env["after_sales.equipment"]
            .search(
                [*domain, ("partner_id", "child_of", commercial_partner.id)],
                limit=limit,
            )
            .sudo()
        )

    def _claim_unit(self, equipment_id):
        """The unit a claim is filed for, once it is among :meth:`_claim_units`;
        an empty recordset otherwise."""
        try:
            equipment_id = int(equipment_id or 0)
        except (TypeError, ValueError):
            equipment_id = 0
        return self._claim_units([("id", "=", equipment_id)], limit=1)

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
        # no unit named: a claim about billing or the service (a unit named that is
        # not the customer's answers 404)
        equipment = self._claim_unit(equipment_id) if equipment_id else None
        if equipment is not None and not equipment:
            return request.not_found()
        form = {
            "equipment_id": equipment.id if equipment else "",
            "category": category,
            "description": description,
        }
        try:
            categories = dict(self._claim_form_values()["categories"])
            if category not in categories:
                raise ValidationError(request.env._("Choose the kind of problem."))
            if not equipment and category not in CLAIM_UNITLESS_CATEGORIES:
                raise ValidationError(
                    request.env._(
                        "Choose the equipment the problem is about (a claim without "
                        "equipment is about billing, our service or another question)."
                    )
                )
            if not (description or "").strip():
                raise ValidationError(request.env._("Describe the problem."))
            files = self._claim_files(request.httprequest.files.getlist("attachments"))
        except ValidationError as error:
            values = self._claim_form_values(**form)
            values["error"] = error.args[0]
            return request.render("after_sales_service.portal_claim_form", values, status=400)

        # every input is checked: the claim is created as superuser for the customer
        partner = request.env.user.partner_id
        company = equipment.company_id if equipment else request.env.user.company_id
        unit_vals = (
            {
                "equipment_id": equipment.id,
                "product_id": equipment.product_id.id,
                "lot_id": equipment.lot_id.id,
            }
            if equipment
            else {}
        )
        claim = (
            request.env["after_sales.claim"]
            .sudo()
            .with_company(company)
            .create(
                {
                    "company_id": company.id,
                    "partner_id": partner.commercial_partner_id.id,
                    "contact_id": partner.id,
                    "channel": "portal",
                    "category": category,
                    **unit_vals,
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
