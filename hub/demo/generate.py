"""A seeded, deliberately messy legacy customer export, as Turkish businesses' systems produce them.

The export uses Turkish headers and Windows-1254 encoding. Among clean rows it plants, at known
rates: the same person twice under two ids (case-changed e-mail), an exact repeated id, invalid
e-mails and phones, TCKNs with a wrong check digit, impossible dates, formula-looking cells, a
person whose processing is restricted, and a ragged row.
"""

from __future__ import annotations

import csv
import random
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from hub.demo.people import (
    ASCII_FOLD,
    COMPANY_KINDS,
    COMPANY_STEMS,
    COMPANY_SUFFIXES,
    INT_CITIES,
    INT_FIRST,
    INT_LAST,
    STAGES_TR,
    TITLES,
    TR_CITIES,
    TR_FIRST,
    TR_LAST,
    mobile_tr,
    tckn,
)

HEADER = ("Müşteri No", "Adı", "Soyadı", "E-posta", "Cep Telefonu", "Firma", "Unvan", "Adres", "Şehir",
          "Posta Kodu", "Ülke", "TC Kimlik No", "Doğum Tarihi", "Müşteri Durumu", "Dil", "İleti İzni",
          "İşleme Kısıtlı", "Kayıt Tarihi")


@dataclass(slots=True)
class Planted:
    """What the generator planted, so a run's summary can be checked against it."""

    rows: int = 0
    kinds: Counter[str] = field(default_factory=Counter)


def _row(rng: random.Random, n: int) -> list[str]:
    turkish = rng.random() < 0.8
    first = rng.choice(TR_FIRST if turkish else INT_FIRST)
    last = rng.choice(TR_LAST if turkish else INT_LAST)
    local = f"{first}.{last}".translate(ASCII_FOLD).lower().replace("ü", "u").replace("ä", "a")
    email = f"{local}{n}@{rng.choice(('gmail.com', 'hotmail.com', 'firma.com.tr', 'example.de'))}"
    company = f"{rng.choice(COMPANY_STEMS)} {rng.choice(COMPANY_KINDS)} {rng.choice(COMPANY_SUFFIXES)}"
    if turkish:
        city, plate = rng.choice(TR_CITIES)
        postcode, country = f"{plate}{rng.randint(100, 999)}", rng.choice(("Türkiye", "Turkey", "TR", "TÜRKİYE"))
        street = f"{rng.choice(('Atatürk', 'Cumhuriyet', 'İnönü', 'Gazi'))} Cad. No:{rng.randint(1, 200)}"
        national = tckn(rng) if rng.random() < 0.6 else ""
        phone, language = mobile_tr(rng), "tr"
    else:
        city, _, country = rng.choice(INT_CITIES)
        postcode, street, national = str(rng.randint(10000, 99999)), f"Hauptstraße {rng.randint(1, 99)}", ""
        phone, language = f"+49 30 {rng.randint(1000000, 9999999)}", rng.choice(("de", "en", "fr"))
    birth = f"{rng.randint(1, 28):02d}.{rng.randint(1, 12):02d}.{rng.randint(1945, 2004)}" if rng.random() < 0.7 else ""
    consent = rng.choice(("Evet", "Evet", "Hayır", ""))
    created = f"{rng.randint(2015, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d} 10:{rng.randint(10, 59)}"
    return [f"C{n:07d}", first, last, email, phone, company, rng.choice(TITLES), street, city, postcode, country,
            national, birth, rng.choice(STAGES_TR), language, consent, "Hayır", created]


def _spoil(rng: random.Random, row: list[str], planted: Planted) -> None:
    kind = rng.choice(("email", "phone", "tckn", "date", "formula"))
    planted.kinds[kind] += 1
    if kind == "email":
        row[3] = rng.choice(("ahmet.yilmaz@", "yok", "mehmet@@firma.com", "ayşe yılmaz@gmail"))
    elif kind == "phone":
        row[4] = rng.choice(("123", "0000", "telefon yok", "+90 212"))
    elif kind == "tckn":
        good = tckn(rng)
        row[11] = good[:10] + str((int(good[10]) + 1) % 10)
    elif kind == "date":
        row[12] = rng.choice(("31.02.1980", "00.00.0000", "12.13.1990"))
    else:
        row[5] = rng.choice(("=HYPERLINK(\"http://evil.example\",\"tıkla\")", "@SUM(1+1)", "+cmd|' /C calc'!A0"))


def generate_rows(count: int, seed: int = 7, messy: bool = True) -> tuple[Iterator[list[str]], Planted]:
    """Yield ``count`` data rows (after the header); ``planted`` is complete once the iterator is exhausted."""
    planted = Planted()

    def rows() -> Iterator[list[str]]:
        rng = random.Random(seed)
        previous: list[str] | None = None
        for n in range(1, count + 1):
            row = _row(rng, n)
            planted.rows += 1
            roll = rng.random() if messy else 1.0
            if roll < 0.04 and previous is not None:
                # the same person again under a new id, e-mail in other case, phone spelled differently
                planted.kinds["same_person"] += 1
                row = list(previous)
                row[0] = f"C{n:07d}"
                row[3] = previous[3].upper()
                row[6] = ""
            elif roll < 0.05 and previous is not None:
                planted.kinds["repeated_id"] += 1
                row = list(previous)
            elif roll < 0.11:
                _spoil(rng, row, planted)
            elif roll < 0.115:
                planted.kinds["restricted"] += 1
                row[16] = "Evet"
            previous = row
            yield row

    return rows(), planted


def write_export(path: Path, count: int, seed: int = 7, encoding: str = "cp1254", messy: bool = True) -> Planted:
    """Write the export to ``path`` (``;``-separated like Turkish Excel); return what was planted."""
    rows, planted = generate_rows(count, seed, messy)
    with path.open("w", encoding=encoding, newline="", errors="strict") as handle:
        writer = csv.writer(handle, delimiter=";", lineterminator="\r\n")
        writer.writerow(HEADER)
        for index, row in enumerate(rows):
            writer.writerow(row)
            if messy and index == count // 2:
                handle.write("C9999999;Bozuk;Satır;\r\n")  # a ragged row, as a broken export leaves them
                planted.kinds["ragged"] += 1
    return planted
