"""Benchmark: N letters from DOCX to PDF: in batches, one by one, one process per letter.

    python benchmarks/letters.py [N] [--each] [--batch-size K] [--no-naive] [--pool P]

Renders N real letters from the bundled demo ledger (reminders, a mise en demeure, a
statement of account: context, mandatory-mention check, docxtpl), converts them with
`PdfConverter` one by one (one office, start-up included), with the same office in
batches of K letters merged into one document (`pdf_pool.convert_batch`, what
`PdfConverterPool.convert_many` does on each office) and with `convert_with_new_process`
(one ``soffice --convert-to pdf`` per letter), checks that the batches give every letter
the same pages with the same text as one by one, then prints the timings, ``batched
X.Xx`` = one-by-one time per letter / batched time per letter and, last, ``speedup X.Xx``
= naive total / one-by-one total. ``--pool P`` measures instead, side by side,
`PdfConverterPool(P).convert_many` (the addon's path) one by one and in batches of K.
"""

from __future__ import annotations

import argparse
import io
import logging
import re
import statistics
import time
from collections.abc import Iterable

from pypdf import PdfReader

from recouvrement.documents.pdf import PdfConverter, convert_with_new_process
from recouvrement.documents.pdf_pool import BATCH_SIZE, PdfConverterPool, convert_batch
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


class AloneCounter(logging.Handler):
    """Counts the letters `convert_batch` converted again alone after their batch."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        match = re.match(r"(\d+) of \d+ letters converted again alone", record.getMessage())
        self.count += int(match.group(1)) if match else 0


def convert_batched(letters: list[bytes], size: int) -> tuple[list[bytes], float, list[float]]:
    """Convert in batches of `size` on one PdfConverter: PDFs, start-up, seconds per batch."""
    with PdfConverter() as converter:
        started = time.perf_counter()
        converter.start()
        startup = time.perf_counter() - started
        batches = [letters[start : start + size] for start in range(0, len(letters), size)]
        results, seconds = timed_each(convert_batch(converter, batch) for batch in batches)
    return [pdf for batch in results for pdf in batch], startup, seconds


def convert_pool(letters: list[bytes], size: int, batch_size: int) -> tuple[list[bytes], float]:
    """Convert with a started pool, the letters coming from a generator: PDFs, seconds."""
    with PdfConverterPool(size, batch_size=batch_size) as pool:
        pool.convert_many([letters[0]] * size * batch_size)  # start every office
        started = time.perf_counter()
        pdfs = pool.convert_many(docx for docx in letters)
        return pdfs, time.perf_counter() - started  # type: ignore[return-value]


def compare_pools(letters: list[bytes], size: int, batch_size: int) -> None:
    """The addon's path, one by one and in batches, side by side."""
    single, single_seconds = convert_pool(letters, size, 1)
    batched, batched_seconds = convert_pool(letters, size, batch_size)
    n = len(letters)
    print(f"pool of {size}, one by one: {single_seconds:.2f} s, {single_seconds / n:.3f} s/letter")
    print(
        f"pool of {size}, batches of {batch_size}: {batched_seconds:.2f} s, "
        f"{batched_seconds / n:.3f} s/letter"
    )
    if [page_texts(pdf) for pdf in single] != [page_texts(pdf) for pdf in batched]:
        raise SystemExit("the pool's batches differ from its one-by-one conversions")
    print(f"pool batched {single_seconds / batched_seconds:.1f}x faster, same pages and text")


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


def page_texts(pdf: bytes) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages]


def spread(seconds: list[float]) -> str:
    """'mean 0.152 s/letter (median 0.149, max 0.310)'."""
    mean, median = statistics.fmean(seconds), statistics.median(seconds)
    return f"mean {mean:.3f} s/letter (median {median:.3f}, max {max(seconds):.3f})"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, nargs="?", default=50, help="number of letters")
    parser.add_argument("--each", action="store_true", help="also print every letter's times")
    parser.add_argument("--batch-size", type=int, default=BATCH_SIZE, help="letters per batch")
    parser.add_argument("--no-naive", action="store_true", help="skip one soffice per letter")
    parser.add_argument("--pool", type=int, help="compare PdfConverterPool(P) instead")
    args = parser.parse_args(argv)

    letters, render_seconds = render_letters(args.n)
    print(
        f"DOCX rendering: {args.n} letters in {render_seconds:.2f} s, "
        f"{render_seconds / args.n * 1000:.1f} ms/letter"
    )
    if args.pool:
        compare_pools(letters, args.pool, args.batch_size)
        return
    project, startup, project_seconds = convert_persistent(letters)
    project_total = startup + sum(project_seconds)
    print(
        f"PDF, persistent PdfConverter: {project_total:.2f} s = start-up {startup:.2f} s "
        f"+ {spread(project_seconds)}"
    )
    counter = AloneCounter()
    pool_logger = logging.getLogger("recouvrement.documents.pdf_pool")
    pool_logger.addHandler(counter)
    pool_logger.setLevel(logging.INFO)
    batched, batch_startup, batch_seconds = convert_batched(letters, args.batch_size)
    batch_per_letter = sum(batch_seconds) / args.n
    print(
        f"PDF, batches of {args.batch_size}: {batch_startup + sum(batch_seconds):.2f} s = "
        f"start-up {batch_startup:.2f} s + {batch_per_letter:.3f} s/letter "
        f"({len(batch_seconds)} batches, max {max(batch_seconds):.2f} s, "
        f"{counter.count} letters converted again alone)"
    )
    alone_texts = [page_texts(pdf) for pdf in project]
    differ = sum(page_texts(pdf) != texts for pdf, texts in zip(batched, alone_texts, strict=True))
    if differ:
        raise SystemExit(f"{differ} letters differ between batches and one by one")
    print("batched letters: same pages with the same text as one by one, every one")
    ratio = statistics.fmean(project_seconds) / batch_per_letter
    print(f"batched {ratio:.1f}x faster per letter than one by one (start-up excluded)")
    if args.no_naive:
        return
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
