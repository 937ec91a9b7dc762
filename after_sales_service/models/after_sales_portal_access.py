"""What a portal customer may read of the service documents, field by field.

Record rules decide *which* records a customer sees (their own); the models below
decide *which fields* of those records: a share user (portal) reads only the
whitelist of each model and writes nothing, whichever client they use (JSON-RPC,
a portal page, a report). Odoo 19 checks ``_has_field_access`` when reading,
writing, searching, grouping and ordering, so one override covers every path.

Mail fields (``message_ids``, ``message_follower_ids``, ``activity_ids``...) are
deliberately left out: the portal chatter does not read them from the document.
``/mail/thread/messages`` checks read access on the record and then searches
``mail.message`` by model and id (with the mail module's own rules, which hide
internal notes), while activities and followers are internal information.

"Portal" here means any share user (portal and public): ``env.user.share``.
"""

from odoo import api, fields, models

# Readable by a portal user on every model below.
PORTAL_MAGIC_FIELDS = frozenset({"id", "display_name", "create_date", "write_date"})


class AfterSalesPortalAccessMixin(models.AbstractModel):
    """Field whitelist for share users; internal users keep the normal rules."""

    _name = "after_sales.portal.access.mixin"
    _description = "After-Sales Portal Field Access"

    # Field names a portal customer may read (magic fields are always readable).
    _portal_readable_fields = frozenset()

    @api.model
    def _has_field_access(self, field, operation):
        if self.env.su or not self.env.user.share:
            return super()._has_field_access(field, operation)
        if operation != "read":
            return False
        if field.name not in PORTAL_MAGIC_FIELDS | self._portal_readable_fields:
            return False
        return super()._has_field_access(field, operation)


class AfterSalesEquipment(models.Model):
    _name = "after_sales.equipment"
    _inherit = ["after_sales.equipment", "after_sales.portal.access.mixin"]

    _portal_readable_fields = frozenset(
        {
            "name",
            "product_id",
            "lot_id",
            "partner_id",
            "site_partner_id",
            "delivery_date",
            "install_date",
            "warranty_start_date",
            "warranty_end_date",
            "warranty_state",
            # the warranty terms the customer bought with the unit
            "warranty_months",
            "warranty_trigger",
            "warranty_parts_pct",
            "warranty_labour_pct",
            "warranty_travel_pct",
            "contract_id",
            "company_id",
            "active",
        }
    )

    # Computed from the contracts of the unit, which a customer may not read one by
    # one (drafts, internal terms): computed as superuser, shown to whoever may
    # read the unit.
    warranty_state = fields.Selection(compute_sudo=True)
    contract_id = fields.Many2one(compute_sudo=True)


class AfterSalesContract(models.Model):
    _name = "after_sales.contract"
    _inherit = ["after_sales.contract", "after_sales.portal.access.mixin"]

    _portal_readable_fields = frozenset(
        {
            "name",
            "partner_id",
            "date_start",
            "date_end",
            "state",
            "equipment_ids",
            "service_type_ids",
            "parts_pct",
            "labour_pct",
            "travel_pct",
            "sla_ids",
            "price",
            "currency_id",
            "billing_period",
            "is_auto_renew",
            "notice_days",
            "note",
            "company_id",
        }
    )


class AfterSalesContractSla(models.Model):
    _name = "after_sales.contract.sla"
    _inherit = ["after_sales.contract.sla", "after_sales.portal.access.mixin"]

    _portal_readable_fields = frozenset(
        {"contract_id", "priority", "response_hours", "resolution_hours"}
    )


class AfterSalesOrder(models.Model):
    _name = "after_sales.order"
    _inherit = ["after_sales.order", "after_sales.portal.access.mixin"]

    # The customer sees who comes (technician_ids), not who is responsible
    # internally (user_id), nor plans, checklists, coverage rates or loaners.
    _portal_readable_fields = frozenset(
        {
            "name",
            "service_type_id",
            "partner_id",
            "equipment_id",
            "contract_id",
            "priority",
            "description",
            "date_received",
            "planned_date_start",
            "planned_date_end",
            "state",
            "date_done",
            "response_deadline",
            "resolution_deadline",
            "coverage_source",
            "coverage_reason",
            "coverage_parts_source",
            "coverage_labour_source",
            "coverage_travel_source",
            "task_ids",
            "part_ids",
            "line_ids",
            "findings",
            "work_hours",
            "signed_by",
            "signed_on",
            "technician_ids",
            "company_id",
        }
    )


class AfterSalesOrderTask(models.Model):
    _name = "after_sales.order.task"
    _inherit = ["after_sales.order.task", "after_sales.portal.access.mixin"]

    # sequence: the default order of the lines, needed to list them.
    _portal_readable_fields = frozenset({"order_id", "sequence", "name", "is_done", "date_done"})


class AfterSalesOrderLine(models.Model):
    _name = "after_sales.order.line"
    _inherit = ["after_sales.order.line", "after_sales.portal.access.mixin"]

    # what the customer is charged and why; never our costs
    _portal_readable_fields = frozenset(
        {
            "order_id",
            "sequence",
            "line_type",
            "name",
            "product_id",
            "quantity",
            "quantity_done",
            "product_uom_id",
            "currency_id",
            "price_unit",
            "billable_amount",
            "covered_source",
            "split_reason",
        }
    )
