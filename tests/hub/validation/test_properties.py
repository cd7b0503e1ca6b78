"""Property tests: any text in any field never raises; every problem is a known code on a field;
valid records pass untouched in meaning."""

from __future__ import annotations

import datetime as dt
import random
import string
from typing import Any

import email_validator
import phonenumbers
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hub.mapping import canonical_mapping, parse_mapping
from hub.mapping.builtin_transforms import builtin_registry
from hub.mapping.stream import canonical_fields
from hub.validation import REASON_CODES, validate
from hub.validation.emails import normalise_email
from hub.validation.phones import _fast_e164, _parse

SETTINGS = settings(deadline=None, max_examples=150, suppress_health_check=[HealthCheck.too_slow])

MAPPING = parse_mapping(
    """\
streams:
  contacts:
    object: Contact
    fields:
      email: {from: Email, transform: [trim, lower]}
      phone: {from: Phone, transform: e164}
      mobile: Mobile
      address.city: {from: City, transform: {title: {locale: tr}}}
      address.country: {from: Country, transform: country_iso}
      birth_date: {from: Birthdate, transform: date}
      created_at: {from: Created, transform: date}
      lifecycle_stage: {from: Status, map: {Open: lead, Won: customer}}
      consent.email: {from: OptIn, map: {Yes: granted, No: denied}, default: unknown}
      consent.processing_restricted: {from: Restricted, transform: boolean}
      national_id.value: {from: TCKN, transform: digits}
      language: {from: Lang, transform: language}
      custom.score: {from: Score, transform: decimal}
      job_title: {from: Title, transform: {truncate: {length: 20}}}
    split:
      - {from: Name, transform: split_name, to: [first_name, last_name]}
  companies:
    object: Account
    fields:
      name: Name
      annual_revenue.amount: {from: Revenue, transform: decimal}
      annual_revenue.currency: {from: Currency, transform: currency}
      tax_id.value: VKN
""",
    builtin_registry(),
)
SYSTEM_FIELDS = sorted(MAPPING.stream("contacts").system_fields_read())
TURKISH_TEXT = st.text(alphabet=st.sampled_from(list("aAbcçÇdeEfgğĞhıIiİjklmnoöÖprsşŞtuüÜvyz .,-'@+0123456789/")))
ANY_TEXT = st.one_of(st.text(max_size=40), TURKISH_TEXT, st.integers(), st.floats(allow_nan=True), st.booleans())


def assert_well_formed(issues: list[Any]) -> None:
    for issue in issues:
        assert issue.field, issue
        assert issue.code in REASON_CODES, issue


@SETTINGS
@given(st.dictionaries(st.sampled_from(SYSTEM_FIELDS), ANY_TEXT))
def test_any_value_in_any_mapped_field_never_raises(data: dict[str, Any]) -> None:
    record, issues = MAPPING.stream("contacts").to_canonical(data)
    assert_well_formed(issues)
    assert_well_formed(validate(record, "contacts"))
    MAPPING.stream("contacts").from_canonical(record, [])


CANONICAL_NAMES = [*sorted(canonical_fields("contacts")), "custom.x", "Bilinmeyen Alan"]


@SETTINGS
@given(st.dictionaries(st.sampled_from(CANONICAL_NAMES), ANY_TEXT), st.sampled_from(["contacts", "companies"]))
def test_any_value_in_any_canonical_field_never_raises(data: dict[str, Any], stream: str) -> None:
    record, issues = canonical_mapping(stream).to_canonical(data)
    assert_well_formed(issues)
    assert_well_formed(validate(record, stream))
    assert_well_formed(validate(dict(data), stream))  # validators also cope with raw, untyped values


def _tckn(rng: random.Random) -> str:
    d = [rng.randint(1, 9)] + [rng.randint(0, 9) for _ in range(8)]
    d.append((7 * (d[0] + d[2] + d[4] + d[6] + d[8]) - (d[1] + d[3] + d[5] + d[7])) % 10)
    d.append(sum(d) % 10)
    return "".join(map(str, d))


NAMES = st.text(alphabet=st.sampled_from(list("abcçdefgğhıijklmnoöprsştuüvyzABCÇDEFGĞHIİJKLMNOÖPRSŞTUÜVYZ")),
                min_size=1, max_size=30)
LOCAL_PART = st.text(alphabet=st.sampled_from(list(string.ascii_letters + string.digits + "._-+çğışöüÇĞİŞÖÜ")),
                     min_size=1, max_size=20).filter(lambda s: not s.startswith(".") and not s.endswith(".")
                                                      and ".." not in s)
ODD_LOCAL_PART = st.text(min_size=1, max_size=70)


@st.composite
def valid_contacts(draw: st.DrawFn) -> dict[str, Any]:
    rng = random.Random(draw(st.integers(0, 2**32)))
    record: dict[str, Any] = {
        "first_name": draw(NAMES),
        "last_name": draw(NAMES),
        "email": f"{draw(LOCAL_PART)}@{draw(st.sampled_from(['example.com', 'şirket.com.tr', 'örnek.tr']))}",
        "mobile": draw(st.sampled_from(["0", "+90", "90 ", "+90 (", ""])) + f"5{rng.choice('345')}{rng.randint(0, 9)}"
        + f" {rng.randint(0, 999):03d} {rng.randint(0, 99):02d} {rng.randint(0, 99):02d}",
        "address.country": draw(st.sampled_from(["TR", "Türkiye", "DE", "Almanya", "us", "GB"])),
        "address.city": draw(st.sampled_from(["İstanbul", "ISTANBUL", "istanbul", "Şişli", "İzmir"])),
        "language": draw(st.sampled_from(["tr", "en", "en-GB", "de", "Türkçe"])),
        "national_id.value": _tckn(rng),
        "birth_date": draw(st.dates(dt.date(1900, 1, 1), dt.date.today())),
        "created_at": draw(st.datetimes(timezones=st.just(dt.UTC))),
        "consent.email": draw(st.sampled_from(["granted", "denied", "unknown"])),
    }
    return record


@SETTINGS
@given(valid_contacts())
def test_valid_records_have_no_issues(record: dict[str, Any]) -> None:
    mapped, issues = canonical_mapping("contacts").to_canonical(record)
    assert issues == []
    assert validate(mapped, "contacts") == []
    assert mapped["mobile"].startswith("+905") and len(mapped["mobile"]) == 13
    assert len(mapped["address.country"]) == 2
    assert mapped["national_id.type"] == "TCKN"


@SETTINGS
@given(st.one_of(st.text(alphabet=st.sampled_from(list("0123456789")), min_size=1, max_size=14),
                 st.from_regex(r"[2-58]\d{9}", fullmatch=True), st.from_regex(r"[1-9]\d{6,10}", fullmatch=True)),
       st.sampled_from(["", "0", "+90", "+49", "00", "+994"]), st.sampled_from(["TR", "DE", "AZ"]))
def test_phone_fast_path_agrees_with_phonenumbers(digits: str, prefix: str, region: str) -> None:
    key = prefix + digits
    if key.startswith("00"):
        key = "+" + key[2:]
    fast = _fast_e164(key, region)
    if fast is not None:
        number = phonenumbers.parse(key, region)
        assert phonenumbers.is_valid_number(number)
        assert phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164) == fast
        assert _parse(key, region) == (fast, "")


def test_phone_fast_path_takes_common_turkish_numbers() -> None:
    for key in ("05321234567", "+905321234567", "5321234567", "02122223344"):
        assert _fast_e164(key, "TR") is not None
    assert _fast_e164("+4930123456", "TR") is None  # another country: the full parse decides


@SETTINGS
@given(
    st.one_of(LOCAL_PART, ODD_LOCAL_PART),
    st.lists(st.from_regex(r"[A-Za-z0-9]([A-Za-z0-9-]{0,10}[A-Za-z0-9])?", fullmatch=True), min_size=1, max_size=3),
    st.from_regex(r"[A-Za-z]{2,8}", fullmatch=True),
)
def test_email_fast_path_agrees_with_email_validator(local: str, labels: list[str], tld: str) -> None:
    address = f"{local}@{'.'.join([*labels, tld])}"
    try:
        expected = email_validator.validate_email(address, check_deliverability=False).normalized
    except email_validator.EmailNotValidError:
        expected = None
    try:
        ours = normalise_email(address)
    except ValueError:
        ours = None
    assert ours == expected
