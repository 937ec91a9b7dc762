from . import portal
from . import portal_dealer
from . import provision_report
