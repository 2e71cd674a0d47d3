"""The ``dossier`` and ``verify`` commands, end to end on the example case."""

from __future__ import annotations

import argparse
import shutil

import pytest

from recouvrement.dossier import DossierExists, DossierRefused
from recouvrement.dossier.commands import add_commands

from .helpers import DATA, rewrite_zip


def parse(*argv: str):
    """The arguments as the ``recouvrement`` command line parses them."""
    parser = argparse.ArgumentParser(prog="recouvrement")
    parser.add_argument("--version", action="version", version="recouvrement test")
    parser.add_argument("--rates", default=None)
    add_commands(parser.add_subparsers(dest="command", required=True), argparse.ArgumentParser)
    return parser.parse_args(argv)


@pytest.fixture(autouse=True)
def no_user_files(monkeypatch, tmp_path):
    """Only the shipped rates and court list, whatever ~/.config holds."""
    monkeypatch.setenv("RECOUVREMENT_RATES", str(tmp_path / "no-rates.csv"))
    monkeypatch.setenv("RECOUVREMENT_COURTS", str(tmp_path / "no-courts.csv"))


@pytest.fixture(scope="module")
def case_folder(tmp_path_factory):
    """The example case copied elsewhere: exhibit paths are relative to the case file."""
    folder = tmp_path_factory.mktemp("case") / "case"
    shutil.copytree(DATA, folder)
    return folder


def test_dossier_then_verify_end_to_end(case_folder, tmp_path, capsys):
    out = tmp_path / "dossier-GIRARD.zip"
    args = parse("dossier", str(case_folder / "case.json"), "--out", str(out), "--version", "1")
    assert args.run(args) == 0  # its own LibreOffice, as from the shell
    printed = capsys.readouterr().out.splitlines()
    assert printed[0].startswith(f"{out} écrit : injonction de payer, Tribunal de commerce")
    assert "IP-2026-0007 version 1" in printed[0]
    assert "15 pièces" in printed[0]
    assert printed[1].startswith("attention : l'appel téléphonique TEL-2026-0040 du 8 avril")

    args = parse("verify", str(out))
    assert args.run(args) == 0
    assert (
        capsys.readouterr().out == f"{out} : conforme, chaque fichier correspond à son manifeste\n"
    )

    tampered = tmp_path / "tampered.zip"
    tampered.write_bytes(rewrite_zip(out.read_bytes(), {"decompte.json": b"{}"}, {"x.pdf": b""}))
    args = parse("verify", str(tampered))
    assert args.run(args) == 1
    lines = capsys.readouterr().out.splitlines()
    assert "x.pdf : dans le ZIP mais absent du manifeste" in lines
    assert any(line.startswith("decompte.json : SHA-256 différent") for line in lines)

    args = parse("dossier", str(case_folder / "case.json"), "--out", str(out), "--version", "2")
    with pytest.raises(DossierExists, match="jamais modifié"):
        args.run(args, converter=_Unused())  # refused before anything is built


class _Unused:
    def convert_many(self, documents):
        raise AssertionError("not reached")


def test_a_refused_dossier_is_one_line_with_status_2(case_folder, tmp_path):
    out = tmp_path / "d.zip"
    args = parse("dossier", str(case_folder / "case.json"), "--out", str(out), "--as-of",
                 "2026-05-01")  # fmt: skip
    with pytest.raises(DossierRefused) as error:
        args.run(args, converter=_Unused())
    assert error.value.exit_status == 2
    assert "\n" not in str(error.value)
    assert not out.exists()


def test_arguments_are_checked():
    for argv in (
        ("dossier", "case.json"),  # --out is required
        ("dossier", "case.json", "--out", "d.zip", "--version", "0"),
        ("dossier", "case.json", "--out", "d.zip", "--as-of", "30/06/2026"),
        ("dossier", "case.json", "--out", "d.zip", "--override-no-notice", " "),
    ):
        with pytest.raises(SystemExit):
            parse(*argv)
    args = parse("dossier", "c.json", "--out", "d.zip", "--override-no-notice", "débiteur parti")
    assert args.override_no_notice == "débiteur parti"
    assert args.version == 1  # the dossier's --version, not the program's
    assert parse("dossier", "c.json", "--out", "d.zip", "--version", "3").version == 3
