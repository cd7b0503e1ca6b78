"""Record validation: the built-in checks, their reason codes, and target length limits.

``validate(record, stream)`` checks one flat canonical record and rewrites values into their
normal form in place (phones to E.164, countries to ISO codes, timestamps to UTC). Every problem
is an :class:`~hub.records.Issue` naming its field with a code from :data:`REASON_CODES`; messages
say what is wrong and never quote e-mails, phones or national ids.
"""

from hub.validation.checks import CHECKS, RecordCheck, validate
from hub.validation.codes import REASON_CODES, register_code
from hub.validation.limits import check_target_limits
from hub.validation.national_ids import is_tckn, is_vkn
from hub.validation.reference import country_code, currency_code, language_tag

__all__ = [
    "CHECKS",
    "REASON_CODES",
    "RecordCheck",
    "check_target_limits",
    "country_code",
    "currency_code",
    "is_tckn",
    "is_vkn",
    "language_tag",
    "register_code",
    "validate",
]
