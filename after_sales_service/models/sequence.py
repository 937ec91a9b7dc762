"""Numbering from ``ir.sequence``, one sequence per company."""

from odoo.tools import SQL


def company_sequence(env, code, company):
    """The ``ir.sequence`` of ``code`` for ``company``, created on first use as a
    copy of the module's shared sequence (so every company numbers on its own).

    A transaction-level advisory lock on (code, company) makes two workers that
    number the first record of a company at the same time create one sequence.
    """
    Sequence = env["ir.sequence"].sudo()
    domain = [("code", "=", code), ("company_id", "=", company.id)]
    sequence = Sequence.search(domain, limit=1)
    if sequence:
        return sequence
    env.execute_query(SQL("SELECT pg_advisory_xact_lock(hashtext(%s), %s)", code, company.id))
    sequence = Sequence.search(domain, limit=1)
    if sequence:
        return sequence
    shared = Sequence.search([("code", "=", code), ("company_id", "=", False)], limit=1)
    if not shared:
        return Sequence
    return shared.copy({"company_id": company.id, "number_next": 1})


def next_sequence_names(env, code, company, count):
    """Return ``count`` consecutive names of the sequence ``code`` of ``company``.

    ``ir.sequence.next_by_code`` costs two queries per name (search + nextval);
    here the company's standard sequence is found and its numbers drawn in one
    query (``nextval`` over ``generate_series``), for one record or thousands. Sequences with date ranges or without gaps
    go through Odoo's own ``_next`` per name.
    """
    if count <= 0:
        return []
    # the usual case in one query: the company's standard sequence and its numbers
    env["ir.sequence"].flush_model(
        ["code", "company_id", "active", "implementation", "use_date_range"]
    )
    rows = env.execute_query(
        SQL(
            """
            SELECT s.id, nextval('ir_sequence_' || CASE WHEN s.id < 1000
                                     THEN lpad(s.id::text, 3, '0') ELSE s.id::text END)
              FROM (SELECT id FROM ir_sequence
                     WHERE code = %s AND company_id = %s AND active
                       AND implementation = 'standard' AND NOT COALESCE(use_date_range, FALSE)
                     ORDER BY id LIMIT 1) s
             CROSS JOIN generate_series(1, %s)
            """,
            code,
            company.id,
            count,
        )
    )
    if rows:
        return _format_names(env["ir.sequence"].sudo().browse(rows[0][0]), company, rows)
    sequence = company_sequence(env, code, company)
    if not sequence:
        return ["/"] * count
    if sequence.implementation != "standard" or sequence.use_date_range:
        return [sequence._next() for _i in range(count)]
    rows = env.execute_query(
        SQL(
            "SELECT %s, nextval(%s) FROM generate_series(1, %s)",
            sequence.id,
            f"ir_sequence_{sequence.id:03d}",
            count,
        )
    )
    return _format_names(sequence, company, rows)


def _format_names(sequence, company, rows):
    """The names of the numbers in ``rows`` ((sequence id, number) pairs)."""
    prefix, suffix = sequence.with_company(company)._get_prefix_suffix()
    return [f"{prefix}{number:0{sequence.padding}d}{suffix}" for (_id, number) in rows]
