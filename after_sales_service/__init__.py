from . import controllers
from . import models
from . import wizard


def post_init_hook(env):
    """Accounts, journal and locations of the after-sales accounting for the
    companies that exist already."""
    env["res.company"].search([])._after_sales_setup()
