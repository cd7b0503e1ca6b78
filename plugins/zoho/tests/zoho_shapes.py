"""JSON Schemas of the Zoho CRM v8 answers the sandbox serves, written for crmhub from Zoho's API documentation.

They describe only what the sandbox sends and the connector or the SDK reads, in the shapes Zoho
documents for API v8 (records, upsert/insert/update/delete results, deleted records, search, field
metadata, error bodies). Nothing here is taken from Zoho's OpenAPI files: those carry no licence.

Strictness: objects refuse keys they do not declare, except a record (any field of the module) and
one field's metadata (Zoho sends some 80 properties; those the SDK and the connector read are
declared, typed and required). ``problems(operation, body)`` lists every mismatch (an error body is
judged as Zoho's error); ``validate`` asserts there is none.
"""

from __future__ import annotations

from typing import Any

from jsonschema import Draft202012Validator

Schema = dict[str, Any]
TEXT: Schema = {"type": "string"}
COUNT: Schema = {"type": "integer", "minimum": 0}
FLAG: Schema = {"type": "boolean"}
DIGITS: Schema = {"type": "string", "pattern": r"^[0-9]+$"}
# Zoho's date-times: ISO 8601 to the second with an offset (2024-03-05T14:20:00+03:00).
INSTANT: Schema = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$"}


def shape(required: dict[str, Schema], optional: dict[str, Schema] | None = None, *, open_: bool = False) -> Schema:
    """An object with ``required`` and ``optional`` properties; closed unless ``open_``."""
    return {"type": "object", "properties": {**required, **(optional or {})}, "required": sorted(required),
            "additionalProperties": open_}


def nullable(schema: Schema) -> Schema:
    return {"anyOf": [schema, {"type": "null"}]}


USER = shape({"name": TEXT, "id": DIGITS}, {"email": TEXT})
MODULE_REF = shape({"api_name": TEXT, "id": DIGITS})

# Error codes the v8 status-code pages list, among them the ones this sandbox answers with.
ERROR_CODES = ["AUTHENTICATION_FAILURE", "INVALID_TOKEN", "INVALID_URL_PATTERN", "INVALID_REQUEST_METHOD",
               "INVALID_MODULE", "REQUIRED_PARAM_MISSING", "INVALID_DATA", "MANDATORY_NOT_FOUND", "DUPLICATE_DATA",
               "LIMIT_EXCEEDED", "LIMIT_REACHED", "DISCRETE_PAGINATION_LIMIT_EXCEEDED", "EXPIRED_VALUE",
               "INVALID_QUERY", "TOO_MANY_REQUESTS", "INTERNAL_ERROR", "NO_PERMISSION", "RECORD_LOCKED"]
ERROR_DETAILS = shape({}, {
    "api_name": TEXT, "json_path": TEXT, "expected_data_type": TEXT, "maximum_length": TEXT, "param_name": TEXT,
    "limit": COUNT, "reason": TEXT, "id": TEXT,
    "duplicate_record": shape({"id": DIGITS, "module": MODULE_REF}, {"Owner": USER}),
})
ERROR = shape({"code": {"enum": ERROR_CODES}, "details": ERROR_DETAILS, "message": TEXT, "status": {"const": "error"}})

# A record: any field of the module; the system ones Zoho always types the same way.
CONSENT = shape({}, {
    "Data_Processing_Basis": TEXT, "Contact_Through_Email": nullable(FLAG), "Contact_Through_Phone": nullable(FLAG),
    "Contact_Through_Survey": nullable(FLAG), "Contact_Through_Social": nullable(FLAG),
    "Consent_Date": nullable({"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"}), "Consent_Remarks": nullable(TEXT),
    "Consent_Through": nullable(TEXT), "Lawful_Reason": nullable(TEXT), "id": DIGITS,
})
RECORD = shape({"id": DIGITS}, {
    "Owner": USER, "Created_By": USER, "Modified_By": USER, "Created_Time": INSTANT, "Modified_Time": INSTANT,
    "Data_Processing_Basis_Details": nullable(CONSENT), "Data_Processing_Basis": nullable(TEXT),
    "$stop_processing": FLAG,
}, open_=True)

PAGE_INFO = shape({"per_page": {"type": "integer", "minimum": 1, "maximum": 200}, "count": COUNT,
                   "more_records": FLAG},
                  {"page": {"type": "integer", "minimum": 1}, "sort_by": TEXT,
                   "sort_order": {"enum": ["asc", "desc"]}, "next_page_token": TEXT, "previous_page_token": TEXT,
                   "page_token_expiry": INSTANT})
RECORDS = shape({"data": {"type": "array", "items": RECORD}, "info": PAGE_INFO})

DELETED = shape({"id": DIGITS, "display_name": TEXT, "type": {"enum": ["recycle", "permanent"]},
                 "deleted_time": INSTANT, "deleted_by": USER, "created_by": USER})
DELETED_RECORDS = shape({"data": {"type": "array", "items": DELETED}, "info": PAGE_INFO})

WRITTEN = shape({"code": {"const": "SUCCESS"}, "status": {"const": "success"},
                 "message": {"enum": ["record added", "record updated"]}, "action": {"enum": ["insert", "update"]},
                 "details": shape({"id": DIGITS, "Created_Time": INSTANT, "Modified_Time": INSTANT,
                                   "Created_By": USER, "Modified_By": USER})},
                {"duplicate_field": TEXT})
REMOVED = shape({"code": {"const": "SUCCESS"}, "status": {"const": "success"}, "message": {"const": "record deleted"},
                 "details": shape({"id": DIGITS})})


def results(success: Schema) -> Schema:
    """A write's body: one result per record, in request order, each a success or Zoho's error."""
    return shape({"data": {"type": "array", "minItems": 1, "items": {"oneOf": [success, ERROR]}}})


PICK = shape({"display_value": TEXT, "actual_value": TEXT},
             {"sequence_number": COUNT, "type": TEXT, "id": DIGITS, "colour_code": nullable(TEXT)})
DATA_TYPES = ["text", "textarea", "email", "phone", "website", "picklist", "multiselectpicklist", "boolean",
              "integer", "bigint", "double", "currency", "percent", "date", "datetime", "ownerlookup", "lookup",
              "userlookup", "consent_lookup", "autonumber", "formula", "fileupload", "imageupload", "subform"]
FIELD = shape({
    "api_name": TEXT, "id": DIGITS, "data_type": {"enum": DATA_TYPES},
    "json_type": {"enum": ["string", "integer", "double", "boolean", "jsonobject", "jsonarray"]},
    "display_label": TEXT, "field_label": TEXT, "length": COUNT, "system_mandatory": FLAG, "read_only": FLAG,
    "field_read_only": FLAG, "custom_field": FLAG, "visible": FLAG,
    "unique": nullable(shape({}, {"casesensitive": {"enum": ["true", "false"]}})),
    "pick_list_values": {"type": "array", "items": PICK}, "lookup": nullable({"type": "object"}),
    "associated_module": MODULE_REF,
}, open_=True)
FIELDS = shape({"fields": {"type": "array", "minItems": 1, "items": FIELD}})


# What each operation answers when it succeeds; any operation may answer a Zoho error body instead.
OPERATIONS: dict[str, Schema] = {
    "get_records": RECORDS, "search_records": RECORDS, "deleted_records": DELETED_RECORDS,
    "create_records": results(WRITTEN), "update_records": results(WRITTEN), "upsert_records": results(WRITTEN),
    "delete_records": results(REMOVED), "get_fields": FIELDS, "api_exception": ERROR,
}
for _schema in OPERATIONS.values():
    Draft202012Validator.check_schema(_schema)


def problems(operation: str, body: Any) -> list[str]:
    """Every way ``body`` departs from what ``operation`` answers (empty when it conforms).

    A body saying ``"status": "error"`` is judged as Zoho's error body, any other as the success body.
    """
    is_error = isinstance(body, dict) and body.get("status") == "error"
    validator = Draft202012Validator(ERROR if is_error else OPERATIONS[operation])
    return [f"{'/'.join(map(str, e.absolute_path)) or '(body)'}: {e.message}" for e in validator.iter_errors(body)]


def validate(operation: str, body: Any) -> None:
    """Assert that ``body`` is what ``operation`` answers."""
    found = problems(operation, body)
    assert not found, f"{operation}: " + "; ".join(found[:10])
