"""CPCE L100: an LRE to a consumer only with recorded consent."""

from datetime import date

import pytest

from recouvrement.delivery.errors import ConsentRequired
from recouvrement.law.registered_letter import Channel, channel_for, check_lre_allowed, lre_allowed

CONSENT = date(2026, 1, 5)


@pytest.mark.parametrize(
    ("is_consumer", "consent", "allowed"),
    [(False, None, True), (True, CONSENT, True), (True, None, False), (None, None, False)],
)
def test_lre_allowed(is_consumer, consent, allowed):
    assert lre_allowed(is_consumer, consent) is allowed
    expected = Channel.LRE if allowed else Channel.LRAR
    assert channel_for(is_consumer, consent, Channel.LRE) is expected


def test_paper_stays_paper():
    assert channel_for(False, None, Channel.LRAR) is Channel.LRAR


def test_check_names_the_recipient_and_the_article():
    with pytest.raises(ConsentRequired) as error:
        check_lre_allowed("Jean Martin", True, None)
    assert "« Jean Martin »" in str(error.value)
    assert "art. L100 du code des postes et des communications électroniques" in str(error.value)
