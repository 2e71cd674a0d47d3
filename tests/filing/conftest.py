"""Real dossiers for the filing tests (built once per session) and the provider stand-ins."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from recouvrement.delivery.ar24 import Ar24Client
from recouvrement.delivery.maileva import MailevaClient
from recouvrement.delivery.standins import Ar24Standin, MailevaStandin
from recouvrement.delivery.store import MemoryStateStore
from recouvrement.dossier import CourtTable, build_dossier
from recouvrement.law.rates import RateTable
from tests.delivery.conftest import FAST
from tests.dossier.helpers import case_data, consumer_case_data, make_case
from tests.dossier.test_procedure_documents import european_case_data, psrpc_case_data


@pytest.fixture(scope="session")
def shipped() -> dict:
    return {"rates": RateTable.load(user_file=None), "courts": CourtTable.load(user_file=None)}


def dossier_zip(converter, shipped, data, folder, name="dossier.zip"):
    dossier = build_dossier(make_case(data), converter, **shipped)
    return dossier.write(folder / name)


@pytest.fixture(scope="session")
def commercial_zip(converter, shipped, tmp_path_factory):
    """The example case: Transports Girard before the tribunal de commerce d'Évry."""
    return dossier_zip(converter, shipped, case_data(), tmp_path_factory.mktemp("commerce"))


@pytest.fixture(scope="session")
def judiciaire_zip(converter, shipped, tmp_path_factory):
    """A consumer in Paris: the tribunal judiciaire de Paris, whose address is verified."""
    folder = tmp_path_factory.mktemp("judiciaire")
    return dossier_zip(converter, shipped, consumer_case_data(), folder)


@pytest.fixture(scope="session")
def unverified_zip(converter, shipped, tmp_path_factory):
    """The consumer's dossier, before a court named without an address."""
    data = consumer_case_data()
    data["court"] = {"kind": "judiciaire", "name": "Tribunal judiciaire de Paris"}
    return dossier_zip(converter, shipped, data, tmp_path_factory.mktemp("unverified"))


@pytest.fixture(scope="session")
def psrpc_zip(converter, shipped, tmp_path_factory):
    return dossier_zip(converter, shipped, psrpc_case_data(), tmp_path_factory.mktemp("psrpc"))


@pytest.fixture(scope="session")
def european_zip(converter, shipped, tmp_path_factory):
    folder = tmp_path_factory.mktemp("european")
    return dossier_zip(converter, shipped, european_case_data(), folder)


@pytest.fixture
def maileva_standin():
    server = MailevaStandin().start()
    yield server
    server.stop()


@pytest.fixture
def ar24_standin():
    server = Ar24Standin().start()
    yield server
    server.stop()


@pytest.fixture
def maileva(maileva_standin):
    return MailevaClient({**maileva_standin.sample_config(), **FAST}, MemoryStateStore())


@pytest.fixture
def ar24(ar24_standin):
    return Ar24Client({**ar24_standin.sample_config(), **FAST}, MemoryStateStore())


def signature_png() -> bytes:
    """A dark scribble on a transparent background, as a scanned signature is cut out."""
    picture = Image.new("RGBA", (400, 120), (0, 0, 0, 0))
    for x in range(20, 380):
        y = 60 + int(30 * ((x % 80) - 40) / 40)
        for dy in range(3):
            picture.putpixel((x, y + dy), (10, 10, 80, 255))
    output = io.BytesIO()
    picture.save(output, "PNG")
    return output.getvalue()
