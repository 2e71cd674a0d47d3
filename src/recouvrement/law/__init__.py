"""French law, one rule per module, each with its article beside the code.

Each module's docstring quotes the article it applies; the constants carry the words of
the text beside them.

- :mod:`.late_payment`: penalties between businesses, the ECB rate + 10 points, the
  3 × legal-rate floor of a contractual rate, the 40 € indemnity and the payment-term
  limit, 45 days for a periodic invoice (C. com. L441-10, D441-5; CGI 289 I 3).
- :mod:`.legal_interest`: a consumer's interest at the legal rate from the mise en demeure
  (C. civ. 1231-6, 1344-1; L313-2 C. mon. fin.; no indemnity, L111-8 CPCE), + 5 points two
  months after an enforceable decision (L313-3 C. mon. fin.).
- :mod:`.public_procurement`: a public buyer's interest, ECB rate + 8 points fixed for the
  whole delay, and its 40 € indemnity (C. commande publique R2192-31, D2192-35).
- :mod:`.prescription`: when a claim becomes time-barred (C. com. L110-4, C. conso L218-2,
  loi n° 68-1250 art. 1 and 2, C. civ. 2240, 2250-2251).
- :mod:`.procedure`: PSRPC threshold (CPCE R125-1) and the injonction de payer deadlines
  (CPC 1411, 1416, 1422, as amended by the décret n° 2026-96 of 16 February 2026).
- :mod:`.time_limits`: how a procedural limit is counted: months, weekends and public
  holidays (with Alsace-Moselle's and overseas), extra time overseas or abroad (CPC
  640-644).
- :mod:`.insolvency`: the opening judgment stops interest (C. com. L622-28).
- :mod:`.imputation`: the simple method, or payments to interest first (C. civ. 1343-1).
- :mod:`.formal_notice`: the mise en demeure and its deadline (C. civ. 1344, 1344-1).
- :mod:`.registered_letter`: an electronic registered letter (LRE) to a consumer only with
  their recorded consent, otherwise a paper one with acknowledgment (CPCE L100).
- :mod:`.half_year`: the calendar half-years in which the rates are fixed (L441-10 II,
  L313-2 C. mon. fin.).
- :mod:`.rates` and ``data/rates.csv``: the published rates themselves (ECB main
  refinancing rate, taux de l'intérêt légal), one sourced row per value. A half-year with
  no published rate is missing, never guessed (2026 H2 and 2027 H1: no official source
  was found to verify; ``recouvrement update-rates`` or a row in the user's file adds it).
"""
