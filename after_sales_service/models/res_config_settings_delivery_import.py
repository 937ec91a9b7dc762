from odoo import api, fields, models


class ResConfigSettings(models.TransientModel):
    """The import of the current company's past deliveries into the installed base."""

    _inherit = "res.config.settings"

    after_sales_delivery_import_id = fields.Many2one(
        "after_sales.delivery.import",
        string="Import of Past Deliveries",
        compute="_compute_after_sales_delivery_import_id",
    )
    after_sales_delivery_import_summary = fields.Text(
        related="after_sales_delivery_import_id.summary"
    )

    @api.depends("company_id")
    def _compute_after_sales_delivery_import_id(self):
        # shown to service managers only (the block's group); readable by the
        # other administrators without an access error
        imports = (
            self.env["after_sales.delivery.import"]
            .sudo()
            .search([("company_id", "in", self.company_id.ids)])
        )
        for settings in self:
            settings.after_sales_delivery_import_id = imports.filtered(
                lambda record, company=settings.company_id: record.company_id == company
            )[:1]

    def action_after_sales_import_deliveries(self):
        """Import the current company's past deliveries again, in the background."""
        self.ensure_one()
        record = self.after_sales_delivery_import_id
        if record:
            record.action_restart()
        else:
            Import = self.env["after_sales.delivery.import"]
            Import.check_access("write")
            record = Import._start_for_companies(self.company_id).with_env(self.env)
        return record._get_records_action()

    def action_after_sales_open_delivery_imports(self):
        return self.env["ir.actions.act_window"]._for_xml_id(
            "after_sales_service.after_sales_delivery_import_action"
        )
