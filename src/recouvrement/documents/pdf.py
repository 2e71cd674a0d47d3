"""DOCX to PDF conversion with one long-lived, headless LibreOffice.

`PdfConverter` starts LibreOffice once and feeds it document after document (~0.15 s each)
instead of paying a full start-up per document (~1.5-2 s, see `convert_with_new_process`).

How it works:

- The office is ``soffice.bin`` itself, not the ``soffice`` launcher script: the script execs
  ``oosplash``, which forks ``soffice.bin``; killing that pair orphans ``soffice.bin`` to init,
  a zombie until init reaps it (some container inits never do), and ``oosplash`` may ignore
  SIGTERM.  Started directly, ``soffice.bin`` is our child, so we kill and reap it ourselves.
  The one thing ``oosplash`` did for us, restarting after a fresh profile's first run (exit
  code 81), is done up front with ``--terminate_after_init``.
- Our interpreter cannot load the UNO bridge; Debian's ``/usr/bin/python3`` with
  ``python3-uno`` can.  It runs this very file as a worker (``python3 -I pdf.py --uno-worker
  URL``), which connects to the office over a named pipe and answers one JSON line on
  stdout per JSON request line on stdin.  This file therefore imports only the standard library
  at module level.
- Each office/worker pair lives in a temporary directory (profile, documents, log) and both
  processes lead their own process group; closing kills both groups, reaps the processes and
  removes the directory.  A timeout or a dead office throws the whole pair away; the next
  document starts a fresh one.

POSIX only (process groups, ``select`` on pipes).
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import secrets
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

DEFAULT_TIMEOUT = 60.0
DEFAULT_START_TIMEOUT = 60.0
DEFAULT_UNO_PYTHON = "/usr/bin/python3"
INSTALL_HINT = (
    "install the Debian package libreoffice-writer-nogui,"
    " e.g. by running scripts/install-system-deps"
)

_OFFICE_OPTIONS = (
    "--headless",
    "--invisible",
    "--nocrashreport",
    "--nodefault",
    "--nofirststartwizard",
    "--nolockcheck",
    "--nologo",
    "--norestore",
)
_WORKER_FLAG = "--uno-worker"
_EXIT_NO_UNO = 3
_EXIT_OFFICE_GONE = 4
_POLL_SECONDS = 0.1
_LOG_TAIL_BYTES = 2000


class ConversionError(RuntimeError):
    """A document could not be converted to PDF."""


class ConversionTimeout(ConversionError):
    """LibreOffice took longer than the allowed time for one document."""


class LibreOfficeNotFound(ConversionError):
    """LibreOffice, or the Python UNO bridge it needs, is not installed."""


class MergedPdf(NamedTuple):
    """A PDF, with what the office found in the layout of merged letters."""

    pdf: bytes
    broken_keeps: list[int]  # letters with a page that ends with a keep-with-next paragraph


class _OfficeDied(Exception):
    """The office or its worker exited; the conversion may be retried on a fresh pair."""


def find_soffice(soffice: str | None = None) -> str:
    """Return the full path of LibreOffice's ``soffice``.

    Looked up in order: the argument, ``$RECOUVREMENT_SOFFICE``, ``soffice`` on the PATH.
    """
    name = soffice or os.environ.get("RECOUVREMENT_SOFFICE") or "soffice"
    path = shutil.which(name)
    if path is None:
        raise LibreOfficeNotFound(f"LibreOffice not found ({name!r}): {INSTALL_HINT}")
    return path


def convert_with_new_process(
    docx: bytes, soffice: str | None = None, timeout: float = DEFAULT_TIMEOUT
) -> bytes:
    """Convert one DOCX with its own ``soffice --convert-to pdf`` process and fresh profile.

    The naive way (as OCA's report_py3o does it), kept for benchmarks: it pays LibreOffice's
    whole start-up for every document.
    """
    launcher = find_soffice(soffice)
    with tempfile.TemporaryDirectory(prefix="recouvrement-soffice-") as directory:
        source = Path(directory, "document.docx")
        source.write_bytes(docx)
        command = [launcher, "--headless", "--norestore", _profile_option(Path(directory))]
        command += ["--convert-to", "pdf", "--outdir", directory, str(source)]
        code = _run(command, timeout)
        target = source.with_suffix(".pdf")
        if code != 0 or not target.exists():
            raise ConversionError(f"soffice --convert-to pdf failed (exit code {code})")
        return target.read_bytes()


class PdfConverter:
    """Converts DOCX documents to PDF with one LibreOffice kept running between documents.

    The office starts on first use (or on `start`) with a private temporary profile and is
    stopped by `close`; use the converter as a context manager::

        with PdfConverter() as converter:
            pdfs = list(converter.convert_many(documents))

    Not thread-safe: use one converter per thread.
    """

    def __init__(
        self,
        soffice: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        start_timeout: float = DEFAULT_START_TIMEOUT,
        uno_python: str | None = None,
    ) -> None:
        """Find LibreOffice now (raising `LibreOfficeNotFound`), start it later.

        `timeout` bounds each document's conversion, `start_timeout` the office start-up;
        `uno_python` is the interpreter with the UNO bridge (default ``$RECOUVREMENT_UNO_PYTHON``
        or ``/usr/bin/python3``).
        """
        self._office_binary = _office_binary(find_soffice(soffice))
        self._uno_python = (
            uno_python or os.environ.get("RECOUVREMENT_UNO_PYTHON") or DEFAULT_UNO_PYTHON
        )
        self.timeout = timeout
        self.start_timeout = start_timeout
        self._session: _Session | None = None

    def __enter__(self) -> PdfConverter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def office_pid(self) -> int | None:
        """Process id of the running office, None when none is running."""
        return None if self._session is None else self._session.office.pid

    def start(self) -> None:
        """Start the office now rather than on the first conversion."""
        self._running_session()

    def convert(self, docx: bytes) -> bytes:
        """Convert one DOCX document and return the PDF.

        Raises `ConversionTimeout` past `timeout` seconds (the office is killed and the next
        document gets a new one) and `ConversionError` if LibreOffice cannot read the
        document. If the office has died, it is restarted and the document retried once.
        """
        return self._convert(docx, []).pdf

    def convert_merged(self, docx: bytes, bookmarks: list[str]) -> MergedPdf:
        """Convert merged letters (`docx_batch.merge`), as `convert` converts a document.

        Its bookmarks become named destinations of the PDF; `bookmarks` name where each
        letter ends, for the office to say which letters have a broken keep chain.
        """
        return self._convert(docx, bookmarks)

    def _convert(self, docx: bytes, bookmarks: list[str]) -> MergedPdf:
        try:
            return self._convert_once(docx, bookmarks)
        except _OfficeDied:
            self._discard_session()
        try:
            return self._convert_once(docx, bookmarks)
        except _OfficeDied:
            self._discard_session()
            raise ConversionError("LibreOffice died twice while converting the document") from None

    def convert_many(self, documents: Iterable[bytes]) -> Iterator[bytes]:
        """Convert DOCX documents one after the other in the same office, yielding PDFs."""
        for docx in documents:
            yield self.convert(docx)

    def close(self) -> None:
        """Stop the office and remove its temporary profile; the converter may be reused."""
        self._discard_session()

    def _convert_once(self, docx: bytes, bookmarks: list[str]) -> MergedPdf:
        session = self._running_session()
        try:
            return session.convert(docx, self.timeout, bookmarks)
        except TimeoutError:
            self._discard_session()
            raise ConversionTimeout(
                f"LibreOffice did not convert the document within the {self.timeout} s timeout;"
                " it was killed and will be restarted for the next document"
            ) from None

    def _running_session(self) -> _Session:
        if self._session is not None and not self._session.alive():
            self._discard_session()
        if self._session is None:
            self._session = _Session.start(
                self._office_binary, self._uno_python, self.start_timeout
            )
        return self._session

    def _discard_session(self) -> None:
        if self._session is not None:
            self._session.close()
            self._session = None


class _Session:
    """One office process and its UNO worker, sharing a temporary directory."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.office: subprocess.Popen[bytes]
        self.worker: subprocess.Popen[bytes]
        self._processes: list[subprocess.Popen[bytes]] = []
        self._documents = 0

    @classmethod
    def start(cls, office_binary: str, uno_python: str, start_timeout: float) -> _Session:
        """Start an office and its worker; wait until the worker is connected."""
        session = cls(Path(tempfile.mkdtemp(prefix="recouvrement-office-")))
        try:
            session._launch(office_binary, uno_python, start_timeout)
        except BaseException:
            session.close()
            raise
        return session

    def _launch(self, office_binary: str, uno_python: str, start_timeout: float) -> None:
        profile = _profile_option(self.directory)
        init = [office_binary, "--headless", "--norestore", "--terminate_after_init", profile]
        if _run(init, start_timeout) not in (0, 81):
            raise ConversionError(f"LibreOffice ({office_binary}) could not create its profile")
        # A named pipe, private to our user: no port to race for, and no other local user
        # can reach the office's UNO API (which can run macros) as it could on a socket.
        connection = f"pipe,name=recouvrement-{os.getpid()}-{secrets.token_hex(8)}"
        accept = f"--accept={connection};urp;StarOffice.ComponentContext"
        worker = [
            uno_python,
            "-I",
            __file__,
            _WORKER_FLAG,
            f"uno:{connection};urp;StarOffice.ComponentContext",
        ]
        office = [office_binary, *_OFFICE_OPTIONS, profile, accept]
        pipe = subprocess.PIPE
        with open(self.directory / "office.log", "ab") as log:
            self.office = self._spawn(office, stdin=subprocess.DEVNULL, stdout=log, stderr=log)
            self.worker = self._spawn(worker, stdin=pipe, stdout=pipe, stderr=log)
        self._await_worker(start_timeout)

    def _spawn(self, command: list[str], **streams: Any) -> subprocess.Popen[bytes]:
        """Start `command` as the leader of a new process group, remembered for `close`."""
        process = subprocess.Popen(command, start_new_session=True, **streams)
        self._processes.append(process)
        return process

    def _await_worker(self, start_timeout: float) -> None:
        try:
            self._receive(time.monotonic() + start_timeout)
        except TimeoutError:
            raise ConversionError(
                f"LibreOffice did not start within {start_timeout} s{self._log_tail()}"
            ) from None
        except _OfficeDied:
            if self.worker.poll() == _EXIT_NO_UNO:
                raise LibreOfficeNotFound(
                    f"{self.worker.args[0]} cannot import uno: install the Debian package"
                    " python3-uno, e.g. by running scripts/install-system-deps"
                ) from None
            raise ConversionError(f"LibreOffice failed to start{self._log_tail()}") from None

    def alive(self) -> bool:
        """Whether both the office and the worker are still running."""
        return self.office.poll() is None and self.worker.poll() is None

    def convert(self, docx: bytes, timeout: float, bookmarks: list[str]) -> MergedPdf:
        """Convert one document; TimeoutError past `timeout`, _OfficeDied if a process exits."""
        self._documents += 1
        source = self.directory / f"{self._documents}.docx"
        target = source.with_suffix(".pdf")
        source.write_bytes(docx)
        try:
            self._send({"source": str(source), "target": str(target), "bookmarks": bookmarks})
            reply = self._receive(time.monotonic() + timeout)
            if "error" in reply:
                raise ConversionError(
                    f"LibreOffice could not convert the document: {reply['error']}"
                )
            return MergedPdf(target.read_bytes(), reply.get("broken_keeps", []))
        finally:
            source.unlink(missing_ok=True)
            target.unlink(missing_ok=True)

    def _send(self, request: dict[str, Any]) -> None:
        assert self.worker.stdin is not None
        try:
            self.worker.stdin.write(json.dumps(request).encode() + b"\n")
            self.worker.stdin.flush()
        except BrokenPipeError:
            raise _OfficeDied from None

    def _receive(self, deadline: float) -> dict[str, Any]:
        """Wait for the worker's next reply line, watching that the office stays up."""
        stdout = self.worker.stdout
        assert stdout is not None
        while True:
            wait = min(_POLL_SECONDS, max(deadline - time.monotonic(), 0))
            if select.select([stdout], [], [], wait)[0]:
                line = stdout.readline()
                if not line:  # the worker closed its stdout: it is exiting
                    self.worker.wait()
                    raise _OfficeDied
                return json.loads(line)
            if self.office.poll() is not None:
                raise _OfficeDied
            if time.monotonic() >= deadline:
                raise TimeoutError

    def _log_tail(self) -> str:
        log = (
            (self.directory / "office.log").read_bytes()[-_LOG_TAIL_BYTES:].decode(errors="replace")
        )
        return f"; its output ends with:\n{log}" if log.strip() else ""

    def close(self) -> None:
        """Kill both process groups, reap the processes, remove the directory."""
        for process in self._processes:
            _kill(process)
        shutil.rmtree(self.directory, ignore_errors=True)


def _office_binary(soffice: str) -> str:
    """The ``soffice.bin`` next to the ``soffice`` launcher when there is one, else the launcher."""
    launcher = Path(soffice).resolve()
    binary = launcher.with_name("soffice.bin")
    return str(binary if binary.is_file() else launcher)


def _profile_option(directory: Path) -> str:
    return f"-env:UserInstallation={(directory / 'profile').as_uri()}"


def _run(command: list[str], timeout: float) -> int:
    """Run a command in its own process group and return its exit code.

    Past `timeout` the whole group is killed and `ConversionTimeout` raised.
    """
    process = subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        return process.wait(timeout)
    except subprocess.TimeoutExpired:
        _kill(process)
        raise ConversionTimeout(f"{command[0]} did not finish within {timeout} s") from None


def _kill(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL the process group led by `process`, reap it and close its pipes."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    for pipe in (process.stdin, process.stdout):
        if pipe is not None:
            with contextlib.suppress(OSError):
                pipe.close()


# Worker side: everything below runs under the system python3 that has the UNO bridge.


def _worker_main(uno_url: str) -> int:
    """Connect to the office, then convert each request read from stdin until EOF."""
    if importlib.util.find_spec("uno") is None:
        return _EXIT_NO_UNO
    desktop = _connect_desktop(uno_url)
    _reply({"ready": "yes"})
    for line in sys.stdin:
        request = json.loads(line)
        try:
            layout = _export_pdf(desktop, request)
        except Exception as error:
            if not _office_reachable(desktop):
                return _EXIT_OFFICE_GONE
            _reply({"error": f"{type(error).__name__}: {error}"})
        else:
            _reply({"done": request["target"], **layout})
    # EOF: our owner closed the pipe or died without closing us; the office must not
    # outlive it.
    with contextlib.suppress(Exception):
        desktop.terminate()
    return 0


def _connect_desktop(uno_url: str) -> Any:
    """Return the office's Desktop, retrying until the office accepts connections."""
    import uno
    from com.sun.star.connection import NoConnectException

    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext(
        "com.sun.star.bridge.UnoUrlResolver", local
    )
    while True:
        try:
            context = resolver.resolve(uno_url)
            break
        except NoConnectException:
            time.sleep(0.05)
    return context.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", context)


def _export_pdf(desktop: Any, request: dict[str, Any]) -> dict[str, Any]:
    """Open ``source`` as DOCX, hidden and read-only, and export it to ``target`` as PDF.

    For merged letters (their end ``bookmarks`` given), each bookmark becomes a named
    destination of the PDF, and ``broken_keeps`` comes back (`_broken_keeps`).
    """
    source, target, bookmarks = request["source"], request["target"], request["bookmarks"]
    import uno
    from com.sun.star.beans import PropertyValue

    load = {"Hidden": True, "ReadOnly": True, "FilterName": "MS Word 2007 XML"}
    document = desktop.loadComponentFromURL(
        uno.systemPathToFileUrl(source),
        "_blank",
        0,
        tuple(PropertyValue(Name=name, Value=value) for name, value in load.items()),
    )
    if document is None:
        raise ValueError("not a readable DOCX document")
    try:
        export = (PropertyValue(Name="FilterName", Value="writer_pdf_Export"),)
        if bookmarks:
            options = (PropertyValue(Name="ExportBookmarksToPDFDestination", Value=True),)
            data = uno.Any("[]com.sun.star.beans.PropertyValue", options)
            export += (PropertyValue(Name="FilterData", Value=data),)
        document.storeToURL(uno.systemPathToFileUrl(target), export)
        return {"broken_keeps": _broken_keeps(document, bookmarks)} if bookmarks else {}
    finally:
        document.close(True)


def _broken_keeps(document: Any, bookmarks: list[str]) -> list[int]:
    """The letters (indexes in `bookmarks`, each letter's end) with a broken keep chain.

    That is a page ending with a whole "keep with next" paragraph, in the body (keeps do
    not apply in table cells). LibreOffice's layout of a letter in a long document can
    differ there from its layout alone (seen on the bundled letters, see `pdf_pool`).
    """
    document.lockControllers()
    try:
        cursor = document.getCurrentController().getViewCursor()
        cursor.jumpToLastPage()
        body = document.getText()
        ends = [document.getBookmarks().getByName(name).getAnchor() for name in bookmarks]
        broken = set()
        for page in range(1, cursor.getPage() + 1):
            cursor.jumpToPage(page)  # on a blank page, the end of the page before is found
            cursor.jumpToEndOfPage()
            if cursor.getText() != body or not cursor.ParaKeepTogether:
                continue
            if body.createTextCursorByRange(cursor.getStart()).isEndOfParagraph():
                position = cursor.getStart()
                broken.add(
                    next(
                        (n for n, end in enumerate(ends) if _before(body, position, end)),
                        len(ends) - 1,
                    )
                )
        return sorted(broken)
    finally:
        document.unlockControllers()


def _before(text: Any, position: Any, mark: Any) -> bool:
    """Whether `position` is at or before `mark` in `text`."""
    return text.compareRegionStarts(position, mark.getStart()) >= 0


def _office_reachable(desktop: Any) -> bool:
    """Whether the office still answers (a dead one fails any call)."""
    try:
        desktop.getFrames()
    except Exception:
        return False
    return True


def _reply(message: dict[str, str]) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


if __name__ == "__main__" and sys.argv[1:2] == [_WORKER_FLAG]:
    sys.exit(_worker_main(sys.argv[2]))
