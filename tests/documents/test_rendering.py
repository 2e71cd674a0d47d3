"""Rendering with docxtpl in a sandboxed, XML-escaping, strict Jinja environment."""

from __future__ import annotations

import datetime
import doctest
import io
import zipfile
from decimal import Decimal

import pytest
from docx import Document
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jinja2.sandbox import SandboxedEnvironment

from recouvrement.documents import rendering
from recouvrement.documents.mentions import MissingMentionsError
from recouvrement.documents.rendering import (
    TemplateError,
    TemplateSecurityError,
    TemplateSyntaxError,
    UndefinedVariableError,
    default_template,
    letter_context,
    make_environment,
    render_docx,
    render_letter,
    template_variables,
)
from recouvrement.errors import RecouvrementError

from .conftest_letters import (
    b2b_context,
    docx_paragraphs,
    docx_table_cells,
    docx_text,
    make_template,
)

NAME_TEMPLATE = make_template("Débiteur : {{ debtor.name }}.")
TRICKY = "Dupont & Fils <SARL> « l'atelier » \"quoted\" 'x' </w:t></w:r> ]]> {{ x }} {_{ y }_} {%p"


def render_name(name: str) -> str:
    out = render_docx(NAME_TEMPLATE, {"debtor": {"name": name}})
    return Document(io.BytesIO(out)).paragraphs[0].text


def test_doctests():
    result = doctest.testmod(rendering)
    assert result.attempted >= 1
    assert result.failed == 0


def test_environment_is_sandboxed_autoescaping_and_strict():
    env = make_environment()
    assert isinstance(env, SandboxedEnvironment)
    assert env.autoescape is True
    assert "safe" not in env.filters
    assert "urlize" not in env.filters
    for name in ("date_fr", "euros", "euros_en_lettres", "percent_fr"):
        assert name in env.filters


def test_special_characters_render_exactly():
    assert render_name("Dupont & Fils <SARL>") == "Débiteur : Dupont & Fils <SARL>."
    assert render_name(TRICKY) == f"Débiteur : {TRICKY}."


def test_output_is_well_formed_xml():
    out = render_docx(NAME_TEMPLATE, {"debtor": {"name": TRICKY}})
    with zipfile.ZipFile(io.BytesIO(out)) as archive:
        xml = archive.read("word/document.xml").decode("utf-8")
    assert "Dupont &amp; Fils &lt;SARL&gt;" in xml
    assert "<SARL>" not in xml


def test_line_breaks_become_word_line_breaks():
    out = render_docx(NAME_TEMPLATE, {"debtor": {"name": "Ligne 1\nLigne 2\r\nLigne 3\rFin"}})
    assert Document(io.BytesIO(out)).paragraphs[0].text == (
        "Débiteur : Ligne 1\nLigne 2\nLigne 3\nFin."
    )
    with zipfile.ZipFile(io.BytesIO(out)) as archive:
        xml = archive.read("word/document.xml").decode("utf-8")
    assert xml.count("<w:br/>") == 3
    assert len(Document(io.BytesIO(out)).paragraphs) == 1  # breaks, not new paragraphs


def test_tabs_and_spaces_are_kept():
    assert render_name("  A\tB   C  ") == "Débiteur :   A\tB   C  ."


def test_characters_xml_cannot_hold_are_dropped():
    assert render_name("A\x00B\x07C\x1fD\ufffeE") == "Débiteur : ABCDE."
    assert render_name("A\x0bB") == "Débiteur : A\nB."  # Word's manual line break


def test_french_amounts_and_dates():
    template = make_template(
        "Le {{ date|date_fr }}, total {{ total|euros }} ({{ total|euros_en_lettres }}), "
        "taux {{ rate|percent_fr }}."
    )
    expected = (
        "Le 15 janvier 2026, total 1\u202f234,56\u00a0€ (mille deux cent trente-quatre "
        "euros et cinquante-six centimes), taux 12,15\u00a0%."
    )
    engine = {"date": datetime.date(2026, 1, 15), "total": Decimal("1234.56"),
              "rate": Decimal("12.15")}  # fmt: skip
    from_json = {"date": "2026-01-15", "total": "1234.56", "rate": "12.15"}
    for context in (engine, from_json):
        out = render_docx(template, context)
        assert docx_paragraphs(out)[0] == expected


def test_invoice_table_rows():
    template = make_template(
        "Factures :",
        table=[
            ["N°", "Date", "Reste dû"],
            ["{%tr for inv in invoices %}", "", ""],
            ["{{ inv.number }}", "{{ inv.date|date_courte }}", "{{ inv.balance|euros }}"],
            ["{%tr endfor %}", "", ""],
            ["Total", "", "{{ total|euros }}"],
        ],
    )
    context = {
        "invoices": [
            {"number": "F-1 <&>", "date": "2026-01-15", "balance": "10000"},
            {"number": "F-2", "date": datetime.date(2026, 2, 1), "balance": Decimal("0.5")},
        ],
        "total": "10000.50",
    }
    out = render_docx(template, context)
    assert docx_table_cells(out) == [
        [
            ["N°", "Date", "Reste dû"],
            ["F-1 <&>", "15/01/2026", "10\u202f000,00\u00a0€"],
            ["F-2", "01/02/2026", "0,50\u00a0€"],
            ["Total", "", "10\u202f000,50\u00a0€"],
        ]
    ]


def test_template_from_path(tmp_path):
    path = tmp_path / "lettre.docx"
    path.write_bytes(NAME_TEMPLATE)
    out = render_docx(path, {"debtor": {"name": "A & B"}})
    assert docx_paragraphs(out)[0] == "Débiteur : A & B."
    out = render_docx(str(path), {"debtor": {"name": "C"}})
    assert docx_paragraphs(out)[0] == "Débiteur : C."


def test_missing_or_broken_template_file(tmp_path):
    with pytest.raises(TemplateError, match="no such template file"):
        render_docx(tmp_path / "absent.docx", {})
    with pytest.raises(TemplateError, match=r"not a readable \.docx"):
        render_docx(b"not a zip", {}, name="cassé.docx")


def test_syntax_error_names_template_and_place():
    template = make_template("Bonjour", "Montant : {{ totals.total|euros }", "Fin")
    with pytest.raises(TemplateSyntaxError) as info:
        render_docx(template, {}, name="ma_lettre.docx")
    error = info.value
    assert isinstance(error, TemplateError)
    assert isinstance(error, RecouvrementError)
    assert error.template == "ma_lettre.docx"
    assert error.part == "body"
    # docxtpl joins the runs of an unclosed tag with what follows: the text starts there.
    assert error.near.startswith("Montant : {{ totals.total|euros }")
    message = str(error)
    assert message.startswith("template 'ma_lettre.docx', body, paragraph 2, near «")
    assert "syntax error: unexpected '}'" in message


def test_unclosed_block_is_a_syntax_error():
    template = make_template("{% if regime == 'b2b' %}", "texte")
    with pytest.raises(TemplateSyntaxError, match="endif"):
        render_docx(template, {"regime": "b2b"})


def test_unknown_filter_is_a_syntax_error():
    with pytest.raises(TemplateSyntaxError, match="No filter named 'safe'"):
        render_docx(make_template("{{ debtor.name|safe }}"), {"debtor": {"name": "x"}})


def test_undefined_variable_raises_with_its_name():
    template = make_template("Madame,", "Vous devez {{ totals.totl|euros }}.")
    with pytest.raises(UndefinedVariableError) as info:
        render_docx(template, {"totals": {"total": "10"}}, name="relance.docx")
    assert info.value.variable == "totl"
    assert "undefined variable 'totl'" in str(info.value)
    assert info.value.near == "Vous devez {{ totals.totl|euros }}."
    with pytest.raises(UndefinedVariableError, match="'deadline' is undefined") as info:
        render_docx(make_template("{{ deadline|date_fr }}"), {})
    assert info.value.variable == "deadline"


def test_undefined_in_a_condition_raises_too():
    with pytest.raises(UndefinedVariableError, match="'regme'"):
        render_docx(make_template("{% if regme == 'b2b' %}x{% endif %}"), {})


def test_null_value_printed_raises():
    with pytest.raises(TemplateError, match=r"null value \(None\)"):
        render_docx(make_template("Échéance : {{ deadline }}"), {"deadline": None})


def test_filter_failure_is_a_template_error():
    with pytest.raises(TemplateError, match="not a decimal number") as info:
        render_docx(make_template("{{ total|euros }}"), {"total": "douze"})
    assert info.value.near == "{{ total|euros }}"


@pytest.mark.parametrize(
    "payload",
    [
        "{{ ''.__class__ }}",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ debtor.__class__.__init__.__globals__ }}",
        "{{ cycler.__init__.__globals__.os }}",
        "{{ lipsum.__globals__['os'] }}",
        "{{ '{0.__class__}'.format(debtor) }}",
        "{{ invoices.append(1) }}",
        "{{ debtor.update({'name': 'x'}) }}",
        "{{ debtor.name.__len__() }}",
    ],
)
def test_sandbox_blocks_attribute_tricks(payload):
    context = {"debtor": {"name": "x"}, "invoices": []}
    with pytest.raises(TemplateSecurityError, match="blocked by the sandbox"):
        render_docx(make_template(payload), context)


def test_header_and_footer_are_rendered_and_escaped():
    doc = Document()
    doc.add_paragraph("Corps")
    doc.sections[0].header.paragraphs[0].add_run("{{ creditor.name }}")
    doc.sections[0].footer.paragraphs[0].add_run("{{ reference }}")
    buffer = io.BytesIO()
    doc.save(buffer)
    out = render_docx(buffer.getvalue(), {"creditor": {"name": "A & B <SA>"}, "reference": "R-1"})
    assert docx_paragraphs(out)[-2:] == ["A & B <SA>", "R-1"]


def test_errors_in_the_header_name_it():
    doc = Document()
    doc.sections[0].header.paragraphs[0].add_run("{{ creditor.nom }}")
    buffer = io.BytesIO()
    doc.save(buffer)
    with pytest.raises(UndefinedVariableError, match="header"):
        render_docx(buffer.getvalue(), {"creditor": {"name": "x"}})


def test_template_variables():
    template = make_template(
        "{{ debtor.name }} {{ totals.total|euros }}",
        "{% for inv in invoices %}{{ inv.number }}{% endfor %}",
    )
    assert template_variables(template) == {"debtor", "totals", "invoices"}
    with pytest.raises(TemplateSyntaxError):
        template_variables(make_template("{{ x "))


def test_default_template_paths():
    for kind in rendering.KINDS:
        assert default_template(kind).is_file()
    with pytest.raises(TemplateError, match="unknown kind"):
        default_template("commandement")


def test_letter_context_fills_optional_keys_without_touching_the_input():
    context = b2b_context()
    del context["collector"]
    del context["creditor"]["address"]["street2"]
    del context["invoices"][0]["paid"]
    filled = letter_context(context)
    assert filled["collector"] is None
    assert filled["creditor"]["address"]["street2"] is None
    assert filled["invoices"][0]["paid"] is None
    assert "collector" not in context
    assert "street2" not in context["creditor"]["address"]


def test_render_letter_checks_mentions_before_rendering(monkeypatch):
    calls = []
    monkeypatch.setattr(rendering, "render_docx", lambda *a, **k: calls.append(a))
    context = b2b_context()
    context["deadline"] = context["deadline_days"] = None
    context["legal_basis"] = ""
    with pytest.raises(MissingMentionsError) as info:
        render_letter("mise_en_demeure", context)
    assert info.value.missing == [
        "fondement juridique de la créance (legal_basis)",
        "délai de paiement (deadline ou deadline_days)",
    ]
    assert calls == []


def test_render_letter_with_kind_or_template():
    context = b2b_context("relance_courtoise")
    by_kind = render_letter("relance_courtoise", context)
    by_path = render_letter(default_template("relance_courtoise"), context)
    assert docx_text(by_kind) == docx_text(by_path)
    own = make_template("{{ debtor.name }} doit {{ totals.total|euros }}")
    assert docx_paragraphs(render_letter(own, context))[0] == (
        "Dupont & Fils <SARL> doit 11\u202f636,75\u00a0€"
    )


def test_render_letter_refuses_a_context_of_another_kind():
    with pytest.raises(TemplateError, match="not 'relance_ferme'"):
        render_letter("relance_ferme", b2b_context("mise_en_demeure"))


def test_render_letter_takes_the_kind_from_the_template_argument():
    context = b2b_context("relance_ferme")
    del context["kind"]
    assert "Relance" in docx_text(render_letter("relance_ferme", context))


# XML 1.0 cannot hold C0 controls (bar tab and line feed, added back explicitly), lone
# surrogates, U+FFFE and U+FFFF; everything else typed must come back unchanged.
names = st.text(
    alphabet=st.one_of(
        st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffe\uffff"),
        st.sampled_from(list("&<>\"'«»’\n\t {}%#_/\\;:€\u00a0\u202f")),
    ),
    max_size=60,
)


@settings(max_examples=75, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=names)
def test_any_debtor_name_renders_back_exactly(name):
    assert render_name(name) == f"Débiteur : {name}."
