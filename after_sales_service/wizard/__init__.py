from . import after_sales_order_dispatch
from . import after_sales_claim_reject
from . import after_sales_order_refuse
from . import after_sales_order_dispatch_provider
from . import after_sales_parts_demand_generate
from . import after_sales_quality_analysis
from . import after_sales_provision_remeasure
