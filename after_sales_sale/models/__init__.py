from . import sale_order_line
from . import sale_order
from . import after_sales_equipment
