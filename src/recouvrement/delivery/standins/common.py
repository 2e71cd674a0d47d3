"""What both stand-ins share: the HTTP server, fault injection, latency, the simulated
progression of a letter, webhooks, and the PDF proofs.

A stand-in is a small HTTP server on 127.0.0.1 that answers as the provider's published
protocol says, so that the product can be tried and tested without an account. It is
not the provider: it keeps everything in memory and simulates La Poste or the recipient.

Fault injection (``FaultPlan``): a rule names a call (``create``, ``submit``, ``*`` …), a
kind, and how many times it fires; ``random_rate`` adds faults at random. Kinds:

- ``timeout``: the request hangs, is not processed, then the connection closes;
- ``drop``: the connection closes at once, nothing processed;
- ``lost_answer``: the request is processed, then the connection closes unanswered;
- ``late_answer``: the request is processed, the answer comes after the client gave up;
- ``500``, ``503``: a server error, nothing processed;
- ``429``: too many requests, with ``Retry-After``;
- ``expired_token``: a 401 as if the bearer token had expired (Maileva).

The admin endpoints under ``/_standin/``: ``GET stats`` (sendings, submitted, calls per
name, faults fired), ``POST faults`` (JSON ``{"rules": [...], "random_rate": 0.1}``),
``POST advance`` (``{"id": ..., "steps": 1}`` or all sendings to their outcome),
``POST latency`` (``{"seconds": 0.05}``), ``POST webhooks`` (``{"url": ...,
"duplicate": true, "reverse": true, "forge": true}``).
"""

from __future__ import annotations

import contextlib
import json
import random
import re
import socket
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email import policy
from email.parser import BytesParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from ...documents.text_pdf import text_pdf

FAULT_KINDS = (
    "timeout",
    "drop",
    "lost_answer",
    "late_answer",
    "500",
    "503",
    "429",
    "expired_token",
)
RANDOM_KINDS = ("timeout", "drop", "lost_answer", "late_answer", "500", "503", "429")


# -- faults ----------------------------------------------------------------------------


@dataclass
class FaultRule:
    call: str  # the call's name, or "*"
    kind: str
    times: int = 1

    def __post_init__(self):
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; one of {FAULT_KINDS}")


class FaultPlan:
    """Which calls fail, and how; thread-safe."""

    def __init__(
        self, rules=(), random_rate: float = 0.0, seed: int | None = None, random_kinds=RANDOM_KINDS
    ):
        self.rules = [rule if isinstance(rule, FaultRule) else FaultRule(**rule) for rule in rules]
        self.random_rate = random_rate
        self.random_kinds = tuple(random_kinds)
        self.random = random.Random(seed)
        self.fired: dict[str, int] = {}
        self.lock = threading.Lock()

    def take(self, call: str) -> str | None:
        with self.lock:
            kind = self._take(call)
            if kind:
                self.fired[kind] = self.fired.get(kind, 0) + 1
            return kind

    def _take(self, call: str) -> str | None:
        for rule in self.rules:
            if rule.times > 0 and rule.call in (call, "*"):
                rule.times -= 1
                return rule.kind
        if self.random_rate and self.random.random() < self.random_rate:
            return self.random.choice(self.random_kinds)
        return None


# -- the simulated letter --------------------------------------------------------------

# The outcome of a letter follows its recipient's name, so that each path can be tried
# from the command line: « REFUS » refused, « NON RECLAME » not claimed, « INCONNU » or
# « NPAI » undeliverable; any other name is delivered.
OUTCOME_MARKERS = (
    ("NON RECLAME", "not_claimed"),
    ("REFUS", "refused"),
    ("INCONNU", "undeliverable"),
    ("NPAI", "undeliverable"),
)
# Days after submission at which each stage happens (simulated dates).
STAGE_DAYS = {
    "deposited": 0,
    "first_presentation": 1,
    "delivered": 2,
    "refused": 2,
    "not_claimed": 16,
    "undeliverable": 3,
}


def outcome_for(*texts: str) -> str:
    joined = " ".join(texts).upper().replace("É", "E")
    return next((outcome for marker, outcome in OUTCOME_MARKERS if marker in joined), "delivered")


def stages_for(outcome: str) -> list[str]:
    if outcome == "undeliverable":
        return ["deposited", "undeliverable"]
    return ["deposited", "first_presentation", outcome]


@dataclass
class Progress:
    """How far a submitted letter has gone, by manual steps or by elapsed time."""

    outcome: str
    submitted_at: datetime
    started: float = field(default_factory=time.monotonic)
    manual: int = 0  # stages reached by /_standin/advance

    def reached(self, step_seconds: float) -> list[str]:
        stages = stages_for(self.outcome)
        count = self.manual
        if step_seconds > 0:
            count = max(count, int((time.monotonic() - self.started) / step_seconds))
        return stages[: min(count, len(stages))]

    def date_of(self, stage: str) -> datetime:
        return self.submitted_at + timedelta(days=STAGE_DAYS[stage], hours=2)


def now() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


# -- PDF proofs -------------------------------------------------------------------------


def proof_pdf(title: str, lines: list[str]) -> bytes:
    """A one-page PDF with a title and lines of text, enough for a proof that a reader
    opens and a test extracts text from."""
    return text_pdf([title, "", *lines])


# -- multipart --------------------------------------------------------------------------


def parse_multipart(content_type: str, body: bytes) -> dict[str, tuple[str | None, bytes]]:
    """The parts of a multipart/form-data body: name -> (filename, content)."""
    message = BytesParser(policy=policy.HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + body
    )
    parts = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        parts[name] = (part.get_filename(), part.get_payload(decode=True) or b"")
    return parts


# -- the server -------------------------------------------------------------------------


@dataclass
class Route:
    method: str
    pattern: re.Pattern
    call: str  # the name faults and stats use
    handler: Callable  # handler(request, **groups) -> Reply


@dataclass
class Reply:
    status: int
    body: bytes = b""
    content_type: str = "application/json"
    headers: dict = field(default_factory=dict)

    @classmethod
    def json(cls, status: int, data, headers=None) -> Reply:
        return cls(status, json.dumps(data, ensure_ascii=False).encode(), headers=headers or {})


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes

    def json(self):
        try:
            return json.loads(self.body or b"{}")
        except ValueError:
            return None

    def form(self) -> dict[str, str]:
        content_type = self.headers.get("content-type", "")
        if content_type.startswith("multipart/form-data"):
            return {
                name: content.decode("utf-8", "replace")
                for name, (filename, content) in parse_multipart(content_type, self.body).items()
                if filename is None
            }
        from urllib.parse import parse_qsl

        return dict(parse_qsl(self.body.decode("utf-8", "replace")))

    def files(self) -> dict[str, tuple[str, bytes]]:
        content_type = self.headers.get("content-type", "")
        if not content_type.startswith("multipart/form-data"):
            return {}
        parts = parse_multipart(content_type, self.body)
        return {name: part for name, part in parts.items() if part[0] is not None}


class StandinServer(ThreadingHTTPServer):
    """A stand-in: routes, faults, latency, stats and webhooks around a provider model."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(
        self,
        port: int = 0,
        latency: float = 0.0,
        hang_seconds: float = 3.0,
        step_seconds: float = 0.0,
    ):
        super().__init__(("127.0.0.1", port), _Handler)
        self.routes: list[Route] = []
        self.faults = FaultPlan()
        self.latency = latency
        self.hang_seconds = hang_seconds  # how long a « timeout » fault hangs
        self.step_seconds = step_seconds  # 0: letters move only with /_standin/advance
        self.calls: dict[str, int] = {}
        self.lock = threading.RLock()
        self.webhook_url: str | None = None
        self.webhook_options: dict = {}
        self.webhooks_sent: list[dict] = []
        self._thread: threading.Thread | None = None
        self._ticker: threading.Thread | None = None
        self._stopping = threading.Event()
        self.add_route("GET", r"/_standin/stats", "admin", lambda request: self.stats_reply())
        self.add_route("POST", r"/_standin/faults", "admin", self._set_faults)
        self.add_route("POST", r"/_standin/advance", "admin", self._advance)
        self.add_route("POST", r"/_standin/latency", "admin", self._set_latency)
        self.add_route("POST", r"/_standin/webhooks", "admin", self._set_webhooks)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def add_route(self, method: str, pattern: str, call: str, handler: Callable):
        self.routes.append(Route(method, re.compile(f"^{pattern}$"), call, handler))

    def start(self) -> StandinServer:
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)
        self._thread.start()
        self._ticker = threading.Thread(target=self._tick, daemon=True)
        self._ticker.start()
        return self

    def wait(self):
        """Block until the server is stopped (the command line's foreground run)."""
        self._thread.join()

    def stop(self):
        self._stopping.set()
        self.shutdown()
        self.server_close()

    # -- what a provider model implements -------------------------------------------

    def sample_config(self) -> dict:
        """A CONFIG.json that points the product at this stand-in."""
        raise NotImplementedError

    def sending_counts(self) -> dict:
        raise NotImplementedError

    def advance(self, sending_id: str | None = None, steps: int | None = None) -> None:
        raise NotImplementedError

    def pending_events(self) -> list[dict]:
        """Webhook payloads for stages reached since the last call."""
        return []

    def webhook_request(self, payload: dict, forged: bool) -> urllib.request.Request:
        raise NotImplementedError

    # -- admin ---------------------------------------------------------------------------

    def stats_reply(self) -> Reply:
        with self.lock:
            stats = {
                **self.sending_counts(),
                "calls": dict(self.calls),
                "faults_fired": dict(self.faults.fired),
                "webhooks_sent": len(self.webhooks_sent),
            }
        return Reply.json(200, stats)

    def _set_faults(self, request: Request) -> Reply:
        data = request.json() or {}
        try:
            self.faults = FaultPlan(
                data.get("rules", ()), float(data.get("random_rate", 0)), data.get("seed")
            )
        except (TypeError, ValueError) as error:
            return Reply.json(400, {"error": str(error)})
        return Reply.json(200, {"ok": True})

    def _advance(self, request: Request) -> Reply:
        data = request.json() or {}
        self.advance(data.get("id"), data.get("steps"))
        # Delivered from another thread: the receiver may call back while this one holds
        # the lock, and re-reading the sending is exactly what it should do.
        threading.Thread(target=self.deliver_webhooks, daemon=True).start()
        return Reply.json(200, {"ok": True})

    def _set_latency(self, request: Request) -> Reply:
        self.latency = float((request.json() or {}).get("seconds", 0))
        return Reply.json(200, {"ok": True})

    def _set_webhooks(self, request: Request) -> Reply:
        data = request.json() or {}
        self.webhook_url = data.get("url")
        self.webhook_options = data
        return Reply.json(200, {"ok": True})

    # -- webhooks ------------------------------------------------------------------------

    def _tick(self):
        while not self._stopping.wait(0.05):
            if self.step_seconds > 0 and self.webhook_url:
                self.deliver_webhooks()

    def deliver_webhooks(self):
        """Post the new events; duplicated, reversed or forged as configured."""
        with self.lock:
            events = self.pending_events()
        if not self.webhook_url or not events:
            return
        options = self.webhook_options
        if options.get("duplicate"):
            events = [event for event in events for _ in (0, 1)]
        if options.get("reverse"):
            events = list(reversed(events))
        deliveries = [(event, False) for event in events]
        if options.get("forge"):
            deliveries += [(event, True) for event in events]
        for event, forged in deliveries:
            with contextlib.suppress(OSError):  # a provider does not wait on a failing callback
                urllib.request.urlopen(self.webhook_request(event, forged), timeout=5).close()
            self.webhooks_sent.append({"payload": event, "forged": forged})


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: the client's pool reuses connections
    server: StandinServer

    def log_message(self, format, *args):  # quiet: the tests count, not read logs
        pass

    def do_GET(self):
        self._handle()

    def do_POST(self):
        self._handle()

    def do_PATCH(self):
        self._handle()

    def do_DELETE(self):
        self._handle()

    def _handle(self):
        from urllib.parse import parse_qsl, urlsplit

        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        request = Request(
            self.command,
            parts.path,
            dict(parse_qsl(parts.query)),
            {key.lower(): value for key, value in self.headers.items()},
            body,
        )
        route, groups = self._route(request)
        if route is None:
            return self._write(Reply.json(404, {"code": "NOT_FOUND", "message": parts.path}))
        server = self.server
        if route.call != "admin":
            with server.lock:
                server.calls[route.call] = server.calls.get(route.call, 0) + 1
            if server.latency:
                time.sleep(server.latency)
            fault = server.faults.take(route.call)
            if fault and self._fault_before(fault):
                return
        else:
            fault = None
        with server.lock:
            reply = route.handler(request, **groups)
        if fault == "lost_answer":
            return self._drop()
        if fault == "late_answer":
            time.sleep(server.hang_seconds)
            return self._drop()
        self._write(reply)

    def _route(self, request: Request):
        for route in self.server.routes:
            if route.method != request.method:
                continue
            match = route.pattern.match(request.path)
            if match:
                return route, match.groupdict()
        return None, {}

    def _fault_before(self, fault: str) -> bool:
        """Apply a fault that strikes before processing; True if the request ends here."""
        if fault == "timeout":
            time.sleep(self.server.hang_seconds)
            self._drop()
            return True
        if fault == "drop":
            self._drop()
            return True
        if fault in ("500", "503"):
            self._write(Reply.json(int(fault), {"code": "SERVER_ERROR", "message": "stand-in"}))
            return True
        if fault == "429":
            reply = Reply.json(429, {"code": "TOO_MANY_REQUESTS", "message": "stand-in"})
            reply.headers["Retry-After"] = "0"
            self._write(reply)
            return True
        if fault == "expired_token":
            self._write(Reply.json(401, {"code": "UNAUTHORIZED", "message": "token expired"}))
            return True
        return False

    def _drop(self):
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    def _write(self, reply: Reply):
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(reply.body)
