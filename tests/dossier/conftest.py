"""Fixtures of the dossier tests: the shipped tables and the example dossier."""

from __future__ import annotations

import pytest

from recouvrement.dossier import CourtTable, build_dossier, load_case
from recouvrement.law.rates import RateTable

from .helpers import CASE_FILE


@pytest.fixture(scope="session")
def shipped() -> dict:
    """The shipped rates and court list only, whatever the user has in ~/.config."""
    return {"rates": RateTable.load(user_file=None), "courts": CourtTable.load(user_file=None)}


@pytest.fixture(scope="session")
def example(converter, shipped):
    """The example case's dossier (tests/dossier/data/case.json), built once."""
    return build_dossier(load_case(CASE_FILE), converter, **shipped)


@pytest.fixture(scope="session")
def example_zip(example, tmp_path_factory):
    return example.write(tmp_path_factory.mktemp("dossier") / "dossier.zip")
