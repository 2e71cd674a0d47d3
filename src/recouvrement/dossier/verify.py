"""Check a dossier ZIP against its manifest: every hash, every size, nothing more, nothing less.

:func:`verify` returns the list of problems, one readable line each; an empty list means
the dossier is exactly what was exported. It checks that the ZIP opens, that
``manifest.xml`` is well-formed, valid against the shipped XSD and unchanged (its
integrity digest), that every file it lists is present once with the listed size and
SHA-256, that no other file is present, that the exhibits are numbered 1 to n, and that
the amounts of the manifest are those of ``decompte.json``.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections import Counter
from pathlib import Path

from lxml import etree

from ..messages import Message
from .manifest import INTEGRITY_ALGORITHM, MANIFEST_NAME, manifest_digest, ns, schema_problems
from .package import DECOMPTE_JSON


def verify(zip_path: Path | str) -> list[str]:
    """Every problem found in the dossier at ``zip_path``; ``[]`` when it is intact.

    Each problem is a :class:`~recouvrement.messages.Message`: French text, with a code.
    """
    try:
        archive = zipfile.ZipFile(zip_path)
    except (OSError, zipfile.BadZipFile) as error:
        return [
            Message.build(
                "zip_unreadable",
                "{path} : fichier ZIP illisible ({error})",
                path=zip_path,
                error=error,
            )
        ]
    with archive:
        names = [info.filename for info in archive.infolist()]
        problems = [
            Message.build(
                "file_duplicated",
                "{path} : présent {count} fois dans le ZIP",
                path=name,
                count=count,
            )
            for name, count in Counter(names).items()
            if count > 1
        ]
        if MANIFEST_NAME not in names:
            return [
                *problems,
                Message.build(
                    "manifest_missing",
                    "{path} absent : rien à quoi comparer le dossier",
                    path=MANIFEST_NAME,
                ),
            ]
        try:
            document = etree.fromstring(archive.read(MANIFEST_NAME)).getroottree()
        except etree.XMLSyntaxError as error:
            return [
                *problems,
                Message.build(
                    "manifest_not_xml",
                    "{path} n'est pas un XML bien formé : {error}",
                    path=MANIFEST_NAME,
                    error=error,
                ),
            ]
        problems += schema_problems(document)
        root = document.getroot()
        problems += _integrity(root)
        listed = root.findall(f"{ns('files')}/{ns('file')}")
        for entry in listed:
            problems += _file(archive, names, entry)
        listed_paths = {entry.get("path") for entry in listed}
        problems += [
            Message.build(
                "file_not_listed",
                "{path} : dans le ZIP mais absent du manifeste",
                path=name,
            )
            for name in dict.fromkeys(names)
            if name != MANIFEST_NAME and name not in listed_paths
        ]
        problems += _numbering(listed)
        if DECOMPTE_JSON in listed_paths and DECOMPTE_JSON in names:
            problems += _amounts(root, archive.read(DECOMPTE_JSON))
    return problems


def _integrity(root) -> list[str]:
    element = root.find(ns("integrity"))
    if element is None or element.get("algorithm") != INTEGRITY_ALGORITHM:
        return [
            Message.build(
                "manifest_digest_missing",
                "{path} : pas d'empreinte d'intégrité {algorithm}",
                path=MANIFEST_NAME,
                algorithm=INTEGRITY_ALGORITHM,
            )
        ]
    if (element.text or "").strip() != manifest_digest(root):
        return [
            Message.build(
                "manifest_changed",
                "{path} : modifié après l'export (son empreinte d'intégrité ne correspond pas)",
                path=MANIFEST_NAME,
            )
        ]
    return []


def _file(archive: zipfile.ZipFile, names: list[str], entry) -> list[str]:
    path = entry.get("path") or "?"
    if path not in names:
        return [
            Message.build(
                "file_missing",
                "{path} : listé dans le manifeste mais absent du ZIP",
                path=path,
            )
        ]
    data = archive.read(path)
    problems = []
    if str(len(data)) != entry.get("size"):
        problems.append(
            Message.build(
                "file_size_differs",
                "{path} : {size} octets, le manifeste en annonce {listed}",
                path=path,
                size=len(data),
                listed=entry.get("size") or "",
            )
        )
    if hashlib.sha256(data).hexdigest() != entry.get("sha256"):
        problems.append(
            Message.build(
                "file_changed",
                "{path} : SHA-256 différent de celui du manifeste (le fichier a été modifié)",
                path=path,
            )
        )
    return problems


def _numbering(listed) -> list[str]:
    numbers = [int(e.get("exhibit")) for e in listed if (e.get("exhibit") or "").isdigit()]
    if sorted(numbers) != list(range(1, len(numbers) + 1)):
        return [
            Message.build(
                "exhibits_numbering",
                "les pièces ne sont pas numérotées de 1 à {count} : {numbers}",
                count=len(numbers),
                numbers=sorted(numbers),
            )
        ]
    return []


def _amounts(root, data: bytes) -> list[str]:
    try:
        decompte = json.loads(data)
    except ValueError:
        return [Message.build("decompte_not_json", "{path} : JSON invalide", path=DECOMPTE_JSON)]
    amounts = root.find(ns("amounts"))
    if amounts is None:
        return []
    problems = []
    for key in ("principal", "interest", "indemnity", "total"):
        written = amounts.findtext(ns(key))
        if written != decompte.get(key):
            problems.append(
                Message.build(
                    "amount_differs",
                    "montants : {key} vaut {listed} dans le manifeste mais {written} dans {path}",
                    key=key,
                    listed=written or "",
                    written=decompte.get(key) or "",
                    path=DECOMPTE_JSON,
                )
            )
    if amounts.get("asOf") != decompte.get("as_of"):
        problems.append(
            Message.build(
                "as_of_differs",
                "montants : la date d'arrêté diffère de celle de {path}",
                path=DECOMPTE_JSON,
            )
        )
    return problems
