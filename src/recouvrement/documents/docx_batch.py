"""Several DOCX letters as one DOCX, so that LibreOffice converts them in one go.

Most of a one-by-one conversion goes into LibreOffice importing each document's
stylesheet, theme and settings (the bundled templates carry 800 kB of styles), not into its
few pages. Letters rendered from the same template share those parts byte for byte, so
`merge` keeps one copy of them and puts every letter's body after the other, each in its
own section: its own page setup, headers and footers (renamed parts), page numbers
restarted at 1, starting on a new page. A bookmark ends each letter: the PDF export turns
it into a named destination, which gives the letter's last page (`letter_ends`), and the
letter's ``NUMPAGES`` fields become ``PAGEREF`` to it, the number of that last page, that
is the letter's own page count. (A bookmark at the start of a letter would not do: after
a section break, LibreOffice moves it to the end of the previous paragraph.)

Only what can be merged exactly is merged (`Letter.parse` raises `NotBatchable`
otherwise): the parts other than the body, its headers, footers and images must be the
same bytes across the batch (`Letter.key`); one section per letter; no footnotes,
comments, embedded objects, and no field but ``PAGE`` and ``NUMPAGES``, whose values
depend on the whole document. Each letter ends a section, the last one too (an empty
closing page follows, left out by `page_ranges`), and its last paragraph keeps with
nothing, as at the end of a document of its own.

Even so, LibreOffice 7.4's layout of a letter depends a little on what precedes it: on
the bundled letters, after some letters, a "keep with next" chain at a page's foot is
broken in the batch and kept whole alone. The office reports such pages
(`PdfConverter.convert_merged`) and `pdf_pool` converts those letters again, alone.
"""

from __future__ import annotations

import copy
import hashlib
import io
import posixpath
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field

from lxml import etree
from pypdf import PdfReader, PdfWriter

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
CONTENT_TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
DOCUMENT = "word/document.xml"
DOCUMENT_RELS = "word/_rels/document.xml.rels"

# Relationship types (last segment) of the parts every letter of a batch must share. Word
# writes footnotes and endnotes parts even without notes (their separators): shared, they
# are harmless, and a letter that refers to a note is refused.
SHARED = {
    "styles",
    "stylesWithEffects",
    "settings",
    "webSettings",
    "fontTable",
    "theme",
    "numbering",
    "customXml",
    "footnotes",
    "endnotes",
    "glossaryDocument",
}
# Parts each letter keeps as its own, renamed in the merged document.
OWN = {"header", "footer", "image", "hyperlink"}
ALLOWED_FIELDS = {"PAGE", "NUMPAGES"}

_NS = {"w": W, "r": R}
_FIELD_NAME = re.compile(r"\s*(\S+)")


class NotBatchable(ValueError):
    """This document cannot be merged with others without changing its PDF."""


def _w(name: str) -> str:
    return f"{{{W}}}{name}"


def end_bookmark(number: int) -> str:
    """The bookmark (and PDF named destination) where letter `number` ends."""
    return f"RecouvrementLetter{number}End"


@dataclass
class _Part:
    """A part a letter owns: its name, bytes, content type, and its own relationships."""

    name: str
    data: bytes
    content_type: str | None
    rels: bytes | None = None
    media: dict[str, bytes] = field(default_factory=dict)  # what its relationships point to


@dataclass
class Letter:
    """One DOCX, parsed enough to be merged; `key` is the same for letters that can be."""

    source: zipfile.ZipFile
    body: etree._Element
    root: etree._Element
    rels: list[etree._Element]
    parts: dict[str, _Part] = field(default_factory=dict)  # by relationship id
    owned: set[str] = field(default_factory=set)  # the names of those parts, rels, media
    key: str = ""

    @classmethod
    def parse(cls, docx: bytes) -> Letter:
        """Read a DOCX; `NotBatchable` if it is not one or has what `merge` cannot keep."""
        try:
            source = zipfile.ZipFile(io.BytesIO(docx))
            root = etree.fromstring(source.read(DOCUMENT))
            rels = etree.fromstring(source.read(DOCUMENT_RELS))
            types = etree.fromstring(source.read("[Content_Types].xml"))
        except (zipfile.BadZipFile, KeyError, etree.XMLSyntaxError) as error:
            raise NotBatchable(f"not a DOCX package: {error}") from None
        body = root.find(_w("body"))
        if body is None or body[-1].tag != _w("sectPr") or body.find(_w("p")) is None:
            raise NotBatchable("no body with paragraphs and its section")
        if body.find(".//w:pPr/w:sectPr", _NS) is not None:
            raise NotBatchable("more than one section")
        if len(body) < 2 or body[-2].tag != _w("p"):
            raise NotBatchable("the body does not end with a paragraph")
        letter = cls(source, body, root, list(rels))
        letter._check_fields(root)
        try:
            letter.key = letter._read_parts(types)
        except (KeyError, etree.XMLSyntaxError) as error:
            raise NotBatchable(f"a missing or unreadable part: {error}") from None
        return letter

    def _read_parts(self, types: etree._Element) -> str:
        """Collect the own parts; return a digest of everything that must be shared."""
        overrides = {
            o.get("PartName").lstrip("/"): o.get("ContentType")
            for o in types
            if o.tag == f"{{{CONTENT_TYPES}}}Override"
        }
        digest = hashlib.sha256()
        digest.update(etree.tostring(types, method="c14n"))
        start_tag = etree.tostring(self.root, method="c14n").split(b">", 1)[0]
        digest.update(start_tag)
        for rel in sorted(self.rels, key=lambda r: r.get("Id")):
            kind = rel.get("Type").rsplit("/", 1)[-1]
            if rel.get("TargetMode") == "External":
                if kind != "hyperlink":
                    raise NotBatchable(f"external {kind} relationship")
                continue
            name = _resolve(DOCUMENT, rel.get("Target"))
            if kind in SHARED:
                digest.update(f"{rel.get('Id')} {kind} {name}".encode())
                digest.update(hashlib.sha256(self.source.read(name)).digest())
            elif kind in OWN:
                self.parts[rel.get("Id")] = self._own_part(name, overrides)
            else:
                raise NotBatchable(f"a {kind} part")
        return digest.hexdigest()

    def _own_part(self, name: str, overrides: dict[str, str]) -> _Part:
        data = self.source.read(name)
        rels_name = _rels_name(name)
        rels = self.source.read(rels_name) if rels_name in self.source.namelist() else None
        part = _Part(name, data, overrides.get(name), rels)
        self.owned |= {name, rels_name}
        for rel in etree.fromstring(rels) if rels is not None else ():
            kind = rel.get("Type").rsplit("/", 1)[-1]
            if rel.get("TargetMode") == "External" and kind == "hyperlink":
                continue
            if kind != "image" or rel.get("TargetMode") == "External":
                raise NotBatchable(f"a {kind} in {name}")
            media = _resolve(name, rel.get("Target"))
            part.media[media] = self.source.read(media)
            self.owned.add(media)
        if name.endswith(".xml"):
            self._check_fields(etree.fromstring(data))
        return part

    @staticmethod
    def _check_fields(root: etree._Element) -> None:
        """Refuse fields whose value depends on the rest of the document."""
        instructions = [f.get(_w("instr")) for f in root.iter(_w("fldSimple"))]
        instructions += [t.text or "" for t in root.iter(_w("instrText"))]
        for instruction in instructions:
            match = _FIELD_NAME.match(instruction)
            if match and match.group(1).upper() not in ALLOWED_FIELDS:
                raise NotBatchable(f"a {match.group(1)} field")
        if next(root.iter(_w("footnoteReference"), _w("endnoteReference")), None) is not None:
            raise NotBatchable("footnotes")


def merge(letters: Sequence[Letter]) -> bytes:
    """One DOCX with `letters` (of the same `key`) one after the other, each on new pages."""
    if len({letter.key for letter in letters}) != 1:
        raise ValueError("only letters of the same key can be merged")
    first = letters[0]
    root = copy.deepcopy(first.root)
    body = root.find(_w("body"))
    body.clear()
    rels = etree.Element(f"{{{PACKAGE_RELS}}}Relationships", nsmap={None: PACKAGE_RELS})
    rels.extend(copy.deepcopy(r) for r in first.rels if r.get("Type").rsplit("/", 1)[-1] in SHARED)
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as target:
        overrides = []
        for number, letter in enumerate(letters):
            ids = _copy_own_parts(letter, number, target, rels, overrides)
            _append_body(body, letter, number, ids)
        body.extend(_closing_section(body))
        for name in first.source.namelist():
            if name == "[Content_Types].xml":
                target.writestr(name, _content_types(first.source.read(name), overrides))
            elif name not in (DOCUMENT, DOCUMENT_RELS) and name not in first.owned:
                target.writestr(name, first.source.read(name))
        target.writestr(DOCUMENT, etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
        target.writestr(DOCUMENT_RELS, etree.tostring(rels, xml_declaration=True, encoding="UTF-8"))
    return output.getvalue()


def _resolve(source: str, target: str) -> str:
    """The part name a relationship of part `source` points to."""
    return posixpath.normpath(posixpath.join(posixpath.dirname(source), target))


def _copy_own_parts(
    letter: Letter,
    number: int,
    target: zipfile.ZipFile,
    rels: etree._Element,
    overrides: list[tuple[str, str]],
) -> dict[str, str]:
    """Write the letter's own parts under new names; return its old → new relationship ids."""
    prefix = f"l{number}-"
    ids = {}
    for old_id, part in letter.parts.items():
        new_id = f"rL{number}{old_id}"
        ids[old_id] = new_id
        name = _renamed(part.name, prefix)
        data = part.data
        if name.endswith(".xml"):
            data = _rewrite_page_counts(data, number)
        target.writestr(name, data)
        if part.content_type:
            overrides.append((name, part.content_type))
        if part.rels is not None:
            target.writestr(_rels_name(name), _renamed_targets(part.rels, prefix))
        for media, content in part.media.items():
            renamed = _renamed(media, prefix)
            if renamed not in target.namelist():
                target.writestr(renamed, content)
        (rel,) = (r for r in letter.rels if r.get("Id") == old_id)
        rel = copy.deepcopy(rel)
        rel.set("Id", new_id)
        rel.set("Target", _renamed(rel.get("Target"), prefix))
        rels.append(rel)
    for rel in letter.rels:  # external hyperlinks: no part, a new id
        if rel.get("TargetMode") == "External":
            ids[rel.get("Id")] = f"rL{number}{rel.get('Id')}"
            rel = copy.deepcopy(rel)
            rel.set("Id", ids[rel.get("Id")])
            rels.append(rel)
    return ids


def _renamed(name: str, prefix: str) -> str:
    folder, base = posixpath.split(name)
    return posixpath.join(folder, prefix + base)


def _rels_name(name: str) -> str:
    folder, base = posixpath.split(name)
    return posixpath.join(folder, "_rels", base + ".rels")


def _renamed_targets(rels: bytes, prefix: str) -> bytes:
    """A part's relationships, pointing to its renamed media."""
    root = etree.fromstring(rels)
    for rel in root:
        if rel.get("TargetMode") != "External":
            rel.set("Target", _renamed(rel.get("Target"), prefix))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _content_types(data: bytes, overrides: list[tuple[str, str]]) -> bytes:
    types = etree.fromstring(data)
    for name, content_type in overrides:
        etree.SubElement(
            types,
            f"{{{CONTENT_TYPES}}}Override",
            PartName="/" + name,
            ContentType=content_type,
        )
    return etree.tostring(types, xml_declaration=True, encoding="UTF-8")


def _rewrite_page_counts(data: bytes, number: int) -> bytes:
    """``NUMPAGES`` → ``PAGEREF`` to the letter's end bookmark, in a header or footer."""
    if b"NUMPAGES" not in data:
        return data
    root = etree.fromstring(data)
    _page_refs(root, number)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _page_refs(root: etree._Element, number: int) -> None:
    replacement = f" PAGEREF {end_bookmark(number)} "
    for simple in root.iter(_w("fldSimple")):
        instruction = simple.get(_w("instr"))
        simple.set(_w("instr"), re.sub(r"^\s*NUMPAGES\s*", replacement, instruction, flags=re.I))
    for text in root.iter(_w("instrText")):
        text.text = re.sub(r"^\s*NUMPAGES\s*", replacement, text.text or "", flags=re.I)


def _append_body(body: etree._Element, letter: Letter, number: int, ids: dict[str, str]) -> None:
    """Copy the letter's body into `body`, as its own section framed by two bookmarks."""
    content = copy.deepcopy(letter.body)
    section = content[-1]
    for element in content.iter():
        for name, value in element.attrib.items():
            if name.startswith(f"{{{R}}}") and value in ids:
                element.set(name, ids[value])
        if element.tag in (_w("bookmarkStart"), _w("bookmarkEnd")):
            element.set(_w("id"), f"{number}{element.get(_w('id'))}")
    _page_refs(content, number)
    _restart_section(section)
    paragraphs = content.findall(_w("p"))
    bookmark = {_w("id"): f"9{number}0", _w("name"): end_bookmark(number)}
    paragraphs[-1].extend(
        [
            etree.Element(_w("bookmarkStart"), bookmark),
            etree.Element(_w("bookmarkEnd"), {_w("id"): bookmark[_w("id")]}),
        ]
    )
    content.remove(section)
    properties = paragraphs[-1].find(_w("pPr"))
    if properties is None:
        properties = etree.Element(_w("pPr"))
        paragraphs[-1].insert(0, properties)
    _end_keep_chain(properties)
    properties.append(section)
    body.extend(list(content))


def _end_keep_chain(properties: etree._Element) -> None:
    """The letter's last paragraph keeps with nothing, as at the end of a document.

    Its style may say "keep with next" (the templates' signature lines do): alone, nothing
    follows; merged, LibreOffice would chain it to the next letter's first lines, and lay
    out the end of the next letter differently.
    """
    keep = properties.find(_w("keepNext"))
    if keep is None:
        keep = etree.Element(_w("keepNext"))
        style = properties.find(_w("pStyle"))
        properties.insert(0 if style is None else 1, keep)
    keep.set(_w("val"), "0")


def _closing_section(body: etree._Element) -> list[etree._Element]:
    """An empty last page after the letters, which `split` leaves out.

    Every letter then ends with a section break, as each but the last would anyway: as the
    document's last section, a letter is laid out differently from the same letter alone
    (LibreOffice 7.4 let a chain of keep-with-next paragraphs at its end split over two
    pages, which it does not alone).
    """
    section = copy.deepcopy(body[-1].find("w:pPr/w:sectPr", _NS))
    for reference in section.findall(_w("headerReference")) + section.findall(
        _w("footerReference")
    ):
        section.remove(reference)
    return [etree.Element(_w("p")), section]


def _restart_section(section: etree._Element) -> None:
    """The letter's section starts a new page numbered 1, as a document of its own does."""
    kind = section.find(_w("type"))
    if kind is not None:
        section.remove(kind)
    numbering = section.find(_w("pgNumType"))
    if numbering is None:
        numbering = etree.Element(_w("pgNumType"))
        columns = section.find(_w("cols"))
        if columns is not None:
            columns.addprevious(numbering)
        else:
            section.append(numbering)
    if numbering.get(_w("start")) is None:
        numbering.set(_w("start"), "1")


def letter_ends(pdf: bytes, count: int) -> list[int]:
    """The page index where each of `count` letters ends, from the named destinations."""
    reader = PdfReader(io.BytesIO(pdf))
    destinations = reader.named_destinations
    ends = []
    for number in range(count):
        destination = destinations.get("/" + end_bookmark(number))
        if destination is None:
            raise ValueError(f"letter {number} has no destination in the batch PDF")
        ends.append(reader.get_destination_page_number(destination))
    return ends


def page_ranges(pdf: bytes, count: int) -> list[range]:
    """The pages (indexes) of each of `count` letters in the batch PDF, from where each ends.

    `ValueError` if the destinations do not cut the PDF into `count` non-empty ranges
    followed by the closing page(s).
    """
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    ends = [end + 1 for end in letter_ends(pdf, count)]
    starts = [0, *ends[:-1]]
    if ends[-1] >= pages or any(end <= start for start, end in zip(starts, ends, strict=True)):
        raise ValueError(f"letters out of order in the batch PDF: they end on pages {ends}")
    return [range(start, end) for start, end in zip(starts, ends, strict=True)]


def split(pdf: bytes, ranges: Sequence[range]) -> list[bytes]:
    """One PDF per range of pages of `pdf`."""
    reader = PdfReader(io.BytesIO(pdf))
    pdfs = []
    for pages in ranges:
        writer = PdfWriter()
        for index in pages:
            writer.add_page(reader.pages[index])
        output = io.BytesIO()
        writer.write(output)
        pdfs.append(output.getvalue())
    return pdfs
