"""Coverage: what pays for a service on a given date (warranty, contract or nobody)."""

from dataclasses import dataclass

from odoo.exceptions import ValidationError

COVERAGE_FIELDS = ("parts_pct", "labour_pct", "travel_pct")


@dataclass(frozen=True)
class Coverage:
    """The answer of ``after_sales.equipment._get_coverage``.

    ``source`` is ``"warranty"``, ``"contract"`` or ``"none"``; percentages are
    what the warranty or contract pays of parts, labour and travel (0 to 100);
    ``contract_id`` is the covering contract's id (0 otherwise); ``reason`` is a
    translated sentence for people ("Warranty until 2027-03-01").
    """

    source: str
    parts_pct: float = 0.0
    labour_pct: float = 0.0
    travel_pct: float = 0.0
    reason: str = ""
    contract_id: int = 0

    @property
    def is_covered(self):
        return self.source != "none"


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
