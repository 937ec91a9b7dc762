from . import after_sales_provision_report
