"""DOCX to PDF on several long-lived LibreOffice processes at once.

One `PdfConverter` keeps one office busy, that is one core. A run's letters are many
independent documents, so `PdfConverterPool` spreads them over one converter per core,
each fed by its own thread (a thread only waits on its office's pipe, so the GIL is no
bottleneck), and returns the PDFs in the order of the documents.

`convert_many` hands each office `BATCH_SIZE` letters at a time, converted as one document
(`docx_batch`: one import of the shared styles instead of one per letter) and cut back into
one PDF per letter. A letter that cannot be merged exactly is converted alone, and so is
a letter of a batch with a page ending on a broken keep chain (where LibreOffice may lay
it out otherwise than alone); a batch that fails, or whose PDF cannot be cut back, is
converted again letter by letter, so that a broken letter fails alone and the others
still come out. Tests check every bundled template against its one-by-one conversion.
"""

from __future__ import annotations

import itertools
import logging
import os
import queue
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from . import docx_batch
from .pdf import ConversionError, LibreOfficeNotFound, PdfConverter

MAX_DEFAULT_SIZE = 4
SIZE_VARIABLE = "RECOUVREMENT_CONVERTERS"
BATCH_SIZE = 25  # letters per office document: half the background job's batch of 50

_logger = logging.getLogger(__name__)


def default_size() -> int:
    """``$RECOUVREMENT_CONVERTERS``, else the cores this process may use (at most 4)."""
    configured = os.environ.get(SIZE_VARIABLE, "").strip()
    if configured:
        try:
            size = int(configured)
        except ValueError:
            raise ValueError(
                f"{SIZE_VARIABLE} must be a whole number, not {configured!r}"
            ) from None
        if size < 1:
            raise ValueError(f"{SIZE_VARIABLE} must be at least 1, not {size}")
        return size
    return max(1, min(MAX_DEFAULT_SIZE, len(os.sched_getaffinity(0))))


class PdfConverterPool:
    """``size`` converters used together; the offices start on first use.

    ::

        with PdfConverterPool(2) as pool:
            pdfs = pool.convert_many(documents)

    Thread-safe: concurrent calls share the offices, each document waiting for an idle one.
    """

    def __init__(
        self, size: int | None = None, batch_size: int = BATCH_SIZE, **converter_options: Any
    ) -> None:
        """``converter_options`` are passed to each `PdfConverter` (timeouts, binaries).

        ``batch_size`` letters go to an office at a time in `convert_many`; 1 converts
        them one by one.
        """
        self.size = size or default_size()
        self.batch_size = batch_size
        self._converters = [PdfConverter(**converter_options) for _ in range(self.size)]
        self._idle: queue.SimpleQueue[PdfConverter] = queue.SimpleQueue()
        for converter in self._converters:
            self._idle.put(converter)

    def __enter__(self) -> PdfConverterPool:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def office_pids(self) -> list[int]:
        """Process ids of the offices running now."""
        return [c.office_pid for c in self._converters if c.office_pid is not None]

    def convert(self, docx: bytes) -> bytes:
        """Convert one document on an idle office."""
        return self._convert_on_idle(docx)

    def convert_many(
        self, documents: Iterable[bytes], *, return_exceptions: bool = False
    ) -> list[bytes | ConversionError]:
        """Convert every document, in batches on ``size`` offices; the PDFs come in order.

        ``documents`` may be a generator: it is consumed in the calling thread, and each
        batch starts converting as soon as its ``batch_size`` documents have come, while
        the next ones are produced. A document LibreOffice cannot convert raises its
        `ConversionError` once the other documents are done; with ``return_exceptions``
        the error takes the document's place in the list instead. Each document has the
        converters' ``timeout``, and so has a batch: past it, its letters are converted
        again one by one.
        """
        batches = _batches(documents, self.batch_size)
        if self.size == 1:
            results = [self._convert_batch_on_idle(batch) for batch in batches]
        else:
            with ThreadPoolExecutor(self.size, thread_name_prefix="pdf-converter") as executor:
                results = list(executor.map(self._convert_batch_on_idle, batches))
        pdfs = [pdf for batch in results for pdf in batch]
        if not return_exceptions:
            for pdf in pdfs:
                if isinstance(pdf, ConversionError):
                    raise pdf
        return pdfs

    def close(self) -> None:
        """Stop every office; the pool may be reused (they start again on demand)."""
        for converter in self._converters:
            converter.close()

    def _convert_batch_on_idle(self, documents: list[bytes]) -> list[bytes | ConversionError]:
        converter = self._idle.get()
        try:
            return convert_batch(converter, documents)
        finally:
            self._idle.put(converter)

    def _convert_on_idle(self, docx: bytes) -> bytes:
        converter = self._idle.get()
        try:
            return converter.convert(docx)
        finally:
            self._idle.put(converter)


def convert_batch(
    converter: PdfConverter, documents: Sequence[bytes]
) -> list[bytes | ConversionError]:
    """Convert `documents` on one converter, merged where they can be; PDFs or errors in order.

    Letters of the same `docx_batch.Letter.key` go as one document; the others, and the
    letters of a merged document that failed, one by one.
    """
    results: list[bytes | ConversionError | None] = [None] * len(documents)
    for group in _mergeable_groups(documents):
        pdfs = _convert_merged(converter, [letter for _index, letter in group])
        for (index, _letter), pdf in zip(group, pdfs or [None] * len(group), strict=True):
            results[index] = pdf
    for index, docx in enumerate(documents):
        if results[index] is None:
            results[index] = _convert_or_error(converter, docx)
    return results  # type: ignore[return-value]


def _mergeable_groups(
    documents: Sequence[bytes],
) -> list[list[tuple[int, docx_batch.Letter]]]:
    """The groups of at least two documents that can be merged: (index, letter) pairs."""
    groups: dict[str, list[tuple[int, docx_batch.Letter]]] = defaultdict(list)
    if len(documents) < 2:
        return []
    for index, docx in enumerate(documents):
        try:
            letter = docx_batch.Letter.parse(docx)
        except docx_batch.NotBatchable:
            continue
        groups[letter.key].append((index, letter))
    return [group for group in groups.values() if len(group) > 1]


def _convert_merged(
    converter: PdfConverter, letters: list[docx_batch.Letter]
) -> list[bytes | ConversionError | None] | None:
    """The letters' PDFs from one merged conversion, None for those to convert alone.

    A letter is left to its own conversion when a page of it ends with a broken keep chain
    (`pdf._broken_keeps`): there, LibreOffice may lay it out differently in the batch.
    All of them are, when the batch fails or its PDF cannot be cut back.
    """
    try:
        bookmarks = [docx_batch.end_bookmark(number) for number in range(len(letters))]
        merged = converter.convert_merged(docx_batch.merge(letters), bookmarks)
        ranges = docx_batch.page_ranges(merged.pdf, len(letters))
    except LibreOfficeNotFound as error:
        return [error] * len(letters)
    except (ConversionError, ValueError) as error:
        _logger.warning("%d letters converted one by one: %s", len(letters), error)
        return None
    if merged.broken_keeps:
        _logger.info(
            "%d of %d letters converted again alone (a keep chain broken in the batch)",
            len(merged.broken_keeps),
            len(letters),
        )
    kept = [pages for n, pages in enumerate(ranges) if n not in merged.broken_keeps]
    pdfs = iter(docx_batch.split(merged.pdf, kept))
    return [None if n in merged.broken_keeps else next(pdfs) for n in range(len(letters))]


def _convert_or_error(converter: PdfConverter, docx: bytes) -> bytes | ConversionError:
    try:
        return converter.convert(docx)
    except ConversionError as error:
        return error


def _batches(documents: Iterable[bytes], size: int) -> Iterator[list[bytes]]:
    iterator = iter(documents)
    while batch := list(itertools.islice(iterator, size)):
        yield batch
