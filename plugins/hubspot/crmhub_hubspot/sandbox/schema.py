"""The properties a fresh HubSpot portal has for contacts and companies, as the properties API describes them.

Only a realistic subset of HubSpot's ~200 default properties per object is declared; the shapes follow
``GET /crm/v3/properties/{objectType}`` (``name``, ``label``, ``type``, ``fieldType``, ``options``,
``hasUniqueValue``, ``modificationMetadata.readOnlyValue``, …). ``wide_properties`` adds custom ones so tests
can reproduce the 414 that very wide objects hit on GET.
"""

from __future__ import annotations

from typing import Any

SCHEMA_TIME = "2019-08-06T02:41:08.029Z"

# Contacts use "lastmodifieddate"; every other object "hs_lastmodifieddate" (HubSpot's own inconsistency).
MODIFIED_PROPERTY = {"contacts": "lastmodifieddate", "companies": "hs_lastmodifieddate"}

# Properties HubSpot returns on every object even when none are requested.
DEFAULT_RETURNED = {
    "contacts": ("createdate", "email", "firstname", "hs_object_id", "lastmodifieddate", "lastname"),
    "companies": ("createdate", "domain", "hs_lastmodifieddate", "hs_object_id", "name"),
}

LIFECYCLE_STAGES = (
    "subscriber", "lead", "marketingqualifiedlead", "salesqualifiedlead",
    "opportunity", "customer", "evangelist", "other",
)
LANGUAGES = ("tr", "en", "en-gb", "de", "fr", "es", "it", "nl", "ar", "ru")
INDUSTRIES = (
    "ACCOUNTING", "AIRLINES_AVIATION", "APPAREL_FASHION", "AUTOMOTIVE", "BANKING", "CHEMICALS",
    "COMPUTER_SOFTWARE", "CONSTRUCTION", "CONSUMER_GOODS", "EDUCATION_MANAGEMENT", "FINANCIAL_SERVICES",
    "FOOD_BEVERAGES", "HOSPITAL_HEALTH_CARE", "INFORMATION_TECHNOLOGY_AND_SERVICES", "INSURANCE",
    "LOGISTICS_AND_SUPPLY_CHAIN", "MARKETING_AND_ADVERTISING", "REAL_ESTATE", "RETAIL", "TELECOMMUNICATIONS",
    "TEXTILES", "TOURISM",
)
OWNERS = ("1001", "1002", "1003")

# name: (label, type, fieldType, options, read_only_value, unique)
_Row = tuple[str, str, str, tuple[str, ...], bool, bool]
_COMMON: dict[str, _Row] = {
    "createdate": ("Create Date", "datetime", "date", (), True, False),
    "hs_object_id": ("Record ID", "number", "number", (), True, True),
    "hubspot_owner_id": ("Owner", "enumeration", "select", OWNERS, False, False),
    "phone": ("Phone Number", "string", "phonenumber", (), False, False),
    "address": ("Street Address", "string", "text", (), False, False),
    "city": ("City", "string", "text", (), False, False),
    "zip": ("Postal Code", "string", "text", (), False, False),
    "state": ("State/Region", "string", "text", (), False, False),
    "country": ("Country/Region", "string", "text", (), False, False),
}
_CONTACTS: dict[str, _Row] = {
    "email": ("Email", "string", "text", (), False, False),
    "firstname": ("First Name", "string", "text", (), False, False),
    "lastname": ("Last Name", "string", "text", (), False, False),
    "mobilephone": ("Mobile Phone Number", "string", "phonenumber", (), False, False),
    "company": ("Company Name", "string", "text", (), False, False),
    "jobtitle": ("Job Title", "string", "text", (), False, False),
    "date_of_birth": ("Date of birth", "string", "text", (), False, False),
    "hs_language": ("Preferred language", "enumeration", "select", LANGUAGES, False, False),
    "lifecyclestage": ("Lifecycle Stage", "enumeration", "radio", LIFECYCLE_STAGES, False, False),
    "lastmodifieddate": ("Last Modified Date", "datetime", "date", (), True, False),
    "associatedcompanyid": ("Primary Associated Company ID", "number", "number", (), True, False),
    "hs_email_optout": ("Unsubscribed from all email", "bool", "booleancheckbox", ("true", "false"), True, False),
    "hs_legal_basis": ("Legal basis for processing contact's data", "enumeration", "checkbox",
                       ("Legitimate interest – prospect/lead", "Legitimate interest – existing customer",
                        "Legitimate interest - other", "Performance of a contract", "Freely given consent from contact",
                        "Not applicable"), False, False),
}
_COMPANIES: dict[str, _Row] = {
    "name": ("Company name", "string", "text", (), False, False),
    "domain": ("Company Domain Name", "string", "text", (), False, False),
    "website": ("Website URL", "string", "text", (), False, False),
    "industry": ("Industry", "enumeration", "select", INDUSTRIES, False, False),
    "annualrevenue": ("Annual Revenue", "number", "number", (), False, False),
    "numberofemployees": ("Number of Employees", "number", "number", (), False, False),
    "description": ("Description", "string", "textarea", (), False, False),
    "hs_lastmodifieddate": ("Last Modified Date", "datetime", "date", (), True, False),
}


def property_definition(
    name: str,
    label: str,
    type_: str,
    field_type: str,
    options: tuple[str, ...] = (),
    *,
    read_only_value: bool = False,
    unique: bool = False,
    hubspot_defined: bool = True,
    group: str = "contactinformation",
) -> dict[str, Any]:
    """One property as ``GET /crm/v3/properties/{objectType}`` returns it."""
    return {
        "updatedAt": SCHEMA_TIME,
        "createdAt": SCHEMA_TIME,
        "name": name,
        "label": label,
        "type": type_,
        "fieldType": field_type,
        "description": "",
        "groupName": group,
        "options": [
            {"label": value.replace("_", " ").title(), "value": value, "displayOrder": i, "hidden": False}
            for i, value in enumerate(options)
        ],
        "displayOrder": -1,
        "calculated": False,
        "externalOptions": name == "hubspot_owner_id",
        "hasUniqueValue": unique,
        "hidden": False,
        "hubspotDefined": hubspot_defined,
        "modificationMetadata": {
            "archivable": not hubspot_defined,
            "readOnlyDefinition": hubspot_defined,
            "readOnlyValue": read_only_value,
        },
        "formField": not read_only_value,
    }


def default_properties(object_type: str) -> dict[str, dict[str, Any]]:
    """The properties a new portal has for ``object_type`` (``contacts`` or ``companies``)."""
    own = _CONTACTS if object_type == "contacts" else _COMPANIES
    group = "contactinformation" if object_type == "contacts" else "companyinformation"
    rows = {**_COMMON, **own}
    return {
        name: property_definition(name, label, type_, field_type, options,
                                  read_only_value=ro, unique=unique, group=group)
        for name, (label, type_, field_type, options, ro, unique) in sorted(rows.items())
    }


def wide_properties(count: int) -> dict[str, dict[str, Any]]:
    """``count`` custom text properties with long names, to make an object wide enough for a 414 on GET."""
    return {
        f"custom_wide_property_number_{i:04d}": property_definition(
            f"custom_wide_property_number_{i:04d}", f"Wide {i}", "string", "text", hubspot_defined=False
        )
        for i in range(count)
    }
