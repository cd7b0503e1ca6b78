"""The formula-neutralisation rule: dangerous cells are escaped, and every value reads back exactly."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hub.connectors.files.formula import neutralise, restore

TRIGGERS = "=@\t\r+-'"


@given(st.text(alphabet=st.sampled_from("=@\t\r+-'0123456789., aşİ|!\n"), max_size=12) | st.text(max_size=12))
def test_every_value_reads_back_exactly(value: str) -> None:
    assert restore(neutralise(value)) == value


@given(st.text(max_size=12))
def test_a_written_cell_never_starts_a_formula(value: str) -> None:
    cell = neutralise(value)
    if cell[:1] in ("=", "@", "\t", "\r"):
        pytest.fail(f"{cell!r} starts a formula")
    if cell[:1] in ("+", "-"):
        assert cell[1:].replace(" ", "").replace(".", "").replace(",", "").isdigit()


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=SUM(A1:A9)", "'=SUM(A1:A9)"),
        ("@cmd", "'@cmd"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("-", "'-"),
        ("+905321234567", "+905321234567"),
        ("+90 532 123 45 67", "+90 532 123 45 67"),
        ("-12.50", "-12.50"),
        ("-3,75", "-3,75"),
        ("'=x", "''=x"),
        ("''", "'''"),
        ("'s-Hertogenbosch", "'s-Hertogenbosch"),
        ("Şişli", "Şişli"),
        ("", ""),
    ],
)
def test_examples_of_the_rule(value: str, written: str) -> None:
    assert neutralise(value) == written
    assert restore(written) == value


def test_a_leading_apostrophe_no_writer_added_is_kept_on_read() -> None:
    assert restore("'123") == "'123"
    assert restore("'") == "'"
