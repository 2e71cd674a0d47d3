import polib

from odoo.tests import tagged
from odoo.tools.misc import file_path
from odoo.tools.translate import TranslationModuleReader

from .common import RecouvrementCommon


@tagged("post_install", "-at_install")
class TestFrenchTranslation(RecouvrementCommon):
    def test_french_terms(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"]._load_module_terms(["l10n_fr_recouvrement"], ["fr_FR"])
        french = self.env(context=dict(self.env.context, lang="fr_FR"))
        channel = french.ref("l10n_fr_recouvrement.channel_registered_letter")
        self.assertEqual(channel.name, "Lettre recommandée")
        self.assertEqual(
            french.ref("l10n_fr_recouvrement.level_mise_en_demeure").name, "Mise en demeure"
        )
        states = dict(french["recouvrement.communication"]._selection_state())
        self.assertEqual(states["to_send"], "À envoyer")
        template = french.ref("l10n_fr_recouvrement.mail_template_communication")
        self.assertIn("Sauf erreur ou omission", str(template.body_html))

    def test_every_term_of_the_addon_has_a_french_translation(self):
        """Every term Odoo would export for the addon (code, fields, views, data) is in the
        .pot and translated in fr.po: a new string without its French fails here."""
        reader = TranslationModuleReader(self.env.cr, modules=["l10n_fr_recouvrement"])
        terms = {source for _module, _type, _name, _res_id, source, _value, _comments in reader}
        self.assertGreater(len(terms), 700)  # the reader did find the addon's terms
        french = polib.pofile(file_path("l10n_fr_recouvrement/i18n/fr.po"))
        template = polib.pofile(file_path("l10n_fr_recouvrement/i18n/l10n_fr_recouvrement.pot"))
        self.assertEqual(sorted(terms - {entry.msgid for entry in french if entry.msgstr}), [])
        self.assertEqual(sorted(terms - {entry.msgid for entry in template}), [])
