"""Benchmark: N letters from DOCX to PDF, one persistent LibreOffice against one per letter.

    python benchmarks/letters.py [N] [--each]

Renders N real letters from the bundled demo ledger (reminders, a mise en demeure, a
statement of account: context, mandatory-mention check, docxtpl), converts them with
`PdfConverter` (one office for the batch, start-up included) and with
`convert_with_new_process` (one ``soffice --convert-to pdf`` per letter), then prints the
timings and, last, ``speedup X.Xx`` = naive total / persistent total.
"""

from __future__ import annotations

import argparse
import io
import statistics
import time
from collections.abc import Iterable

from pypdf import PdfReader

from recouvrement.documents.pdf import PdfConverter, convert_with_new_process
from recouvrement.documents.rendering import render_letter
from recouvrement.law.rates import RateTable
from recouvrement.ledger import bundled_ledger
from recouvrement.letters import build_letter_context

LETTERS = [  # (kind, debtor, invoices) from the bundled demo ledger, used in turn
    ("relance_ferme", "MARTIN", ["FA-2026-0049", "FA-2026-0052"]),
    ("mise_en_demeure", "DUPONT", ["FA-2026-0018", "FA-2026-0031"]),
    ("relance_courtoise", "LEFEVRE", ["FA-2026-0060"]),
    ("releve_de_compte", "MARTIN", ["FA-2026-0049", "FA-2026-0052"]),
]


def render_letters(n: int) -> tuple[list[bytes], float]:
    """Render `n` real letters (context, mentions check, docxtpl); return them and the time."""
    ledger = bundled_ledger()
    rates = RateTable.load(user_file=None)
    started = time.perf_counter()
    letters = []
    for number in range(n):
        kind, debtor, invoices = LETTERS[number % len(LETTERS)]
        context, _ = build_letter_context(
            kind, ledger, ledger.account(debtor), invoices, letter_date=ledger.as_of,
            reference=f"BENCH-{number:05d}", rates=rates,
        )  # fmt: skip
        letters.append(render_letter(kind, context))
    return letters, time.perf_counter() - started


def convert_persistent(letters: list[bytes]) -> tuple[list[bytes], float, list[float]]:
    """Convert with one PdfConverter: PDFs, start-up seconds, seconds per letter."""
    with PdfConverter() as converter:
        started = time.perf_counter()
        converter.start()
        startup = time.perf_counter() - started
        pdfs, seconds = timed_each(converter.convert_many(letters))
    return pdfs, startup, seconds


def convert_naive(letters: list[bytes]) -> tuple[list[bytes], list[float]]:
    """Convert with one new soffice process per letter: PDFs, seconds per letter."""
    return timed_each(convert_with_new_process(docx) for docx in letters)


def timed_each(pdfs: Iterable[bytes]) -> tuple[list[bytes], list[float]]:
    """Drain a lazy iterable of PDFs, timing how long each one took to come."""
    results, seconds = [], []
    mark = time.perf_counter()
    for pdf in pdfs:
        now = time.perf_counter()
        results.append(pdf)
        seconds.append(now - mark)
        mark = now
    return results, seconds


def page_counts(pdfs: list[bytes]) -> list[int]:
    return [len(PdfReader(io.BytesIO(pdf)).pages) for pdf in pdfs]


def spread(seconds: list[float]) -> str:
    """'mean 0.152 s/letter (median 0.149, max 0.310)'."""
    mean, median = statistics.fmean(seconds), statistics.median(seconds)
    return f"mean {mean:.3f} s/letter (median {median:.3f}, max {max(seconds):.3f})"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, nargs="?", default=50, help="number of letters")
    parser.add_argument("--each", action="store_true", help="also print every letter's times")
    args = parser.parse_args(argv)

    letters, render_seconds = render_letters(args.n)
    print(
        f"DOCX rendering: {args.n} letters in {render_seconds:.2f} s, "
        f"{render_seconds / args.n * 1000:.1f} ms/letter"
    )
    project, startup, project_seconds = convert_persistent(letters)
    project_total = startup + sum(project_seconds)
    print(
        f"PDF, persistent PdfConverter: {project_total:.2f} s = start-up {startup:.2f} s "
        f"+ {spread(project_seconds)}"
    )
    naive, naive_seconds = convert_naive(letters)
    naive_total = sum(naive_seconds)
    print(f"PDF, new soffice per letter:  {naive_total:.2f} s = {spread(naive_seconds)}")

    pages = page_counts(project)
    if pages != page_counts(naive):
        raise SystemExit("the two ways produced different page counts")
    print(f"pages per letter: {min(pages)} to {max(pages)}, same both ways")
    if args.each:
        for number, times in enumerate(zip(project_seconds, naive_seconds, strict=True), 1):
            print(f"letter {number:3d}: persistent {times[0]:.3f} s, new process {times[1]:.3f} s")
    steady = statistics.fmean(naive_seconds) / statistics.fmean(project_seconds)
    print(f"per letter, start-up excluded: {steady:.1f}x faster")
    print(f"speedup {naive_total / project_total:.1f}x")


if __name__ == "__main__":
    main()
