from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.fields import Command


class AfterSalesContractMove(models.Model):
    """A contract's coverage moved from a unit leaving the installed base to the
    unit that replaces it at the same customer, with the customer's consent. The
    contract keeps its price and invoicing: only the covered unit changes."""

    _name = "after_sales.contract.move"
    _description = "Contract Moved to a Successor Unit"
    _order = "date desc, id desc"
    _check_company_auto = True
    _rec_name = "contract_id"

    company_id = fields.Many2one(
        related="contract_id.company_id", store=True, index=True, precompute=True
    )
    contract_id = fields.Many2one(
        "after_sales.contract",
        required=True,
        index=True,
        check_company=True,
        ondelete="restrict",
        domain="[('equipment_ids', 'in', equipment_id), ('state', '=', 'running')]",
    )
    partner_id = fields.Many2one(related="contract_id.partner_id", string="Customer")
    equipment_id = fields.Many2one(
        "after_sales.equipment",
        string="From Unit",
        required=True,
        check_company=True,
        ondelete="restrict",
        context={"active_test": False},
    )
    successor_equipment_id = fields.Many2one(
        "after_sales.equipment",
        string="To Unit",
        required=True,
        check_company=True,
        ondelete="restrict",
        domain="[('partner_id', 'child_of', partner_id), ('id', '!=', equipment_id)]",
    )
    date = fields.Date(
        required=True,
        default=fields.Date.context_today,
        help="Day the successor unit is covered from.",
    )
    is_consent_given = fields.Boolean(
        string="Customer Agrees",
        help="The customer agreed that the contract covers the successor unit instead.",
    )
    consent_date = fields.Date()
    consent_partner_id = fields.Many2one(
        "res.partner",
        string="Agreed By",
        domain="[('id', 'child_of', partner_id)]",
        help="The customer's contact who agreed.",
    )
    user_id = fields.Many2one(
        "res.users", string="Recorded By", readonly=True, default=lambda self: self.env.user
    )
    state = fields.Selection(
        [("draft", "Draft"), ("done", "Done")], default="draft", required=True, readonly=True
    )

    @api.onchange("is_consent_given")
    def _onchange_is_consent_given(self):
        if self.is_consent_given and not self.consent_date:
            self.consent_date = self.date

    def write(self, vals):
        if any(move.state == "done" for move in self) and not self.env.su:
            raise UserError(self.env._("A contract move that was done cannot be changed."))
        if "state" in vals and not self.env.su:
            raise UserError(self.env._("Use the Confirm button: it does what the new state means."))
        result = super().write(vals)
        # record rules are checked before a write: a contract of another company
        # would carry the move out of the user's companies
        self.check_access("write")
        return result

    @api.constrains("consent_partner_id", "contract_id")
    def _check_consent_partner(self):
        for move in self:
            consent = move.consent_partner_id.commercial_partner_id
            if consent and consent != move.partner_id.commercial_partner_id:
                raise ValidationError(
                    self.env._(
                        "The consent to move contract %(contract)s is given by a contact of "
                        "its customer.",
                        contract=move.contract_id.display_name,
                    )
                )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_done(self):
        if any(move.state == "done" for move in self):
            raise UserError(self.env._("A contract move that was done cannot be deleted."))

    def _check_move(self):
        for move in self:
            contract, old, new = move.contract_id, move.equipment_id, move.successor_equipment_id
            if not (move.is_consent_given and move.consent_date and move.consent_partner_id):
                raise UserError(
                    self.env._(
                        "Record the customer's consent (who agreed and when) before moving "
                        "contract %(contract)s.",
                        contract=contract.name,
                    )
                )
            customer = contract.partner_id.commercial_partner_id
            if move.consent_partner_id.commercial_partner_id != customer:
                raise UserError(
                    self.env._(
                        "%(partner)s is not a contact of %(customer)s: the customer agrees.",
                        partner=move.consent_partner_id.display_name,
                        customer=customer.display_name,
                    )
                )
            if contract.state != "running" or old not in contract.equipment_ids:
                raise UserError(
                    self.env._(
                        "Contract %(contract)s does not cover %(unit)s.",
                        contract=contract.name,
                        unit=old.display_name,
                    )
                )
            if new == old or new in contract.equipment_ids:
                raise UserError(
                    self.env._(
                        "Contract %(contract)s already covers %(unit)s.",
                        contract=contract.name,
                        unit=new.display_name,
                    )
                )
            if new.company_id != contract.company_id:
                raise UserError(
                    self.env._(
                        "%(unit)s belongs to another company than contract %(contract)s.",
                        unit=new.display_name,
                        contract=contract.name,
                    )
                )
            if not new.active or new.partner_id.commercial_partner_id != customer:
                raise UserError(
                    self.env._(
                        "%(unit)s is not a unit of %(customer)s: the contract can only move "
                        "to a unit of its customer.",
                        unit=new.display_name,
                        customer=customer.display_name,
                    )
                )
            successor = old.product_id.after_sales_successor_id
            if successor and new.product_id.product_tmpl_id != successor.product_tmpl_id:
                raise UserError(
                    self.env._(
                        "%(unit)s is not a %(successor)s, the successor of %(product)s.",
                        unit=new.display_name,
                        successor=successor.display_name,
                        product=old.product_id.display_name,
                    )
                )

    def action_confirm(self):
        """Move the coverage: the contract lists the successor unit instead of the
        old one, and its maintenance plans for the old unit serve the new one."""
        self.check_access("write")
        if any(move.state != "draft" for move in self):
            raise UserError(self.env._("This contract move was already done."))
        self.contract_id.check_access("write")
        self._check_move()
        for move in self:
            contract, old, new = move.contract_id, move.equipment_id, move.successor_equipment_id
            contract.write({"equipment_ids": [Command.unlink(old.id), Command.link(new.id)]})
            plans = contract.plan_ids.filtered(lambda p, old=old: p.equipment_id == old)
            if plans:
                plans.write({"equipment_id": new.id})
            body = self.env._(
                "Coverage moved from %(old)s to %(new)s on %(date)s, agreed by %(partner)s "
                "on %(consent)s.",
                old=old.display_name,
                new=new.display_name,
                date=fields.Date.to_string(move.date),
                partner=move.consent_partner_id.display_name,
                consent=fields.Date.to_string(move.consent_date),
            )
            contract.message_post(body=body)
            old.message_post(body=body)
            new.message_post(body=body)
        # the state is the button's: a plain write of it is refused (see write)
        self.sudo().write({"state": "done", "user_id": self.env.user.id})
        return True
