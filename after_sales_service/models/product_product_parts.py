from odoo import models


class ProductProduct(models.Model):
    _inherit = "product.product"

    def _after_sales_is_unavailable_part(self):
        """An archived or obsolete part (variant or template) is not supplied."""
        self.ensure_one()
        return (
            not self.active
            or not self.product_tmpl_id.active
            or self.product_tmpl_id.after_sales_obsolete
        )

    def _after_sales_replacements(self):
        """{product: the part that supplies it}: itself, or, when it is obsolete or
        archived, the first usable of its substitutes then of its successor (itself
        when none is usable).
        A few queries for the whole set (prefetch), not one per product."""
        products = self.with_context(active_test=False)
        result = {}
        for product in products:
            replacement = product
            if product._after_sales_is_unavailable_part():
                template = product.product_tmpl_id
                candidates = [line.substitute_id for line in template.after_sales_substitute_ids]
                candidates.append(template.after_sales_successor_id)
                for substitute in candidates:
                    substitute = substitute.with_context(active_test=False)
                    if substitute and not substitute._after_sales_is_unavailable_part():
                        replacement = substitute
                        break
            result[product.id] = replacement.id
        return result
