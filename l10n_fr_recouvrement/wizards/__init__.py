from . import (
    recouvrement_dossier_case_wizard,
    recouvrement_dossier_file_wizard,
    recouvrement_letter_date_wizard,
    recouvrement_run_wizard,
)
