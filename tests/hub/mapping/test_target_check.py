"""Checking a mapping against the target's schema before writing."""

from __future__ import annotations

from hub.connectors.api import StreamInfo
from hub.mapping import canonical_mapping, parse_mapping
from hub.mapping.builtin_transforms import builtin_registry
from hub.model import FieldSpec, FieldType

MAPPING = """\
streams:
  contacts:
    object: Contact
    key_field: Crmhub_Id__c
    fields:
      email: Email
      first_name: FirstName
      lifecycle_stage: {from: Status__c, map: {Open: lead, Won: customer}}
      job_title: Title
      created_at: {from: CreatedDate, direction: read}
"""


def test_check_against_reports_every_mismatch() -> None:
    contacts = parse_mapping(MAPPING, builtin_registry(), source="sf.yaml").stream("contacts")
    info = StreamInfo(
        name="Contact",
        fields={
            "Email": FieldSpec("Email", max_length=80),
            "FirstName": FieldSpec("FirstName", read_only=True),
            "Status__c": FieldSpec("Status__c", FieldType.ENUM, choices=("Open", "Closed")),
            "CreatedDate": FieldSpec("CreatedDate", FieldType.DATETIME, read_only=True),
        },
    )
    problems = contacts.check_against(info)
    assert problems == [
        "sf.yaml: contacts → Contact: the key field Crmhub_Id__c does not exist in Contact",
        "sf.yaml: contacts → Contact: FirstName (from first_name) is read-only in Contact",
        "sf.yaml: contacts → Contact: Status__c (from lifecycle_stage) does not allow the picklist value(s) Won",
        "sf.yaml: contacts → Contact: Title (from job_title) does not exist in Contact",
    ]
    assert contacts.check_against(info, lengths=True)[1] == (
        "sf.yaml: contacts → Contact: Email (from email) holds at most 80 characters, email up to 254"
    )


def test_a_fitting_target_has_no_problems() -> None:
    contacts = parse_mapping(MAPPING, builtin_registry()).stream("contacts")
    info = StreamInfo(
        name="Contact",
        fields={name: FieldSpec(name) for name in ("Email", "FirstName", "Status__c", "Title", "Crmhub_Id__c")},
    )
    assert contacts.check_against(info) == []


def test_canonical_target_needs_only_its_key() -> None:
    mapping = canonical_mapping("contacts")
    assert mapping.check_against(StreamInfo("contacts", {"id": FieldSpec("id"), "email": FieldSpec("email")})) == []
    assert mapping.check_against(StreamInfo("contacts", {"email": FieldSpec("email")}))
