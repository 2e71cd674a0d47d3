"""French law, one rule per module, each with its article beside the code.

Each module's docstring quotes the article it applies; the constants carry the words of
the text beside them.

- :mod:`.late_payment`: penalties between businesses, the ECB rate + 10 points, the
  3 × legal-rate floor of a contractual rate, the 40 € indemnity and the payment-term
  limit (C. com. L441-10, D441-5).
- :mod:`.legal_interest`: a consumer's interest at the legal rate from the mise en demeure
  (C. civ. 1231-6, 1344-1; L313-2 C. mon. fin.; no indemnity, L111-8 CPCE).
- :mod:`.public_procurement`: a public buyer's interest, ECB rate + 8 points fixed for the
  whole delay, and its 40 € indemnity (C. commande publique R2192-31, D2192-35).
- :mod:`.prescription`: when a claim becomes time-barred (C. com. L110-4, C. conso L218-2,
  loi n° 68-1250 art. 1 and 2, C. civ. 2240).
- :mod:`.procedure`: PSRPC threshold (CPCE R125-1) and the injonction de payer deadlines
  (CPC 1411, 1416).
- :mod:`.formal_notice`: the mise en demeure and its deadline (C. civ. 1344, 1344-1).
- :mod:`.half_year`: the calendar half-years in which the rates are fixed (L441-10 II,
  L313-2 C. mon. fin.).
- :mod:`.rates` and ``data/rates.csv``: the published rates themselves (ECB main
  refinancing rate, taux de l'intérêt légal), one sourced row per value.
"""
