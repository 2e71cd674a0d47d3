"""Filing an exported dossier on real Odoo: the Tribunal Digital set; the registered letter
to the registry and the European order's form A through the Maileva stand-in; the
commissaire de justice by LRE through the AR24 stand-in, or the ZIP handed over. All on
127.0.0.1; the providers' proofs become the evidence."""

import base64
import hashlib
import io
import json
import urllib.request
import zipfile
from datetime import date
from zoneinfo import ZoneInfo

from lxml import etree
from PIL import Image
from pypdf import PdfReader
from pypdf.generic import ContentStream

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, HttpCase, new_test_user, tagged

from recouvrement.delivery.standins import start_standin
from recouvrement.dossier.manifest import ns
from recouvrement.filing import read_dossier

from .test_dossier import DossierCommon

PARIS = ZoneInfo("Europe/Paris")


def signature_png():
    picture = Image.new("RGB", (300, 90), "white")
    for x in range(10, 290):
        picture.putpixel((x, 45 + (x % 30) - 15), (0, 0, 90))
    out = io.BytesIO()
    picture.save(out, "PNG")
    return out.getvalue()


SIGNATURE = base64.b64encode(signature_png())  # as the form's binary widget sends it


def drawn_images(page):
    """Images the page's own content draws (merged pages share their resources)."""
    count = 0
    xobjects = page["/Resources"].get("/XObject", {})
    for operands, operator in ContentStream(page.get_contents(), page.pdf).operations:
        if operator != b"Do":
            continue
        drawn = xobjects[operands[0]].get_object()
        if drawn["/Subtype"] == "/Image":
            count += 1
        else:  # a form: the stamp's page, which draws the signature
            inner = drawn.get("/Resources", {}).get("/XObject", {})
            count += sum(
                inner[name[0]].get_object()["/Subtype"] == "/Image"
                for name, op in ContentStream(drawn, None).operations
                if op == b"Do"
            )
    return count


def section_images(pdf, title):
    """How many images the pages of the merged PDF's ``title`` bookmark draw."""
    reader = PdfReader(io.BytesIO(pdf))
    starts = [(item.title, reader.get_destination_page_number(item)) for item in reader.outline]
    index = [name for name, _ in starts].index(title)
    end = starts[index + 1][1] if index + 1 < len(starts) else len(reader.pages)
    return sum(drawn_images(reader.pages[page]) for page in range(starts[index][1], end))


def pdf_images(pdf):
    return sum(drawn_images(page) for page in PdfReader(io.BytesIO(pdf)).pages)


@tagged("post_install", "-at_install")
class TestDossierFiling(DossierCommon, HttpCase):
    def setUp(self):
        super().setUp()
        self.send_formal_notice()
        # The provider account comes after the mise en demeure, posted by hand above.
        self.standin = start_standin("maileva", port=0)
        self.addCleanup(self.standin.stop)
        config = self.standin.sample_config()
        self.account = self.env["recouvrement.registered.provider"].create(
            {
                "company_id": self.company.id,
                "provider": "maileva",
                "api_url": config["api_url"],
                "auth_url": config["auth_url"],
                "client_id": config["client_id"],
                "client_secret": config["client_secret"],
                "username": config["username"],
                "password": config["password"],
            }
        )

    def export_dossier(self, procedure="injonction_de_payer", **values):
        """The debtor's dossier for ``procedure``, exported (version 1)."""
        with self.freeze("2026-04-10"):
            self.dossier = self.open_dossier(self.b2b)
        self.dossier.write({"procedure": procedure, **values})
        self.dossier.action_ready()
        self.dossier.action_export()
        self.export = self.dossier.export_ids
        return read_dossier(self.export.attachment_id.raw)

    def ar24_account(self):
        self.ar24 = start_standin("ar24", port=0)
        self.addCleanup(self.ar24.stop)
        config = self.ar24.sample_config()
        return self.env["recouvrement.registered.provider"].create(
            {
                "company_id": self.company.id,
                "provider": "ar24",
                "api_url": config["api_url"],
                "api_token": config["token"],
                "private_key": config["private_key"],
                "account_user_id": config["user_id"],
            }
        )

    def commissaire(self):
        return self.env["res.partner"].create(
            {
                "name": "Maître Hélène Roux",
                "email": "etude.roux@commissaires.example",
                "street": "8 rue de la Charité",
                "zip": "69002",
                "city": "Lyon",
            }
        )

    def filing_of(self, action):
        return self.env["recouvrement.dossier.filing"].browse(action["res_id"])

    def wizard(self, user=None, **values):
        dossier = self.dossier.with_user(user) if user else self.dossier
        action = dossier.action_open_file_wizard()
        form = Form(self.env[action["res_model"]].with_user(user or self.env.user).with_context(
            action["context"]
        ))  # fmt: skip
        for name, value in values.items():
            setattr(form, name, value)
        return form.save()

    def stats(self):
        with urllib.request.urlopen(f"{self.standin.url}/_standin/stats", timeout=10) as reply:
            return json.load(reply)

    def manifest_hashes(self):
        with zipfile.ZipFile(io.BytesIO(self.export.attachment_id.raw)) as archive:
            root = etree.fromstring(archive.read("manifest.xml"))
        return {
            entry.get("path").rsplit("/", 1)[-1]: entry.get("sha256")
            for entry in root.iter(ns("file"))
        }

    def test_a_commercial_court_gets_the_tribunal_digital_set(self):
        self.export_dossier()
        wizard = self.wizard(self.legal)
        self.assertEqual(wizard.court_name, "Tribunal des activités économiques de Paris")
        self.assertEqual(wizard.channel, "tribunal_digital")
        self.assertEqual(wizard.export_id, self.export)
        action = wizard.action_file()
        filing = self.env["recouvrement.dossier.filing"].browse(action["res_id"])
        self.assertEqual(filing.state, "prepared")
        self.assertEqual(filing.dossier_id, self.dossier)
        self.assertEqual(filing.court_name, "Tribunal des activités économiques de Paris")
        self.assertEqual(self.dossier.filing_count, 1)
        self.assertEqual(self.dossier.state, "exported")  # not filed before the upload

        with zipfile.ZipFile(io.BytesIO(filing.upload_set_id.raw)) as archive:
            names = archive.namelist()
            contents = {name: archive.read(name) for name in names}
        self.assertEqual(names[:2], ["requete-injonction-de-payer.pdf", "bordereau-des-pieces.pdf"])
        self.assertTrue(names[2].startswith("01-conditions-generales-de-vente"))
        self.assertEqual(names[-1], "liste-de-depot-tribunal-digital.pdf")
        hashes = self.manifest_hashes()
        for name in names[:-1]:
            self.assertEqual(hashlib.sha256(contents[name]).hexdigest(), hashes[name])
        documents = json.loads(filing.documents)
        self.assertEqual([d["name"] for d in documents], names)

        # The portal's reference is typed in, then the dossier is filed.
        as_legal = filing.with_user(self.legal)
        with self.assertRaises(UserError):
            as_legal.action_mark_uploaded()
        as_legal.reference = "TD-2026-000123"
        with self.freeze("2026-04-14"):
            as_legal.action_mark_uploaded()
        self.assertEqual(filing.state, "filed")
        self.assertEqual(self.dossier.state, "filed")
        self.assertEqual(self.dossier.filed_date, date(2026, 4, 14))
        self.assertEqual(self.stats()["sendings"], 0)

    def test_filing_by_post_keeps_the_provider_s_proofs_as_evidence(self):
        self.export_dossier()
        wizard = self.wizard(self.legal, channel="registered_letter", signature_image=SIGNATURE)
        self.assertEqual(wizard.provider_id, self.account)
        action = wizard.action_file()
        filing = self.env["recouvrement.dossier.filing"].browse(action["res_id"])
        self.assertEqual(filing.state, "submitted")
        self.assertEqual(filing.provider_id, self.account)
        self.assertEqual(filing.sending_reference, f"DEPOT-{self.dossier.name}-V1")
        self.assertTrue(filing.sending_id)
        self.assertEqual(
            filing.recipient_address,
            "Greffe du Tribunal des activités – économiques de Paris – 1 quai de la Corse – "
            "75198 Paris Cedex 04",
        )
        stats = self.stats()
        self.assertEqual(stats["submitted_per_reference"], {filing.sending_reference: 1})
        (received,) = self.standin.received[filing.sending_id]
        documents = json.loads(filing.documents)
        self.assertEqual(
            [d["role"] for d in documents][:3], ["cover_letter", "request", "bordereau"]
        )
        self.assertEqual(documents[-1]["sha256"], hashlib.sha256(received).hexdigest())
        hashes = self.manifest_hashes()
        for document in documents:
            if document["role"] in ("bordereau", "exhibit"):
                self.assertEqual(document["sha256"], hashes[document["name"]])
        self.assertEqual(self.dossier.state, "filed")
        self.assertFalse(filing.evidence_ids)

        # The letter moves; the registered letters' poll re-reads the filing too.
        self.standin.advance(filing.sending_id, 5)
        self.env["recouvrement.communication"]._cron_poll_registered_letters()
        self.assertEqual(filing.state, "delivered")
        self.assertTrue(filing.reference)  # the registered number
        self.assertEqual(filing.evidence_kinds, "acknowledgment,deposit")
        self.assertEqual(len(filing.evidence_ids), 2)
        for proof in filing.evidence_ids:
            self.assertEqual((proof.res_model, proof.res_id), (filing._name, filing.id))
            self.assertTrue(proof.raw.startswith(b"%PDF-"))
            self.assertEqual(proof.description, f"SHA-256: {hashlib.sha256(proof.raw).hexdigest()}")
        deposit = filing.evidence_ids.filtered(lambda a: a.name == "preuve-de-depot.pdf")
        self.assertTrue(deposit)
        # Refreshing again adds nothing; filing again sends nothing.
        filing.with_user(self.legal).action_refresh()
        self.assertEqual(len(filing.evidence_ids), 2)
        again = self.wizard(
            self.legal, channel="registered_letter", signature_image=SIGNATURE
        ).action_file()
        self.assertEqual(again["res_id"], filing.id)
        self.assertEqual(self.dossier.filing_ids, filing)
        self.assertEqual(len(filing.evidence_ids), 2)
        self.assertEqual(self.stats()["submitted"], 1)

    def test_an_unsigned_request_is_refused_and_only_counsel_files(self):
        self.export_dossier()
        wizard = self.wizard(self.legal, channel="registered_letter")
        self.assertFalse(wizard.signature_image)  # the company has none
        with self.assertRaisesRegex(UserError, "^La requête doit être"):
            wizard.action_file()
        self.assertEqual(self.stats()["sendings"], 0)
        self.assertFalse(self.dossier.filing_ids)
        clerk = new_test_user(
            self.env, "filing_clerk", groups="l10n_fr_recouvrement.group_recouvrement_user",
            company_id=self.company.id,
        )  # fmt: skip
        with self.assertRaises(AccessError):
            self.env["recouvrement.dossier.file.wizard"].with_user(clerk).create(
                {"dossier_id": self.dossier.id}
            )

    def test_a_psrpc_goes_to_the_commissaire_by_lre_signed_with_the_company_s_image(self):
        self.company.recouvrement_signature_image = SIGNATURE
        ar24 = self.ar24_account()
        dossier = self.export_dossier("psrpc")
        maitre = self.commissaire()
        wizard = self.wizard(self.legal, commissaire_id=maitre)
        self.assertEqual(wizard.channel, "commissaire")
        self.assertEqual(wizard.provider_id, ar24)
        self.assertEqual(wizard.commissaire_delivery, "lre")
        self.assertEqual(base64.b64decode(wizard.signature_image)[:8], b"\x89PNG\r\n\x1a\n")
        filing = self.filing_of(wizard.action_file())
        self.assertEqual(filing.channel, "commissaire")
        self.assertEqual(filing.court_name, "Maître Hélène Roux")
        self.assertEqual(filing.provider_id, ar24)
        self.assertEqual(filing.sending_reference, f"DEPOT-{self.dossier.name}-V1")
        (mail,) = self.ar24.mails.values()
        self.assertEqual(mail["fields"]["to_email"], "etude.roux@commissaires.example")
        self.assertEqual(mail["fields"]["dest_statut"], "professionnel")
        (attachment,) = mail["attachments"]
        sent = self.ar24.attachments[attachment]
        documents = json.loads(filing.documents)
        self.assertEqual(
            [d["role"] for d in documents][:4],
            ["cover_letter", "psrpc_request", "decompte", "bordereau"],
        )
        self.assertEqual(documents[-1]["sha256"], hashlib.sha256(sent).hexdigest())
        # The opening document went signed: the company's image stamped on it.
        opening = dossier.opening
        self.assertNotEqual(documents[1]["sha256"], hashlib.sha256(opening.data).hexdigest())
        self.assertEqual(section_images(sent, opening.title), pdf_images(opening.data) + 1)
        # AR24 deposits at once: the deposit proof comes with the sending.
        self.assertEqual(filing.state, "deposited")
        self.assertEqual(filing.evidence_kinds, "deposit")
        # Filed on the deposit proof's day, Paris time (the stand-in's proof: 2 hours on).
        deposited = mail["progress"].date_of("deposited").astimezone(PARIS)
        self.assertEqual(self.dossier.filed_date, deposited.date())

        # The commissaire reads it; a refresh stores the new proofs, once.
        self.ar24.advance(filing.sending_id, 3)
        filing.with_user(self.legal).action_refresh()
        self.assertEqual(filing.state, "delivered")
        self.assertEqual(filing.evidence_kinds, "acknowledgment,deposit,first_presentation")
        self.assertEqual(len(filing.evidence_ids), 3)
        for proof in filing.evidence_ids:
            self.assertEqual((proof.res_model, proof.res_id), (filing._name, filing.id))
            self.assertEqual(proof.description, f"SHA-256: {hashlib.sha256(proof.raw).hexdigest()}")
        filing.with_user(self.legal).action_refresh()
        self.assertEqual(len(filing.evidence_ids), 3)
        again = self.wizard(self.legal, commissaire_id=maitre).action_file()
        self.assertEqual(again["res_id"], filing.id)
        self.assertEqual(len(self.ar24.mails), 1)
        self.assertEqual(self.stats()["sendings"], 0)  # nothing went through Maileva

    def test_without_an_ar24_account_the_commissaire_gets_the_zip(self):
        self.export_dossier("psrpc")
        wizard = self.wizard(self.legal)
        self.assertEqual(wizard.channel, "commissaire")
        self.assertEqual(wizard.commissaire_delivery, "zip")
        self.assertFalse(wizard.provider_id)
        with self.assertRaisesRegex(UserError, "Choose the commissaire de justice"):
            wizard.action_file()
        wizard = self.wizard(self.legal, commissaire_id=self.commissaire())
        filing = self.filing_of(wizard.action_file())
        self.assertEqual(filing.state, "handed_over")
        self.assertEqual(filing.court_name, "Maître Hélène Roux")
        self.assertFalse(filing.sending_reference)
        zip_data = self.export.attachment_id.raw
        self.assertEqual(filing.upload_set_id.raw, zip_data)
        self.assertEqual(filing.upload_set_name, f"dossier-{self.dossier.name}-V1.zip")
        (document,) = json.loads(filing.documents)
        self.assertEqual(document["role"], "dossier_zip")
        self.assertEqual(document["sha256"], hashlib.sha256(zip_data).hexdigest())
        self.assertEqual(self.dossier.state, "exported")  # not filed: the commissaire acts
        self.assertEqual(self.stats()["sendings"], 0)

    def test_a_european_order_goes_as_form_a_to_the_court_given(self):
        self.b2b.write(
            {"street": "Rue de la Loi 16", "zip": "1000", "city": "Bruxelles",
             "country_id": self.env.ref("base.be").id, "peppol_eas": False,
             "peppol_endpoint": False}
        )  # fmt: skip
        dossier = self.export_dossier("injonction_europeenne")
        wizard = self.wizard(self.legal, signature_image=SIGNATURE)
        self.assertEqual(wizard.channel, "european_order")
        self.assertEqual(wizard.provider_id, self.account)
        self.assertTrue(wizard.court_address_needed)
        with self.assertRaisesRegex(
            UserError, "^Une injonction de payer européenne va à la juridiction compétente"
        ):
            wizard.action_file()
        self.assertEqual(self.stats()["sendings"], 0)
        wizard = self.wizard(
            self.legal, signature_image=SIGNATURE, confirmed_name="Tribunal judiciaire de Lyon",
            confirmed_street="67 rue Servient", confirmed_zip="69003", confirmed_city="Lyon",
        )  # fmt: skip
        filing = self.filing_of(wizard.action_file())
        self.assertEqual(filing.channel, "european_order")
        self.assertEqual(filing.state, "submitted")
        self.assertEqual(filing.court_name, "Tribunal judiciaire de Lyon")
        self.assertEqual(
            filing.recipient_address,
            "Tribunal judiciaire de Lyon – Greffe – 67 rue Servient – 69003 Lyon",
        )
        (received,) = self.standin.received[filing.sending_id]
        self.assertEqual(
            [item.title for item in PdfReader(io.BytesIO(received)).outline][:4],
            ["Lettre d'accompagnement", "Demande d'injonction de payer européenne (formulaire A)",
             "Décompte des sommes dues", "Bordereau des pièces"],
        )  # fmt: skip
        self.assertEqual(
            section_images(received, dossier.opening.title), pdf_images(dossier.opening.data) + 1
        )
        documents = json.loads(filing.documents)
        self.assertEqual([d["role"] for d in documents][:2], ["cover_letter", "european_form"])
        self.assertEqual(self.stats()["submitted_per_reference"], {filing.sending_reference: 1})
        self.assertEqual(self.dossier.state, "filed")

    def test_an_unverified_registry_address_is_refused_until_confirmed(self):
        self.company.recouvrement_signature_image = SIGNATURE
        dossier = self.export_dossier(
            court_override_kind="judiciaire", court_override_name="Tribunal judiciaire de Lyon"
        )
        self.assertFalse(dossier.court.verified)  # no address: the user named the court only
        wizard = self.wizard(self.legal)
        self.assertEqual(wizard.channel, "registered_letter")
        self.assertFalse(wizard.court_verified)
        self.assertTrue(wizard.court_address_needed)
        with self.assertRaisesRegex(
            UserError, "^L'adresse du greffe du Tribunal judiciaire de Lyon n'est pas vérifiée"
        ):  # fmt: skip
            wizard.action_file()
        self.assertEqual(self.stats()["sendings"], 0)
        self.assertFalse(self.dossier.filing_ids)

        wizard = self.wizard(
            self.legal, confirmed_street="67 rue Servient", confirmed_zip="69003",
            confirmed_city="Lyon",
        )  # fmt: skip
        filing = self.filing_of(wizard.action_file())
        self.assertEqual(filing.state, "submitted")
        self.assertEqual(
            filing.recipient_address, "Greffe du Tribunal judiciaire de Lyon – 67 rue Servient – "
            "69003 Lyon"
        )  # fmt: skip
        (received,) = self.standin.received[filing.sending_id]
        # Signed with the company's image, by default.
        documents = json.loads(filing.documents)
        self.assertEqual(documents[1]["role"], "request")
        self.assertNotEqual(documents[1]["sha256"], self.manifest_hashes()[documents[1]["name"]])
        self.assertEqual(
            section_images(received, dossier.opening.title), pdf_images(dossier.opening.data) + 1
        )


@tagged("post_install", "-at_install")
class TestFilingFrench(DossierCommon):
    def test_the_new_filing_strings_read_in_french(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"]._load_module_terms(["l10n_fr_recouvrement"], ["fr_FR"])
        french = self.env(context=dict(self.env.context, lang="fr_FR"))
        states = dict(french["recouvrement.dossier.filing"]._selection_state())
        self.assertEqual(states["handed_over"], "ZIP à remettre")
        channels = dict(french["recouvrement.dossier.filing"]._selection_channel())
        self.assertEqual(
            channels["european_order"], "Injonction de payer européenne (formulaire A)"
        )
        wizard = french["recouvrement.dossier.file.wizard"]
        self.assertEqual(
            dict(wizard._selection_commissaire_delivery())["zip"], "En ZIP, à remettre"
        )
        field = french["ir.model.fields"]._get("res.company", "recouvrement_signature_image")
        self.assertEqual(field.field_description, "Signature du signataire")
        arch = wizard.get_view(view_type="form")["arch"]
        self.assertIn("n'est pas vérifiée dans la liste des tribunaux", arch)
        self.assertIn("Adresse de la juridiction", arch)
