from odoo import fields, models


class ResCompany(models.Model):
    """Where disposed units go: a scrap and a recycling location per company."""

    _inherit = "res.company"

    after_sales_scrap_location_id = fields.Many2one(
        "stock.location",
        string="Scrapped Equipment Location",
        help="Where units taken back from customers go when they are scrapped.",
    )
    after_sales_recycling_location_id = fields.Many2one(
        "stock.location",
        string="Recycling Location",
        help="Where units taken back from customers go when they are sent to recycling.",
    )

    def _after_sales_setup_locations(self):
        result = super()._after_sales_setup_locations()
        Location = self.env["stock.location"].sudo()
        vals = {}
        names = {
            "after_sales_scrap_location_id": self.env._("Scrapped Equipment"),
            "after_sales_recycling_location_id": self.env._("Recycling"),
        }
        for fname, name in names.items():
            if not self[fname]:
                vals[fname] = Location.create(
                    {"name": name, "usage": "inventory", "company_id": self.id}
                ).id
        if vals:
            self.sudo().write(vals)
        return result
