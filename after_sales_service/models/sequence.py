"""Numbering many records at once from an ``ir.sequence``."""

from odoo.tools import SQL


def next_sequence_names(env, code, count):
    """Return ``count`` consecutive names of the sequence ``code``, in one query.

    ``ir.sequence.next_by_code`` costs two queries per name (search + nextval);
    a cron creating thousands of records draws the numbers in one ``nextval``
    over ``generate_series`` instead. Sequences with date ranges or without gaps
    fall back to Odoo's own method.
    """
    if count <= 0:
        return []
    sequence = (
        env["ir.sequence"]
        .sudo()
        .search(
            [("code", "=", code), ("company_id", "in", [env.company.id, False])],
            order="company_id",
            limit=1,
        )
    )
    if not sequence:
        return ["/"] * count
    if sequence.implementation != "standard" or sequence.use_date_range:
        return [sequence._next() for _i in range(count)]
    rows = env.execute_query(
        SQL(
            "SELECT nextval(%s) FROM generate_series(1, %s)",
            f"ir_sequence_{sequence.id:03d}",
            count,
        )
    )
    prefix, suffix = sequence._get_prefix_suffix()
    return [f"{prefix}{number:0{sequence.padding}d}{suffix}" for (number,) in rows]
