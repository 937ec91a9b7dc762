"""19.0.1.2.0: the reloaded mail templates are the company's to edit again (see
pre-migrate.py)."""

TEMPLATES = ("mail_template_claim_acknowledgement",)


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        """UPDATE ir_model_data
              SET noupdate = TRUE
            WHERE module = 'after_sales_service'
              AND model = 'mail.template'
              AND name IN %s""",
        [TEMPLATES],
    )
