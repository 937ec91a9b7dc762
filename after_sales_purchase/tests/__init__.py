from . import test_subcontracting
