"""19.0.1.2.0: the claim acknowledgement tells the customer when the claim was received
and by when we answer, in the customer's time. The template is ``noupdate`` (a company
edits its mails); a template nobody edited since it was installed is reloaded from the
new release, an edited one is kept as the company wrote it."""

TEMPLATES = ("mail_template_claim_acknowledgement",)


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        """UPDATE ir_model_data d
              SET noupdate = FALSE
             FROM mail_template t
            WHERE d.module = 'after_sales_service'
              AND d.model = 'mail.template'
              AND d.name IN %s
              AND d.res_id = t.id
              AND t.write_date = t.create_date""",
        [TEMPLATES],
    )
