"""The NF Z10-011 address block shared by the letters and the registered-letter providers."""

import pytest

from recouvrement.postal_address import (
    AddressError,
    Party,
    address_lines,
    country_code,
    provider_lines,
)


def test_company_with_every_line_in_nf_z10_011_order():
    party = Party(
        name="SAS Transports Girard",
        attention="Service comptabilité fournisseurs",
        street2="Bâtiment C, ZI des Béthunes",
        street="14 avenue du Fief",
        locality="BP 70123",
        zip="95310",
        city="Saint-Ouen-l'Aumône",
    )
    assert address_lines(party) == (
        "SAS Transports Girard",
        "Service comptabilité fournisseurs",
        "Bâtiment C, ZI des Béthunes",
        "14 avenue du Fief",
        "BP 70123",
        "95310 SAINT-OUEN-L'AUMONE",
    )


def test_provider_lines_keep_six_positions_with_the_empty_ones():
    party = Party(name="Jean Martin", street="3 rue Neuve", zip="75011", city="Paris")
    assert provider_lines(party) == ["Jean Martin", "", "", "3 rue Neuve", "", "75011 PARIS"]
    assert address_lines(party) == ("Jean Martin", "3 rue Neuve", "75011 PARIS")


def test_cedex_town_line_is_kept_as_written_in_capitals():
    party = Party(name="Banque X", street="1 place Bellecour", zip="69441", city="Lyon Cedex 03")
    assert provider_lines(party)[5] == "69441 LYON CEDEX 03"


def test_abroad_adds_the_country_name_in_french_capitals():
    party = Party(name="Anna Rossi", street="Via Roma 10", zip="00184", city="Roma", country="it")
    assert address_lines(party)[-2:] == ("00184 ROMA", "ITALIE")
    assert len(provider_lines(party)) == 6
    assert country_code(party) == "IT"


def test_foreign_postcode_need_not_have_five_digits():
    party = Party(name="A", street="Rue Haute 1", zip="1000", city="Bruxelles", country="BE")
    assert address_lines(party)[-2:] == ("1000 BRUXELLES", "BELGIQUE")


def test_a_line_too_long_is_an_error_naming_the_line_and_its_length():
    street = "12 boulevard du Maréchal de Lattre de Tassigny"
    party = Party(name="Martin", street=street, zip="69002", city="Lyon")
    with pytest.raises(AddressError) as error:
        provider_lines(party)
    assert str(error.value) == (
        f"Ligne 4 de l'adresse (« {street} ») : {len(street)} caractères, 38 au plus."
    )


def test_a_line_of_exactly_38_characters_fits():
    name = "N" * 38
    assert address_lines(Party(name=name, street="1 rue A", zip="75001", city="Paris"))[0] == name


def test_the_town_line_counts_too():
    party = Party(name="Martin", street="1 rue A", zip="12345", city="V" * 33)
    with pytest.raises(AddressError, match=r"^Ligne 6 de l'adresse .*: 39 caractères, 38 au plus"):
        address_lines(party)


@pytest.mark.parametrize("postcode", ["6900", "690020", "69 002", "2A004"])
def test_french_postcode_must_be_five_digits(postcode):
    party = Party(name="Martin", street="1 rue A", zip=postcode, city="Lyon")
    with pytest.raises(AddressError, match="5 chiffres attendus pour la France"):
        provider_lines(party)


def test_missing_postcode_or_city_is_named():
    with pytest.raises(AddressError, match="le code postal manque"):
        provider_lines(Party(name="Martin", street="1 rue A", zip=" ", city="Lyon"))
    with pytest.raises(AddressError, match="la ville manque"):
        provider_lines(Party(name="Martin", street="1 rue A", zip="69002", city=""))


def test_unknown_country_is_an_error():
    party = Party(name="Martin", street="1 rue A", zip="1", city="X", country="XX")
    with pytest.raises(AddressError, match="Pays « XX » inconnu"):
        address_lines(party)


def test_from_mapping_reads_the_recipient_json_keys_and_cleans_spaces():
    party = Party.from_mapping(
        {
            "name": "  SARL   Dupont ",
            "attention": "Mme Dupont",
            "street": "12 rue de la République",
            "street2": "",
            "zip": "69002",
            "city": "Lyon",
            "email": "ignored@example.org",
        }
    )
    assert party == Party(
        name="SARL Dupont",
        attention="Mme Dupont",
        street="12 rue de la République",
        zip="69002",
        city="Lyon",
    )


def test_from_mapping_names_the_missing_field():
    with pytest.raises(AddressError, match=r"^Adresse incomplète : la ville manque\.$"):
        Party.from_mapping({"name": "Martin", "street": "1 rue A", "zip": "69002"})


def test_from_mapping_rejects_a_value_that_is_not_text():
    with pytest.raises(AddressError, match="« zip » doit être du texte"):
        Party.from_mapping({"name": "Martin", "street": "1 rue A", "zip": 69002, "city": "Lyon"})


def test_from_mapping_rejects_something_that_is_not_an_object():
    with pytest.raises(AddressError, match="objet JSON"):
        Party.from_mapping(["Martin"])
