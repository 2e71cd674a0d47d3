"""`update-rates` against a local HTTP server standing in for the ECB Data Portal."""

import threading
import time
from datetime import date
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from recouvrement.ecb import fetch_mro_rows, update_rate_file
from recouvrement.errors import RateUpdateError
from recouvrement.law.half_year import HalfYear
from recouvrement.law.late_payment import default_penalty_rate
from recouvrement.law.rates import RateTable

ECB_ANSWER = (Path(__file__).parent / "data" / "ecb_mro.csv").read_text(encoding="utf-8")
USER_ROWS = "series,date,rate,source\nlegal_other,2026-07-01,2.50,arrêté test\n"


class FakeEcb:
    """Answers GET /service/data/FM/... like the ECB: status, body and delay are settable."""

    def __init__(self):
        self.status, self.body, self.delay = 200, ECB_ANSWER, 0.0
        self.requests: list[str] = []
        portal = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                portal.requests.append(self.path)
                time.sleep(portal.delay)
                payload = portal.body.encode()
                self.send_response(portal.status)
                self.send_header("Content-Type", "text/csv")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = (
            f"http://127.0.0.1:{self.server.server_port}/service/data/FM/B.U2.EUR.4F.KR.MRR_FR.LEV"
        )
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def ecb():
    portal = FakeEcb()
    yield portal
    portal.close()


@pytest.fixture
def user_file(tmp_path):
    path = tmp_path / "rates.csv"
    path.write_text(USER_ROWS, encoding="utf-8")
    return path


def test_update_writes_the_series_and_keeps_other_rows(ecb, user_file):
    summary = update_rate_file(user_file, ecb.url, today=date(2026, 11, 27), retries=0)
    assert ecb.requests == ["/service/data/FM/B.U2.EUR.4F.KR.MRR_FR.LEV?format=csvdata"]
    assert summary.rows_written == 20  # 19 change dates + "still in force" on the fetch day
    assert (summary.in_force.day, summary.in_force.rate) == (date(2026, 11, 27), Decimal("2.15"))
    table = RateTable.load(user_file)
    assert table.mro_in_force(date(2023, 9, 20)).value == Decimal("4.5")
    # The fetch confirms the rate through 27 Nov 2026, so 2026 H2 is no longer missing.
    assert default_penalty_rate(HalfYear(2026, 2), table).value == Decimal("12.15")
    assert "arrêté test" in user_file.read_text(encoding="utf-8")


def test_server_errors_are_retried_then_reported_and_the_file_is_untouched(ecb, user_file):
    ecb.status = 503
    with pytest.raises(RateUpdateError, match="requête au portail de données de la BCE a échoué"):
        update_rate_file(user_file, ecb.url, retries=2, backoff=0.01)
    assert len(ecb.requests) == 3
    assert user_file.read_text(encoding="utf-8") == USER_ROWS


def test_timeout_is_reported_and_the_file_is_untouched(ecb, user_file):
    ecb.delay = 1.0
    with pytest.raises(RateUpdateError, match=r"n'a pas répondu en 0\.2 s"):
        update_rate_file(user_file, ecb.url, timeout=0.2, retries=0)
    assert user_file.read_text(encoding="utf-8") == USER_ROWS


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("<html>maintenance</html>", "pas de colonnes TIME_PERIOD et OBS_VALUE"),
        ("TIME_PERIOD,OBS_VALUE\n", "aucune observation"),
        ("TIME_PERIOD,OBS_VALUE\n2026-01-01,abc\n", "ligne 2"),
        ("TIME_PERIOD,OBS_VALUE\n2026-01-01,45\n", "taux invraisemblable 45"),
        ("TIME_PERIOD,OBS_VALUE\n2027-01-01,2\n", "datée du 2027-01-01"),
        ("TIME_PERIOD,OBS_VALUE\n2026-01-01,2\n2026-01-01,3\n", "figure deux fois"),
    ],
)
def test_malformed_answers_are_refused_and_the_file_is_untouched(ecb, user_file, body, message):
    ecb.body = body
    with pytest.raises(RateUpdateError, match=message):
        update_rate_file(user_file, ecb.url, today=date(2026, 11, 27), retries=0)
    assert user_file.read_text(encoding="utf-8") == USER_ROWS


def test_update_creates_the_file_and_its_folder(ecb, tmp_path):
    path = tmp_path / "config" / "recouvrement" / "rates.csv"
    update_rate_file(path, ecb.url, today=date(2026, 11, 27), retries=0)
    assert RateTable.load(path).mro_in_force(date(2026, 11, 27)).value == Decimal("2.15")


def test_fetch_mro_rows_writes_nothing(ecb, tmp_path):
    rows = fetch_mro_rows(ecb.url, today=date(2026, 11, 27), retries=0)
    assert len(rows) == 20
    assert (rows[-1].day, rows[-1].rate) == (date(2026, 11, 27), Decimal("2.15"))
    assert list(tmp_path.iterdir()) == []
