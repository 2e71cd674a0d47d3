"""What a court dossier gathers from other records, and the company's own court file."""

import base64
import io

from PIL import Image

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged

from .test_dossier import FAKE_PDF, DossierCommon, blank_pdf

COURT_HEADER = "kind,departement,postal_code,commune,court,street,zip,city,source\n"
MANOSQUE = "commerce,,04100,,Tribunal de commerce de Manosque,,04100,Manosque,our own list (test)\n"


@tagged("post_install", "-at_install")
class TestDossierExhibits(DossierCommon):
    # ------------------------------------------------------------------
    # Registered-letter proofs
    # ------------------------------------------------------------------
    def test_two_sided_scan_keeps_both_sides(self):
        from pypdf import PdfReader

        scan = io.BytesIO()
        recto, verso = Image.new("RGB", (60, 90), "white"), Image.new("RGB", (60, 90), "grey")
        recto.save(scan, "TIFF", save_all=True, append_images=[verso])
        pdf = self.env["recouvrement.dossier"]._image_to_pdf(scan.getvalue())
        self.assertEqual(len(PdfReader(io.BytesIO(pdf)).pages), 2)
        self.assertIsNone(self.env["recouvrement.dossier"]._image_to_pdf(b"not an image"))

    def test_registered_proofs_from_the_field(self):
        notice = self.send_formal_notice()
        receipt = self.create_proof("Avis de réception signé.pdf")
        notice.registered_proof_ids = [Command.link(receipt.id)]
        deposit = notice.registered_proof_ids - receipt
        with self.freeze("2026-04-10"):
            dossier = self.open_dossier(self.b2b)
        proofs = dossier.exhibit_ids.filtered(lambda e: e.kind == "registered_proof")
        self.assertEqual(len(proofs), 2)
        self.assertEqual(proofs.communication_id, notice)
        self.assertEqual(proofs.mapped("attachment_id.name"), [deposit.name, receipt.name])
        suffix = (
            f"de la mise en demeure du 21 mars 2026 (réf. {notice.name}), "
            "lettre recommandée n° 1A 234 567 8901 2"
        )
        self.assertEqual(
            proofs.mapped("title"),
            [f"Preuve de dépôt {suffix}", f"Accusé de réception {suffix}"],
        )
        # Right after the mise en demeure they prove, already in the form.
        kinds = dossier.exhibit_ids.mapped("kind")
        self.assertEqual(kinds[-3:], ["formal_notice", "registered_proof", "registered_proof"])

        dossier.procedure = "injonction_de_payer"
        dossier.action_ready()
        dossier.action_export()
        data = dossier.export_ids.attachment_id.raw
        self.assertEqual(self.verify_zip(data), [])
        formal = dossier.exhibit_ids.filtered(lambda e: e.kind == "formal_notice")
        self.assertEqual(proofs.mapped("number"), [formal.number + 1, formal.number + 2])
        pieces = [name for name in self.zip_names(data) if name.startswith("pieces/")]
        self.assertTrue(
            pieces[formal.number].startswith(
                f"pieces/{formal.number + 1:02d}-preuve-de-depot-de-la-mise-en-demeure"
            ),
            pieces,
        )
        self.assertTrue(
            pieces[formal.number + 1].startswith(
                f"pieces/{formal.number + 2:02d}-accuse-de-reception-de-la-mise-en-demeure"
            ),
            pieces,
        )
        self.assertEqual(proofs.mapped("engine_title"), proofs.mapped("title"))

    def test_signatory_with_a_power_of_attorney(self):
        """A request signed by someone other than the legal representative: refused until
        the power of attorney is set, then exported with it as its own exhibit."""
        self.send_formal_notice()
        self.company.recouvrement_legal_representative = "Paul Durand, président"
        with self.freeze("2026-04-10"):
            dossier = self.open_dossier(self.b2b)
        dossier.procedure = "injonction_de_payer"
        with self.assertRaisesRegex(UserError, "pas le représentant légal"):
            dossier.action_ready()
        self.company.write(
            {
                "recouvrement_power_of_attorney_file": base64.b64encode(blank_pdf()),
                "recouvrement_power_of_attorney_filename": "pouvoir-signataire.pdf",
            }
        )
        dossier.action_gather_exhibits()
        power = dossier.exhibit_ids.filtered(lambda e: e.kind == "power_of_attorney")
        self.assertEqual(power.title, "Pouvoir donné au signataire par le représentant légal")
        dossier.action_ready()
        dossier.action_export()
        self.assertEqual(self.verify_zip(dossier.export_ids.attachment_id.raw), [])

    def test_registered_proofs_from_the_chatter(self):
        """Letters sent before the field existed: proofs posted in the chatter, by name."""
        notice = self.send_formal_notice()
        notice.registered_proof_ids = [Command.clear()]
        notice.message_post(
            body="Retour de La Poste",
            message_type="comment",
            attachments=[("AR_MED.pdf", FAKE_PDF), ("Courrier du client.pdf", FAKE_PDF)],
        )
        with self.freeze("2026-04-10"):
            dossier = self.open_dossier(self.b2b)
        proofs = dossier.exhibit_ids.filtered(lambda e: e.kind == "registered_proof")
        self.assertEqual(proofs.attachment_id.mapped("name"), ["AR_MED.pdf"])
        self.assertTrue(proofs.title.startswith("Accusé de réception de la mise en demeure"))
        # Once the field is filled, it alone counts; a photo of the receipt becomes a PDF.
        photo = io.BytesIO()
        Image.new("RGB", (60, 90), "white").save(photo, "PNG")
        notice.registered_proof_ids = [
            Command.link(self.create_proof("LRAR 1A234.pdf").id),
            Command.link(
                self.create_proof("Photo AR.png", raw=photo.getvalue(), mimetype="image/png").id
            ),
        ]
        dossier.action_gather_exhibits()
        proofs = dossier.exhibit_ids.filtered(lambda e: e.kind == "registered_proof")
        self.assertEqual(proofs.attachment_id.mapped("name"), ["LRAR 1A234.pdf", "Photo AR.pdf"])
        self.assertEqual(proofs[1].attachment_id.mimetype, "application/pdf")
        self.assertTrue(proofs[1].title.startswith("Accusé de réception"))

    # ------------------------------------------------------------------
    # Delivery proofs from the sale order and its delivery orders
    # ------------------------------------------------------------------
    def test_delivery_proofs_from_the_sale_order(self):
        if "sale.order.line" not in self.env or "stock.picking" not in self.env:
            self.skipTest("sale_stock is not installed in the test database")
        product = self.env["product.product"].create(
            {
                "name": "Palette de parpaings",
                "type": "consu",
                "invoice_policy": "order",
                "list_price": 450.0,
                "taxes_id": [Command.clear()],
            }
        )
        with self.freeze("2026-01-05"):
            order = self.env["sale.order"].create(
                {
                    "partner_id": self.b2b_other.id,
                    "company_id": self.company.id,
                    "order_line": [
                        Command.create(
                            {
                                "product_id": product.id,
                                "product_uom_qty": 2,
                                "price_unit": 450.0,
                                "tax_id": [Command.clear()],
                            }
                        )
                    ],
                }
            )
            order.action_confirm()
            invoice = order._create_invoices()
            invoice.write({"invoice_date": "2026-01-05", "invoice_payment_term_id": False})
            invoice.invoice_date_due = "2026-02-04"
            invoice.action_post()
        self.attach_invoice_pdf(invoice)
        picking = order.picking_ids
        self.assertEqual(len(picking), 1)
        self.assertEqual(picking.picking_type_code, "outgoing")

        def attach(record, name, width):
            return self.env["ir.attachment"].create(
                {
                    "name": name,
                    "raw": blank_pdf(width),
                    "mimetype": "application/pdf",
                    "res_model": record._name,
                    "res_id": record.id,
                }
            )

        slip = attach(picking, "scan_0042.pdf", 590)  # any PDF of a delivery order
        signed = attach(order, "BL signé client.pdf", 591)
        attach(order, "Devis signé.pdf", 592)  # the signed quotation is not a delivery proof
        # The same scan on the order and on the invoice is one exhibit.
        attach(order, "bon de livraison.pdf", 590)

        with self.freeze("2026-04-10"):
            dossier = self.open_dossier(self.b2b_other)
        self.assertEqual(dossier.move_ids, invoice)
        deliveries = dossier.exhibit_ids.filtered(lambda e: e.kind == "delivery")
        self.assertEqual(
            [exhibit.attachment_id.name for exhibit in deliveries], [slip.name, signed.name]
        )
        self.assertEqual(deliveries.move_id, invoice)
        self.assertEqual(
            deliveries.mapped("title"),
            [
                f"Bon de livraison {picking.name} (commande {order.name})",
                f"Preuve de livraison de la commande {order.name} (BL signé client)",
            ],
        )
        dossier.override_no_notice_reason = "Débiteur injoignable"
        with self.freeze("2026-04-10"):
            dossier.action_ready()
            dossier.action_export()
        self.assertEqual(self.verify_zip(dossier.export_ids.attachment_id.raw), [])
        numbered = dossier.exhibit_ids.sorted("number")
        self.assertEqual(numbered.mapped("kind"), ["cgv", "delivery", "delivery", "invoice"])
        self.assertEqual(numbered.mapped("number"), [1, 2, 3, 4])
        pieces = [
            name
            for name in self.zip_names(dossier.export_ids.attachment_id.raw)
            if name.startswith("pieces/")
        ]
        self.assertTrue(pieces[1].startswith("pieces/02-bon-de-livraison"), pieces)
        self.assertTrue(pieces[2].startswith("pieces/03-preuve-de-livraison"), pieces)

    # ------------------------------------------------------------------
    # The company's court file
    # ------------------------------------------------------------------
    @staticmethod
    def court_file(text):
        return base64.b64encode(text.encode())

    def test_company_court_file(self):
        self.b2b_other.write({"street": "2 place du Terreau", "zip": "04100", "city": "Manosque"})
        self.attach_invoice_pdf(self.create_invoice(self.b2b_other, 900.0))
        with self.freeze("2026-04-10"):
            dossier = self.open_dossier(self.b2b_other)
            dossier.procedure = "injonction_de_payer"
            # Not in the shipped list: no court guessed, a warning names the postal code.
            dossier.action_refresh()
        self.assertFalse(dossier.court_name)
        self.assertIn("04100 Manosque", dossier.warnings)
        settings = self.env["res.config.settings"].create(
            {
                "recouvrement_court_file": self.court_file(COURT_HEADER + MANOSQUE),
                "recouvrement_court_filename": "tribunaux.csv",
            }
        )
        settings.execute()
        self.assertEqual(self.company.recouvrement_court_filename, "tribunaux.csv")
        reopened = self.env["res.config.settings"].create({})
        self.assertEqual(reopened.recouvrement_court_filename, "tribunaux.csv")
        reopened.execute()  # saving the settings again keeps the file
        self.assertEqual(
            base64.b64decode(self.company.recouvrement_court_file).decode(),
            COURT_HEADER + MANOSQUE,
        )
        with self.freeze("2026-04-10"):
            dossier.action_refresh()
        self.assertEqual(dossier.court_name, "Tribunal de commerce de Manosque")
        self.assertEqual(dossier.court_kind, "commerce")
        self.assertIn("code postal 04100", dossier.court_matched)
        self.assertIn("tribunaux.csv, ligne 2", dossier.court_matched)
        # The export uses it too.
        dossier.override_no_notice_reason = "Débiteur injoignable"
        with self.freeze("2026-04-10"):
            dossier.action_ready()
            dossier.action_export()
        export = dossier.export_ids
        self.assertEqual(export.court_name, "Tribunal de commerce de Manosque")
        self.assertEqual(self.verify_zip(export.attachment_id.raw), [])

    def test_company_court_file_refused(self):
        bad = COURT_HEADER + MANOSQUE + "commercial,,04300,,Tribunal de Forcalquier,,,,\n"
        with self.assertRaises(UserError) as caught:
            self.env["res.config.settings"].create(
                {
                    "recouvrement_court_file": self.court_file(bad),
                    "recouvrement_court_filename": "tribunaux.csv",
                }
            ).execute()
        self.assertIn(
            "tribunaux.csv, ligne 3 : type de tribunal « commercial » inconnu",
            str(caught.exception),
        )
        self.assertFalse(self.company.recouvrement_court_file)
        # The header is checked too, and a file that is not UTF-8 text is named as such.
        with self.assertRaisesRegex(UserError, "l'en-tête doit être kind,departement"):
            self.company.write(
                {
                    "recouvrement_court_file": self.court_file("type;cp;tribunal\n"),
                    "recouvrement_court_filename": "export excel.csv",
                }
            )
        with self.assertRaisesRegex(UserError, "not a UTF-8 text file"):
            self.company.write(
                {
                    "recouvrement_court_file": base64.b64encode(
                        (COURT_HEADER + MANOSQUE.replace("Manosque", "Mânosque")).encode("cp1252")
                    ),
                    "recouvrement_court_filename": "tribunaux.csv",
                }
            )
