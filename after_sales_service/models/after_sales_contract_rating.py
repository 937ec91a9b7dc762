from odoo import api, fields, models
from odoo.fields import Domain

from .utils import locked_batches

CONTRACT_NPS_TEMPLATE = "after_sales_service.mail_template_contract_nps_request"


class AfterSalesContract(models.Model):
    """Once per contract term (one record is one term), halfway through it, the
    customer is asked how likely they are to recommend us (NPS).

    Odoo's rating links know three answers (1, 3, 5): the 0-10 NPS scale is mapped
    onto them, 0-6 (detractor) to 1, 7-8 (passive) to 3, 9-10 (promoter) to 5.
    """

    _name = "after_sales.contract"
    _inherit = ["after_sales.rating.mixin", "after_sales.contract"]

    nps_date = fields.Date(
        string="NPS Question On",
        compute="_compute_nps_date",
        store=True,
        index=True,
        help="Halfway through the term: from this day the customer is asked, once in this "
        "term, how likely they are to recommend us (0-10, answered as detractor 0-6, "
        "passive 7-8 or promoter 9-10).",
    )

    @api.depends("date_start", "date_end")
    def _compute_nps_date(self):
        for contract in self:
            start, end = contract.date_start, contract.date_end
            contract.nps_date = start and end and start + (end - start) / 2

    def _rating_request_template(self):
        return (
            self.env.ref(CONTRACT_NPS_TEMPLATE, raise_if_not_found=False)
            or self.env["mail.template"]
        )

    @api.model
    def _cron_send_nps(self, batch_size=200):
        """Ask the customers of running terms past their midpoint, not asked yet in
        this term, how likely they are to recommend us. A term that fails is isolated
        (savepoint) and its responsible gets a to-do; the others go on."""
        domain = (
            Domain("state", "=", "running")
            & Domain("rating_requested_date", "=", False)
            & self._company_today_domain("nps_date", "<=")
        )
        skipped_ids = []
        for locked in locked_batches(self, domain, batch_size, skipped_ids):
            failed = locked._run_batch_or_isolated(
                "_send_rating_requests",
                self.env._("NPS question failed"),
                self.env._("The NPS question could not be sent: %(error)s"),
            )
            # failed terms, and terms nobody can be asked for, wait for the next run
            skipped_ids += (locked - failed).filtered(lambda c: not c.rating_requested_date).ids
            skipped_ids += failed.ids
            self.env["ir.cron"]._commit_progress(len(locked - failed))
