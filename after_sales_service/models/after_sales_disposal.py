from odoo import api, fields, models
from odoo.exceptions import UserError

DISPOSAL_KINDS = [
    ("scrap", "Scrap"),
    ("recycling", "Recycling"),
]


class AfterSalesDisposal(models.Model):
    """The end of a unit taken back from its owner: scrapped or sent to recycling,
    with the scrap order that takes it out of stock and the certificate of the
    recycler. Confirming it takes the unit out of the installed base."""

    _name = "after_sales.disposal"
    _description = "Equipment Disposal"
    _inherit = ["mail.thread"]
    _order = "date desc, id desc"
    _check_company_auto = True
    _rec_name = "equipment_id"

    company_id = fields.Many2one(
        related="equipment_id.company_id", store=True, index=True, precompute=True
    )
    equipment_id = fields.Many2one(
        "after_sales.equipment",
        required=True,
        index=True,
        check_company=True,
        ondelete="restrict",
        context={"active_test": False},
    )
    product_id = fields.Many2one(related="equipment_id.product_id")
    lot_id = fields.Many2one(related="equipment_id.lot_id")
    partner_id = fields.Many2one(
        "res.partner",
        string="Last Owner",
        related="equipment_id.last_partner_id",
    )
    date = fields.Date(
        required=True,
        default=fields.Date.context_today,
        tracking=True,
    )
    kind = fields.Selection(DISPOSAL_KINDS, required=True, default="recycling", tracking=True)
    state = fields.Selection(
        [("draft", "Draft"), ("done", "Done")],
        default="draft",
        required=True,
        readonly=True,
        copy=False,
        tracking=True,
    )
    picking_id = fields.Many2one(
        "stock.picking",
        string="Take-Back Receipt",
        readonly=True,
        copy=False,
        check_company=True,
        groups="stock.group_stock_user",
    )
    scrap_id = fields.Many2one(
        "stock.scrap",
        string="Scrap Order",
        readonly=True,
        copy=False,
        check_company=True,
        groups="stock.group_stock_user",
    )
    certificate = fields.Binary(
        attachment=True, copy=False, help="Proof of destruction or recycling."
    )
    certificate_name = fields.Char(copy=False)
    certificate_reference = fields.Char(
        copy=False, help="Number of the recycler's certificate of destruction."
    )
    note = fields.Text(string="Notes")
    user_id = fields.Many2one(
        "res.users",
        string="Disposed By",
        readonly=True,
        copy=False,
    )

    _equipment_unique = models.UniqueIndex(
        "(equipment_id) WHERE state = 'done'",
        "This equipment was already disposed of.",
    )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_done(self):
        if any(disposal.state == "done" for disposal in self):
            raise UserError(self.env._("A disposal that was done cannot be deleted."))

    def write(self, vals):
        locked = set(vals) - {"certificate", "certificate_name", "certificate_reference", "note"}
        if locked and any(disposal.state == "done" for disposal in self) and not self.env.su:
            raise UserError(
                self.env._(
                    "A disposal that was done keeps its unit, date and kind; only its "
                    "certificate and notes can change."
                )
            )
        if "state" in vals and not self.env.su:
            raise UserError(self.env._("Use the Confirm button: it does what the new state means."))
        result = super().write(vals)
        # record rules are checked before a write: a unit of another company would
        # carry the disposal out of the user's companies
        self.check_access("write")
        return result

    def action_confirm(self):
        """Scrap the unit into the scrap or recycling location of its company, and
        take it out of the installed base."""
        self.check_access("write")
        if any(disposal.state != "draft" for disposal in self):
            raise UserError(self.env._("This disposal was already done."))
        units = self.equipment_id
        if len(units) != len(self):
            raise UserError(self.env._("A unit can be disposed of only once."))
        units.check_access("write")
        units._check_disposable()
        for disposal in self:
            disposal._scrap_unit()
        # the state is the button's: a plain write of it is refused (see write)
        self.sudo().write({"state": "done", "user_id": self.env.user.id})
        units.write({"active": False})
        for disposal in self:
            disposal.equipment_id.message_post(
                body=self.env._(
                    "Disposed of (%(kind)s) on %(date)s: out of the installed base.",
                    kind=dict(self._fields["kind"]._description_selection(self.env))[disposal.kind],
                    date=fields.Date.to_string(disposal.date),
                )
            )
        return True

    def _scrap_unit(self):
        """Scrap the unit's serial number from where its take-back receipt put it."""
        self.ensure_one()
        unit = self.equipment_id
        company = self.company_id
        picking = unit.sudo().take_back_picking_id
        company._after_sales_setup_locations()
        destination = (
            company.after_sales_recycling_location_id
            if self.kind == "recycling"
            else company.after_sales_scrap_location_id
        )
        quant = (
            self.env["stock.quant"]
            .sudo()
            .search(
                [
                    ("lot_id", "=", unit.lot_id.id),
                    ("location_id.usage", "=", "internal"),
                    ("quantity", ">", 0),
                    ("company_id", "=", company.id),
                ],
                limit=1,
            )
        )
        if not quant:
            raise UserError(
                self.env._(
                    "Serial number %(lot)s is not in our stock: it cannot be scrapped.",
                    lot=unit.lot_id.name,
                )
            )
        scrap = (
            self.env["stock.scrap"]
            .sudo()
            .with_company(company)
            .create(
                {
                    "product_id": unit.product_id.id,
                    "lot_id": unit.lot_id.id,
                    "scrap_qty": 1.0,
                    "location_id": quant.location_id.id,
                    "scrap_location_id": destination.id,
                    "company_id": company.id,
                    "origin": picking.name or unit.display_name,
                }
            )
        )
        scrap.do_scrap()
        self.sudo().write({"scrap_id": scrap.id, "picking_id": picking.id})
