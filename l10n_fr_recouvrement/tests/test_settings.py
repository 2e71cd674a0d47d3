"""The contractual penalty rate in the settings: a box says the legal rate applies."""

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import RecouvrementCommon


@tagged("post_install", "-at_install")
class TestPenaltyRateSetting(RecouvrementCommon):
    def save_settings(self, **values):
        self.env["res.config.settings"].create(values).execute()

    def test_ticked_box_saves_the_contractual_rate(self):
        self.save_settings(recouvrement_use_contractual_rate=True, recouvrement_penalty_rate=12.5)
        self.assertEqual(self.company.recouvrement_penalty_rate, 12.5)
        self.assertTrue(
            self.env["res.config.settings"].create({}).recouvrement_use_contractual_rate
        )

    def test_unticked_box_is_the_legal_rate(self):
        self.company.recouvrement_penalty_rate = 12.5
        reopened = self.env["res.config.settings"].create({})
        self.assertEqual(reopened.recouvrement_penalty_rate, 12.5)
        self.save_settings(recouvrement_use_contractual_rate=False, recouvrement_penalty_rate=12.5)
        self.assertEqual(self.company.recouvrement_penalty_rate, 0.0)
        self.assertFalse(
            self.env["res.config.settings"].create({}).recouvrement_use_contractual_rate
        )

    def test_ticked_box_needs_a_rate(self):
        with self.assertRaises(UserError) as caught:
            self.save_settings(recouvrement_use_contractual_rate=True, recouvrement_penalty_rate=0)
        self.assertIn("Give the contractual penalty rate", str(caught.exception))
        self.assertEqual(self.company.recouvrement_penalty_rate, 0.0)
