"""Small helpers shared by the module's models."""

import psycopg2.errors
import pytz

from odoo import fields, models
from odoo.exceptions import AccessError
from odoo.fields import Domain


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


def locked_batches(model, domain, batch_size, skipped_ids=None):
    """Yield batches of the records of ``model`` matching ``domain``, each locked
    for this transaction; rows that another worker holds are skipped.

    Records whose ids are in ``skipped_ids`` (a list the caller may extend, e.g.
    with records that failed) are not searched again during this run. The caller
    processes and commits each batch before the next one is searched.
    """
    skipped_ids = [] if skipped_ids is None else skipped_ids
    while True:
        batch = model.search(
            Domain(domain) & Domain("id", "not in", skipped_ids), order="id", limit=batch_size
        )
        if not batch:
            return
        locked = try_lock(batch)
        skipped_ids += (batch - locked).ids
        yield locked


def count_by(model, field_name, records):
    """{record: number of ``model`` records whose ``field_name`` holds it}, one query."""
    return dict(model._read_group([(field_name, "in", records.ids)], [field_name], ["__count"]))


def window_action(env, xmlid, domain, context):
    """The window action ``xmlid`` restricted to ``domain``, with ``context``: for
    internal users who may read the records it lists (it is called by public
    buttons, which anyone logged in can call over RPC)."""
    action = env["ir.actions.act_window"]._for_xml_id(xmlid)
    if env.user.share:
        raise AccessError(env._("Only internal users open the back-office views."))
    env[action["res_model"]].check_access("read")
    action.update(domain=domain, context=context)
    return action


def company_tz(company):
    """The timezone a company works in: its working calendar's, else its own
    partner's, else UTC."""
    return pytz.timezone(company.resource_calendar_id.tz or company.partner_id.tz or "UTC")


def company_local_date(company, moment):
    """The date of the naive UTC datetime ``moment`` where ``company`` works
    (00:30 in Amsterdam is still the previous day in UTC)."""
    moment = fields.Datetime.to_datetime(moment)
    return pytz.utc.localize(moment).astimezone(company_tz(company)).date()


def company_today(company):
    """Today where ``company`` works."""
    return company_local_date(company, fields.Datetime.now())


def company_choices(env):
    """The companies the user may choose on a reporting screen, as the screen lists
    them: [{"id", "name"}] in the order of the company switcher."""
    return [
        {"id": company.id, "name": company.name}
        for company in env.user.company_ids.sorted(lambda c: (c.sequence, c.name))
    ]


def error_message(error):
    """The message of an exception for people (UserError and ValidationError carry
    it as their first argument)."""
    return str(error.args[0]) if error.args else str(error)


def notify_failure(record, summary, note, user):
    """Give ``user`` one open to-do ``summary`` on ``record`` about a failure of a
    cron, whatever the number of runs that meet the same failure."""
    if record.activity_ids.filtered(lambda activity: activity.summary == summary):
        return
    record.activity_schedule(
        "mail.mail_activity_data_todo", summary=summary, note=note, user_id=user.id
    )


def check_group(env, group, message):
    """Refuse (``AccessError`` with ``message``) a user outside ``group``: the check
    at the top of a public method, which every logged-in user, portal included, can
    call over RPC. The superuser (crons, sudo) passes."""
    if not env.su and not env.user.has_group(group):
        raise AccessError(message)


def technician_forbidden_fields(records, vals, allowed):
    """The labels of the fields of ``vals`` outside ``allowed``, when the user is a
    technician who is not a service user (empty otherwise): what they may not
    write on ``records``."""
    env = records.env
    if env.su or env.user.has_group("after_sales_service.group_user"):
        return ""
    forbidden = set(vals) - allowed
    return ", ".join(
        sorted(records._fields[name].get_description(env)["string"] for name in forbidden)
    )


def check_before_insert(model, vals_list, field_names, *checks):
    """Run the Python ``checks`` (methods of ``model``) of rules the database also
    holds on draft records made of ``vals_list`` (the ``field_names`` of each, over
    their defaults), before the INSERT: a bad value gets the clear, translated
    message instead of a database error."""
    defaults = model.default_get(list(field_names))
    for vals in vals_list:
        draft = model.new({**defaults, **{f: vals[f] for f in field_names if f in vals}})
        for check in checks:
            check(draft)


def moved_off(records, vals, fname):
    """The records of ``records`` that ``vals`` would move to another parent through
    the many2one ``fname`` (an id or a record in ``vals``): those whose parent is
    fixed once created refuse them."""
    if fname not in vals:
        return records.browse()
    target = vals[fname]
    if isinstance(target, models.BaseModel):
        target = target.id
    return records.filtered(lambda record: record[fname].id != target)
