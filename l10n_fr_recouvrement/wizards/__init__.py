from . import recouvrement_run_wizard
