from . import purchase_order
from . import purchase_order_line
from . import after_sales_order
from . import after_sales_order_line
from . import account_move
