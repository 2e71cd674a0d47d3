from . import registered, report
