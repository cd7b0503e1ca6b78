"""The sandbox org's modules and fields, and their ``settings/fields`` metadata as Zoho's v8 API returns it.

Three modules are served: Contacts, Accounts and Leads, each with the standard fields a migration
touches, the GDPR ``Data_Processing_Basis_Details`` consent lookup (Contacts, Leads) and a custom,
unique ``Crmhub_Id`` text field that holds the hub id (the upsert key).
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

ORG_ID = "7000000000001"
USER = {"name": "Sandbox Admin", "id": "7000000000101", "email": "admin@sandbox.crmhub.invalid"}

LEAD_SOURCES = ("-None-", "Advertisement", "Cold Call", "Employee Referral", "External Referral", "Online Store",
                "Partner", "Public Relations", "Seminar Partner", "Trade Show", "Web Download", "Web Research", "Chat")
INDUSTRIES = ("-None-", "Communications", "Consulting", "Education", "Financial Services", "Government",
              "Manufacturing", "Retail", "Technology", "Other")
LEAD_STATUSES = ("-None-", "Attempted to Contact", "Contact in Future", "Contacted", "Junk Lead", "Lost Lead",
                 "Not Contacted", "Pre-Qualified", "Not Qualified")
# The Data Processing Basis values of Zoho's GDPR compliance (English labels; they follow the org's
# language (?)). "Stop Processing" also sets the record's read-only ``$stop_processing`` flag.
STOP_PROCESSING = "Stop Processing"
PROCESSING_BASES = ("Not Applicable", "Legitimate Interests", "Contract", "Legal Obligation", "Vital Interests",
                    "Public Interests", "Consent - Pending", "Consent - Awaiting", "Consent - Obtained",
                    "Consent - Not Responded", "Consent - Denied", STOP_PROCESSING)
CONSENT_KEYS = {
    "Data_Processing_Basis": "picklist",
    "Contact_Through_Email": "boolean",
    "Contact_Through_Phone": "boolean",
    "Contact_Through_Survey": "boolean",
    "Contact_Through_Social": "boolean",
    "Consent_Date": "date",
    "Consent_Remarks": "text",
    "Consent_Through": "text",
    "Lawful_Reason": "text",
}


@dataclass(frozen=True, slots=True)
class FieldDef:
    """One field of a sandbox module, in Zoho's own terms (``data_type`` as the fields API names it)."""

    api_name: str
    data_type: str
    length: int = 255
    mandatory: bool = False
    picklist: tuple[str, ...] = ()
    unique: bool = False
    read_only: bool = False
    custom: bool = False
    label: str = ""

    @property
    def json_type(self) -> str:
        return {"boolean": "boolean", "integer": "integer", "bigint": "string", "double": "double",
                "currency": "double", "consent_lookup": "jsonobject", "ownerlookup": "jsonobject",
                "lookup": "jsonobject"}.get(self.data_type, "string")


@dataclass(frozen=True, slots=True)
class ModuleDef:
    """A module: its fields and the fields Zoho checks for duplicates when an upsert names none."""

    api_name: str
    module_id: str
    fields: tuple[FieldDef, ...]
    system_duplicate_fields: tuple[str, ...]
    display_field: str
    by_name: dict[str, FieldDef] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_name", {f.api_name: f for f in self.fields})


def _common_tail(unique_extra: Iterable[str]) -> tuple[FieldDef, ...]:
    tail = [
        FieldDef("Owner", "ownerlookup", label="Owner"),
        FieldDef("Description", "textarea", 32000),
        FieldDef("Crmhub_Id", "text", 64, unique=True, custom=True, label="crmhub Id"),
        FieldDef("Created_Time", "datetime", read_only=True),
        FieldDef("Modified_Time", "datetime", read_only=True),
        FieldDef("Created_By", "ownerlookup", read_only=True),
        FieldDef("Modified_By", "ownerlookup", read_only=True),
    ]
    tail.extend(FieldDef(name, "text", 255, unique=True, custom=True) for name in unique_extra)
    return tuple(tail)


def _person(prefix: str) -> tuple[FieldDef, ...]:
    street, city, state, code, country = (
        ("Mailing_Street", "Mailing_City", "Mailing_State", "Mailing_Zip", "Mailing_Country")
        if prefix == "Mailing" else ("Street", "City", "State", "Zip_Code", "Country"))
    return (
        FieldDef("First_Name", "text", 40),
        FieldDef("Last_Name", "text", 80, mandatory=True),
        FieldDef("Email", "email", 100),
        FieldDef("Secondary_Email", "email", 100),
        FieldDef("Phone", "phone", 30),
        FieldDef("Mobile", "phone", 30),
        FieldDef("Title" if prefix == "Mailing" else "Designation", "text", 100),
        FieldDef(street, "text", 250),
        FieldDef(city, "text", 100),
        FieldDef(state, "text", 100),
        FieldDef(code, "text", 30),
        FieldDef(country, "text", 100),
        FieldDef("Lead_Source", "picklist", 120, picklist=LEAD_SOURCES),
        FieldDef("Email_Opt_Out", "boolean"),
        FieldDef("Data_Processing_Basis_Details", "consent_lookup", label="Data Processing Basis Details"),
        FieldDef("Data_Processing_Basis", "picklist", 120, picklist=PROCESSING_BASES, read_only=True),
    )


def build_modules(extra_unique: dict[str, list[str]] | None = None) -> dict[str, ModuleDef]:
    """The sandbox org's modules; ``extra_unique`` marks more fields unique per module (to provoke DUPLICATE_DATA)."""
    extra_unique = extra_unique or {}

    def with_unique(name: str, fields: tuple[FieldDef, ...]) -> tuple[FieldDef, ...]:
        wanted = set(extra_unique.get(name, ()))
        kept = tuple(
            FieldDef(f.api_name, f.data_type, f.length, f.mandatory, f.picklist, True, f.read_only, f.custom, f.label)
            if f.api_name in wanted else f
            for f in fields
        )
        missing = wanted - {f.api_name for f in fields}
        return kept + _common_tail(sorted(missing))

    contacts = with_unique("Contacts", (*_person("Mailing"), FieldDef("Date_of_Birth", "date"),
                                        FieldDef("Department", "text", 100)))
    leads = with_unique("Leads", (*_person("Lead"), FieldDef("Company", "text", 200),
                                  FieldDef("Lead_Status", "picklist", 120, picklist=LEAD_STATUSES)))
    accounts = with_unique("Accounts", (
        FieldDef("Account_Name", "text", 200, mandatory=True),
        FieldDef("Website", "website", 255),
        FieldDef("Phone", "phone", 30),
        FieldDef("Industry", "picklist", 120, picklist=INDUSTRIES),
        FieldDef("Annual_Revenue", "currency", 16),
        FieldDef("Billing_Street", "text", 250),
        FieldDef("Billing_City", "text", 100),
        FieldDef("Billing_State", "text", 100),
        FieldDef("Billing_Code", "text", 30),
        FieldDef("Billing_Country", "text", 100),
        FieldDef("Tax_Number", "text", 32, custom=True),
    ))
    return {
        "Contacts": ModuleDef("Contacts", "7000000002095", contacts, ("Email",), "Last_Name"),
        "Accounts": ModuleDef("Accounts", "7000000002093", accounts, ("Account_Name",), "Account_Name"),
        "Leads": ModuleDef("Leads", "7000000002091", leads, ("Email",), "Last_Name"),
    }


def _field_id(module: ModuleDef, name: str) -> str:
    return str(7000000100000 + zlib.crc32(f"{module.api_name}.{name}".encode()) % 900000)


def field_metadata(module: ModuleDef, f: FieldDef) -> dict[str, Any]:
    """One entry of ``GET /crm/v8/settings/fields``, with the properties Zoho sends for a field."""
    minified = {"api_name": module.api_name, "id": module.module_id}
    label = f.label or f.api_name.replace("_", " ")
    picklist = [
        {"display_value": value, "actual_value": value, "sequence_number": i + 1, "type": "used",
         "colour_code": None, "id": str(7000000200000 + zlib.crc32(f"{f.api_name}={value}".encode()) % 900000)}
        for i, value in enumerate(f.picklist)
    ]
    editable = not f.read_only
    return {
        "associated_module": minified, "data_type": f.data_type,
        "operation_type": {"web_update": editable, "api_create": editable, "web_create": editable,
                           "api_update": editable},
        "system_mandatory": f.mandatory, "webhook": True, "sequence_number": 1, "default_value": "",
        "blueprint_supported": False, "virtual_field": False, "field_read_only": f.read_only,
        "customizable_properties": [], "read_only": f.read_only, "custom_field": f.custom,
        "businesscard_supported": True, "filterable": True, "visible": True, "available_in_user_layout": True,
        "display_field": f.api_name == module.display_field, "pick_list_values_sorted_lexically": False,
        "sortable": True, "layout_associations": [{"api_name": "Standard", "name": "Standard",
                                                   "id": str(int(module.module_id) + 7)}],
        "separator": False, "searchable": True, "enable_colour_code": False, "mass_update": editable,
        "json_type": f.json_type, "created_source": "crm" if not f.custom else "user", "type": "used",
        "display_label": label, "column_name": f.api_name.upper(), "api_name": f.api_name, "display_type": -1,
        "ui_type": 1, "colour_code_enabled_by_system": False, "length": f.length, "decimal_place": None,
        "quick_sequence_number": "1", "email_parser": {"fields_update_supported": False,
                                                       "record_operations_supported": False},
        "rollup_summary": None, "refer_from_field": {"id": "0", "api_name": ""},
        "created_time": None, "modified_time": None, "show_type": 7, "category": 0,
        "id": _field_id(module, f.api_name), "multi_module_lookup": None, "sharing_properties": {},
        "currency": {"rounding_option": "normal", "precision": 2} if f.data_type == "currency" else None,
        "file_upolad_optionlist": [], "lookup": None, "profiles": [
            {"name": "Administrator", "id": "7000000000301", "permission_type": "read_only" if f.read_only
             else "read_write"}],
        "view_type": {"view": True, "edit": editable, "quick_create": f.mandatory, "create": editable},
        "unique": {"casesensitive": "false"} if f.unique else None,
        "sub_module": minified, "subform": None,
        "external": {"show": False, "type": "user", "allow_multiple_config": False},
        "formula": None, "convert_mapping": {}, "multiselectlookup": None,
        "multiuserlookup": {"display_label": "", "linking_module": minified, "connected_module": minified,
                            "lookup_apiname": "", "api_name": "", "connectedfield_apiname": "",
                            "connectedlookup_apiname": "", "id": "0", "record_access": False},
        "autonumber": {"starting_number_length": 0, "prefix": "", "suffix": "", "start_number": 0},
        "auto_number": None, "pick_list_values": picklist,
        "crypt": {"mode": "", "status": 0}, "tooltip": {"name": "", "value": ""},
        "history_tracking": {"module": {}, "duration_configured_field": minified},
        "association_details": {"related_field": minified, "lookup_field": minified},
        "allowed_modules": [], "additional_column": None, "field_label": label, "common.picklist": None,
        "hipaa_compliance_enabled": False, "hipaa_compliance": {"restricted_in_export": False, "restricted": False},
        "_update_existing_records": False, "number_separator": False, "textarea": {"type": "large"}
        if f.data_type == "textarea" else {}, "static_field": False,
        "private": {"restricted": False, "type": "low", "export": True},
    }


def fields_response(module: ModuleDef) -> dict[str, Any]:
    """The body of ``GET /crm/v8/settings/fields?module=<module>``."""
    return {"fields": [field_metadata(module, f) for f in module.fields]}
