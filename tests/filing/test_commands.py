"""``recouvrement file`` on the command line."""

from __future__ import annotations

import json

from recouvrement.cli import main
from tests.delivery.conftest import FAST, stats

from .conftest import signature_png


def run(capsys, args) -> tuple[int, str, str]:
    try:
        status = main([str(arg) for arg in args])
    except SystemExit as exit:  # argparse's own errors: a bad option value
        status = exit.code
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_file_prepares_the_tribunal_digital_set(capsys, commercial_zip, tmp_path):
    status, out, err = run(
        capsys,
        ["file", commercial_zip, "--channel", "tribunal-digital", "--out", tmp_path / "set",
         "--date", "2026-07-01"],
    )  # fmt: skip
    assert (status, err) == (0, "")
    result = json.loads(out)
    assert result["channel"] == "tribunal-digital"
    assert result["court"] == "Tribunal de commerce d'Évry-Courcouronnes"
    assert result["date"] == "2026-07-01"
    assert result["documents"][0]["name"] == "requete-injonction-de-payer.pdf"
    assert len(result["documents"]) == 18  # request, bordereau, 15 exhibits, checklist
    assert (tmp_path / "set" / "bordereau-des-pieces.pdf").exists()


def test_file_by_registered_letter_prints_the_sending(
    capsys, judiciaire_zip, tmp_path, maileva_standin
):
    config = tmp_path / "maileva.json"
    config.write_text(json.dumps({**maileva_standin.sample_config(), **FAST}))
    signature = tmp_path / "signature.png"
    signature.write_bytes(signature_png())
    args = ["file", judiciaire_zip, "--channel", "registered-letter", "--provider", "maileva",
            "--provider-config", config, "--signature", signature,
            "--state-file", tmp_path / "state.json"]  # fmt: skip
    status, out, err = run(capsys, args)
    assert (status, err) == (0, "")
    result = json.loads(out)
    assert result["court"] == "Tribunal judiciaire de Paris"
    assert result["sending_reference"] == "DEPOT-IP-2026-0008-V1"
    assert result["sending_id"] in maileva_standin.sendings
    assert [d["role"] for d in result["documents"]][:3] == ["cover_letter", "request", "bordereau"]
    assert all(len(d["sha256"]) == 64 for d in result["documents"])
    # Again: the state file knows the sending, nothing is posted twice.
    status, again, _ = run(capsys, args)
    assert status == 0 and json.loads(again)["sending_id"] == result["sending_id"]
    assert stats(maileva_standin)["submitted"] == 1


def test_bad_input_exits_2_with_one_french_line(capsys, judiciaire_zip, tmp_path, maileva_standin):
    config = tmp_path / "maileva.json"
    config.write_text(json.dumps({**maileva_standin.sample_config(), **FAST}))
    status, out, err = run(
        capsys,
        ["file", judiciaire_zip, "--channel", "registered-letter", "--provider", "maileva",
         "--provider-config", config, "--state-file", tmp_path / "state.json"],
    )  # fmt: skip
    assert (status, out) == (2, "")
    assert err.count("\n") == 1
    assert "La requête doit être signée pour être déposée" in err
    status, out, err = run(
        capsys, ["file", tmp_path / "absent.zip", "--channel", "tribunal-digital", "--out", "x"]
    )
    assert (status, out) == (2, "")
    assert "Dossier « " in err and "absent.zip » introuvable." in err
    status, _, err = run(capsys, ["file", judiciaire_zip, "--channel", "tribunal-digital"])
    assert status == 2 and "Option --out manquante pour cette voie." in err
    status, _, err = run(
        capsys,
        ["file", judiciaire_zip, "--channel", "tribunal-digital", "--out", "x", "--date", "1/7"],
    )
    assert status == 2 and "'1/7' n'est pas une date (AAAA-MM-JJ)" in err
