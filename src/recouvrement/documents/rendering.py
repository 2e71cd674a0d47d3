"""Render letters from DOCX templates with docxtpl, safely.

docxtpl's own Jinja environment neither escapes XML nor sandboxes: a debtor named
``Dupont & Fils <SARL>`` breaks or silently truncates the document, and a template can
reach Python internals. Here every template is rendered in a sandboxed Jinja environment
(:class:`jinja2.sandbox.ImmutableSandboxedEnvironment`) that:

- escapes every printed value for XML, so ``&``, ``<``, ``>`` and quotes come out exactly
  as typed; a line break (``\\n``) in a value becomes a real line break in Word, a tab a
  real tab (docxtpl turns them into ``<w:br/>`` and ``<w:tab/>`` after rendering);
- raises on an undefined variable (a letter with a silently blank amount is worse than
  an error) and on printing a null value, naming the variable and the text around it;
- blocks attribute tricks such as ``{{ ''.__class__ }}`` and any change to the context;
- has the French filters of :mod:`recouvrement.documents.filters`, and lacks ``safe``
  and ``urlize``, which would let raw XML into the document.

Every failure is a :class:`TemplateError` naming the template, the part of the document
(body, header, footer) and the text near the faulty tag.

:func:`render_letter` is the entry point for letters: it checks the mandatory mentions
first (:func:`recouvrement.documents.mentions.check_mentions`) so that nothing is rendered
when one is missing, fills the optional keys of the context with ``None``, then renders
the default template of the letter's kind or the one given.
"""

from __future__ import annotations

import collections
import copy
import functools
import io
import re
import threading
from collections.abc import Callable, Mapping
from decimal import Decimal
from importlib import resources
from os import PathLike
from pathlib import Path
from typing import Any

import jinja2
from docxtpl import DocxTemplate
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError
from markupsafe import Markup, escape

from ..errors import RecouvrementError
from .filters import FILTERS, to_decimal
from .mentions import KINDS, check_mentions

__all__ = [
    "KINDS",
    "TemplateError",
    "TemplateSecurityError",
    "TemplateSyntaxError",
    "UndefinedVariableError",
    "default_template",
    "letter_context",
    "make_environment",
    "render_docx",
    "render_letter",
    "template_variables",
]

TemplateSource = str | PathLike | bytes
"""A template: a path to a .docx file, or its content as bytes."""


class TemplateError(RecouvrementError):
    """A template cannot be rendered; the message names the template and the place.

    Attributes: ``template`` (its name), ``part`` ("body", "header", "footer", …),
    ``line`` (the line of the part's XML as Jinja counts it, one paragraph a line after
    the first, table cells included; or None) and ``near`` (the visible text of that
    paragraph, or None).
    """

    def __init__(
        self,
        problem: str,
        template: str = "<template>",
        part: str | None = None,
        line: int | None = None,
        near: str | None = None,
    ):
        self.problem = problem
        self.template = template
        self.part = part
        self.line = line
        self.near = near
        where = f"template {template!r}"
        if part:
            where += f", {part}"
        if line is not None and line > 1:
            # docxtpl puts one <w:p> per line after the part's opening tag.
            where += f", paragraph {line - 1}"
        if near:
            where += f", near «\u00a0{near}\u00a0»"
        super().__init__(f"{where}: {problem}")


class TemplateSyntaxError(TemplateError):
    """The template is not valid Jinja (unclosed tag, unknown filter, …)."""


class UndefinedVariableError(TemplateError):
    """The template uses a variable (or key) that the context does not have.

    ``variable`` holds its name (the last part of a dotted name).
    """

    def __init__(self, problem: str, variable: str | None = None, **where: Any):
        self.variable = variable
        super().__init__(problem, **where)


class TemplateSecurityError(TemplateError):
    """The sandbox blocked an unsafe operation (private attribute, context change, …)."""


class _UndefinedValue(jinja2.UndefinedError):
    """Internal: an undefined variable, carrying its name up to :func:`render_docx`."""

    def __init__(self, message: str, name: str | None):
        super().__init__(message)
        self.name = name


class _StrictUndefined(jinja2.StrictUndefined):
    """StrictUndefined that remembers the missing name, and keeps sandbox errors."""

    __slots__ = ()

    def _fail_with_undefined_error(self, *args: Any, **kwargs: Any):
        if self._undefined_exception is not jinja2.UndefinedError:
            raise self._undefined_exception(self._undefined_message)
        raise _UndefinedValue(self._undefined_message, self._undefined_name)


# Undefined binds its special methods (__str__, __bool__, __add__, …) to the base
# class's _fail_with_undefined_error when the class is created: point them at ours.
for _name, _value in {**vars(jinja2.Undefined), **vars(jinja2.StrictUndefined)}.items():
    if _value is jinja2.Undefined._fail_with_undefined_error:
        setattr(_StrictUndefined, _name, _StrictUndefined._fail_with_undefined_error)
del _name, _value


class _NullValue(jinja2.TemplateRuntimeError):
    """Internal: a template printed a null (None) value."""


# Characters XML 1.0 cannot hold: C0 controls but tab, line feed and carriage return;
# lone surrogates; U+FFFE and U+FFFF. U+000B (Word's manual line break when text is
# copied out of Word) is kept as a line break.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _finalize(value: Any) -> Any:
    """Turn a printed value into XML-safe text.

    Objects that already carry markup (docxtpl's ``RichText`` and ``Listing``) pass
    through. Anything else is converted to text, line endings are normalised to ``\\n``
    (which docxtpl turns into a Word line break), characters XML cannot hold are dropped,
    and ``&``, ``<``, ``>``, quotes and braces are escaped as character references (the
    braces so that docxtpl's post-processing of ``{_{`` and the like cannot alter data).
    """
    if value is None:
        raise _NullValue("a null value (None) is printed; guard optional values with {% if … %}")
    if hasattr(value, "__html__"):
        return value
    text = str(value)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x0b", "\n")
    text = _XML_ILLEGAL.sub("", text)
    text = str(escape(text)).replace("{", "&#123;").replace("}", "&#125;")
    return Markup(text)


def _strict_filter(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    """A filter that refuses an undefined or null value before running."""

    @functools.wraps(func)
    def strict(value: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(value, jinja2.Undefined):
            value._fail_with_undefined_error()
        if value is None:
            raise _NullValue(
                f"a null value (None) is given to the filter {name!r}; guard optional "
                "values with {% if … %}"
            )
        return func(value, *args, **kwargs)

    return strict


class _Sandbox(ImmutableSandboxedEnvironment):
    """The sandbox, keeping the last compiled templates: docxtpl compiles each part of the
    document (body, headers, footers, properties) on every render, and compiling costs
    more than rendering. Compiled templates are immutable and safe to share."""

    cache_size = 64

    def __init__(self, **options: Any):
        super().__init__(**options)
        self._compiled: collections.OrderedDict[str, jinja2.Template] = collections.OrderedDict()
        self._lock = threading.Lock()

    def from_string(self, source, globals=None, template_class=None):
        if globals is not None or template_class is not None or not isinstance(source, str):
            return super().from_string(source, globals, template_class)
        with self._lock:
            template = self._compiled.get(source)
            if template is not None:
                self._compiled.move_to_end(source)
                return template
        template = super().from_string(source)
        with self._lock:
            self._compiled[source] = template
            while len(self._compiled) > self.cache_size:
                self._compiled.popitem(last=False)
        return template


def make_environment() -> ImmutableSandboxedEnvironment:
    """Build the sandboxed, XML-escaping, strict Jinja environment used for templates.

    A fresh one each call; :func:`render_docx` shares a cached one unless given its own
    (for instance one with extra filters).
    """
    env = _Sandbox(
        autoescape=True,
        undefined=_StrictUndefined,
        finalize=_finalize,
    )
    for unsafe in ("safe", "urlize"):
        env.filters.pop(unsafe, None)
    env.filters.update({name: _strict_filter(name, func) for name, func in FILTERS.items()})
    return env


@functools.lru_cache(maxsize=1)
def _default_environment() -> ImmutableSandboxedEnvironment:
    return make_environment()


_PART_NAMES = (
    ("/word/document.xml", "body"),
    ("/word/header", "header"),
    ("/word/footer", "footer"),
    ("/word/footnotes", "footnotes"),
)


def _part_label(part: Any) -> str | None:
    name = str(getattr(part, "partname", "") or "")
    for prefix, label in _PART_NAMES:
        if name.startswith(prefix):
            return label
    return name or None


def _template_line(exc: BaseException) -> int | None:
    """The template line where a runtime error happened (Jinja rewrites tracebacks)."""
    line = None
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _text_near(src_xml: str, line: int | None) -> str | None:
    """The visible text of a line of the template's XML (one paragraph per line)."""
    if line is None:
        return None
    lines = re.sub(r"<w:p([ >])", r"\n<w:p\1", src_xml).splitlines()
    if not 1 <= line <= len(lines):
        return None
    text = re.sub(r"<[^>]+>", "", lines[line - 1])
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&").strip()
    if len(text) > 120:
        text = text[:117] + "…"
    return text or None


class _SafeDocxTemplate(DocxTemplate):
    """DocxTemplate that reports errors with their place, and preserves spaces."""

    template_name = "<template>"

    def patch_xml(self, src_xml: str) -> str:
        src_xml = super().patch_xml(src_xml)
        # Keep leading, trailing and repeated spaces of rendered values visible in Word.
        return re.sub(r"<w:t>", '<w:t xml:space="preserve">', src_xml)

    def render_xml_part(self, src_xml, part, context, jinja_env=None):
        where = {"template": self.template_name, "part": _part_label(part)}
        try:
            return super().render_xml_part(src_xml, part, context, jinja_env)
        except jinja2.TemplateSyntaxError as exc:
            raise TemplateSyntaxError(
                f"syntax error: {exc.message}",
                line=exc.lineno,
                near=_text_near(src_xml, exc.lineno),
                **where,
            ) from exc
        except SecurityError as exc:
            line = _template_line(exc)
            raise TemplateSecurityError(
                f"blocked by the sandbox: {exc}",
                line=line,
                near=_text_near(src_xml, line),
                **where,
            ) from exc
        except _UndefinedValue as exc:
            line = _template_line(exc)
            raise UndefinedVariableError(
                f"undefined variable {exc.name!r} ({exc.message})" if exc.name else exc.message,
                variable=exc.name,
                line=line,
                near=_text_near(src_xml, line),
                **where,
            ) from exc
        except TemplateError:
            raise
        except Exception as exc:  # a filter's ValueError, a null value, a bad comparison…
            line = _template_line(exc)
            problem = str(exc) if isinstance(exc, _NullValue) else f"{type(exc).__name__}: {exc}"
            raise TemplateError(
                problem,
                line=line,
                near=_text_near(src_xml, line),
                **where,
            ) from exc


def _open(template: TemplateSource, name: str | None) -> _SafeDocxTemplate:
    if isinstance(template, (bytes, bytearray)):
        doc = _SafeDocxTemplate(io.BytesIO(bytes(template)))
        doc.template_name = name or "<bytes>"
    else:
        path = Path(template)
        if not path.is_file():
            raise TemplateError("no such template file", template=str(path))
        doc = _SafeDocxTemplate(str(path))
        doc.template_name = name or path.name
    try:
        doc.init_docx()
    except Exception as exc:
        raise TemplateError(
            f"not a readable .docx file ({type(exc).__name__}: {exc})",
            template=doc.template_name,
        ) from exc
    return doc


def render_docx(
    template: TemplateSource,
    context: Mapping[str, Any],
    *,
    name: str | None = None,
    environment: jinja2.Environment | None = None,
) -> bytes:
    """Render a DOCX template with a context and return the produced document's bytes.

    ``template`` is a path or the file's bytes; ``name`` names it in error messages
    (default: the file name). This does not check mandatory mentions: letters go through
    :func:`render_letter`, or call ``check_mentions(context)`` first.

    Raises :class:`TemplateError` (or a subclass) when the template is unreadable, has a
    syntax error, uses an undefined variable, prints a null value or breaks the sandbox.
    """
    doc = _open(template, name)
    env = environment if environment is not None else _default_environment()
    doc.render(dict(context), jinja_env=env, autoescape=False)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def template_variables(template: TemplateSource, *, name: str | None = None) -> set[str]:
    """The top-level variables a template uses (``{"creditor", "invoices", …}``).

    Cheap: it parses the template without rendering it; a syntax error raises
    :class:`TemplateSyntaxError`.
    """
    doc = _open(template, name)
    try:
        return set(doc.get_undeclared_template_variables(jinja_env=_default_environment()))
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateSyntaxError(
            f"syntax error: {exc.message}", template=doc.template_name, line=exc.lineno
        ) from exc


def default_template(kind: str) -> Path:
    """The path of the default template shipped for a kind of letter.

    >>> default_template("mise_en_demeure").name
    'mise_en_demeure.docx'
    """
    if kind not in KINDS:
        raise TemplateError(f"unknown kind of letter; use one of {', '.join(KINDS)}", kind)
    return Path(str(resources.files(__package__) / "templates" / f"{kind}.docx"))


_PARTY_KEYS = (
    "name", "legal_form", "siren", "email", "phone", "iban", "bic", "representative",
    "civility", "rcs_city", "share_capital",
)  # fmt: skip
_ADDRESS_KEYS = ("street", "street2", "zip", "city", "country", "locality")
_INVOICE_KEYS = ("due_date", "paid", "credited", "days_late", "interest", "indemnity")
_INVOICE_FLAGS = ("disputed",)
_TOTALS_KEYS = ("interest", "indemnity", "daily_amount")
_TOP_LEVEL_DEFAULTS: dict[str, Any] = {
    "first_letter": None,
    "collector": None,
    "movements": [],
    "decompte": None,
    "deadline": None,
    "deadline_days": None,
    "next_step": None,
    "l111_8_text": None,
    "registered_channel": None,
    "gdpr": None,
    "payment_plan": None,
    "disputed_total": "0.00",
    "signatory": None,
}


def statement_balances(movements: list) -> tuple[list, dict]:
    """A statement's lines, each with the running balance after it, and its totals
    (debits, credits, the balance they leave), in the order given.

    >>> lines, totals = statement_balances([{"debit": "100.00", "credit": None},
    ...                                     {"debit": None, "credit": "30.00"}])
    >>> [line["balance"] for line in lines], totals["balance"]
    (['100.00', '70.00'], '70.00')
    """
    balance = debit = credit = Decimal(0)
    lines = []
    for line in movements:
        if not isinstance(line, Mapping):
            lines.append(line)
            continue
        line_debit = to_decimal(line["debit"]) if line.get("debit") is not None else Decimal(0)
        line_credit = to_decimal(line["credit"]) if line.get("credit") is not None else Decimal(0)
        debit, credit = debit + line_debit, credit + line_credit
        balance += line_debit - line_credit
        lines.append({**line, "balance": f"{balance:.2f}"})
    totals = {"debit": f"{debit:.2f}", "credit": f"{credit:.2f}", "balance": f"{balance:.2f}"}
    return lines, totals


def letter_context(context: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of a letter context where every optional key exists (``None`` if absent).

    Templates are strict: they can test ``{% if debtor.address.street2 %}`` only if the
    key exists. This fills the documented optional keys (parties' street2, email, phone,
    IBAN…, invoices' payments, the nullable top-level keys) and leaves the rest alone.
    """
    ctx = copy.deepcopy(dict(context))
    for key, default in _TOP_LEVEL_DEFAULTS.items():
        ctx.setdefault(key, copy.copy(default))
    for party in ("creditor", "collector", "debtor"):
        data = ctx.get(party)
        if isinstance(data, dict):
            for key in _PARTY_KEYS:
                data.setdefault(key, None)
            if party == "debtor":
                data.setdefault("is_company", ctx.get("regime") != "b2c")
            address = data.setdefault("address", {})
            if isinstance(address, dict):
                for key in _ADDRESS_KEYS:
                    address.setdefault(key, None)
    for invoice in ctx.get("invoices") or ():
        if isinstance(invoice, dict):
            for key in _INVOICE_KEYS:
                invoice.setdefault(key, None)
            for key in _INVOICE_FLAGS:
                invoice.setdefault(key, False)
    if isinstance(ctx.get("movements"), list) and "movement_totals" not in ctx:
        ctx["movements"], ctx["movement_totals"] = statement_balances(ctx["movements"])
    if isinstance(ctx.get("totals"), dict):
        for key in _TOTALS_KEYS:
            ctx["totals"].setdefault(key, None)
    if isinstance(ctx.get("signatory"), dict):
        ctx["signatory"].setdefault("title", None)
    return ctx


def render_letter(
    template: TemplateSource,
    context: Mapping[str, Any],
    *,
    environment: jinja2.Environment | None = None,
) -> bytes:
    """Check the mandatory mentions, then render a letter; nothing is rendered if one lacks.

    ``template`` is a kind of letter (``"mise_en_demeure"``: its default template) or a
    template path or bytes. The mentions are checked for ``context["kind"]`` (or for the
    kind given as ``template`` when the context has none).

    Raises :class:`~recouvrement.documents.mentions.MissingMentionsError` listing every
    missing mention, or :class:`TemplateError` when rendering fails.
    """
    ctx = dict(context)
    if isinstance(template, str) and template in KINDS:
        if ctx.get("kind") is None:
            ctx["kind"] = template
        elif ctx["kind"] != template:
            raise TemplateError(
                f"the context is for a {ctx['kind']!r} letter, not {template!r}", template
            )
        path: TemplateSource = default_template(template)
    else:
        path = template
    check_mentions(ctx)
    return render_docx(path, letter_context(ctx), environment=environment)
