"""DOCX to PDF on several long-lived LibreOffice processes at once.

One `PdfConverter` keeps one office busy, that is one core. A run's letters are many
independent documents, so `PdfConverterPool` spreads them over one converter per core,
each fed by its own thread (a thread only waits on its office's pipe, so the GIL is no
bottleneck), and returns the PDFs in the order of the documents.
"""

from __future__ import annotations

import os
import queue
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from .pdf import ConversionError, PdfConverter

MAX_DEFAULT_SIZE = 4
SIZE_VARIABLE = "RECOUVREMENT_CONVERTERS"


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

    def __init__(self, size: int | None = None, **converter_options: Any) -> None:
        """``converter_options`` are passed to each `PdfConverter` (timeouts, binaries)."""
        self.size = size or default_size()
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
        """Convert every document, ``size`` at a time; the PDFs come in the same order.

        ``documents`` may be a generator: it is consumed in the calling thread, and each
        document starts converting as soon as it comes, while the next one is produced.
        A document LibreOffice cannot convert raises its `ConversionError` once the
        documents already handed to an office are done; with ``return_exceptions`` the
        error takes the document's place in the list instead, and the others convert.
        """
        convert = self._convert_or_error if return_exceptions else self._convert_on_idle
        if self.size == 1:
            return [convert(docx) for docx in documents]
        with ThreadPoolExecutor(self.size, thread_name_prefix="pdf-converter") as executor:
            return list(executor.map(convert, documents))

    def close(self) -> None:
        """Stop every office; the pool may be reused (they start again on demand)."""
        for converter in self._converters:
            converter.close()

    def _convert_or_error(self, docx: bytes) -> bytes | ConversionError:
        try:
            return self._convert_on_idle(docx)
        except ConversionError as error:
            return error

    def _convert_on_idle(self, docx: bytes) -> bytes:
        converter = self._idle.get()
        try:
            return converter.convert(docx)
        finally:
            self._idle.put(converter)
