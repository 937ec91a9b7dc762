from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from .utils import check_before_insert, context_date


class AfterSalesLoan(models.Model):
    """A replacement unit lent to a customer while their own is in repair."""

    _name = "after_sales.loan"
    _description = "Loaner Equipment"
    _inherit = ["mail.thread"]
    _order = "date_due, id"
    _check_company_auto = True

    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    loaner_id = fields.Many2one(
        "after_sales.equipment",
        string="Loaner Unit",
        required=True,
        index=True,
        check_company=True,
        domain="[('is_loaner', '=', True)]",
        tracking=True,
    )
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, index=True, check_company=True
    )
    order_id = fields.Many2one(
        "after_sales.order", string="Service Order", index="btree_not_null", check_company=True
    )
    date_out = fields.Date(string="Lent On", required=True, default=fields.Date.context_today)
    date_due = fields.Date(string="Due Back", required=True, tracking=True)
    date_returned = fields.Date(string="Returned On", readonly=True, tracking=True)
    state = fields.Selection(
        [("lent", "Lent"), ("returned", "Returned")],
        default="lent",
        required=True,
        index=True,
        tracking=True,
    )
    is_overdue = fields.Boolean(compute="_compute_is_overdue", search="_search_is_overdue")

    _due_after_out = models.Constraint(
        "CHECK (date_due >= date_out)",
        "A loaner cannot be due back before it is lent.",
    )
    _loaner_lent_once = models.UniqueIndex(
        "(loaner_id) WHERE state = 'lent'",
        "This loaner unit is already lent.",
    )

    @api.depends("display_name")
    def _compute_display_name(self):
        for loan in self:
            loan.display_name = self.env._(
                "%(unit)s to %(customer)s",
                unit=loan.loaner_id.display_name or "",
                customer=loan.partner_id.display_name or "",
            )

    @api.depends("state", "date_due")
    @api.depends_context("date")
    def _compute_is_overdue(self):
        today = context_date(self)
        for loan in self:
            loan.is_overdue = loan.state == "lent" and bool(loan.date_due) and loan.date_due < today

    def _search_is_overdue(self, operator, value):
        if operator not in ("in", "not in"):
            return NotImplemented
        overdue = [("state", "=", "lent"), ("date_due", "<", context_date(self))]
        wants = (True in value) != (operator == "not in")
        return overdue if wants else ["!", "&", *overdue]

    @api.constrains("date_out", "date_due")
    def _check_dates(self):
        for loan in self:
            if loan.date_due and loan.date_out and loan.date_due < loan.date_out:
                raise ValidationError(self.env._("A loaner cannot be due back before it is lent."))

    @api.model_create_multi
    def create(self, vals_list):
        check_before_insert(self, vals_list, ("date_out", "date_due"), type(self)._check_dates)
        self._check_loaners_free([vals.get("loaner_id") for vals in vals_list])
        return super().create(vals_list)

    def _check_loaners_free(self, loaner_ids):
        loaner_ids = [loaner_id for loaner_id in loaner_ids if loaner_id]
        lent = self.sudo().search([("loaner_id", "in", loaner_ids), ("state", "=", "lent")])
        busy = lent.loaner_id | self.env["after_sales.equipment"].browse(
            {i for i in loaner_ids if loaner_ids.count(i) > 1}
        )
        if busy:
            raise ValidationError(
                self.env._(
                    "%(unit)s is already lent (due back %(date)s).",
                    unit=busy[0].sudo().display_name,
                    date=lent[:1].date_due or "",
                )
            )
        units = self.env["after_sales.equipment"].browse(loaner_ids)
        not_loaners = units.filtered(lambda u: not u.is_loaner)
        if not_loaners:
            raise ValidationError(
                self.env._("%(unit)s is not a loaner unit.", unit=not_loaners[0].display_name)
            )

    def write(self, vals):
        if vals.get("state") == "returned":
            # a plain write of the state does what the Return button does
            self._check_lent()
            vals = {"date_returned": fields.Date.context_today(self), **vals}
        if vals.get("loaner_id") or vals.get("state") == "lent":
            for loan in self:
                others = self.search(
                    [
                        ("loaner_id", "=", vals.get("loaner_id", loan.loaner_id.id)),
                        ("state", "=", "lent"),
                        ("id", "!=", loan.id),
                    ],
                    limit=1,
                )
                if others:
                    raise ValidationError(
                        self.env._("%(unit)s is already lent.", unit=others.loaner_id.display_name)
                    )
        return super().write(vals)

    def _check_lent(self):
        if any(loan.state != "lent" for loan in self):
            raise UserError(self.env._("Only a lent unit can be returned."))

    def action_return(self):
        self.write({"state": "returned", "date_returned": fields.Date.context_today(self)})
        return True
