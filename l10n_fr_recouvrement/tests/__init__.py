from . import (
    test_blocks,
    test_cron_wizard,
    test_documents,
    test_dossier,
    test_dossier_exhibits,
    test_i18n,
    test_ladder,
    test_performance,
    test_queue,
    test_report_controller,
    test_security,
    test_settlements,
)
