"""Small helpers shared by the module's models."""

import psycopg2.errors

from odoo import fields


def try_lock(records):
    """Lock the rows of ``records`` for this transaction (skipping rows another
    transaction holds) and return the records that could be locked.

    A row changed and committed by another worker since this transaction's
    snapshot cannot be locked either: that worker did the work.
    """
    try:
        with records.env.cr.savepoint(flush=False):
            return records.try_lock_for_update(allow_referencing=True)
    except psycopg2.errors.SerializationFailure:
        return records.browse()


def context_date(records):
    """Today for ``records``: the ``date`` of the context (to look at another day)
    or today in the user's timezone."""
    return fields.Date.to_date(records.env.context.get("date")) or fields.Date.context_today(
        records
    )
