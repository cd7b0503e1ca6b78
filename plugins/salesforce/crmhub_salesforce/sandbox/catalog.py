"""The sandbox org's schema: Contact, Account, Lead and the consent objects, with what ``describe`` reports.

Field properties follow the REST ``sobjects/X/describe`` shape (``type``, ``length``, ``nillable``,
``createable``, ``updateable``, ``defaultedOnCreate``, ``externalId``, ``unique``, ``picklistValues``).
The standard fields are a subset of Salesforce's; ``Crmhub_Id__c`` is the custom external-id field
the hub keys records by, and ``Legacy_Id__c`` is a non-unique external id (the ``300`` case).

The org has Data Protection and Privacy enabled: ``Individual`` (a person's privacy preferences,
linked from ``Contact.IndividualId``), ``ContactPointTypeConsent`` (consent per channel type and data
use purpose, ``PartyId`` → Individual) and ``DataUsePurpose``, with the fields and restricted
picklists of Salesforce's object reference (API 45.0+).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

TEXT_TYPES = frozenset(
    {"string", "textarea", "phone", "email", "url", "picklist", "multipicklist", "combobox", "id", "reference"}
)
NUMBER_TYPES = frozenset({"double", "currency", "percent", "int"})
SYSTEM_FIELDS = ("Id", "IsDeleted", "CreatedDate", "CreatedById", "LastModifiedDate", "LastModifiedById",
                 "SystemModstamp")


@dataclass(frozen=True, slots=True)
class FieldDef:
    """One field of a sandbox sObject."""

    name: str
    type: str
    label: str = ""
    length: int = 0
    nillable: bool = True
    createable: bool = True
    updateable: bool = True
    defaulted_on_create: bool = False
    default_value: Any = None
    external_id: bool = False
    unique: bool = False
    case_sensitive: bool = False
    picklist: tuple[str, ...] = ()
    restricted_picklist: bool = False
    reference_to: tuple[str, ...] = ()
    precision: int = 0
    scale: int = 0

    @property
    def custom(self) -> bool:
        return self.name.endswith("__c")

    @property
    def required_on_create(self) -> bool:
        """What Salesforce reports as required: not nillable, createable and not defaulted."""
        return not self.nillable and self.createable and not self.defaulted_on_create

    def describe(self) -> dict[str, Any]:
        """This field as ``describe`` lists it."""
        soap = {"boolean": "xsd:boolean", "int": "xsd:int", "double": "xsd:double", "currency": "xsd:double",
                "percent": "xsd:double", "date": "xsd:date", "datetime": "xsd:dateTime", "id": "tns:ID",
                "reference": "tns:ID"}.get(self.type, "xsd:string")
        text = self.type in TEXT_TYPES
        return {
            "aggregatable": self.type not in ("textarea",),
            "autoNumber": False,
            "byteLength": self.length * 3 if text else 0,
            "calculated": False,
            "caseSensitive": self.case_sensitive,
            "createable": self.createable,
            "custom": self.custom,
            "defaultValue": self.default_value,
            "defaultedOnCreate": self.defaulted_on_create,
            "digits": 9 if self.type == "int" else 0,
            "externalId": self.external_id,
            "filterable": self.type != "textarea" or self.length <= 255,
            "idLookup": self.name == "Id" or (self.external_id and self.unique),
            "label": self.label or self.name.removesuffix("__c").replace("_", " "),
            "length": self.length if text else 0,
            "name": self.name,
            "nillable": self.nillable,
            "picklistValues": [
                {"active": True, "defaultValue": value == self.default_value, "label": value, "validFor": None,
                 "value": value}
                for value in self.picklist
            ],
            "precision": self.precision,
            "referenceTo": list(self.reference_to),
            "relationshipName": None,
            "restrictedPicklist": self.restricted_picklist,
            "scale": self.scale,
            "soapType": soap,
            "sortable": self.type != "textarea" or self.length <= 255,
            "type": self.type,
            "unique": self.unique,
            "updateable": self.updateable,
        }


@dataclass(frozen=True, slots=True)
class ObjectDef:
    """One sandbox sObject: its name, key prefix and fields."""

    name: str
    key_prefix: str
    label: str
    fields: tuple[FieldDef, ...]
    by_lower: dict[str, FieldDef] = field(default_factory=dict, compare=False)
    labels: dict[str, str] = field(default_factory=dict, compare=False)
    required: tuple[FieldDef, ...] = field(default=(), compare=False)
    """Fields a create must set (what describe reports as not nillable, createable, not defaulted)."""
    defaults: dict[str, Any] = field(default_factory=dict, compare=False)
    """Values Salesforce fills on create when none is given (checkboxes false, picklist defaults)."""
    booleans: frozenset[str] = field(default=frozenset(), compare=False)

    def __post_init__(self) -> None:
        self.by_lower.update({f.name.lower(): f for f in self.fields})
        self.labels.update({f.name: f.describe()["label"] for f in self.fields})
        object.__setattr__(self, "required", tuple(f for f in self.fields
                                                   if f.required_on_create and f.type != "boolean"))
        object.__setattr__(self, "booleans", frozenset(f.name for f in self.fields if f.type == "boolean"))
        for f in self.fields:
            if f.defaulted_on_create and f.type == "boolean":
                self.defaults[f.name] = 1 if f.default_value else 0
            elif f.defaulted_on_create and f.default_value is not None:
                self.defaults[f.name] = f.default_value

    def get(self, name: str) -> FieldDef | None:
        """A field by name; Salesforce field names are case-insensitive."""
        return self.by_lower.get(name.lower())

    def describe(self, version: str) -> dict[str, Any]:
        """The ``sobjects/X/describe`` body."""
        return {**self.summary(version), "fields": [f.describe() for f in self.fields], "childRelationships": [],
                "recordTypeInfos": [], "supportedScopes": [{"label": "All", "name": "everything"}]}

    def summary(self, version: str) -> dict[str, Any]:
        """The entry of this object in the global ``sobjects`` describe."""
        base = f"/services/data/v{version}/sobjects/{self.name}"
        return {
            "activateable": False, "createable": True, "custom": False, "customSetting": False,
            "deletable": True, "deprecatedAndHidden": False, "feedEnabled": False, "keyPrefix": self.key_prefix,
            "label": self.label, "labelPlural": self.label + "s", "layoutable": True, "mergeable": True,
            "name": self.name, "queryable": True, "replicateable": True, "retrieveable": True,
            "searchable": True, "triggerable": True, "undeletable": True, "updateable": True,
            "urls": {"sobject": base, "describe": base + "/describe", "rowTemplate": base + "/{ID}"},
        }


def _system_fields(prefix_label: str) -> tuple[FieldDef, ...]:
    ro: dict[str, Any] = {"createable": False, "updateable": False, "nillable": False, "defaulted_on_create": True}
    return (
        FieldDef("Id", "id", f"{prefix_label} ID", length=18, **ro),
        FieldDef("IsDeleted", "boolean", "Deleted", **ro),
        FieldDef("CreatedDate", "datetime", "Created Date", **ro),
        FieldDef("CreatedById", "reference", "Created By ID", length=18, reference_to=("User",), **ro),
        FieldDef("LastModifiedDate", "datetime", "Last Modified Date", **ro),
        FieldDef("LastModifiedById", "reference", "Last Modified By ID", length=18, reference_to=("User",), **ro),
        FieldDef("SystemModstamp", "datetime", "System Modstamp", **ro),
    )


def _key_fields() -> tuple[FieldDef, ...]:
    return (
        FieldDef("Crmhub_Id__c", "string", "Crmhub Id", length=64, external_id=True, unique=True),
        FieldDef("Legacy_Id__c", "string", "Legacy Id", length=40, external_id=True),
    )


_LEAD_SOURCES = ("Web", "Phone Inquiry", "Partner Referral", "Purchased List", "Trade Show", "Other")
_STAGES = ("Subscriber", "Lead", "Marketing Qualified", "Sales Qualified", "Opportunity", "Customer", "Evangelist",
           "Other")
_CONSENT = ("Granted", "Denied", "Withdrawn", "Pending", "Unknown")
_LANGUAGES = ("tr", "en", "de", "fr", "ar", "ru", "es", "it", "nl")
_BOOL_DEFAULT: dict[str, Any] = {"nillable": False, "defaulted_on_create": True, "default_value": False}


def _address(prefix: str, label: str) -> tuple[FieldDef, ...]:
    return (
        FieldDef(f"{prefix}Street", "textarea", f"{label} Street", length=255),
        FieldDef(f"{prefix}City", "string", f"{label} City", length=40),
        FieldDef(f"{prefix}State", "string", f"{label} State/Province", length=80),
        FieldDef(f"{prefix}PostalCode", "string", f"{label} Zip/Postal Code", length=20),
        FieldDef(f"{prefix}Country", "string", f"{label} Country", length=80),
    )


CONTACT = ObjectDef("Contact", "003", "Contact", (
    *_system_fields("Contact"),
    FieldDef("AccountId", "reference", "Account ID", length=18, reference_to=("Account",)),
    FieldDef("LastName", "string", "Last Name", length=80, nillable=False),
    FieldDef("FirstName", "string", "First Name", length=40),
    FieldDef("Salutation", "picklist", "Salutation", length=40, picklist=("Mr.", "Ms.", "Mrs.", "Dr.", "Prof.")),
    *_address("Mailing", "Mailing"),
    FieldDef("Phone", "phone", "Business Phone", length=40),
    FieldDef("MobilePhone", "phone", "Mobile Phone", length=40),
    FieldDef("Email", "email", "Email", length=80),
    FieldDef("Title", "string", "Title", length=128),
    FieldDef("Department", "string", "Department", length=80),
    FieldDef("LeadSource", "picklist", "Lead Source", length=255, picklist=_LEAD_SOURCES, restricted_picklist=True),
    FieldDef("Birthdate", "date", "Birthdate"),
    FieldDef("Description", "textarea", "Contact Description", length=32000),
    FieldDef("HasOptedOutOfEmail", "boolean", "Email Opt Out", **_BOOL_DEFAULT),
    FieldDef("DoNotCall", "boolean", "Do Not Call", **_BOOL_DEFAULT),
    *_key_fields(),
    FieldDef("Lifecycle_Stage__c", "picklist", "Lifecycle Stage", length=255, picklist=_STAGES,
             restricted_picklist=True),
    FieldDef("Sms_Consent__c", "picklist", "SMS Consent", length=255, picklist=_CONSENT, restricted_picklist=True),
    FieldDef("Processing_Restricted__c", "boolean", "Processing Restricted", **_BOOL_DEFAULT),
    FieldDef("Language__c", "picklist", "Language", length=255, picklist=_LANGUAGES, restricted_picklist=True),
    FieldDef("IndividualId", "reference", "Individual ID", length=18, reference_to=("Individual",)),
))

ACCOUNT = ObjectDef("Account", "001", "Account", (
    *_system_fields("Account"),
    FieldDef("Name", "string", "Account Name", length=255, nillable=False),
    FieldDef("Website", "url", "Website", length=255),
    FieldDef("Phone", "phone", "Account Phone", length=40),
    FieldDef("Industry", "picklist", "Industry", length=255, restricted_picklist=True, picklist=(
        "Agriculture", "Banking", "Construction", "Consulting", "Education", "Energy", "Finance", "Healthcare",
        "Hospitality", "Manufacturing", "Media", "Retail", "Technology", "Telecommunications", "Transportation",
        "Other")),
    *_address("Billing", "Billing"),
    FieldDef("AnnualRevenue", "currency", "Annual Revenue", precision=18, scale=0),
    FieldDef("NumberOfEmployees", "int", "Employees", precision=8),
    FieldDef("Description", "textarea", "Account Description", length=32000),
    *_key_fields(),
    FieldDef("Tax_Id__c", "string", "Tax Id", length=32),
    FieldDef("Tax_Id_Type__c", "picklist", "Tax Id Type", length=255, picklist=("VKN", "VAT", "OTHER"),
             restricted_picklist=True),
    FieldDef("Currency__c", "string", "Revenue Currency", length=3),
))

LEAD = ObjectDef("Lead", "00Q", "Lead", (
    *_system_fields("Lead"),
    FieldDef("LastName", "string", "Last Name", length=80, nillable=False),
    FieldDef("FirstName", "string", "First Name", length=40),
    FieldDef("Company", "string", "Company", length=255, nillable=False),
    FieldDef("Title", "string", "Title", length=128),
    FieldDef("Email", "email", "Email", length=80),
    FieldDef("Phone", "phone", "Phone", length=40),
    FieldDef("MobilePhone", "phone", "Mobile Phone", length=40),
    *_address("", "Address"),
    FieldDef("Status", "picklist", "Status", length=255, nillable=False, defaulted_on_create=True,
             default_value="Open - Not Contacted", restricted_picklist=True,
             picklist=("Open - Not Contacted", "Working - Contacted", "Closed - Converted",
                       "Closed - Not Converted")),
    FieldDef("LeadSource", "picklist", "Lead Source", length=255, picklist=_LEAD_SOURCES, restricted_picklist=True),
    FieldDef("HasOptedOutOfEmail", "boolean", "Email Opt Out", **_BOOL_DEFAULT),
    FieldDef("DoNotCall", "boolean", "Do Not Call", **_BOOL_DEFAULT),
    FieldDef("IsConverted", "boolean", "Converted", nillable=False, defaulted_on_create=True, default_value=False,
             updateable=False),
    *_key_fields(),
    FieldDef("Sms_Consent__c", "picklist", "SMS Consent", length=255, picklist=_CONSENT, restricted_picklist=True),
    FieldDef("Language__c", "picklist", "Language", length=255, picklist=_LANGUAGES, restricted_picklist=True),
))

CONTACT_POINT_TYPES = ("Email", "MailingAddress", "Phone", "Social", "Web")
PRIVACY_CONSENT_STATUSES = ("NotSeen", "OptIn", "OptOut", "Seen")

INDIVIDUAL = ObjectDef("Individual", "0PK", "Individual", (
    *_system_fields("Individual"),
    FieldDef("LastName", "string", "Last Name", length=80, nillable=False),
    FieldDef("FirstName", "string", "First Name", length=40),
    FieldDef("BirthDate", "date", "Birth Date"),
    FieldDef("HasOptedOutProcessing", "boolean", "Don't Process", **_BOOL_DEFAULT),
    FieldDef("HasOptedOutSolicit", "boolean", "Don't Solicit", **_BOOL_DEFAULT),
    FieldDef("HasOptedOutTracking", "boolean", "Don't Track", **_BOOL_DEFAULT),
    FieldDef("HasOptedOutProfiling", "boolean", "Don't Profile", **_BOOL_DEFAULT),
    FieldDef("HasOptedOutGeoTracking", "boolean", "Don't Track Location", **_BOOL_DEFAULT),
    FieldDef("CanStorePiiElsewhere", "boolean", "OK to Store PII Data Elsewhere", **_BOOL_DEFAULT),
    FieldDef("ShouldForget", "boolean", "Forget this Individual", **_BOOL_DEFAULT),
    FieldDef("SendIndividualData", "boolean", "Export Individual's Data", **_BOOL_DEFAULT),
))

DATA_USE_PURPOSE = ObjectDef("DataUsePurpose", "0ZW", "Data Use Purpose", (
    *_system_fields("Data Use Purpose"),
    FieldDef("Name", "string", "Name", length=255, nillable=False),
    FieldDef("Description", "textarea", "Description", length=1000),
    FieldDef("CanDataSubjectOptOut", "boolean", "Can Data Subject Opt Out", **_BOOL_DEFAULT),
))

CONTACT_POINT_TYPE_CONSENT = ObjectDef("ContactPointTypeConsent", "0ZY", "Contact Point Type Consent", (
    *_system_fields("Contact Point Type Consent"),
    FieldDef("Name", "string", "Name", length=255, nillable=False),
    FieldDef("PartyId", "reference", "Party ID", length=18, nillable=False, reference_to=("Individual",)),
    FieldDef("ContactPointType", "picklist", "Contact Point Type", length=255, picklist=CONTACT_POINT_TYPES,
             restricted_picklist=True),
    FieldDef("DataUsePurposeId", "reference", "Data Use Purpose ID", length=18, reference_to=("DataUsePurpose",)),
    FieldDef("PrivacyConsentStatus", "picklist", "Privacy Consent Status", length=255,
             picklist=PRIVACY_CONSENT_STATUSES, restricted_picklist=True),
    FieldDef("CaptureDate", "datetime", "Capture Date"),
    FieldDef("CaptureSource", "string", "Capture Source", length=255),
    FieldDef("CaptureContactPointType", "picklist", "Capture Contact Point Type", length=255,
             picklist=CONTACT_POINT_TYPES, restricted_picklist=True),
    FieldDef("DoubleConsentCaptureDate", "datetime", "Double Consent Capture Date"),
    FieldDef("EffectiveFrom", "datetime", "Effective From"),
    FieldDef("EffectiveTo", "datetime", "Effective To"),
))

OBJECTS: dict[str, ObjectDef] = {o.name.lower(): o for o in (CONTACT, ACCOUNT, LEAD, INDIVIDUAL, DATA_USE_PURPOSE,
                                                              CONTACT_POINT_TYPE_CONSENT)}


def object_def(name: str) -> ObjectDef | None:
    """An sObject by name (case-insensitive, as Salesforce resolves them)."""
    return OBJECTS.get(name.lower())
