from . import test_subcontracting
from . import test_order_cancel
