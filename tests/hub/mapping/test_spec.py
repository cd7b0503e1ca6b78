"""Loading mapping files: every problem at once with file and line; reading and writing records."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from hub.errors import ConfigError
from hub.mapping import Mapping, StreamMapping, find_mapping, load_mapping, parse_mapping
from hub.mapping.builtin_transforms import builtin_registry
from hub.mapping.transforms import TransformRegistry

SALESFORCE = """\
system: salesforce
streams:
  contacts:
    object: Contact
    key_field: Crmhub_Id__c
    id_field: Id
    fields:
      email: {from: Email, transform: [trim, lower]}
      phone: {from: Phone, transform: {e164: {region: TR}}}
      address.city: {from: MailingCity, transform: {title: {locale: tr}}}
      address.country: {from: MailingCountry, transform: country_iso}
      lifecycle_stage: {from: Status__c, map: {Open: lead, "Closed Won": customer}, default: lead}
      language: {const: tr}
      birth_date: {from: Birthdate, transform: {date: {formats: ["%d.%m.%Y"]}}}
      custom.segment: Segment__c
      consent.email: {from: Email_Opt_In__c, map: {Yes: granted, No: denied}}
      created_at: {from: CreatedDate, transform: date, direction: read}
    split:
      - {from: Name, transform: split_name, to: [first_name, last_name]}
    write_only: {LeadSource: crmhub}
  companies:
    object: Account
    fields:
      name: Name
      annual_revenue.amount: {from: AnnualRevenue, transform: decimal}
"""


@pytest.fixture(scope="module")
def transforms() -> TransformRegistry:
    return builtin_registry()


@pytest.fixture(scope="module")
def contacts(transforms: TransformRegistry) -> StreamMapping:
    return parse_mapping(SALESFORCE, transforms, source="salesforce.yaml").stream("contacts")


def problems_of(text: str, transforms: TransformRegistry) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse_mapping(text, transforms, source="bad.yaml")
    return [str(p) for p in caught.value.problems]


def test_stream_attributes(transforms: TransformRegistry) -> None:
    mapping = parse_mapping(SALESFORCE, transforms, source="salesforce.yaml")
    assert mapping.system == "salesforce"
    assert set(mapping.streams) == {"contacts", "companies"}
    contacts = mapping.stream("contacts")
    assert (contacts.canonical, contacts.object, contacts.key_field, contacts.id_field) == (
        "contacts", "Contact", "Crmhub_Id__c", "Id"
    )
    assert mapping.stream("companies").key_field is None


def test_to_canonical(contacts: StreamMapping) -> None:
    record, issues = contacts.to_canonical(
        {
            "Email": "  Ahmet.Yilmaz@Example.COM ", "Phone": "0532 123 45 67", "MailingCity": "ŞİŞLİ",
            "MailingCountry": "Türkiye", "Status__c": "Closed Won", "Birthdate": "05.03.1990",
            "Segment__c": "KOBİ", "Email_Opt_In__c": "yes", "Name": "Ahmet Mehmet Yılmaz",
            "CreatedDate": "2024-03-05T10:00:00.000+0000", "Unmapped__c": "ignored",
        }
    )
    assert issues == []
    assert record == {
        "email": "ahmet.yilmaz@example.com", "phone": "+905321234567", "address.city": "Şişli",
        "address.country": "TR", "lifecycle_stage": "customer", "birth_date": dt.date(1990, 3, 5),
        "custom.segment": "KOBİ", "consent.email": "granted", "language": "tr",
        "first_name": "Ahmet Mehmet", "last_name": "Yılmaz",
        "created_at": dt.datetime(2024, 3, 5, 10, tzinfo=dt.UTC),
    }


def test_picklist_default_applies_to_unmapped_and_empty_values(contacts: StreamMapping) -> None:
    assert contacts.to_canonical({"Status__c": "Something Else"})[0]["lifecycle_stage"] == "lead"
    assert contacts.to_canonical({"Status__c": ""})[0]["lifecycle_stage"] == "lead"
    assert contacts.to_canonical({})[0]["lifecycle_stage"] == "lead"


def test_picklist_without_default_reports_unmapped(contacts: StreamMapping) -> None:
    record, issues = contacts.to_canonical({"Email_Opt_In__c": "Maybe"})
    assert "consent.email" not in record
    assert [(i.field, i.code) for i in issues] == [("consent.email", "picklist_unmapped")]
    assert "Email_Opt_In__c" in issues[0].message


def test_transform_failure_names_both_fields_and_keeps_the_record(contacts: StreamMapping) -> None:
    record, issues = contacts.to_canonical({"Phone": "12", "Email": "a@b.co", "Birthdate": "yesterday"})
    assert record["email"] == "a@b.co"
    assert {(i.field, i.code) for i in issues} == {("phone", "phone_invalid"), ("birth_date", "date_invalid")}
    phone_issue = next(i for i in issues if i.field == "phone")
    assert "Phone → phone" in phone_issue.message
    assert "12" not in phone_issue.message.replace("Phone → phone", "")


def test_from_canonical_inverts_maps_joins_names_and_skips_read_only(contacts: StreamMapping) -> None:
    fields = contacts.from_canonical(
        {
            "email": "ahmet@example.com", "lifecycle_stage": "customer", "first_name": "Çağla",
            "last_name": "Güneş", "birth_date": dt.date(1990, 3, 5), "consent.email": "denied",
            "created_at": dt.datetime(2024, 1, 1, tzinfo=dt.UTC), "language": "tr", "phone": None,
            "custom.segment": "",
        }
    )
    assert fields == {
        "Email": "ahmet@example.com", "Status__c": "Closed Won", "Name": "Çağla Güneş",
        "Birthdate": "05.03.1990", "Email_Opt_In__c": "No", "LeadSource": "crmhub",
    }


def test_from_canonical_reports_values_it_cannot_map_back(contacts: StreamMapping) -> None:
    issues: list = []
    fields = contacts.from_canonical({"lifecycle_stage": "churned"}, issues)
    assert "Status__c" not in fields
    assert [(i.field, i.code) for i in issues] == [("lifecycle_stage", "picklist_unmapped")]


def test_round_trip(contacts: StreamMapping) -> None:
    source = {
        "Email": "ayse@example.com.tr", "Phone": "+905321234567", "MailingCity": "İzmir", "MailingCountry": "TR",
        "Status__c": "Open", "Birthdate": "01.12.1985", "Segment__c": "A", "Email_Opt_In__c": "Yes",
        "Name": "Ayşe Kaya",
    }
    record, issues = contacts.to_canonical(source)
    assert issues == []
    written = contacts.from_canonical(record)
    assert written == {**source, "LeadSource": "crmhub"}
    assert contacts.to_canonical(written)[0] == record


def test_system_fields(contacts: StreamMapping) -> None:
    assert contacts.system_fields_written() == {
        "Email", "Phone", "MailingCity", "MailingCountry", "Status__c", "Birthdate", "Segment__c",
        "Email_Opt_In__c", "Name", "LeadSource",
    }
    assert "CreatedDate" in contacts.system_fields_read()


def test_missing_stream_names_the_file(transforms: TransformRegistry) -> None:
    mapping = parse_mapping(SALESFORCE.split("  companies:")[0], transforms, source="mappings/sf.yaml")
    with pytest.raises(ConfigError, match=r"mappings/sf\.yaml: streams\.companies"):
        mapping.stream("companies")


def test_all_problems_reported_at_once_with_lines(transforms: TransformRegistry) -> None:
    problems = problems_of(
        """\
system: broken
colour: blue
streams:
  contacts:
    object: Contact
    fields:
      email: Email
      e_mail: EMail__c
      phone: {from: Phone, transform: [trim, phonify]}
      mobile: {from: Mobile, transform: {e164: {region: XX}}}
      address.city: {from: City, transform: {truncate: {length: "ten"}}}
      first_name: {from: FirstName, colour: red}
      last_name: {const: X, from: LastName}
      company: Email
      consent.email: {from: Opt, map: {Y: maybe}}
  people:
    object: Person
    fields: {}
""",
        transforms,
    )
    joined = "\n".join(problems)
    assert "bad.yaml:2: colour: unknown key" in joined
    assert "bad.yaml:8: streams.contacts.fields.e_mail: unknown canonical field 'e_mail'" in joined
    assert "bad.yaml:9: streams.contacts.fields.phone.transform.phonify: unknown transform 'phonify'" in joined
    assert "bad.yaml:10: streams.contacts.fields.mobile.transform.e164: parameter 'region'" in joined
    assert "bad.yaml:11: streams.contacts.fields.address.city.transform.truncate: parameter 'length'" in joined
    assert "bad.yaml:12: streams.contacts.fields.first_name.colour: unknown key" in joined
    assert "bad.yaml:13: streams.contacts.fields.last_name: exactly one of 'from'" in joined
    assert "bad.yaml:14: streams.contacts.fields.company: Email is also written from email" in joined
    assert "bad.yaml:15: streams.contacts.fields.consent.email.map.Y: expected one of" in joined
    assert "bad.yaml:16: streams.people: unknown canonical stream" in joined
    assert len(problems) == 10


def test_unknown_field_suggests_the_dotted_name(transforms: TransformRegistry) -> None:
    problems = problems_of("streams:\n  contacts:\n    object: C\n    fields:\n      city: City\n", transforms)
    assert problems == ["bad.yaml:5: streams.contacts.fields.city: unknown canonical field 'city' of contacts;"
                        " did you mean address.city?"]


def test_duplicate_keys_and_split_conflicts(transforms: TransformRegistry) -> None:
    problems = problems_of(
        """\
streams:
  contacts:
    object: Contact
    fields:
      first_name: FirstName
      email: Email
      email: Email2
    split:
      - {from: Name, transform: split_name, to: [first_name, last_name]}
      - {from: Other, transform: split_name, to: [first_name]}
""",
        transforms,
    )
    joined = "\n".join(problems)
    assert "bad.yaml:7: email: the key appears twice" in joined
    assert "bad.yaml:9: streams.contacts.split: first_name is already read from FirstName" in joined
    assert "bad.yaml:10: streams.contacts.split.1.to: a list of two or more canonical fields" in joined


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("streams: [1, 2]\n", "bad.yaml:1: streams: a mapping of canonical streams"),
        ("- just a list\n", "bad.yaml:1: (document): a mapping with 'system' and 'streams'"),
        ("streams:\n  contacts: {fields: {email: Email}}\n", "bad.yaml:2: streams.contacts.object"),
        ("streams:\n  contacts:\n    object: C\n    fields: {email: [1]}\n",
         "bad.yaml:4: streams.contacts.fields.email"),
        ("streams: {contacts: {object: C, fields: {email: Email}\n", "bad.yaml:2: (syntax)"),
    ],
)
def test_structural_problems(transforms: TransformRegistry, text: str, expected: str) -> None:
    assert any(p.startswith(expected) for p in problems_of(text, transforms)), problems_of(text, transforms)


def test_load_and_find_mapping(tmp_path: Path, transforms: TransformRegistry) -> None:
    (tmp_path / "salesforce.yaml").write_text(SALESFORCE, encoding="utf-8")
    path = find_mapping("salesforce", [tmp_path / "nowhere", tmp_path])
    assert path == tmp_path / "salesforce.yaml"
    assert find_mapping(str(path)) == path
    mapping = load_mapping(path, transforms)
    assert isinstance(mapping, Mapping)
    assert mapping.path == path
    with pytest.raises(ConfigError, match="no mapping named 'hubspot'"):
        find_mapping("hubspot", [tmp_path])
    with pytest.raises(ConfigError, match="does not exist"):
        load_mapping(tmp_path / "missing.yaml", transforms)
