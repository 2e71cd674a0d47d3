"""Browser tours of the accountant's and legal counsel's day, in French.

The tours (``static/tests/tours/``) click through the real web client and assert what it
shows; these tests prepare the data, run the tours one screen at a time and check what
the clicks wrote. The browser and freezegun do not mix, so the data is dated relative to
today, and a rate file carries the published rates to today's half-year.

``RECOUVREMENT_SCREENSHOTS=docs/screenshots`` (a folder, relative to the repository)
also saves a PNG where a tour says so (``recouvrement-screenshot:NAME``).
"""

import base64
import io
import os
from datetime import date, timedelta
from pathlib import Path
from unittest.mock import patch

from odoo import Command, fields
from odoo.tests import HttpCase, common, new_test_user, tagged
from odoo.tests.common import ChromeBrowser

from .common import RecouvrementCommon
from .test_dossier import FAKE_PDF, DossierCommon

SCREENSHOT_SIGNAL = "recouvrement-screenshot:"
SCREENSHOT_VARIABLE = "RECOUVREMENT_SCREENSHOTS"
REPOSITORY = Path(__file__).resolve().parents[2]
TIMEZONE = "Europe/Paris"  # the users' (the tours' dates are the day in Paris)
# The first rows the shipped rate table lacks (it ends with 2026 H1), carried forward to
# today's half-year: test figures, not published rates.
TEST_RATES = (("mro", "2.15"), ("legal_individual", "6.67"), ("legal_other", "2.62"))


def rate_file_to(today, rates=TEST_RATES, mro_today="2.15"):
    """A rate file with a row per series of ``rates`` for each half-year from 2026 H2 to
    ``today``, and the ECB rate of ``today`` (the series is known up to today)."""
    rows = ["series,date,rate,source"]
    start = date(2026, 7, 1)
    while start <= today:
        rows += [f"{series},{start},{rate},test" for series, rate in rates]
        start = date(start.year + 1, 1, 1) if start.month == 7 else date(start.year, 7, 1)
    rows.append(f"mro,{today},{mro_today},test")
    return "\n".join(rows) + "\n"


def save_screenshot(png, path):
    """A 256-colour PNG (a web client screen stays readable and small)."""
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    image.quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)


class TourCommon(HttpCase):
    """French users, today's rates, the optional screenshots."""

    browser_size = "1280x800"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Odoo skips a tour whose Chromium has not opened its port within 10 s, which a
        # loaded CI machine sometimes needs: wait up to a minute before it gives up.
        cls.startClassPatcher(patch.object(common, "CHECK_BROWSER_ITERATIONS", 600))

    @classmethod
    def load_french(cls):
        cls.env["res.lang"]._activate_lang("fr_FR")
        modules = ["base", "web", "mail", "account", "l10n_fr_recouvrement"]
        cls.env["ir.module.module"]._load_module_terms(modules, ["fr_FR"])

    @classmethod
    def create_french_user(cls, login, name, groups):
        return new_test_user(
            cls.env, login, groups=groups, name=name, lang="fr_FR", tz=TIMEZONE,
            company_id=cls.company.id, company_ids=[Command.set(cls.company.ids)],
        )  # fmt: skip

    def setUp(self):
        super().setUp()
        self.today = fields.Date.context_today(self.env.user.with_context(tz=TIMEZONE))
        self.set_rate_file(rate_file_to(self.today))
        directory = os.environ.get(SCREENSHOT_VARIABLE)
        if directory:
            self.capture_screenshots(REPOSITORY / directory)

    def set_rate_file(self, content):
        rate_file = self.use_rate_file(content)
        self.env["ir.config_parameter"].set_param("l10n_fr_recouvrement.rate_file", rate_file)

    def capture_screenshots(self, directory):
        directory.mkdir(parents=True, exist_ok=True)
        handle_console = ChromeBrowser._handle_console

        def handle_console_with_screenshots(browser, type, args=None, **kw):
            if type == "log" and args:
                text = str(browser._from_remoteobject(args[0]))
                if text.startswith(SCREENSHOT_SIGNAL):
                    path = directory / f"{text[len(SCREENSHOT_SIGNAL) :]}.png"
                    future = browser._websocket_send("Page.captureScreenshot", with_future=True)
                    future.add_done_callback(
                        lambda done, path=path: save_screenshot(
                            base64.b64decode(done.result()["data"]), path
                        )
                    )
            return handle_console(browser, type, args=args, **kw)

        self.patch(ChromeBrowser, "_handle_console", handle_console_with_screenshots)

    def tour(self, url, name, login):
        self.start_tour(url, name, login=login, timeout=120)


@tagged("post_install", "-at_install")
class TestAccountantTour(TourCommon, RecouvrementCommon):
    """The accountant's day: settings, a run with its preview, sending, printing, blocks."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.load_french()
        cls.accountant = cls.create_french_user(
            "comptable",
            "Paul Bernard",
            "account.group_account_manager,base.group_system,"
            "l10n_fr_recouvrement.group_recouvrement_manager",
        )

    def setUp(self):
        super().setUp()
        days_ago = lambda days: self.today - timedelta(days=days)  # noqa: E731
        # Dupont had its courteous reminder 20 days ago: the firm reminder (a letter) is
        # due today. Atelier Martin is 10 days late and was never reminded.
        self.dupont_invoice = self.create_invoice(self.b2b, 1234.56, days_ago(80), days_ago(50))
        self.run_ladder(days_ago(20), mode="auto")
        self.atelier_invoice = self.create_invoice(
            self.b2b_other, 2500.0, days_ago(40), days_ago(10)
        )
        self.rendered = []
        Report = type(self.env["ir.actions.report"])
        render = Report._render

        def record_render(reports, report_ref, res_ids, data=None):
            report = reports._get_report(report_ref)
            self.rendered.append((report.report_name, list(res_ids)))
            return render(reports, report_ref, res_ids, data=data)

        self.patch(Report, "_render", record_render)

    def communication(self, partner):
        return self.env["recouvrement.communication"].search(
            [("partner_id", "=", partner.id)], order="id desc", limit=1
        )

    def test_accountant_day(self):
        communications = "/odoo/action-l10n_fr_recouvrement.action_recouvrement_communication"
        self.tour("/odoo/settings#account", "recouvrement_accountant_settings", "comptable")
        self.assertEqual(self.company.recouvrement_signatory_name, "Claire Lefèvre")
        self.assertEqual(self.company.recouvrement_penalty_rate, 0.0)  # still the legal rate

        self.tour(communications, "recouvrement_accountant_run", "comptable")
        run = self.env["recouvrement.run"].search([], order="id desc", limit=1)
        self.assertEqual((run.state, run.mode, run.user_id), ("done", "manual", self.accountant))
        dupont, atelier = self.communication(self.b2b), self.communication(self.b2b_other)
        self.assertEqual(dupont.run_id | atelier.run_id, run)
        self.assertEqual((dupont.level_id, dupont.state), (self.level_2, "draft"))
        self.assertEqual((atelier.level_id, atelier.state), (self.level_1, "draft"))
        self.process_queue()  # the background job writes the letter

        self.tour(communications, "recouvrement_accountant_send", "comptable")
        self.process_queue()  # the background job sends
        self.assertEqual(dupont.state, "to_send")  # the letter is to be posted
        self.assertEqual(atelier.state, "sent")  # e-mail only

        self.tour(communications, "recouvrement_accountant_print", "comptable")
        self.assertIn(("l10n_fr_recouvrement.communication_letter_pdf", dupont.ids), self.rendered)

        blocks = "/odoo/action-l10n_fr_recouvrement.action_recouvrement_block"
        self.tour(blocks, "recouvrement_accountant_blocks", "comptable")
        Block = self.env["recouvrement.block"]
        dispute = Block.search([("partner_id", "=", self.b2b_other.id)])
        self.assertEqual((dispute.reason, dispute.move_ids), ("dispute", self.atelier_invoice))
        promise = Block.search([("partner_id", "=", self.b2b.id)])
        self.assertEqual(promise.reason, "promise")
        self.assertEqual(promise.date_end, self.today + timedelta(days=14))
        self.assertTrue(dispute.holds and promise.holds)
        self.assertEqual((dispute | promise).create_uid, self.accountant)

    def test_rate_entered_by_hand(self):
        """The ECB rate of 1 July 2026 is not in the file (the rate of today is): entered by
        hand at 3,15 %, it makes the penalties of the half-years since 13,15 %."""
        legal_rates = [rate for rate in TEST_RATES if rate[0] != "mro"]
        self.set_rate_file(rate_file_to(self.today, rates=legal_rates, mro_today="3.15"))
        communications = "/odoo/action-l10n_fr_recouvrement.action_recouvrement_communication"
        self.tour(communications, "recouvrement_accountant_rates", "comptable")
        rate = self.env["recouvrement.rate"].search([("origin", "=", "manual")])
        self.assertEqual(
            (rate.series, rate.date, rate.rate, rate.create_uid),
            ("mro", date(2026, 7, 1), 3.15, self.accountant),
        )
        dupont = self.communication(self.b2b)
        # 1 234,56 € × 13,15 % × 50 / 365
        self.assertEqual((dupont.level_id, dupont.amount_penalty), (self.level_2, 22.24))
        self.assertFalse(dupont.penalty_provisional)


@tagged("post_install", "-at_install")
class TestLegalCounselTour(TourCommon, DossierCommon):
    """Legal counsel's day: a dossier made ready, its exhibits, two exported versions."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.load_french()
        # Making a dossier ready and gathering its exhibits are the collection user's
        # buttons; the legal group alone reads and exports.
        cls.counsel = cls.create_french_user(
            "conseil",
            "Anne Roux",
            "l10n_fr_recouvrement.group_recouvrement_legal,"
            "l10n_fr_recouvrement.group_recouvrement_user",
        )

    def setUp(self):
        super().setUp()
        # Real PDFs without LibreOffice: the dossier merges them.
        self.patch(
            type(self.env["recouvrement.engine"]),
            "_convert_to_pdf",
            lambda engine, documents, return_exceptions=False: [FAKE_PDF for _d in documents],
        )

    def test_legal_counsel_day(self):
        self.send_formal_notice()
        dossier = self.open_dossier(self.b2b)
        self.assertEqual(dossier.state, "draft")
        dossiers = "/odoo/action-l10n_fr_recouvrement.action_recouvrement_dossier"
        self.tour(dossiers, "recouvrement_legal_dossier", "conseil")
        self.assertEqual(dossier.state, "exported")
        self.assertEqual(dossier.procedure, "injonction_de_payer")
        exports = dossier.export_ids.sorted("version")
        self.assertEqual(exports.mapped("version"), [1, 2])
        self.assertEqual(exports.user_id, self.counsel)
        self.assertEqual([self.verify_zip(e.attachment_id.raw) for e in exports], [[], []])

    def test_unknown_court(self):
        stephanois = self._create_customer(
            "Forges Stéphanoises", is_company=True, siret="55210055400013", legal_form="SAS",
            street="10 rue de la Résistance", zip="42000", city="Saint-Étienne",
        )  # fmt: skip
        # Above 5 000 €: an injonction de payer, which needs a court.
        days_ago = lambda days: self.today - timedelta(days=days)  # noqa: E731
        self.create_invoice(stephanois, 6000.0, days_ago(90), days_ago(60))
        # Opened by counsel, so that its warning is in counsel's French.
        dossier = self.open_dossier(stephanois.with_user(self.counsel).with_context(lang="fr_FR"))
        self.assertFalse(dossier.court_name)
        dossiers = "/odoo/action-l10n_fr_recouvrement.action_recouvrement_dossier"
        self.tour(dossiers, "recouvrement_legal_unknown_court", "conseil")
        self.assertEqual(
            (dossier.court_name, dossier.court_address),
            ("Tribunal de commerce de Saint-Étienne", "Place Chavanelle, 42000 Saint-Étienne"),
        )
        self.assertFalse(dossier.warnings)
