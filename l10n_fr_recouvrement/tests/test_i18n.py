from odoo.tests import tagged

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
