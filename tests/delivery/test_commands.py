"""``send-registered``, ``registered-status`` and ``standin`` on the command line."""

import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from recouvrement.cli import main
from recouvrement.delivery.standins import FaultRule
from tests.dossier.pdfs import text_pdf

from .conftest import FAST, stats

RECIPIENT = {
    "name": "SARL Dupont & Fils",
    "attention": "Mme Claire Dupont",
    "street": "12 rue de la République",
    "zip": "69002",
    "city": "Lyon",
    "email": "claire.dupont@dupont.example",
    "kind": "professional",
}


@pytest.fixture
def files(tmp_path, maileva_standin):
    (tmp_path / "lettre.pdf").write_bytes(text_pdf(["Mise en demeure"]))
    (tmp_path / "recipient.json").write_text(json.dumps(RECIPIENT), encoding="utf-8")
    config = {**maileva_standin.sample_config(), **FAST}
    (tmp_path / "config.json").write_text(json.dumps(config))
    return tmp_path


def send_args(files, reference="MED-2026-0001", provider="maileva", **paths):
    names = {"letter": "lettre.pdf", "recipient": "recipient.json", "config": "config.json"}
    names.update(paths)
    return [
        "send-registered",
        str(files / names["letter"]),
        "--recipient",
        str(files / names["recipient"]),
        "--reference",
        reference,
        "--provider",
        provider,
        "--provider-config",
        str(files / names["config"]),
        "--state-file",
        str(files / "state.json"),
    ]


def run(capsys, args) -> tuple[int, str, str]:
    status = main(args)
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_send_prints_the_sending_and_a_second_run_sends_nothing(files, capsys, maileva_standin):
    status, out, err = run(capsys, send_args(files))
    assert (status, err) == (0, "")
    first = json.loads(out)
    assert (first["reference"], first["provider"], first["state"]) == (
        "MED-2026-0001",
        "maileva",
        "submitted",
    )
    assert first["sending_id"] in maileva_standin.sendings

    status, out, _ = run(capsys, send_args(files))
    assert status == 0
    assert json.loads(out)["sending_id"] == first["sending_id"]
    assert stats(maileva_standin)["calls"]["create"] == 1


def test_status_prints_state_events_and_downloaded_proofs(files, capsys, maileva_standin):
    run(capsys, send_args(files))
    maileva_standin.advance()
    args = [
        "registered-status",
        "MED-2026-0001",
        "--provider",
        "maileva",
        "--provider-config",
        str(files / "config.json"),
        "--state-file",
        str(files / "state.json"),
        "--proofs-dir",
        str(files / "proofs"),
    ]

    status, out, _ = run(capsys, args)

    assert status == 0
    result = json.loads(out)
    assert result["state"] == "delivered"
    assert result["registered_number"] == "1A00000000001"
    assert result["receipt_date"] == result["events"][-1]["at"]
    assert [proof["kind"] for proof in result["proofs"]] == ["deposit", "acknowledgment"]
    for proof in result["proofs"]:
        content = Path(proof["path"]).read_bytes()
        assert hashlib.sha256(content).hexdigest() == proof["sha256"]

    # Without --proofs-dir the proofs are listed, not fetched again.
    downloads = ("download_ar", "download_deposit")
    before = {call: stats(maileva_standin)["calls"].get(call, 0) for call in downloads}
    status, out, _ = run(capsys, args[:-2])
    assert status == 0
    listed = json.loads(out)["proofs"]
    assert listed == [{"kind": p["kind"], "date": p["date"]} for p in result["proofs"]]
    assert {call: stats(maileva_standin)["calls"].get(call, 0) for call in downloads} == before


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"letter": "absent.pdf"}, "Lettre « .*absent.pdf » introuvable."),
        ({"letter": "recipient.json"}, "ce fichier n'est pas un PDF"),
        ({"recipient": "long.json"}, "Ligne 4 de l'adresse .*: 46 caractères, 38 au plus."),
        ({"provider": "laposte"}, "Prestataire « laposte » inconnu : ar24 ou maileva attendu."),
        ({"config": "incomplete.json"}, "Configuration Maileva : « password » manque."),
        ({"provider": "ar24", "recipient": "consumer.json"}, "consommateur sans consentement"),
    ],
)
def test_bad_input_exits_2_with_one_french_line(files, capsys, maileva_standin, change, message):
    street = "12 boulevard du Maréchal de Lattre de Tassigny"
    (files / "long.json").write_text(json.dumps({**RECIPIENT, "street": street}))
    (files / "consumer.json").write_text(json.dumps({**RECIPIENT, "kind": "consumer"}))
    config = json.loads((files / "config.json").read_text())
    (files / "incomplete.json").write_text(json.dumps({**config, "password": ""}))
    ar24 = {"api_url": "http://127.0.0.1:9/api", "token": "t", "private_key": "k", "user_id": "1"}
    (files / "ar24.json").write_text(json.dumps(ar24))
    provider = change.pop("provider", "maileva")
    if provider == "ar24":
        change["config"] = "ar24.json"

    status, out, err = run(capsys, send_args(files, provider=provider, **change))

    assert (status, out) == (2, "")
    assert len(err.splitlines()) == 1
    assert err.startswith("recouvrement send-registered : erreur : ")

    assert re.search(message, err), err
    assert stats(maileva_standin)["sendings"] == 0


def test_a_provider_that_stays_down_exits_1_and_the_rerun_resumes(files, capsys, maileva_standin):
    maileva_standin.faults.rules = [FaultRule("submit", "503", times=5)]
    status, _, err = run(capsys, send_args(files))
    assert status == 1
    assert "Maileva injoignable à l'étape « soumission »" in err
    status, out, _ = run(capsys, send_args(files))
    assert (status, json.loads(out)["state"]) == (0, "submitted")
    assert stats(maileva_standin)["submitted"] == 1


def test_status_of_an_unknown_reference(files, capsys):
    args = [
        "registered-status",
        "MED-404",
        "--provider",
        "maileva",
        "--provider-config",
        str(files / "config.json"),
        "--state-file",
        str(files / "state.json"),
    ]
    status, _, err = run(capsys, args)
    assert status == 2
    assert "Aucun envoi Maileva n'est connu sous la référence « MED-404 »" in err


def test_the_standin_command_serves_until_stopped(tmp_path):
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "recouvrement",
            "standin",
            "ar24",
            "--port",
            "0",
            "--step-seconds",
            "0",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        lines = []
        while not lines or lines[-1] != "}":
            lines.append(process.stdout.readline().rstrip("\n"))
        config = json.loads("\n".join(lines))
        (tmp_path / "config.json").write_text(json.dumps(config))
        (tmp_path / "lettre.pdf").write_bytes(text_pdf(["Mise en demeure"]))
        (tmp_path / "recipient.json").write_text(json.dumps(RECIPIENT))
        sent = subprocess.run(
            [sys.executable, "-m", "recouvrement", *send_args(tmp_path, provider="ar24")],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert sent.returncode == 0, sent.stderr
        assert json.loads(sent.stdout)["state"] == "deposited"
    finally:
        process.terminate()
        process.wait(timeout=10)
