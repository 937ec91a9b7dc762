import polib

from odoo.tests import TransactionCase, tagged
from odoo.tools.misc import file_path
from odoo.tools.translate import TranslationModuleReader

# The module and its bridges: each must be translated in full.
MODULES = ("after_sales_service", "after_sales_purchase", "after_sales_sale")


@tagged("post_install", "-at_install")
class TestTranslations(TransactionCase):
    """A user working in Dutch sees no English: every term the module exports (models,
    fields, selections, views, menus, mail templates, Python and JavaScript messages)
    has a Dutch translation in i18n/nl.po, and the .pot template lists it."""

    def _terms(self, module):
        reader = TranslationModuleReader(self.env.cr, modules=[module])
        return {
            source for mod, _type, _name, _res_id, source, _value, _c in reader if mod == module
        }

    def test_every_term_is_translated_in_dutch(self):
        installed = self.env["ir.module.module"].search(
            [("name", "in", MODULES), ("state", "=", "installed")]
        )
        self.assertIn("after_sales_service", installed.mapped("name"))
        for module in installed.mapped("name"):
            with self.subTest(module=module):
                terms = self._terms(module)
                self.assertTrue(terms, "the module exports terms")
                po = polib.pofile(file_path(f"{module}/i18n/nl.po"))
                translated = {
                    entry.msgid
                    for entry in po
                    if entry.msgstr.strip() and not entry.obsolete and "fuzzy" not in entry.flags
                }
                missing = sorted(terms - translated)
                self.assertFalse(
                    missing,
                    f"{len(missing)} term(s) of {module} without a Dutch translation "
                    f"(update i18n/, see the README): {missing[:10]}",
                )
                pot = polib.pofile(file_path(f"{module}/i18n/{module}.pot"))
                unlisted = sorted(terms - {entry.msgid for entry in pot})
                self.assertFalse(
                    unlisted, f"{len(unlisted)} term(s) missing in {module}.pot: {unlisted[:10]}"
                )
