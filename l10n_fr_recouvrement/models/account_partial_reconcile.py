from odoo import api, models


class AccountPartialReconcile(models.Model):
    _inherit = "account.partial.reconcile"

    @api.model_create_multi
    def create(self, vals_list):
        partials = super().create(vals_list)
        partials._recouvrement_moves()._recouvrement_settlement_changed()
        return partials

    def unlink(self):
        moves = self._recouvrement_moves()
        result = super().unlink()
        moves.exists()._recouvrement_settlement_changed()
        return result

    def _recouvrement_moves(self):
        return (self.debit_move_id | self.credit_move_id).move_id
