"""The décompte as a French table for the terminal."""

from __future__ import annotations

from .decompte import Decompte
from .documents.filters import date_fr, euros, percent_fr
from .kinds import Regime

REGIME_TITLES = {
    Regime.B2B: "pénalités de retard (art. L441-10 C. com.)",
    Regime.B2C: "intérêts au taux légal (art. 1231-6 et 1344-1 C. civ.)",
    Regime.PUBLIC: "intérêts moratoires (art. R2192-31 C. commande publique)",
}
HEADER = ("Facture", "Du", "Au", "Jours", "Solde", "Taux", "Montant")
RIGHT_ALIGNED = {3, 4, 5, 6}


def decompte_text(decompte: Decompte) -> str:
    lines = [f"Décompte au {date_fr(decompte.as_of)} : {REGIME_TITLES[decompte.regime]}", ""]
    lines += _table(decompte)
    lines += ["", *_totals(decompte), f"Méthode : {decompte.method_label}"]
    lines += [f"Attention : {warning}" for warning in decompte.warnings]
    return "\n".join(lines)


def table_lines(header: tuple[str, ...], rows: list[tuple[str, ...]], right: set[int]) -> list:
    """Columns padded to their widest cell; the columns in ``right`` are right-aligned."""
    widths = [max(len(row[column]) for row in [header, *rows]) for column in range(len(header))]
    return [
        "  ".join(
            cell.rjust(width) if column in right else cell.ljust(width)
            for column, (cell, width) in enumerate(zip(row, widths, strict=True))
        ).rstrip()
        for row in [header, *rows]
    ]


def _table(decompte: Decompte) -> list[str]:
    rows = [
        (
            period.invoice,
            period.start.strftime("%d/%m/%Y"),
            period.end.strftime("%d/%m/%Y"),
            str(period.days),
            euros(period.balance),
            percent_fr(period.rate),
            euros(period.amount),
        )
        for period in decompte.periods
    ]
    if not rows:
        return ["Aucune période de retard."]
    return table_lines(HEADER, rows, RIGHT_ALIGNED)


def _totals(decompte: Decompte) -> list[str]:
    lines = [
        f"Principal restant dû : {euros(decompte.principal)}",
        f"Intérêts et pénalités : {euros(decompte.interest)}",
    ]
    if decompte.regime is not Regime.B2C:
        lines.append(f"Indemnité forfaitaire de recouvrement : {euros(decompte.indemnity)}")
    lines += [
        f"Total dû : {euros(decompte.total)}",
        f"Soit {euros(decompte.daily_amount)} par jour de retard supplémentaire",
    ]
    if decompte.prescription:
        lines.append(f"Prescription : {date_fr(decompte.prescription)}")
    lines.append(f"PSRPC (≤ 5 000 €) : {'ouverte' if decompte.psrpc_eligible else 'non'}")
    if decompte.service_deadline:
        lines.append(
            f"Signification de l'ordonnance au plus tard le {date_fr(decompte.service_deadline)}"
        )
    if decompte.objection_deadline:
        lines.append(f"Opposition possible jusqu'au {date_fr(decompte.objection_deadline)}")
    if decompte.enforcement_date:
        lines.append(
            "Exécution possible sans avis d'opposition à partir du "
            f"{date_fr(decompte.enforcement_date)}"
        )
    if decompte.accrual_stopped_on:
        lines.append(
            f"Intérêts arrêtés au {date_fr(decompte.accrual_stopped_on)} (art. L622-28 C. com.)"
        )
    if decompte.provisional:
        lines.append("Chiffres PROVISOIRES : un taux n'est pas encore publié.")
    return lines
