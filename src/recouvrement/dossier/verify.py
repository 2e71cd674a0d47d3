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

from .manifest import INTEGRITY_ALGORITHM, MANIFEST_NAME, manifest_digest, ns, schema_problems
from .package import DECOMPTE_JSON


def verify(zip_path: Path | str) -> list[str]:
    """Every problem found in the dossier at ``zip_path``; ``[]`` when it is intact."""
    try:
        archive = zipfile.ZipFile(zip_path)
    except (OSError, zipfile.BadZipFile) as error:
        return [f"{zip_path}: not a readable ZIP file ({error})"]
    with archive:
        names = [info.filename for info in archive.infolist()]
        problems = [
            f"{name}: present {count} times in the ZIP"
            for name, count in Counter(names).items()
            if count > 1
        ]
        if MANIFEST_NAME not in names:
            return [*problems, f"{MANIFEST_NAME} is missing: nothing to verify against"]
        try:
            document = etree.fromstring(archive.read(MANIFEST_NAME)).getroottree()
        except etree.XMLSyntaxError as error:
            return [*problems, f"{MANIFEST_NAME} is not well-formed XML: {error}"]
        problems += schema_problems(document)
        root = document.getroot()
        problems += _integrity(root)
        listed = root.findall(f"{ns('files')}/{ns('file')}")
        for entry in listed:
            problems += _file(archive, names, entry)
        listed_paths = {entry.get("path") for entry in listed}
        problems += [
            f"{name}: in the ZIP but not listed in the manifest"
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
        return [f"{MANIFEST_NAME}: no {INTEGRITY_ALGORITHM} integrity digest"]
    if (element.text or "").strip() != manifest_digest(root):
        return [f"{MANIFEST_NAME}: changed after export (its integrity digest does not match)"]
    return []


def _file(archive: zipfile.ZipFile, names: list[str], entry) -> list[str]:
    path = entry.get("path") or "?"
    if path not in names:
        return [f"{path}: listed in the manifest but missing from the ZIP"]
    data = archive.read(path)
    problems = []
    if str(len(data)) != entry.get("size"):
        problems.append(f"{path}: size {len(data)} bytes, the manifest says {entry.get('size')}")
    if hashlib.sha256(data).hexdigest() != entry.get("sha256"):
        problems.append(f"{path}: SHA-256 differs from the manifest (the file was changed)")
    return problems


def _numbering(listed) -> list[str]:
    numbers = [int(e.get("exhibit")) for e in listed if (e.get("exhibit") or "").isdigit()]
    if sorted(numbers) != list(range(1, len(numbers) + 1)):
        return [f"exhibits are not numbered 1 to {len(numbers)}: {sorted(numbers)}"]
    return []


def _amounts(root, data: bytes) -> list[str]:
    try:
        decompte = json.loads(data)
    except ValueError:
        return [f"{DECOMPTE_JSON}: not valid JSON"]
    amounts = root.find(ns("amounts"))
    if amounts is None:
        return []
    problems = []
    for key in ("principal", "interest", "indemnity", "total"):
        written = amounts.findtext(ns(key))
        if written != decompte.get(key):
            problems.append(
                f"amounts: {key} is {written} in the manifest but {decompte.get(key)} in "
                f"{DECOMPTE_JSON}"
            )
    if amounts.get("asOf") != decompte.get("as_of"):
        problems.append(f"amounts: the as-of date differs from {DECOMPTE_JSON}")
    return problems
