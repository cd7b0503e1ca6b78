"""Every reason code an :class:`~hub.records.Issue` from mapping or validation can carry.

The quarantine, the run summary and the README list these; a test checks that every code the
built-in transforms and validators emit is here. Plugins that emit their own codes add them with
:func:`register_code`.
"""

from __future__ import annotations

__all__ = ["REASON_CODES", "register_code"]

REASON_CODES: dict[str, str] = {
    # Mapping: a system's record into canonical fields
    "unknown_field": "the field is not a canonical field of the stream (e.g. a CSV header that is not canonical)",
    "picklist_unmapped": "the value is not in the field's picklist map and the mapping gives no default",
    "split_failed": "a value meant to be split into several fields could not be split",
    "type_invalid": "the value does not have the field's type (text where a date, number or yes/no belongs)",
    "value_not_allowed": "the value is not one of the field's allowed choices",
    "transform_failed": "a transform failed unexpectedly on the value (a bug in the transform)",
    # Transforms
    "date_invalid": "not a date or date-time in any known format",
    "decimal_invalid": "not a number",
    "boolean_invalid": "not a yes/no value (true/false, yes/no, evet/hayır, 1/0, x)",
    "name_invalid": "not a person's name",
    # Validation
    "email_invalid": "not a syntactically valid e-mail address",
    "phone_invalid": "not a valid phone number (read with TR as the default country)",
    "country_invalid": "not an ISO 3166-1 alpha-2 country code or a known country name",
    "currency_invalid": "not an ISO 4217 currency code, symbol or known currency name",
    "language_invalid": "not a BCP 47 language tag (tr, en-GB) or a known language name",
    "date_out_of_range": "a birth date in the future or before 1900",
    "datetime_naive": "a date-time without a time zone where a UTC instant is required",
    "tckn_invalid": "not a valid T.C. Kimlik No (11 digits, checksum)",
    "vkn_invalid": "not a valid Vergi Kimlik No (10 digits, GİB checksum)",
    "national_id_type_invalid": "the identifier type is not TCKN, VKN or OTHER",
    "required_missing": "a field the stream requires is empty",
    "too_long": "longer than the field's maximum length (canonical or the target's)",
    # Emitted by the engine and the built-in connectors; listed here so summaries can explain them
    "duplicate_source_id": "the same source id appeared earlier in the same run",
    "row_malformed": "a file row could not be parsed (wrong number of columns, bad quoting, bad encoding)",
    "missing_id": "the record has no value in its id column",
    "invalid_timestamp": "the record's updated-at column is not a date-time",
    "field_too_large": "a value is larger than the connector accepts",
    "target_no_result": "the target returned no result for the record",
}


def register_code(code: str, description: str) -> None:
    """Declare a reason code a plugin emits, so that summaries can explain it."""
    REASON_CODES.setdefault(code, description)
