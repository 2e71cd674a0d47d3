"""Reading a case file: the ledger's format plus what a dossier needs."""

from __future__ import annotations

import json

import pytest

from recouvrement.dossier import CaseFileError, CourtKind, Procedure, load_case
from recouvrement.errors import RecouvrementError

from .helpers import CASE_FILE, DATA, case_data, make_case


def test_the_example_case_reads():
    case = load_case(CASE_FILE)
    assert case.reference == "IP-2026-0007"
    assert case.debtor.name == "Transports Girard"
    assert case.creditor.representative == "Claire Durand, présidente"
    assert case.signatory.place == "Lyon"
    assert len(case.exhibits) == 9
    assert case.exhibits[1].invoice == "FA-2026-0014"
    assert case.exhibits[1].pdf == (DATA / "factures/FA-2026-0014.pdf").read_bytes()
    assert case.flags.trial_if_opposed is True
    assert case.flags.debtor_is_trader is None


def test_court_procedure_and_overrides_are_read():
    data = case_data()
    data["court"] = {"kind": "commerce", "name": "Tribunal de commerce d'Évry", "zip": "91000"}
    data["procedure"] = "injonction_de_payer"
    data["overrides"] = {"no_formal_notice": "raison"}
    case = make_case(data)
    assert case.court.kind is CourtKind.COMMERCE
    assert case.court.matched == "case file test case"
    assert case.procedure is Procedure.INJONCTION
    assert case.overrides == {"no_formal_notice": "raison"}


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda d: d.update(debtors=[]), "unknown keys debtors"),
        (lambda d: d.update(format="v2"), "is not 'recouvrement-case/1'"),
        (lambda d: d.pop("debtor"), "debtor must be an object"),
        (lambda d: d["debtor"].pop("key"), "missing key 'key'"),
        (lambda d: d.update(as_of="30/06/2026"), "as_of: '30/06/2026' is not a date"),
        (lambda d: d["flags"].update(trial="yes"), "unknown flags trial"),
        (lambda d: d["flags"].update(insolvency="yes"), "flags.insolvency must be true or"),
        (lambda d: d["exhibits"].append({"kind": "photo", "file": "cgv.pdf"}), "kind 'photo'"),
        (lambda d: d["exhibits"].append({"kind": "other", "file": "cgv.pdf"}), "needs a title"),
        (lambda d: d["exhibits"].append({"kind": "cgv", "file": "nope.pdf"}), "cannot read"),
        (lambda d: d["exhibits"].append({"kind": "cgv", "file": "case.json"}), "not a readable"),
        (lambda d: d["exhibits"].append({"kind": "invoice", "file": "cgv.pdf"}), "names its inv"),
        (lambda d: d.update(signatory={"title": "x"}), "signatory needs at least a name"),
        (lambda d: d.update(court={"name": "X"}), "court needs a kind and a name"),
        (lambda d: d.update(procedure="référé"), "procédure « référé » inconnue"),
    ],
)
def test_a_bad_case_file_is_a_clear_error(change, problem):
    data = case_data()
    change(data)
    with pytest.raises(RecouvrementError, match=problem) as error:
        make_case(data)
    assert "\n" not in str(error.value)


def test_unreadable_case_files(tmp_path):
    with pytest.raises(CaseFileError, match="cannot read the case file"):
        load_case(tmp_path / "missing.json")
    broken = tmp_path / "case.json"
    broken.write_text("{", encoding="utf-8")
    with pytest.raises(CaseFileError, match="not valid JSON"):
        load_case(broken)
    broken.write_text(json.dumps([1]), encoding="utf-8")
    with pytest.raises(CaseFileError, match="must be a JSON object"):
        load_case(broken)
