"""Courts in the interface: a debtor whose court is not in the shipped list."""

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import RecouvrementCommon


@tagged("post_install", "-at_install")
class TestCourtsUi(RecouvrementCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.stephanois = cls._create_customer(
            "Forges Stéphanoises",
            is_company=True,
            siret="55210055400013",
            legal_form="SAS",
            street="10 rue de la Résistance",
            zip="42000",
            city="Saint-Étienne",
        )
        # Above 5 000 €: the engine proposes an injonction de payer, which needs a court.
        cls.create_invoice(cls.stephanois, 6000.0)

    def open_dossier(self):
        with self.freeze("2026-04-10"):
            return self.env["recouvrement.dossier"]._create_from_partner(self.stephanois)

    def test_unknown_court_opens_with_a_warning(self):
        dossier = self.open_dossier()
        self.assertEqual(dossier.procedure_proposed, "injonction_de_payer")
        self.assertFalse(dossier.court_name)
        self.assertEqual(
            dossier.warnings,
            "No Commercial court is known for 42000 Saint-Étienne: add it in Invoicing > "
            "Configuration > Collection > Courts (then click Compute), or name the court "
            "under Route and court in this dossier (Other court).",
        )
        self.assertAlmostEqual(dossier.amount_principal, 6000.0)

        self.env["recouvrement.court"].create(
            {
                "kind": "commerce",
                "departement": "42",
                "name": "Tribunal de commerce de Saint-Étienne",
                "street": "Place Chavanelle",
                "zip": "42000",
                "city": "Saint-Étienne",
                "source": "annuaire test",
            }
        )
        with self.freeze("2026-04-10"):
            dossier.action_refresh()
        self.assertEqual(dossier.court_name, "Tribunal de commerce de Saint-Étienne")
        self.assertEqual(dossier.court_kind, "commerce")
        self.assertEqual(dossier.court_address, "Place Chavanelle, 42000 Saint-Étienne")
        self.assertIn("département 42", dossier.court_matched)
        self.assertFalse(dossier.warnings)

    def test_court_rows_checked_by_the_engine(self):
        Court = self.env["recouvrement.court"]
        with self.assertRaises(ValidationError) as caught:
            Court.create({"kind": "commerce", "postal_code": "4200", "name": "TC"})
        self.assertIn(
            "« 4200 » n'est pas un code postal français (5 chiffres)", str(caught.exception)
        )
        Court.create({"kind": "commerce", "departement": "42", "name": "TC de Saint-Étienne"})
        with self.assertRaises(ValidationError) as caught:
            Court.create({"kind": "commerce", "departement": "42", "name": "TC bis"})
        self.assertIn("ligne 3 : même critère que", str(caught.exception))

    def test_court_rows_of_another_company_not_used(self):
        other = self.setup_other_company(name="Autre Créancière")["company"]
        self.env["recouvrement.court"].create(
            {"company_id": other.id, "kind": "commerce", "departement": "42", "name": "TC"}
        )
        dossier = self.open_dossier()
        self.assertFalse(dossier.court_name)
        self.assertIn("42000 Saint-Étienne", dossier.warnings)
