"""Every check of privacy.md, in order: one case that passes and one that blocks (or strips)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from hub.consent.checks import Person, evaluate
from hub.consent.decision import ConsentContext, ConsentDecision, ConsentVerdict
from hub.consent.evidence import consented_purposes, effective_channels, entries_from_record
from hub.consent.policy import ConsentPolicy
from hub.state.consent_ledger import ConsentEntry
from hub.state.suppression import SuppressionEntry

TODAY = dt.date(2026, 6, 1)
NOW = dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC)
PROVEN = {
    "first_name": "Ayşe", "email": "ayse@example.com.tr", "mobile": "+905321234567", "address.country": "TR",
    "consent.email": "granted", "consent.sms": "granted", "consent.captured_at": dt.datetime(2025, 3, 1, tzinfo=dt.UTC),
    "consent.source": "web form /kayit", "consent.notice_version": "aydinlatma-v3", "consent.iys_status": "granted",
}


def decide(record: dict[str, Any], *, classification: str = "marketing", purposes: tuple[str, ...] = (),
           policy: ConsentPolicy | None = None, destination: str = "crm", region: str | None = None,
           suppressions: tuple[str, ...] = (), history: tuple[ConsentEntry, ...] = ()) -> ConsentDecision:
    """Run the checks on ``record`` as the screening does, with what the ledger and the list say."""
    policy = policy or ConsentPolicy()
    record = dict(record)
    current = entries_from_record(record, "hub1", (), "source", None)
    person = Person(record, effective_channels(current, history, NOW),
                    [SuppressionEntry(f"h{n}", "email", reason) for n, reason in enumerate(suppressions)],
                    consented_purposes(history, NOW, policy.require_proof))
    context = ConsentContext("p", destination, purposes, classification, region)
    return evaluate(person, context, policy, TODAY)


def suppressed_by(decision: ConsentDecision) -> str | None:
    return decision.rule if decision.verdict is ConsentVerdict.SUPPRESS else None


def test_a_proven_subscriber_reaches_a_marketing_system_on_consent() -> None:
    decision = decide(PROVEN)
    assert decision.verdict is ConsentVerdict.ALLOW
    assert decision.basis == "marketing:consent"


# 1. Suppression list ------------------------------------------------------------------------------
def test_suppression_list_erasure_blocks_everywhere() -> None:
    assert suppressed_by(decide(PROVEN, classification="sales", suppressions=("erasure",))) == "suppression_list"


def test_suppression_list_opt_out_blocks_marketing_and_tells_other_systems() -> None:
    assert suppressed_by(decide(PROVEN, suppressions=("opt_out",))) == "suppression_list"
    record = dict(PROVEN)
    current = entries_from_record(record, "hub1", (), "source", None)
    person = Person(record, effective_channels(current, (), NOW), [SuppressionEntry("h", "email", "opt_out")])
    decision = evaluate(person, ConsentContext("p", "erp", (), "sales"), ConsentPolicy(), TODAY)
    assert decision.verdict is ConsentVerdict.ALLOW
    assert record["consent.email"] == "withdrawn"


def test_suppression_list_without_entries_passes() -> None:
    assert decide(PROVEN, classification="sales").verdict is ConsentVerdict.ALLOW


# 2. Restriction flags -------------------------------------------------------------------------------
def test_restriction_flag_blocks_and_clear_flag_passes() -> None:
    assert suppressed_by(decide({**PROVEN, "consent.processing_restricted": True}, classification="sales")) \
        == "restriction"
    assert decide({**PROVEN, "consent.processing_restricted": False}, classification="sales").verdict \
        is ConsentVerdict.ALLOW


def test_restriction_requested_through_the_list_blocks() -> None:
    assert suppressed_by(decide(PROVEN, classification="support", suppressions=("restriction",))) == "restriction"


# 3. A legal basis per purpose -----------------------------------------------------------------------
def test_sales_rests_on_legitimate_interest_without_any_consent() -> None:
    decision = decide({"email": "ali@example.com"}, classification="sales")
    assert (decision.verdict, decision.basis) == (ConsentVerdict.ALLOW, "sales:legitimate_interest")


def test_marketing_without_consent_or_basis_is_blocked() -> None:
    decision = decide({"email": "ali@example.com"})
    assert suppressed_by(decision) == "legal_basis"
    assert "no consent" in decision.reason


def test_every_declared_purpose_needs_its_basis() -> None:
    record = {"email": "ali@example.com", "consent.legal_basis": "contract"}
    assert decide(record, classification="storage", purposes=("accounting",)).verdict is ConsentVerdict.ALLOW
    blocked = decide(record, classification="storage", purposes=("accounting", "profiling"))
    assert suppressed_by(blocked) == "legal_basis"
    assert "profiling" in blocked.reason


def test_pending_consent_is_no_basis() -> None:
    decision = decide({"email": "ali@example.com", "consent.legal_basis": "consent_pending"})
    assert suppressed_by(decision) == "legal_basis"
    assert "pending" in decision.reason


def test_a_ledger_consent_to_the_purpose_itself_is_a_basis() -> None:
    granted = ConsentEntry("hub1", "any", "profiling", "granted", captured_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
                           capture_method="web", notice_version="v1", source_system="portal")
    assert decide({"email": "a@b.co"}, classification="analytics", purposes=("profiling",),
                  history=(granted,)).verdict is ConsentVerdict.ALLOW


# 4. Consent provable ----------------------------------------------------------------------------------
@pytest.mark.parametrize("missing", ["consent.captured_at", "consent.source", "consent.notice_version"])
def test_consent_that_cannot_be_proven_counts_as_none(missing: str) -> None:
    record = {k: v for k, v in PROVEN.items() if k != missing}
    assert suppressed_by(decide(record)) == "consent_proof"


def test_proof_can_be_switched_off() -> None:
    record = {k: v for k, v in PROVEN.items() if k != "consent.notice_version"}
    assert decide(record, policy=ConsentPolicy(require_proof=False)).verdict is ConsentVerdict.ALLOW


# 5. Channel rules -------------------------------------------------------------------------------------
def test_contact_points_of_channels_without_opt_in_are_stripped() -> None:
    decision = decide({**PROVEN, "consent.sms": "denied", "phone": "+902321234567"})
    assert decision.verdict is ConsentVerdict.STRIP_FIELDS
    assert set(decision.strip) == {"mobile", "phone"}
    assert decision.rule == "channel_optin"


def test_every_channel_refused_blocks_even_on_legitimate_interest() -> None:
    record = {"email": "ali@example.com", "consent.email": "withdrawn", "consent.legal_basis": "legitimate_interest",
              "address.country": "DE"}
    assert suppressed_by(decide(record)) == "channel_optin"
    assert decide({**record, "consent.email": None}).verdict is ConsentVerdict.ALLOW


def test_double_opt_in_is_required_where_configured() -> None:
    record = {**PROVEN, "address.country": "DE", "mobile": None}
    policy = ConsentPolicy(double_optin=["DE"])
    assert suppressed_by(decide(record, policy=policy)) == "channel_optin"
    confirmed = {**record, "consent.double_optin_at": dt.datetime(2025, 3, 2, tzinfo=dt.UTC)}
    assert decide(confirmed, policy=policy).verdict is ConsentVerdict.ALLOW


def test_turkish_recipients_need_an_iys_permission() -> None:
    assert suppressed_by(decide({**PROVEN, "consent.iys_status": None})) == "channel_optin"
    assert suppressed_by(decide({**PROVEN, "consent.iys_status": "withdrawn"},
                                policy=ConsentPolicy(iys_required=False))) == "channel_optin"
    assert decide({**PROVEN, "consent.iys_status": None}, policy=ConsentPolicy(iys_required=False)).verdict \
        is ConsentVerdict.ALLOW


# 6. Across systems the most restrictive answer wins (the merge the screening feeds the checks) ------------
def test_a_withdrawal_elsewhere_beats_an_older_grant_here() -> None:
    withdrawal = ConsentEntry("hub1", "email", "marketing", "withdrawn", source_system="hubspot",
                              captured_at=dt.datetime(2025, 9, 1, tzinfo=dt.UTC))
    email_only = {**PROVEN, "mobile": None, "consent.sms": None}
    assert suppressed_by(decide(email_only, history=(withdrawal,))) == "legal_basis"
    with_sms = decide(PROVEN, history=(withdrawal,))
    assert (with_sms.verdict, with_sms.strip) == (ConsentVerdict.STRIP_FIELDS, ("email",))
    fresh = {**email_only, "consent.captured_at": dt.datetime(2025, 10, 1, tzinfo=dt.UTC)}
    assert decide(fresh, history=(withdrawal,)).verdict is ConsentVerdict.ALLOW


def test_a_newer_grant_without_proof_does_not_resubscribe() -> None:
    withdrawal = ConsentEntry("hub1", "email", "marketing", "withdrawn", source_system="hubspot",
                              captured_at=dt.datetime(2025, 9, 1, tzinfo=dt.UTC))
    unproven = {**PROVEN, "mobile": None, "consent.sms": None, "consent.source": None,
                "consent.captured_at": dt.datetime(2025, 10, 1, tzinfo=dt.UTC)}
    assert suppressed_by(decide(unproven, history=(withdrawal,))) == "legal_basis"


# 7. Field allowlist per destination class ---------------------------------------------------------------
def test_national_ids_iban_and_special_categories_never_reach_marketing() -> None:
    record = {**PROVEN, "national_id.value": "10000000146", "custom.iban": "TR330006100519786457841326",
              "custom.health_note": "diyabet", "custom.segment": "gold"}
    decision = decide(record)
    assert decision.verdict is ConsentVerdict.STRIP_FIELDS
    assert set(decision.strip) == {"national_id.value", "custom.iban", "custom.health_note"}
    assert decide(record, classification="accounting", purposes=("accounting",)).verdict is ConsentVerdict.ALLOW


def test_an_allowlist_keeps_only_the_listed_fields() -> None:
    policy = ConsentPolicy(allowed_fields={"sales": ["email", "first_name"]})
    decision = decide({"email": "a@b.co", "first_name": "Ali", "job_title": "CFO"}, classification="sales",
                      policy=policy)
    assert decision.strip == ("job_title",)


# 8. Children --------------------------------------------------------------------------------------------
def test_children_under_the_configured_age_need_a_guardian_for_marketing() -> None:
    child = {**PROVEN, "birth_date": dt.date(2012, 5, 1)}
    assert suppressed_by(decide(child)) == "children"
    assert decide({**child, "consent.guardian_ref": "veli-onay-77"}).verdict is ConsentVerdict.ALLOW
    assert decide(child, classification="sales").verdict is ConsentVerdict.ALLOW
    assert decide(child, policy=ConsentPolicy(children_age=13)).verdict is ConsentVerdict.ALLOW


def test_sixteenth_birthday_is_the_boundary() -> None:
    assert suppressed_by(decide({**PROVEN, "birth_date": dt.date(2010, 6, 2)})) == "children"
    assert decide({**PROVEN, "birth_date": dt.date(2010, 6, 1)}).verdict is ConsentVerdict.ALLOW


# 9. Residency ---------------------------------------------------------------------------------------------
def test_transfers_only_to_approved_regions() -> None:
    policy = ConsentPolicy(transfers={"TR": ["TR"], "EU": ["EU"]})
    assert suppressed_by(decide(PROVEN, policy=policy, region="US")) == "residency"
    assert suppressed_by(decide(PROVEN, policy=policy, region=None)) == "residency"
    assert decide(PROVEN, policy=policy, region="TR").verdict is ConsentVerdict.ALLOW
    german = {**PROVEN, "address.country": "DE", "mobile": None}
    assert decide(german, policy=policy, region="IE").verdict is ConsentVerdict.ALLOW
    assert suppressed_by(decide(german, policy=policy, region="TR")) == "residency"


def test_no_transfer_rules_means_no_residency_limit() -> None:
    assert decide(PROVEN, region="US").verdict is ConsentVerdict.ALLOW


# 10. Retention ----------------------------------------------------------------------------------------------
def test_records_past_retention_are_not_synced() -> None:
    decision = decide({**PROVEN, "consent.retention_until": dt.date(2026, 5, 31)})
    assert suppressed_by(decision) == "retention"
    assert "destruction" in decision.reason
    assert decide({**PROVEN, "consent.retention_until": dt.date(2026, 6, 1)}).verdict is ConsentVerdict.ALLOW


def test_configured_retention_counts_from_the_last_update() -> None:
    policy = ConsentPolicy(retention_days=365)
    old = {**PROVEN, "updated_at": dt.datetime(2025, 5, 1, tzinfo=dt.UTC)}
    assert suppressed_by(decide(old, policy=policy)) == "retention"
    recent = {**PROVEN, "updated_at": dt.datetime(2025, 7, 1, tzinfo=dt.UTC)}
    assert decide(recent, policy=policy).verdict is ConsentVerdict.ALLOW


# 11. CCPA / GPC -------------------------------------------------------------------------------------------------
def test_sale_or_share_destinations_honour_opt_outs() -> None:
    policy = ConsentPolicy(sale_share=["adnetwork"])
    opted_out = {**PROVEN, "consent.sale_opt_out": True}
    assert suppressed_by(decide(opted_out, policy=policy, destination="adnetwork")) == "ccpa_opt_out"
    assert decide(opted_out, policy=policy, destination="crm").verdict is ConsentVerdict.ALLOW
    assert decide(PROVEN, policy=policy, destination="adnetwork").verdict is ConsentVerdict.ALLOW


# Order ------------------------------------------------------------------------------------------------------------
def test_the_first_failing_check_in_order_names_the_rule() -> None:
    everything_wrong = {**PROVEN, "consent.processing_restricted": True, "birth_date": dt.date(2015, 1, 1),
                        "consent.retention_until": dt.date(2020, 1, 1)}
    assert suppressed_by(decide(everything_wrong, suppressions=("erasure",))) == "suppression_list"
    assert suppressed_by(decide(everything_wrong)) == "restriction"


def test_a_marketing_withdrawal_on_no_particular_channel_closes_every_channel() -> None:
    everywhere = ConsentEntry("hub1", "any", "marketing", "withdrawn", source_system="call-center",
                              captured_at=dt.datetime(2025, 9, 1, tzinfo=dt.UTC))
    assert suppressed_by(decide(PROVEN, history=(everywhere,))) == "legal_basis"
    regranted = ConsentEntry("hub1", "any", "marketing", "granted", source_system="call-center",
                             captured_at=dt.datetime(2025, 10, 1, tzinfo=dt.UTC))
    assert decide(PROVEN, history=(everywhere, regranted)).verdict is ConsentVerdict.ALLOW


@pytest.mark.parametrize("classification", ["marketing", "sales", "analytics", "storage"])
@pytest.mark.parametrize("policy", [ConsentPolicy(), ConsentPolicy(transfers={"*": ["TR"]}, sale_share=["crm"],
                                                                   allowed_fields={"sales": ["email"]})])
def test_leaving_out_checks_that_cannot_apply_changes_no_decision(classification: str, policy: ConsentPolicy) -> None:
    from hub.consent.checks import CHECKS, applicable_checks

    context = ConsentContext("p", "crm", (), classification, "DE")
    records = [PROVEN, {**PROVEN, "birth_date": dt.date(2015, 1, 1)}, {**PROVEN, "national_id.value": "10000000146"},
               {**PROVEN, "consent.sale_opt_out": True}, {"email": "x@y.co"}, {**PROVEN, "mobile": None}]
    for record in records:
        decisions = []
        for checks in (CHECKS, applicable_checks(context, policy)):
            person = Person(dict(record), effective_channels(entries_from_record(record, "h", (), "s"), [], NOW))
            decisions.append(evaluate(person, context, policy, TODAY, checks))
        assert decisions[0] == decisions[1], record
