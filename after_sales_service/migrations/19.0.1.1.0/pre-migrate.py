"""19.0.1.1.0: the index of the journal items' provision movement only holds the
items that have one (most have none); drop the full index of 19.0.1.0.0 so that the
update creates the partial one."""


def migrate(cr, version):
    if not version:
        return
    cr.execute("DROP INDEX IF EXISTS account_move_line__after_sales_provision_kind_index")
