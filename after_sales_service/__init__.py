from . import controllers
from . import models
from . import wizard


def post_init_hook(env):
    """Accounts, journal and locations of the after-sales accounting for the
    companies that exist already; the import of their past deliveries into the
    installed base is started (its cron runs after the installation, in its own
    committed batches)."""
    companies = env["res.company"].search([])
    companies._after_sales_setup()
    env["after_sales.delivery.import"]._start_for_companies(companies)


def uninstall_hook(env):
    """The analytic accounts of the contracts carry the accountant's history: when
    there are some, the After-Sales analytic plan stays with them as ordinary data
    (its XML id is released) instead of being deleted with the module. The numbering
    sequences made per company at run time (no XML id) go with the module."""
    env["ir.sequence"].sudo().with_context(active_test=False).search(
        [("code", "=like", "after\\_sales.%")]
    ).unlink()
    plan = env.ref("after_sales_service.analytic_plan_after_sales", raise_if_not_found=False)
    if plan and env["account.analytic.account"].with_context(active_test=False).search_count(
        [("plan_id", "=", plan.id)], limit=1
    ):
        env["ir.model.data"].search(
            [
                ("module", "=", "after_sales_service"),
                ("model", "=", plan._name),
                ("res_id", "=", plan.id),
            ]
        ).unlink()
