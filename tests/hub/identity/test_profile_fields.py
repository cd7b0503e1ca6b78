"""A profile's ``fields`` name everything its features are made of (the engine relies on it to reuse them)."""

from __future__ import annotations

import pytest

from hub.identity.profiles import PROFILES, NormaliseOptions

RECORDS = {
    "contacts": {"first_name": "Şükrü", "last_name": "Öztürk", "email": "sukru.ozturk@gmail.com",
                 "mobile": "+905321234567", "phone": "+902121234567", "company": "Öztürk Tekstil A.Ş.",
                 "address.city": "İstanbul", "address.postcode": "34710", "address.street": "Bağdat Cad. 12",
                 "birth_date": "1980-02-29", "national_id.value": "10000000146", "job_title": "CFO",
                 "lifecycle_stage": "customer", "consent.email": "granted", "custom.segment": "A"},
    "companies": {"name": "Öztürk Tekstil A.Ş.", "domain": "www.ozturk.com.tr", "tax_id.value": "1234567890",
                  "phone": "+902121234567", "address.city": "İstanbul", "address.postcode": "34710",
                  "address.street": "Bağdat Cad. 12", "industry": "Textiles", "annual_revenue.amount": "10"},
}


@pytest.mark.parametrize("stream", sorted(PROFILES))
def test_features_depend_on_the_listed_fields_only(stream: str) -> None:
    profile = PROFILES[stream]
    record = RECORDS[stream]
    options = NormaliseOptions("TR", True)
    listed = {k: v for k, v in record.items() if k in profile.fields}
    assert profile.extract(listed, options) == profile.extract(record, options)
    for name in profile.fields:  # and each listed field matters
        without = {k: v for k, v in record.items() if k != name}
        assert profile.extract(without, options) != profile.extract(record, options), name
