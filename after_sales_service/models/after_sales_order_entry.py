from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.fields import Command, Domain

from .utils import company_local_date, count_by, window_action

CLOSED_STATES = ("done", "cancelled")
ACCOUNTING_GROUPS = "account.group_account_invoice,account.group_account_readonly"
CLAIM_GROUPS = f"after_sales_service.group_user,{ACCOUNTING_GROUPS}"
# Entries created in batch: no chatter message nor follower per entry.
QUIET_CONTEXT = {
    "tracking_disable": True,
    "mail_create_nolog": True,
    "mail_create_nosubscribe": True,
    "mail_notrack": True,
}
# The provision movement of the warranty cost of each kind of line: the share of the
# coverage answer that pays it (subcontracted work is labour, see SHARE_OF_LINE_TYPE).
USAGE_KINDS = {
    "part": "usage_parts",
    "labour": "usage_labour",
    "subcontract": "usage_labour",
    "travel": "usage_other",
    "expense": "usage_other",
}
# Who pays a line's cost: (cost field of the line, account field of the company)
COST_SPLIT_ACCOUNTS = (
    ("warranty_cost", "after_sales_provision_account_id"),
    ("contract_cost", "after_sales_contract_cost_account_id"),
    ("goodwill_cost", "after_sales_goodwill_account_id"),
    ("billable_cost", "after_sales_service_cost_account_id"),
)
# What the cost of a line leaves: parts the clearing account of the consumed stock,
# the rest the absorbed labour, travel and expenses.
COST_CREDIT_ACCOUNTS = {
    "part": "after_sales_parts_account_id",
    "labour": "after_sales_cost_absorbed_account_id",
    "travel": "after_sales_cost_absorbed_account_id",
    "expense": "after_sales_cost_absorbed_account_id",
}


def check_company_accounts(company, account_fnames):
    """Raise a clear error when an after-sales account or the journal of ``company``
    (the ``account_fnames`` of it) belongs to another company: an entry must never
    mix companies, whatever was written in the settings."""
    foreign = company._after_sales_foreign_accounts(account_fnames)
    if foreign:
        raise UserError(
            company.env._(
                "The after-sales accounting of %(company)s uses %(accounts)s of another "
                "company: choose accounts and a journal of %(company)s.",
                company=company.name,
                accounts=", ".join(foreign),
            )
        )


def _vendor_bill_line_vals(line, split):
    """A vendor bill line of one share (``split``, from ``_cost_split_vals``) of the
    subcontracted ``line``: its product gives the purchase taxes, the share its
    account."""
    vals = dict(split)
    vals.update(quantity=1.0, price_unit=vals.pop("amount"))
    if line.product_id:
        vals["product_id"] = line.product_id.id
    return vals


class AfterSalesOrder(models.Model):
    """Accounting of a service order: its analytic distribution, the entry that
    charges the cost of its work once it is done, the vendor bills of its
    subcontracted work and its warranty claims to suppliers."""

    _name = "after_sales.order"
    _inherit = ["after_sales.order", "analytic.mixin"]

    cost_move_ids = fields.One2many(
        "account.move",
        "after_sales_cost_order_id",
        string="Cost Entries",
        groups=ACCOUNTING_GROUPS,
    )
    cost_move_id = fields.Many2one(
        "account.move",
        string="Cost Entry",
        compute="_compute_cost_move_id",
        groups=ACCOUNTING_GROUPS,
        help="The posted entry that charges the cost of the work (warranty provision, "
        "contract, goodwill, customer) once the order is done.",
    )
    vendor_bill_count = fields.Integer(
        compute="_compute_vendor_bill_count", groups=ACCOUNTING_GROUPS
    )
    supplier_claim_ids = fields.One2many(
        "after_sales.supplier.claim", "order_id", string="Supplier Claims", groups=CLAIM_GROUPS
    )
    supplier_claim_count = fields.Integer(
        compute="_compute_supplier_claim_count", groups=CLAIM_GROUPS
    )

    # ------------------------------------------------------------------
    # Analytic
    # ------------------------------------------------------------------
    @api.depends(
        "contract_id.analytic_distribution",
        "service_type_id.analytic_account_id",
        "company_id.after_sales_analytic_mode",
    )
    def _compute_analytic_distribution(self):
        for order in self:
            if order.state in CLOSED_STATES and order._origin.id:
                continue  # where the cost of closed work landed is history
            order.analytic_distribution = order._get_default_analytic_distribution()

    def _get_default_analytic_distribution(self):
        """Per contract (company setting): the contract's distribution; else, and for
        orders without a contract, the service type's analytic account."""
        self.ensure_one()
        company = self.company_id or self.env.company
        if (
            company.after_sales_analytic_mode == "contract"
            and self.contract_id.analytic_distribution
        ):
            return self.contract_id.analytic_distribution
        account = self.service_type_id.with_company(company).analytic_account_id
        return {str(account.id): 100.0} if account else False

    # ------------------------------------------------------------------
    # Cost entry
    # ------------------------------------------------------------------
    @api.depends("cost_move_ids.state")
    def _compute_cost_move_id(self):
        for order in self:
            order.cost_move_id = order.cost_move_ids.filtered(lambda m: m.state != "cancel")[:1]

    def write(self, vals):
        if vals.get("state") != "done":
            return super().write(vals)
        closing = self.filtered(lambda o: o.state != "done")
        # the figures of the open work (unit costs and prices, analytic distribution)
        # still pending computation are computed now: closed work keeps what it has
        closing.line_ids.flush_recordset()
        closing.flush_recordset()
        result = super().write(vals)
        # bookkeeping that follows from the order the user was allowed to close
        # (a technician has no accounting rights), after every other consequence of
        # closing it (the parts consumed from stock give their cost)
        closing.sudo()._post_cost_entries()
        return result

    def action_post_cost_entry(self):
        """Post the cost entry of done orders that have none (e.g. after an
        accountant cancelled the previous one)."""
        self.env["account.move"].check_access("create")
        self._post_cost_entries()
        return True

    def _post_cost_entries(self):
        """Create and post one entry per done order of ``self`` (one batched
        ``account.move.create``) that charges the cost of its lines where the
        coverage split puts it. Orders without cost get no entry; subcontracted
        work is charged by its vendor bill. Returns the entries."""
        vals_list = self._prepare_cost_entry_vals_list()
        if not vals_list:
            return self.env["account.move"]
        moves = self.env["account.move"].with_context(**QUIET_CONTEXT).create(vals_list)
        moves._post(soft=False)
        return moves.with_env(self.env)

    def _prepare_cost_entry_vals_list(self):
        """The values of the cost entries of the done orders of ``self``, checked:
        refused when an order is not done or has its entry already, or when its
        company's after-sales accounting is incomplete or foreign."""
        not_done = self.filtered(lambda o: o.state != "done")
        if not_done:
            raise UserError(
                self.env._(
                    "Service order %(name)s is not done: its cost is not final yet.",
                    name=not_done[0].name,
                )
            )
        self._check_no_cost_entry()
        fnames = [fname for _cost, fname in COST_SPLIT_ACCOUNTS]
        fnames += sorted(set(COST_CREDIT_ACCOUNTS.values()))
        vals_list = []
        # a company without a chart of accounts keeps no books to post to
        for company, orders in (
            self.filtered("company_id.chart_template").grouped("company_id").items()
        ):
            entries = [vals for order in orders if (vals := order._prepare_cost_entry_vals())]
            if entries:
                company._after_sales_check_accounting()
                check_company_accounts(company, fnames)
                vals_list += entries
        return vals_list

    def _check_no_cost_entry(self):
        posted = (
            self.env["account.move"]
            .sudo()
            .search_fetch(
                Domain("after_sales_cost_order_id", "in", self.ids)
                & Domain("state", "!=", "cancel"),
                ["after_sales_cost_order_id"],
                limit=1,
            )
        )
        if posted:
            raise UserError(
                self.env._(
                    "The cost of service order %(order)s is already posted (%(entry)s): "
                    "cancel that entry first to post it again.",
                    order=posted.after_sales_cost_order_id.name,
                    entry=posted.name,
                )
            )

    def _prepare_cost_entry_vals(self):
        """Values of the cost entry of this done order, or None when its lines cost
        nothing. Debits: one line per share of each order line; credits: one line
        per account the cost leaves."""
        self.ensure_one()
        company = self.company_id
        currency = company.currency_id
        line_vals = []
        credit_by_account = defaultdict(float)
        for line in self.line_ids:
            if line.line_type == "subcontract" or line._is_charged_by_purchase():
                continue  # its vendor bill charges it
            split = self._cost_split_vals(line)
            if not split:
                continue
            credit_by_account[COST_CREDIT_ACCOUNTS[line.line_type]] += sum(
                vals["amount"] for vals in split
            )
            for vals in split:
                amount = vals.pop("amount")
                line_vals.append({**vals, "balance": amount, "partner_id": self.partner_id.id})
        credit_labels = {
            "after_sales_parts_account_id": self.env._("%(order)s: parts used", order=self.name),
            "after_sales_cost_absorbed_account_id": self.env._(
                "%(order)s: work, travel and expenses", order=self.name
            ),
        }
        for fname, amount in credit_by_account.items():
            amount = currency.round(amount)
            if currency.is_zero(amount):
                continue
            line_vals.append(
                {
                    "name": credit_labels[fname],
                    "account_id": company[fname].id,
                    "balance": -amount,
                    "partner_id": self.partner_id.id,
                    "after_sales_order_id": self.id,
                    "analytic_distribution": False,
                }
            )
        if not line_vals:
            return None
        return {
            "move_type": "entry",
            "journal_id": company.after_sales_journal_id.id,
            "company_id": company.id,
            "date": company_local_date(company, self.date_done or fields.Datetime.now()),
            "ref": self.name,
            "after_sales_entry_kind": "usage",
            "after_sales_cost_order_id": self.id,
            "line_ids": [Command.create(vals) for vals in line_vals],
        }

    def _cost_split_vals(self, line, costs=None):
        """Journal item values (with their ``amount``) of what each payer of
        ``line`` (an order line of this order) bears of its cost: the warranty
        provision (tagged for the reconciliation report), the contract, goodwill and
        the customer (on the order's analytic distribution). ``costs``: {cost field:
        amount} to split instead of the line's own (e.g. one bill of its cost)."""
        self.ensure_one()
        company = self.company_id
        currency = company.currency_id
        result = []
        for cost_fname, account_fname in COST_SPLIT_ACCOUNTS:
            amount = costs[cost_fname] if costs is not None else line[cost_fname]
            if currency.is_zero(amount):
                continue
            vals = {
                "name": f"{self.name}: {line.name or line._kind_label()}",
                "account_id": company[account_fname].id,
                "amount": amount,
                "after_sales_order_id": self.id,
                "after_sales_order_line_id": line.id,
            }
            if cost_fname == "warranty_cost":
                # a balance sheet account: no analytic
                vals["after_sales_provision_kind"] = USAGE_KINDS[line.line_type]
                vals["after_sales_categ_id"] = self.equipment_id.product_id.categ_id.id
                vals["analytic_distribution"] = False
            elif self.analytic_distribution:
                vals["analytic_distribution"] = self.analytic_distribution
            result.append(vals)
        return result

    # ------------------------------------------------------------------
    # Subcontracted work
    # ------------------------------------------------------------------
    def _get_vendor_bill_lines(self):
        return (
            self.env["account.move.line"]
            .sudo()
            .search(
                Domain("after_sales_order_id", "in", self.ids)
                & Domain("move_id.move_type", "=", "in_invoice")
                & Domain("parent_state", "!=", "cancel")
            )
        )

    def _compute_vendor_bill_count(self):
        bill_lines = self._get_vendor_bill_lines()
        for order in self:
            order.vendor_bill_count = len(
                bill_lines.filtered(lambda line: line.after_sales_order_id == order).move_id
            )

    def action_create_vendor_bill(self):
        """One draft vendor bill per subcontractor for the subcontracted work of these
        done orders not billed yet; each share of a line goes to the account of who
        pays it (the bill's payable is the credit)."""
        # a public button: who may not write bills (portal, technicians) is refused
        # before any question of state
        self.env["account.move"].check_access("create")
        self.check_access("write")
        not_done = self.filtered(lambda o: o.state != "done")
        if not_done:
            raise UserError(
                self.env._(
                    "Service order %(name)s is not done: bill its subcontracted work once "
                    "the work is done.",
                    name=not_done[0].name,
                )
            )
        # two users (or a double click) billing the same orders wait for each other
        self.lock_for_update()
        lines = self.line_ids.filtered(
            lambda line: (
                line.line_type == "subcontract"
                and not line.currency_id.is_zero(line.cost_actual)
                and not line._is_charged_by_purchase()
            )
        )
        lines -= self._get_vendor_bill_lines().after_sales_order_line_id
        if not lines:
            raise UserError(
                self.env._("There is no subcontracted work left to bill on these orders.")
            )
        vals_list = []
        for (company, vendor), vendor_lines in lines.grouped(
            lambda line: (line.company_id, line.vendor_id)
        ).items():
            company._after_sales_check_accounting()
            check_company_accounts(company, [fname for _cost, fname in COST_SPLIT_ACCOUNTS])
            vals_list.append(
                {
                    "move_type": "in_invoice",
                    "partner_id": vendor.id,
                    "company_id": company.id,
                    "invoice_origin": ", ".join(vendor_lines.order_id.mapped("name")),
                    "invoice_line_ids": [
                        Command.create(_vendor_bill_line_vals(line, split))
                        for line in vendor_lines
                        for split in line.order_id._cost_split_vals(line)
                    ],
                }
            )
        bills = self.env["account.move"].create(vals_list)
        for order in self:
            order.message_post(
                body=self.env._(
                    "Vendor bill drafted for the subcontracted work: %(bills)s",
                    bills=", ".join(bills.mapped("display_name")),
                )
            )
        return self._action_view_moves(bills, self.env._("Vendor Bills"))

    def action_view_vendor_bills(self):
        self.ensure_one()
        bills = self._get_vendor_bill_lines().move_id
        return self._action_view_moves(bills, self.env._("Vendor Bills"))

    def action_view_cost_entry(self):
        self.ensure_one()
        return self._action_view_moves(self.cost_move_ids, self.env._("Cost Entries"))

    def _action_view_moves(self, moves, name):
        # called by public buttons: only internal users who may read journal entries
        if self.env.user.share:
            raise AccessError(self.env._("Only internal users open the back-office views."))
        self.env["account.move"].check_access("read")
        action = {
            "type": "ir.actions.act_window",
            "name": name,
            "res_model": "account.move",
            "domain": [("id", "in", moves.ids)],
            "context": {"create": False},
            "view_mode": "list,form",
            "views": [(False, "list"), (False, "form")],
        }
        if len(moves) == 1:
            action.update(view_mode="form", views=[(False, "form")], res_id=moves.id)
        return action

    # ------------------------------------------------------------------
    # Supplier claims
    # ------------------------------------------------------------------
    def _compute_supplier_claim_count(self):
        counts = count_by(self.env["after_sales.supplier.claim"], "order_id", self)
        for order in self:
            order.supplier_claim_count = counts.get(order, 0)

    def action_view_supplier_claims(self):
        self.ensure_one()
        return window_action(
            self.env,
            "after_sales_service.after_sales_supplier_claim_action",
            [("order_id", "=", self.id)],
            {"default_order_id": self.id},
        )
