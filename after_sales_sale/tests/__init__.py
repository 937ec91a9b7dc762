from . import test_replacement_offer
