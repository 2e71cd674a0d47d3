from . import recouvrement_letter_date_wizard, recouvrement_run_wizard
from . import recouvrement_dossier_file_wizard
