"""The Excel export of the warranty provision reconciliation. Read-only (a server
with a read replica answers it from the replica); POST with the CSRF token, as the
web client's download service sends it."""

from odoo import http
from odoo.http import content_disposition, request


class ProvisionReportController(http.Controller):
    @http.route(
        "/after_sales/provision_report/xlsx",
        type="http",
        auth="user",
        methods=["POST"],
        readonly=True,
    )
    def provision_report_xlsx(self, date_from=None, date_to=None, company_id=None, **kwargs):
        filename, content = request.env["after_sales.provision.report"]._export_xlsx(
            date_from or None, date_to or None, company_id or None
        )
        return request.make_response(
            content,
            headers=[
                (
                    "Content-Type",
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                ),
                ("Content-Disposition", content_disposition(filename)),
            ],
        )
