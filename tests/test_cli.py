"""The command line, run as a user runs it: a real process, real output."""

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from recouvrement import cli

SCRIPT = Path(sys.executable).parent / "recouvrement"
WORKED_EXAMPLE = ["--amount", "10000", "--due", "2026-01-15", "--as-of", "2026-04-15"]
PART_PAID = [*WORKED_EXAMPLE, "--regime", "b2b", "--payment", "2026-02-14:4000"]


def run(*args, entry=(sys.executable, "-m", "recouvrement"), tmp_path=None):
    env = {**os.environ, "RECOUVREMENT_RATES": str(Path(tmp_path or "/nonexistent") / "r.csv")}
    return subprocess.run(
        [*entry, *args], capture_output=True, text=True, env=env, timeout=60, check=False
    )


def plain_output(result) -> str:
    """The standard output of a successful run, French spaces made plain."""
    assert result.returncode == 0, result.stderr
    return result.stdout.replace("\u202f", " ").replace("\xa0", " ")


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
    # No delivery date: one warning, with its stable code, parameters and French text.
    assert data["warnings"] == [
        {
            "code": "prescription_from_due_date",
            "params": {"invoices": ["1"]},
            "text": "facture 1 : ni la livraison ni l'achèvement de la prestation n'est daté ; "
            "la prescription est comptée de l'échéance, elle a pu commencer plus tôt",
        }
    ]
    assert data["method"].startswith("simple")
    assert data["provisional"] is False


def test_decompte_with_payment_and_contractual_rate():
    result = run(
        "decompte",
        *PART_PAID,
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
    text = plain_output(result)
    assert "Décompte au 15 avril 2026" in text
    assert "16/01/2026  15/04/2026     90  10 000,00 €  12,15 %  299,59 €" in text
    assert "Indemnité forfaitaire de recouvrement : 40,00 €" in text
    assert "Total dû : 10 339,59 €" in text
    assert "Soit 3,33 € par jour de retard" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--regime", "b2x"], "régime inconnu 'b2x' : choisissez parmi b2b, b2c, public"),
        (["--regime", "b2b", "--amount", "-5"], "le montant doit être positif"),
        (
            ["--regime", "b2b", "--due", "2026-02-30"],
            "'2026-02-30' n'est pas une date (AAAA-MM-JJ)",
        ),
        (["--regime", "b2b", "--as-of", "2026-08-01"], "aucun taux de refinancement de la BCE"),
        (["--regime", "b2c", "--rate", "8"], "ne s'applique qu'entre professionnels"),
        (["--regime", "b2b", "--payment", "2026-02-14"], "n'est pas de la forme DATE:MONTANT"),
        (["--regime", "b2b", "--amount", "100.123"], "le montant 100.123 a plus de deux décimales"),
        (["--regime", "b2b", "--amount", "5000000000"], "est invraisemblable"),
        (["--regime", "b2b", "--amount", "NaN"], "le montant doit être positif"),
        (
            ["--regime", "b2b", "--payment", "2026-02-14:12000"],
            "facture 1 : les paiements et avoirs (12 000,00 €) dépassent son montant",
        ),
        (
            ["--regime", "b2b", "--payment", "2026-05-02:100"],
            "le règlement du 2 mai 2026 est postérieur à la date du décompte (15 avril 2026)",
        ),
        (["--regime", "b2b", "--rates", "/nonexistent/rates.csv"], "n'existe pas"),
        (["--regime", "b2b", "--bogus"], "arguments non reconnus : --bogus"),
        (["--regime", "b2b", "--method", "fifo"], "choix invalide 'fifo'"),
    ],
)
def test_bad_input_exits_2_with_one_line(args, message):
    result = run("decompte", *WORKED_EXAMPLE, *args)
    assert result.returncode == 2
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1
    assert message in result.stderr.replace("\u202f", " ")
    assert result.stderr.startswith("recouvrement") and " : erreur : " in result.stderr


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
    [warning] = [w for w in data["warnings"] if w["code"] == "provisional_rate"]
    assert warning["params"]["half_year"] == "2026 H2"
    assert warning["text"].startswith("taux provisoire pour le second semestre 2026")


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
    assert "la requête au portail de données de la BCE a échoué" in result.stderr
    assert not (tmp_path / "rates.csv").exists()


def test_rates_is_accepted_after_the_command_and_a_missing_file_is_an_error(tmp_path):
    rates = tmp_path / "mine.csv"
    rates.write_text("series,date,rate,source\nmro,2026-07-01,2.40,test row\n", encoding="utf-8")
    late = ["--amount", "1000", "--due", "2026-07-31", "--as-of", "2026-09-29", "--regime", "b2b"]
    for args in (
        ["decompte", *late, "--json", "--rates", str(rates)],
        ["--rates", str(rates), "decompte", *late, "--json"],
    ):
        result = run(*args)
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout)["periods"][0]["rate"] == "12.40"  # 2.40 + 10
    missing = run("decompte", *late, "--rates", str(tmp_path / "typo.csv"))
    assert missing.returncode == 2
    assert f"le fichier de taux {tmp_path / 'typo.csv'} n'existe pas" in missing.stderr


def test_without_as_of_a_half_year_with_no_rate_is_said_plainly(monkeypatch, capsys):
    # "Today" is frozen in 2040, a half-year no shipped or user table will have.
    class Frozen(date):
        @classmethod
        def today(cls):
            return cls(2040, 1, 5)

    monkeypatch.setattr(cli, "date", Frozen)
    monkeypatch.setenv("RECOUVREMENT_RATES", "/nonexistent/r.csv")
    status = cli.main(["decompte", "--amount", "1000", "--due", "2026-01-15", "--regime", "b2b"])
    stderr = capsys.readouterr().err
    assert status == 2
    assert "sans --as-of, le décompte est arrêté à aujourd'hui (5 janvier 2040)" in stderr
    # The first half-year without a rate since the due date (2026 H2 when written).
    assert "aucun taux de refinancement de la BCE n'est connu pour le " in stderr
    assert "recouvrement update-rates" in stderr
    assert len(stderr.splitlines()) == 1


def test_a_closed_pipe_ends_quietly():
    # The reader closes its end before the program writes (as `| head` does).
    env = {**os.environ, "RECOUVREMENT_RATES": "/nonexistent/r.csv"}
    process = subprocess.Popen(
        [str(SCRIPT), "decompte", *WORKED_EXAMPLE, "--regime", "b2b", "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    process.stdout.close()
    errors = process.stderr.read().decode()
    assert process.wait(timeout=60) == 141
    assert errors == ""  # no traceback, no "Exception ignored"


def test_decompte_shows_the_injonction_deadlines_and_the_method():
    result = run(
        "decompte",
        *PART_PAID,
        "--method",
        "1343-1",
        "--order-date",
        "2026-09-15",
        "--service-date",
        "2026-10-01",
    )
    text = plain_output(result)
    # 3 months from 15 Sep 2026: Tuesday 15 Dec 2026. 1 month from 1 Oct: Sunday 1 Nov
    # (All Saints) → Monday 2 Nov. 2 months: Tuesday 1 Dec → enforcement from 2 Dec.
    assert "Signification de l'ordonnance au plus tard le 15 décembre 2026" in text
    assert "Opposition possible jusqu'au 2 novembre 2026" in text
    assert "Exécution possible sans avis d'opposition à partir du 2 décembre 2026" in text
    assert "Méthode : imputation des paiements sur les intérêts d'abord (art. 1343-1" in text
    assert "Total dû : 6 261,69 €" in text  # tests/test_amounts.py works it out


@pytest.mark.parametrize("command", ["decompte", "update-rates", "demo", "render", "dossier"])
def test_help_lists_choices_date_format_and_an_example(command):
    result = run(command, "--help")
    assert result.returncode == 0
    assert result.stdout.startswith("utilisation : recouvrement " + command)
    assert "exemple" in result.stdout
    assert f"  recouvrement {command} " in result.stdout
    if command == "decompte":
        assert "{b2b,b2c,public}" in result.stdout
        assert "{simple,1343-1}" in result.stdout
        assert "AAAA-MM-JJ" in result.stdout
