"""19.0.1.2.0: the claim acknowledgement tells the customer when the claim was received
and by when we answer, in the customer's time. The template is ``noupdate`` (a company
edits its mails), so an update keeps it: a template nobody edited since it was
installed is reset to the new release's text (Odoo's *Reset Template*); an edited one
is kept as the company wrote it."""

from odoo import SUPERUSER_ID, api

TEMPLATES = ("after_sales_service.mail_template_claim_acknowledgement",)


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    for xmlid in TEMPLATES:
        template = env.ref(xmlid, raise_if_not_found=False)
        if template and template.write_date == template.create_date:
            template.reset_template()
