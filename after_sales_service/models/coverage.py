"""Coverage: what pays for a service on a given date (warranty, contract or nobody)."""

from dataclasses import dataclass

from odoo.exceptions import ValidationError

COVERAGE_FIELDS = ("parts_pct", "labour_pct", "travel_pct")
SHARES = ("parts", "labour", "travel")


@dataclass(frozen=True)
class Coverage:
    """The answer of ``after_sales.equipment._get_coverage``.

    Each share of a service (parts, labour, travel) is paid by one source:
    ``<share>_source`` is ``"warranty"``, ``"contract"`` or ``"none"``,
    ``<share>_pct`` what that source pays of it (0 to 100) and ``<share>_reason``
    a translated fragment for people ("warranty until 2027-03-01 (100 %)").

    The summary attributes read by the service order: ``source`` is
    ``"warranty"`` when the warranty pays a share, else ``"contract"`` when a
    contract applies, else ``"none"``; ``contract_id`` is the id of that
    contract when it pays a share or is the source (0 otherwise); ``reason``
    is a translated sentence combining the shares.
    """

    source: str
    parts_pct: float = 0.0
    labour_pct: float = 0.0
    travel_pct: float = 0.0
    reason: str = ""
    contract_id: int = 0
    parts_source: str = "none"
    labour_source: str = "none"
    travel_source: str = "none"
    parts_reason: str = ""
    labour_reason: str = ""
    travel_reason: str = ""

    @property
    def is_covered(self):
        return self.source != "none"


def describe_coverage(env, shares, warranty_end=None, contract_name=""):
    """Sentences for people, in the language of ``env``, about who pays what.

    :param shares: {share: (source, percentage)} for parts, labour and travel
    :param warranty_end: the end date of the warranty (when it pays a share)
    :param contract_name: the reference of the contract (when it pays a share)
    :return: (sentence for the whole service, {share: fragment})
    """
    labels = {
        "warranty": env._("warranty until %(date)s", date=str(warranty_end or "")),
        "contract": env._("contract %(contract)s", contract=contract_name or ""),
    }
    fragments = {
        share: env._("%(payer)s (%(pct)s %%)", payer=labels[source], pct=format_pct(pct))
        if source != "none"
        else env._("not covered")
        for share, (source, pct) in shares.items()
    }
    payers = {source for source, _pct in shares.values()} - {"none"}
    pcts = {share: format_pct(pct) for share, (_source, pct) in shares.items()}
    if not payers and not contract_name:
        sentence = env._("Not covered")
    elif len(payers) > 1:
        sentence = env._("Parts: %(parts)s; labour: %(labour)s; travel: %(travel)s", **fragments)
    elif payers == {"warranty"}:
        sentence = env._(
            "Warranty until %(date)s, parts %(parts)s %%, labour %(labour)s %%, "
            "travel %(travel)s %%",
            date=str(warranty_end or ""),
            **pcts,
        )
    else:
        sentence = env._(
            "Contract %(contract)s, parts %(parts)s %%, labour %(labour)s %%, travel %(travel)s %%",
            contract=contract_name or "",
            **pcts,
        )
    return sentence, fragments


def format_pct(value):
    return f"{value:g}"


def check_percentages(records, field_names=COVERAGE_FIELDS):
    """Raise a ValidationError when one of the fields is outside 0..100 %."""
    for record in records:
        for name in field_names:
            value = record[name]
            if value < 0 or value > 100:
                label = record._fields[name].get_description(record.env)["string"]
                raise ValidationError(
                    record.env._(
                        "%(field)s must be between 0 and 100 %% (got %(value)s).",
                        field=label,
                        value=value,
                    )
                )
