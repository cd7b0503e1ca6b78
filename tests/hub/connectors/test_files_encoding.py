"""Encoding and delimiter detection on samples of typical Turkish exports."""

from __future__ import annotations

import io

import pytest

from hub.connectors.files.dialect import sniff_delimiter
from hub.connectors.files.encoding import SAMPLE_BYTES, detect_encoding

TURKISH = "id;ad;soyad;şehir\r\n1;Işıl;Yılmaz;Şişli\r\n2;Ağrı;Doğan;İstanbul\r\n3;Çağla;Öğüt;Muğla\r\n"


def detect(data: bytes) -> tuple[str, int]:
    found = detect_encoding(io.BytesIO(data), len(data), "x.csv")
    return found.name, found.bom_bytes


@pytest.mark.parametrize(
    ("encoding", "expected"),
    [("utf-8", ("utf-8", 0)), ("utf-8-sig", ("utf-8", 3)), ("cp1254", ("cp1254", 0)), ("cp857", ("cp857", 0))],
)
def test_turkish_exports(encoding: str, expected: tuple[str, int]) -> None:
    assert detect(TURKISH.encode(encoding)) == expected


def test_cp1254_punctuation_in_the_0x80_range_stays_cp1254() -> None:
    data = "id,not\r\n1,“Özel” fiyat – 5 €\r\n".encode("cp1254")
    assert detect(data) == ("cp1254", 0)


def test_iso_8859_9_bytes_cp1254_leaves_undefined_pick_iso_8859_9() -> None:
    data = "id,ad\r\n1,Işıl\r\n".encode("iso8859_9") + b"2,x\x8dy\r\n"
    assert detect(data) == ("iso8859_9", 0)


def test_a_mixed_file_stays_utf8_so_utf8_rows_are_never_garbled() -> None:
    data = TURKISH.encode("utf-8") + "4;Işık;Öz;Van\r\n".encode("cp1254")
    assert detect(data) == ("utf-8", 0)


def test_cp1254_text_only_in_the_middle_of_a_large_ascii_file_is_found() -> None:
    ascii_rows = b"".join(b"%d;Ali;Veli;Ankara\r\n" % i for i in range(SAMPLE_BYTES // 10))
    turkish_rows = "9;Işıl;Şahin;Ağrı\r\n".encode("cp1254") * 200
    data = b"id;ad;soyad;sehir\r\n" + ascii_rows + turkish_rows + ascii_rows
    assert len(ascii_rows) < len(data) // 2 < len(ascii_rows) + len(turkish_rows)
    assert detect(data) == ("cp1254", 0)


def test_western_european_text_reads_right_through_cp1254() -> None:
    data = "id,name\r\n1,Müller Straße\r\n2,Français\r\n".encode("cp1252")
    name, _ = detect(data)
    assert data.decode(name) == data.decode("cp1252")


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (["id;ad;tutar\n", "1;Ali;12,50\n", "2;Veli;3,75\n"], ";"),
        (["id,name,city\n", '1,"Yılmaz; Ali",İzmir\n'], ","),
        (["id\tname\n", "1\tAli, Veli\n"], "\t"),
        (["id|name\n", "1|Ali;Veli,x\n"], "|"),
        (["email\n", "a@example.com\n"], ","),
    ],
)
def test_delimiter_sniffing(lines: list[str], expected: str) -> None:
    assert sniff_delimiter(lines) == expected
