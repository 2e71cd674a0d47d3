"""French debt collection engine: late-payment law, letters and court dossiers."""

__version__ = "0.1.0"
