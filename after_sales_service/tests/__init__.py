from . import test_contract
from . import test_contract_invoicing
from . import test_coverage
from . import test_equipment
from . import test_order
from . import test_plan
from . import test_security
from . import test_ui
