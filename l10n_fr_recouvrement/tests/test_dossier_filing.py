"""Filing an exported dossier: the Tribunal Digital set, and the registered letter to the
registry through the Maileva stand-in on 127.0.0.1, its proofs become the evidence."""

import base64
import hashlib
import io
import json
import urllib.request
import zipfile
from datetime import date

from lxml import etree
from PIL import Image

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, HttpCase, new_test_user, tagged

from recouvrement.delivery.standins import start_standin
from recouvrement.dossier.manifest import ns

from .test_dossier import DossierCommon


def signature_png():
    picture = Image.new("RGB", (300, 90), "white")
    for x in range(10, 290):
        picture.putpixel((x, 45 + (x % 30) - 15), (0, 0, 90))
    out = io.BytesIO()
    picture.save(out, "PNG")
    return out.getvalue()


SIGNATURE = base64.b64encode(signature_png())  # as the form's binary widget sends it


@tagged("post_install", "-at_install")
class TestDossierFiling(DossierCommon, HttpCase):
    def setUp(self):
        super().setUp()
        self.send_formal_notice()
        with self.freeze("2026-04-10"):
            self.dossier = self.open_dossier(self.b2b)
        self.dossier.procedure = "injonction_de_payer"
        self.dossier.action_ready()
        self.dossier.action_export()
        self.export = self.dossier.export_ids
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
        wizard = self.wizard(self.legal, channel="registered_letter")
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
