"""``recouvrement timeline CASE_EVENTS.json``: French text, JSON, bad input exits 2."""

from __future__ import annotations

import json

import pytest

from recouvrement.cli import main

from .helpers import DATA

EXAMPLE = DATA / "case-events.json"


def test_text_names_the_state_the_events_each_deadline_and_its_rule(capsys):
    assert main(["timeline", str(EXAMPLE)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Affaire IP-2026-0007 au 1er décembre 2026 : ordonnance signifiée"
    assert "  10 septembre 2026    requête déposée au greffe" in lines
    assert (
        "  20 octobre 2026      ordonnance signifiée par SELARL Lemoine & Associés, "
        "commissaires de justice" in lines
    )
    deadlines = lines[lines.index("Délais") + 1 : lines.index("Frais") - 1]
    assert deadlines[0] == "  4 janvier 2027       signification de l'ordonnance (respecté)"
    assert (
        deadlines[1]
        .strip()
        .endswith(
            "le 1er janvier 2027 n'étant pas un jour ouvrable, le délai est prorogé au "
            "4 janvier 2027 (CPC 642)"
        )
    )
    assert deadlines[2] == "  20 novembre 2026     fin du délai d'opposition (écoulé)"
    assert deadlines[4] == "  22 décembre 2026     exécution possible (à venir)"
    assert lines[-2].startswith("  frais de commissaire de justice : signification de l'ordonnance")
    assert lines[-1] == "  Total" + " " * 64 + "78,59\xa0€"


def test_json_at_another_date(capsys):
    assert main(["timeline", str(EXAMPLE), "--json", "--as-of", "2026-12-22"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["state"] == "enforceable"
    assert data["state_text"] == "ordonnance exécutoire"
    assert data["order_void"] is False
    assert [(item["code"], item["date"], item["status"]) for item in data["deadlines"]] == [
        ("service", "2027-01-04", "met"),
        ("objection", "2026-11-20", "elapsed"),
        ("enforcement", "2026-12-22", "reached"),
    ]
    assert data["deadlines"][0]["unmoved"] == "2027-01-01"
    assert data["deadlines"][0]["moved"] is True
    assert data["costs"][1] == {
        "kind": "commissaire",
        "label": "frais de commissaire de justice : signification de l'ordonnance",
        "amount": "45.12",
    }
    assert data["total_costs"] == "78.59"


def write(tmp_path, data) -> str:
    path = tmp_path / "events.json"
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return str(path)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("{", "JSON invalide ligne 1, colonne 2"),
        ({"order": {"date": "2026-10-01", "decision": "granted"}}, "filed : date obligatoire"),
        ({"filed": "2026-09-31"}, "filed : '2026-09-31' n'est pas une date (AAAA-MM-JJ)"),
        ({"filed": "2026-09-10", "ordre": {}}, "fichier : clé inconnue 'ordre'"),
        (
            {"filed": "2026-09-10", "order": {"date": "2026-10-01", "decision": "oui"}},
            "order.decision : 'oui' : « granted » (accordée) ou « refused » (rejetée)",
        ),
        (
            {"filed": "2026-09-10", "costs": [{"kind": "registry", "amount": "33.475"}]},
            "costs[0].amount : le montant '33.475' a plus de deux décimales",
        ),
        (
            {
                "filed": "2026-09-10",
                "as_of": "2026-12-01",
                "order": {"date": "2026-10-01", "decision": "refused"},
                "service": {"date": "2026-10-20"},
            },
            "la requête a été rejetée le 1er octobre 2026 : il n'y a pas d'ordonnance à "
            "signifier (signification indiquée le 20 octobre 2026)",
        ),
    ],
)
def test_bad_input_exits_2_with_one_french_line(tmp_path, capsys, data, message):
    path = write(tmp_path, data)
    assert main(["timeline", path, "--as-of", "2026-12-01"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1
    assert captured.err.startswith("recouvrement timeline : erreur : ")
    assert message in captured.err


def test_missing_file_exits_2(tmp_path, capsys):
    assert main(["timeline", str(tmp_path / "absent.json")]) == 2
    assert "absent.json : fichier introuvable" in capsys.readouterr().err
