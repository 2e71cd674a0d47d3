"""The command line, run as a user runs it: a real process, real output."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(sys.executable).parent / "recouvrement"
WORKED_EXAMPLE = ["--amount", "10000", "--due", "2026-01-15", "--as-of", "2026-04-15"]


def run(*args, entry=(sys.executable, "-m", "recouvrement"), tmp_path=None):
    env = {**os.environ, "RECOUVREMENT_RATES": str(Path(tmp_path or "/nonexistent") / "r.csv")}
    return subprocess.run(
        [*entry, *args], capture_output=True, text=True, env=env, timeout=60, check=False
    )


def test_decompte_json_worked_example():
    result = run("decompte", *WORKED_EXAMPLE, "--regime", "b2b", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["interest"] == "299.59"
    assert data["indemnity"] == "40.00"
    assert data["total"] == "10339.59"
    assert data["daily_amount"] == "3.33"
    assert data["periods"] == [
        {
            "invoice": "1",
            "start": "2026-01-16",
            "end": "2026-04-15",
            "days": 90,
            "balance": "10000.00",
            "rate": "12.15",
            "amount": "299.59",
        }
    ]
    assert data["warnings"] == []
    assert data["provisional"] is False


def test_decompte_with_payment_and_contractual_rate():
    result = run(
        "decompte",
        *WORKED_EXAMPLE,
        "--regime",
        "b2b",
        "--payment",
        "2026-02-14:4000",
        "--rate",
        "7.86",
        "--json",
    )
    data = json.loads(result.stdout)
    assert [period["balance"] for period in data["periods"]] == ["10000.00", "6000.00"]
    assert data["interest"] == "142.12"  # 64.60 + 77.52


def test_decompte_b2c_from_notice_has_no_indemnity():
    result = run(
        "decompte",
        "--amount",
        "1000",
        "--due",
        "2026-01-15",
        "--as-of",
        "2026-04-10",
        "--regime",
        "b2c",
        "--notice-received",
        "2026-02-10",
        "--json",
    )
    data = json.loads(result.stdout)
    assert (data["interest"], data["indemnity"]) == ("4.24", "0.00")


def test_decompte_human_output_is_a_french_table():
    result = run("decompte", *WORKED_EXAMPLE, "--regime", "b2b", entry=(str(SCRIPT),))
    assert result.returncode == 0, result.stderr
    text = result.stdout.replace("\u202f", " ").replace("\xa0", " ")
    assert "Décompte au 15 avril 2026" in text
    assert "16/01/2026  15/04/2026     90  10 000,00 €  12,15 %  299,59 €" in text
    assert "Indemnité forfaitaire de recouvrement : 40,00 €" in text
    assert "Total dû : 10 339,59 €" in text
    assert "Soit 3,33 € par jour de retard" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--regime", "b2x"], "unknown regime 'b2x'"),
        (["--regime", "b2b", "--amount", "-5"], "the amount must be positive"),
        (["--regime", "b2b", "--due", "2026-02-30"], "'2026-02-30' is not a date"),
        (["--regime", "b2b", "--as-of", "2026-08-01"], "no ECB main refinancing rate"),
        (["--regime", "b2c", "--rate", "8"], "only to a B2B claim"),
        (["--regime", "b2b", "--payment", "2026-02-14"], "is not DATE:AMOUNT"),
    ],
)
def test_bad_input_exits_2_with_one_line(args, message):
    result = run("decompte", *WORKED_EXAMPLE, *args)
    assert result.returncode == 2
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1
    assert message in result.stderr


def test_missing_rate_can_be_carried_forward_visibly():
    result = run(
        "decompte",
        *WORKED_EXAMPLE[:4],
        "--as-of",
        "2026-08-01",
        "--regime",
        "b2b",
        "--provisional",
        "--json",
    )
    data = json.loads(result.stdout)
    assert data["provisional"] is True
    assert any("2026 H2" in warning for warning in data["warnings"])


def test_user_rate_file_from_the_environment_is_used(tmp_path):
    (tmp_path / "r.csv").write_text(
        "series,date,rate,source\nmro,2026-07-01,2.40,test row\n", encoding="utf-8"
    )
    result = run(
        "decompte",
        "--amount",
        "1000",
        "--due",
        "2026-07-31",
        "--as-of",
        "2026-09-29",
        "--regime",
        "b2b",
        "--json",
        tmp_path=tmp_path,
    )
    data = json.loads(result.stdout)
    assert data["periods"][0]["rate"] == "12.40"


def test_update_rates_failure_exits_non_zero_and_says_why(tmp_path):
    result = run(
        "--rates",
        str(tmp_path / "rates.csv"),
        "update-rates",
        "--url",
        "http://127.0.0.1:9/nothing-listens-here",
        "--timeout",
        "2",
    )
    assert result.returncode == 1
    assert "ECB data portal request failed" in result.stderr
    assert not (tmp_path / "rates.csv").exists()
