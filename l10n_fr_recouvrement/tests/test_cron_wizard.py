from odoo.tests import Form, tagged

from .common import RecouvrementCommon


@tagged("post_install", "-at_install")
class TestCronAndWizard(RecouvrementCommon):
    def test_scheduled_action(self):
        cron = self.env.ref("l10n_fr_recouvrement.ir_cron_recouvrement_run")
        self.assertTrue(cron.active)
        invoice = self.create_invoice(self.b2b, 100.0)
        self.company.recouvrement_send_mode = "auto"
        queue = self.env.ref("l10n_fr_recouvrement.ir_cron_recouvrement_queue")
        triggers = self.env["ir.cron.trigger"].search_count([("cron_id", "=", queue.id)])
        with self.freeze("2026-02-11"):
            runs = self.run_scheduled()
            run = runs.filtered(lambda run: run.company_id == self.company)
            self.assertEqual(run.trigger, "cron")
            self.assertEqual(run.mode, "auto")
            self.assertEqual(run.communication_ids.line_ids.move_id, invoice)
            # The run queued the sending and woke the background job up.
            self.assertEqual(run.communication_ids.state, "draft")
            self.assertTrue(run.communication_ids.send_pending)
            self.assertEqual(
                self.env["ir.cron.trigger"].search_count([("cron_id", "=", queue.id)]),
                triggers + 1,
            )
            self.process_queue()
        self.assertEqual(run.communication_ids.state, "sent")

    def test_wizard_preview_then_run(self):
        invoice = self.create_invoice(self.b2b, 100.0)
        other = self.create_invoice(self.b2c, 50.0)
        with self.freeze("2026-02-11"):
            wizard_form = Form(self.env["recouvrement.run.wizard"])
            wizard_form.mode = "manual"
            wizard = wizard_form.save()
            wizard.action_preview()
            self.assertEqual(len(wizard.line_ids), 2)
            self.assertEqual(wizard.line_ids.move_ids, invoice | other)
            # The preview writes nothing.
            self.assertFalse(invoice.recouvrement_level_id)
            self.assertFalse(self.env["recouvrement.communication"].search([]))
            action = wizard.action_run()
        run = self.env["recouvrement.run"].browse(action["res_id"])
        self.assertEqual(len(run.communication_ids), 2)
        self.assertEqual(set(run.communication_ids.mapped("state")), {"draft"})
        self.assertEqual(invoice.recouvrement_level_id, self.level_1)
