"""TCKN and VKN checksums, type inference and normalisation."""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest

from hub.validation.national_ids import check_national_ids, is_tckn, is_vkn, tckn_problem, vkn_problem

Maker = Callable[[random.Random], str]


def test_generated_tckns_are_valid(tckn: Maker) -> None:
    rng = random.Random(7)
    for _ in range(500):
        assert is_tckn(tckn(rng))


def test_generated_vkns_are_valid(vkn: Maker) -> None:
    rng = random.Random(7)
    for _ in range(500):
        assert is_vkn(vkn(rng))


def test_known_values() -> None:
    assert is_tckn("10000000146")
    assert is_vkn("4540536920")
    assert not is_vkn("4540536921")


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("10000000147", "11th digit"),
        ("10000000156", "10th digit"),
        ("01234567890", "cannot start with 0"),
        ("1234567890", "exactly 11 digits"),
        ("1000000014a", "exactly 11 digits"),
        ("١٠٠٠٠٠٠٠١٤٦", "exactly 11 digits"),  # Arabic-Indic digits are not a TCKN
    ],
)
def test_invalid_tckns(value: str, problem: str) -> None:
    found = tckn_problem(value)
    assert found is not None and problem in found


def test_every_single_digit_change_breaks_a_tckn(tckn: Maker) -> None:
    rng = random.Random(3)
    for _ in range(50):
        valid = tckn(rng)
        position = rng.randrange(1, 11)
        changed = valid[:position] + str((int(valid[position]) + rng.randint(1, 9)) % 10) + valid[position + 1:]
        assert not is_tckn(changed)


def test_vkn_length() -> None:
    assert vkn_problem("123") == "a VKN has exactly 10 digits"


def test_contact_national_id_type_is_inferred_and_value_compacted(tckn: Maker) -> None:
    valid = tckn(random.Random(1))
    record = {"national_id.value": f"{valid[:3]} {valid[3:6]} {valid[6:]}"}
    assert check_national_ids(record, "contacts") == []
    assert record == {"national_id.value": valid, "national_id.type": "TCKN"}


def test_company_tax_id_type_is_inferred(vkn: Maker) -> None:
    record = {"tax_id.value": vkn(random.Random(1))}
    assert check_national_ids(record, "companies") == []
    assert record["tax_id.type"] == "VKN"


def test_invalid_ids_are_reported_without_the_value() -> None:
    issues = check_national_ids({"national_id.value": "10000000147"}, "contacts")
    assert [(i.field, i.code) for i in issues] == [("national_id.value", "tckn_invalid")]
    assert "10000000147" not in issues[0].message
    issues = check_national_ids({"tax_id.value": "4540536921", "tax_id.type": "vkn"}, "companies")
    assert [(i.field, i.code) for i in issues] == [("tax_id.value", "vkn_invalid")]


def test_other_schemes_are_not_checked_and_unknown_types_are_reported() -> None:
    assert check_national_ids({"national_id.value": "DE123", "national_id.type": "OTHER"}, "contacts") == []
    assert check_national_ids({"national_id.value": "X-99"}, "contacts") == []
    issues = check_national_ids({"national_id.value": "1", "national_id.type": "SSN"}, "contacts")
    assert [(i.field, i.code) for i in issues] == [("national_id.type", "national_id_type_invalid")]
