"""Zoho's GDPR block ↔ canonical consent: basis stated or derived (never invented), restriction, partial updates."""

from __future__ import annotations

from pathlib import Path

import pytest
from crmhub_zoho.consent import complete_block, read_block, write_block

from hub.mapping import TransformError, load_mapping
from hub.plugins import PluginHost
from hub.records import WriteOutcome, WriteRequest

MAPPINGS = Path(__file__).resolve().parents[3] / "mappings"
BLOCK = "Data_Processing_Basis_Details"


@pytest.fixture(scope="module")
def contacts():
    """The contacts mapping of ``mappings/zoho.yaml`` with the plugin's transforms."""
    return load_mapping(MAPPINGS / "zoho.yaml", PluginHost.start().transforms).stream("contacts")


@pytest.mark.parametrize(("email", "phone", "basis"), [
    ("granted", None, "Consent - Obtained"),
    ("denied", "granted", "Consent - Obtained"),
    ("withdrawn", None, "Consent - Denied"),
    ("denied", "unknown", "Consent - Denied"),
    ("unknown", None, "Consent - Pending"),
    ("expired", "pending", "Consent - Pending"),
])
def test_without_a_stated_basis_it_is_derived_from_the_consent_given(contacts, email, phone, basis) -> None:
    record = {"last_name": "Aydın", "consent.email": email, "consent.phone": phone}
    block = contacts.from_canonical(record)[BLOCK]
    assert block["Data_Processing_Basis"] == basis
    assert block["Contact_Through_Email"] is {"granted": True, "denied": False, "withdrawn": False}.get(email)


@pytest.mark.parametrize(("stated", "basis"), [
    ("contract", "Contract"), ("legitimate_interest", "Legitimate Interests"), ("Legal obligation", "Legal Obligation"),
    ("consent_pending", "Consent - Pending"), ("public_interest", "Public Interests"),
])
def test_a_stated_basis_is_written_as_zohos_and_never_replaced_by_a_derived_one(stated, basis) -> None:
    block = write_block([stated, "denied", None, None, None])
    assert block is not None and block["Data_Processing_Basis"] == basis and "$basis_derived" not in block
    assert complete_block(block, None)["Data_Processing_Basis"] == basis


def test_no_legal_basis_is_invented() -> None:
    assert write_block([None, None, None, None, None]) is None
    assert write_block([None, None, None, False, None]) == {"$stop_processing": False}
    assert complete_block({"$stop_processing": False}, None) is None, "no block where nothing about consent is known"
    with pytest.raises(TransformError):
        write_block(["because we can", "granted", None, None, None])
    assert read_block({"Data_Processing_Basis": "Consent - Denied", "Contact_Through_Email": False})[0] is None


def test_restriction_is_stop_processing_and_lifting_it_derives_the_stage_again() -> None:
    restricted = complete_block(write_block(["contract", "granted", None, True, None]), None)
    assert restricted["Data_Processing_Basis"] == "Stop Processing"
    assert read_block({**restricted, "$stop_processing": True})[3] is True
    held = {**restricted, "$stop_processing": True}
    assert complete_block({"Contact_Through_Email": False}, held)["Data_Processing_Basis"] == "Stop Processing"
    stated = write_block(["contract", None, None, None, None])
    assert complete_block(stated, held)["Data_Processing_Basis"] == "Stop Processing", "only a lift lifts it"
    assert complete_block(write_block(["contract", None, None, False, None]), held)["Data_Processing_Basis"] == \
        "Contract"
    lifted = complete_block(write_block([None, None, None, False, None]), held)
    assert lifted["Data_Processing_Basis"] == "Consent - Obtained" and lifted["Contact_Through_Email"] is True


def test_a_partial_update_is_completed_over_what_zoho_holds() -> None:
    held = {"Data_Processing_Basis": "Consent - Obtained", "Contact_Through_Email": True,
            "Contact_Through_Phone": None, "Consent_Through": "web form", "$stop_processing": False}
    phone_denied = complete_block(write_block([None, None, "denied", None, None]), held)
    assert phone_denied == {"Data_Processing_Basis": "Consent - Obtained", "Contact_Through_Email": True,
                            "Contact_Through_Phone": False, "Consent_Through": "web form"}
    email_withdrawn = complete_block(write_block([None, "withdrawn", None, None, None]), held)
    assert email_withdrawn["Data_Processing_Basis"] == "Consent - Denied"
    under_contract = {**held, "Data_Processing_Basis": "Contract"}
    assert complete_block(write_block([None, "withdrawn", None, None, None]),
                          under_contract)["Data_Processing_Basis"] == "Contract"
    awaiting = {**held, "Data_Processing_Basis": "Consent - Awaiting", "Contact_Through_Email": None}
    assert complete_block(write_block([None, None, None, None, "fair"]),
                          awaiting)["Data_Processing_Basis"] == "Consent - Awaiting"


def test_the_block_reads_back_as_it_was_written(contacts) -> None:
    for record in (
        {"consent.email": "granted", "consent.processing_restricted": False},
        {"consent.email": "denied", "consent.phone": "granted", "consent.source": "fuar standı"},
        {"consent.email": "unknown", "consent.legal_basis": "contract", "consent.processing_restricted": False},
        {"consent.phone": "denied", "consent.legal_basis": "consent_pending"},
    ):
        block = complete_block(contacts.from_canonical(record)[BLOCK], None)
        stop = block.get("Data_Processing_Basis") == "Stop Processing"
        canonical, issues = contacts.to_canonical({BLOCK: {**block, "$stop_processing": stop}})
        assert not issues
        assert {k: canonical.get(k) for k in record} == record


def test_connector_sends_a_whole_block_and_keeps_a_stated_basis_on_partial_updates(make_connector, sandbox) -> None:
    first = {f"{BLOCK}.Data_Processing_Basis": "Contract", f"{BLOCK}.Contact_Through_Email": True,
             f"{BLOCK}.Consent_Through": "sözleşme", "Last_Name": "Koç"}
    with make_connector() as connector:
        assert connector.write("Contacts", [WriteRequest("c-1", first)])[0].outcome is WriteOutcome.CREATED
        partial = write_block([None, "withdrawn", None, None, None])
        assert partial is not None and partial["Data_Processing_Basis"] == "Consent - Denied"
        again = connector.write("Contacts", [WriteRequest("c-1", {BLOCK: partial})])
        assert again[0].outcome is WriteOutcome.UPDATED
        unchanged = connector.write("Contacts", [WriteRequest("c-1", {BLOCK: partial})])
        assert unchanged[0].outcome is WriteOutcome.UNCHANGED
        derived = connector.write("Contacts", [WriteRequest("c-2", {"Last_Name": "Eren",
                                                                    f"{BLOCK}.Contact_Through_Phone": False})])
        assert derived[0].outcome is WriteOutcome.CREATED, derived[0].message
        found = connector.lookup("Contacts", ["c-1", "c-2"])
    stored = next(r for r in sandbox.store.all("Contacts") if r.data["Crmhub_Id"] == "c-1").data[BLOCK]
    assert stored == {"Data_Processing_Basis": "Contract", "Contact_Through_Email": False,
                      "Consent_Through": "sözleşme"}
    assert found["c-2"][BLOCK]["Data_Processing_Basis"] == "Consent - Denied"
    assert found["c-1"][BLOCK]["$stop_processing"] is False


def test_restriction_reaches_zoho_as_stop_processing_and_is_lifted(make_connector, contacts) -> None:
    with make_connector() as connector:
        first = contacts.from_canonical({"last_name": "Kaya", "consent.email": "granted"})
        connector.write("Contacts", [WriteRequest("r-1", first)])
        connector.write("Contacts", [WriteRequest("r-1", contacts.from_canonical(
            {"consent.processing_restricted": True}))])  # what `crmhub gdpr restrict` writes
        restricted, _ = contacts.to_canonical(connector.lookup("Contacts", ["r-1"])["r-1"])
        connector.write("Contacts", [WriteRequest("r-1", contacts.from_canonical(
            {"consent.processing_restricted": False}))])  # `--lift`
        lifted, _ = contacts.to_canonical(connector.lookup("Contacts", ["r-1"])["r-1"])
    assert restricted["consent.processing_restricted"] is True and restricted["consent.email"] == "granted"
    assert lifted["consent.processing_restricted"] is False and lifted["consent.legal_basis"] == "consent"
