"""Splitting full names into first and last names, and joining them back."""

from __future__ import annotations

import pytest

from hub.mapping.names import join_name, split_name
from hub.mapping.transforms import TransformError


@pytest.mark.parametrize(
    ("full", "first", "last"),
    [
        ("Ahmet Yılmaz", "Ahmet", "Yılmaz"),
        ("Ahmet Mehmet Yılmaz", "Ahmet Mehmet", "Yılmaz"),
        ("Yılmaz, Ahmet", "Ahmet", "Yılmaz"),
        ("Güneş,  Çağla Nur ", "Çağla Nur", "Güneş"),
        ("Ludwig van der Berg", "Ludwig", "van der Berg"),
        ("Maria de la Cruz", "Maria", "de la Cruz"),
        ("Prof. Dr. Ayşe Kaya", "Ayşe", "Kaya"),
        ("Sn. Mehmet Öztürk", "Mehmet", "Öztürk"),
        ("John Smith Jr.", "John", "Smith Jr."),
        ("  Çağla   Güneş  ", "Çağla", "Güneş"),
        ("Tarkan", None, "Tarkan"),
    ],
)
def test_split_name(full: str, first: str | None, last: str) -> None:
    assert split_name(full) == (first, last)


def test_single_word_can_be_the_first_name() -> None:
    assert split_name("Tarkan", single="first") == ("Tarkan", None)


def test_empty_name_is_an_error() -> None:
    with pytest.raises(TransformError) as caught:
        split_name("   ")
    assert caught.value.code == "name_invalid"


def test_join_name() -> None:
    assert join_name(["Ahmet Mehmet", "Yılmaz"]) == "Ahmet Mehmet Yılmaz"
    assert join_name([None, "Yılmaz"]) == "Yılmaz"
    assert join_name([None, " "]) is None


@pytest.mark.parametrize("full", ["Ahmet Mehmet Yılmaz", "Ludwig van der Berg", "Çağla Güneş"])
def test_split_then_join_round_trips(full: str) -> None:
    assert join_name(list(split_name(full))) == full
