"""Speed of mapping and validation per record: prints records/s for each stage and both together.

Usage: ``.venv/bin/python bench/bench_validation.py [records]`` (default 100000).
Records look like a Turkish legacy export (``mappings/legacy-tr.yaml``): every record has a
distinct e-mail, mobile and TCKN, so caches do not flatter the figures. The engine must do
20,000 records/s end to end on two cores; mapping plus validation is one part of that.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hub.mapping import canonical_mapping, load_mapping
from hub.mapping.builtin_transforms import builtin_registry
from hub.validation import validate

FIRST = ["Ahmet", "Ayşe", "Çağla", "Mehmet", "İbrahim", "Işıl", "Gülşen", "Ömer", "Şule", "Ümit"]
LAST = ["Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Öztürk", "Aydın", "Güneş", "Doğan", "Arslan"]
CITIES = ["İstanbul", "ISTANBUL", "Ankara", "İzmir", "Şişli", "Bursa", "Antalya"]
COUNTRIES = ["Türkiye", "TR", "Turkey", "Almanya", "TÜRKİYE"]
STATES = ["Müşteri", "Potansiyel", "Fırsat", "Eski Müşteri", "?"]
# Most addresses are typed without Turkish letters; one in ten keeps them (ayşe@…).
ASCII = str.maketrans("ÇçĞğİıÖöŞşÜüA", "CcGgIiOoSsUuA")


def tckn(rng: random.Random) -> str:
    d = [rng.randint(1, 9)] + [rng.randint(0, 9) for _ in range(8)]
    d.append((7 * (d[0] + d[2] + d[4] + d[6] + d[8]) - (d[1] + d[3] + d[5] + d[7])) % 10)
    d.append(sum(d) % 10)
    return "".join(map(str, d))


def make_records(count: int, seed: int = 11) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    records = []
    for n in range(count):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        mailbox = first.lower() if n % 10 == 0 and not first.startswith("İ") else first.translate(ASCII).lower()
        records.append({
            "Müşteri No": str(n),
            "Adı": f" {first} ",
            "Soyadı": last,
            "E-posta": f"{mailbox}.{n}@Example{n % 97}.com.tr",
            "Cep Telefonu": f"05{rng.randint(30, 59)} {rng.randint(100, 999)} {rng.randint(1000, 9999)}",
            "Firma": "Anadolu Gıda A.Ş.",
            "Şehir": rng.choice(CITIES),
            "Ülke": rng.choice(COUNTRIES),
            "TC Kimlik No": tckn(rng),
            "Doğum Tarihi": f"{rng.randint(1, 28):02d}.{rng.randint(1, 12):02d}.{rng.randint(1940, 2005)}",
            "Müşteri Durumu": rng.choice(STATES),
            "Dil": "tr",
            "İleti İzni": rng.choice(["Evet", "Hayır", ""]),
            "İşleme Kısıtlı": rng.choice(["0", "1", ""]),
            "Kayıt Tarihi": f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d} 10:{rng.randint(0, 59):02d}:00",
        })
    return records


def timed(label: str, count: int, work: Callable[[], object]) -> float:
    """Run ``work`` and print records per wall-clock second and per CPU second of this process.

    On a shared machine the CPU figure is the steadier one: it leaves out time spent waiting
    for a core.
    """
    start, cpu_start = time.perf_counter(), time.process_time()
    work()
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    print(f"{label:<38} {count / elapsed:>10,.0f} records/s wall  {count / cpu:>10,.0f} records/s CPU")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("records", nargs="?", type=int, default=100_000)
    count = parser.parse_args().records
    path = Path(__file__).resolve().parents[1] / "mappings" / "legacy-tr.yaml"
    contacts = load_mapping(path, builtin_registry()).stream("contacts")
    records = make_records(count)
    print(f"{count:,} records, mapping {path.name}")

    mapped: list[dict[str, Any]] = []
    timed("to_canonical", count, lambda: mapped.extend(contacts.to_canonical(r)[0] for r in records))
    copies = [dict(r) for r in mapped]
    timed("validate", count, lambda: [validate(r, "contacts") for r in copies])

    def both() -> int:
        issues = 0
        for record in records:
            canonical, found = contacts.to_canonical(record)
            issues += len(found) + len(validate(canonical, "contacts"))
        return issues

    timed("to_canonical + validate (warm caches)", count, both)
    records[:] = make_records(count, seed=12)  # new phones and ids: nothing cached from the runs above
    for record in records:
        record["E-posta"] = "x" + record["E-posta"]
    timed("to_canonical + validate (cold caches)", count, both)

    canonical_rows = [dict(r) for r in mapped]
    timed("canonical_mapping + validate", count,
          lambda: [validate(canonical_mapping("contacts").to_canonical(r)[0], "contacts") for r in canonical_rows])


if __name__ == "__main__":
    main()
