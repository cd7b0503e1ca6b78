"""Seeded CRM-like contacts with known duplicate clusters, for bench_identity.py.

Each *person* gets one clean record and, for some, duplicates spelled the way CRMs spell them:
typos, swapped first and last names, a missing or changed e-mail, a reformatted or missing phone,
Turkish letters dropped, changed case, another legal suffix on the company, abbreviated streets, a
missing birth date. Hard negatives are planted too: relatives sharing a surname, an address and a
landline; namesakes arise on their own from the skewed name frequencies. The truth is the person
number of every record.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

TR_FIRST = ("Mehmet", "Ahmet", "Mustafa", "Ali", "Hüseyin", "Hasan", "İbrahim", "İsmail", "Osman", "Yusuf",
            "Murat", "Ömer", "Ramazan", "Halil", "Süleyman", "Abdullah", "Mahmut", "Recep", "Salih", "Fatih",
            "Kadir", "Emre", "Hakan", "Adem", "Kemal", "Yaşar", "Bekir", "Musa", "Metin", "Serkan", "Orhan",
            "Burak", "Uğur", "Gökhan", "Erkan", "Volkan", "Cengiz", "Sinan", "Tuncay", "Barış", "Onur", "Tolga",
            "Kıvanç", "Doğan", "Çağlar", "Oğuz", "Selim", "Taner", "Levent", "Engin", "Ercan", "Fatma", "Ayşe",
            "Emine", "Hatice", "Zeynep", "Elif", "Meryem", "Şerife", "Zehra", "Sultan", "Hanife", "Merve",
            "Havva", "Zeliha", "Esra", "Fadime", "Özlem", "Hacer", "Yasemin", "Hülya", "Cemile", "Sevgi",
            "Gülsüm", "Leyla", "Dilek", "Büşra", "Kübra", "Tuğba", "Ebru", "Aysel", "Songül", "Derya", "Şule",
            "Gülşen", "Işıl", "Ilgın", "Özge", "Yağmur", "İrem", "Çağla", "Damla", "Pınar", "Gizem", "Seda",
            "Sibel", "Melike", "Nur", "Nurcan", "Aslı", "Burcu", "Ceren", "Deniz")
TR_LAST = ("Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Yıldız", "Yıldırım", "Öztürk", "Aydın", "Özdemir",
           "Arslan", "Doğan", "Kılıç", "Aslan", "Çetin", "Kara", "Koç", "Kurt", "Özkan", "Şimşek", "Polat",
           "Özcan", "Korkmaz", "Çakır", "Erdoğan", "Yavuz", "Can", "Acar", "Şen", "Aktaş", "Güler", "Yalçın",
           "Güneş", "Bozkurt", "Bulut", "Keskin", "Ünal", "Turan", "Gül", "Özer", "Işık", "Kaplan", "Avcı",
           "Sarı", "Tekin", "Taş", "Köse", "Yüksel", "Ateş", "Aksoy", "Yiğit", "Çiftçi", "Cengiz", "Altun",
           "Kalkan", "Duman", "Karaca", "Uçar", "Tunç", "Akın", "Sönmez", "Yurt", "Başaran", "Bayram", "Erdem",
           "Eren", "Uysal", "Kocabaş", "Karagöz", "Ağaoğlu", "Karaosmanoğlu", "Eczacıbaşı", "Sabancı",
           "Dinçer", "Gündoğdu", "Kahraman", "Tuna", "Toprak", "Esen", "Bilgin", "Coşkun", "Oral", "Soylu",
           "Çınar", "Akbulut", "Özbek", "Türkmen", "Bilgiç", "Ekinci", "Sezer", "Kılınç", "Gürbüz", "Erol",
           "Akgül", "Aydemir", "Ayhan", "Alkan", "Durmaz", "Toprakçı", "Kurtuluş")
INT_FIRST = ("John", "Maria", "Anna", "Peter", "Sophie", "Lucas", "Emma", "Hans", "Claire", "Marco", "Julia",
             "Thomas", "Laura", "David", "Sara", "Michael", "Paul", "Olivia", "Lena", "Jan", "Pierre", "Luca",
             "Sofia", "Daniel", "Eva", "Felix", "Nina", "Oliver", "Chloe", "Ivan")
INT_LAST = ("Smith", "Müller", "Schmidt", "Rossi", "Dubois", "García", "Johnson", "Weber", "Fischer", "Martin",
            "Bianchi", "Brown", "Wagner", "Moreau", "López", "Meyer", "Becker", "Schulz", "Hoffmann", "Ricci",
            "Romano", "Bernard", "Petit", "Williams", "Taylor", "Jones", "Novak", "Kovač", "Andersen", "Nielsen")
CITIES = ("İstanbul", "İstanbul", "İstanbul", "İstanbul", "Ankara", "Ankara", "İzmir", "İzmir", "Bursa",
          "Antalya", "Konya", "Adana", "Gaziantep", "Şanlıurfa", "Kocaeli", "Mersin", "Diyarbakır", "Hatay",
          "Manisa", "Kayseri", "Samsun", "Balıkesir", "Kahramanmaraş", "Van", "Aydın", "Denizli", "Sakarya",
          "Tekirdağ", "Muğla", "Eskişehir", "Mardin", "Trabzon", "Malatya", "Erzurum", "Ordu", "Çanakkale",
          "Ağrı", "Berlin", "Köln", "Paris", "London", "Wien")
CITY_CODES = {city: number for number, city in enumerate(dict.fromkeys(CITIES), start=1)}
STREETS = ("Atatürk", "Cumhuriyet", "İnönü", "Gazi", "Fevzi Çakmak", "Mimar Sinan", "Barbaros", "Bağdat",
           "İstiklal", "Kazım Karabekir", "Menderes", "Hürriyet", "Yavuz Selim", "Çiçek", "Gül", "Lale", "Okul")
STREET_KINDS = (("Cad.", "Caddesi", "Cd."), ("Sok.", "Sokak", "Sk."), ("Bulv.", "Bulvarı", "Blv."))
COMPANY_STEMS = ("Anadolu", "Boğaziçi", "Ege", "Karadeniz", "Marmara", "Toros", "Kapadokya", "Yeşil", "Güneş",
                 "Atlas", "Nova", "Delta", "Orion", "Pera", "Galata", "Akdeniz", "Fırat", "Dicle", "Kuzey", "Doruk")
COMPANY_KINDS = ("Tekstil", "Gıda", "Lojistik", "Yazılım", "İnşaat", "Turizm", "Enerji", "Danışmanlık", "Otomotiv",
                 "Kimya", "Mobilya", "Tarım")
SUFFIXES = ("A.Ş.", "Ltd. Şti.", "San. ve Tic. A.Ş.", "San. ve Tic. Ltd. Şti.", "A.S.", "LTD ŞTİ", "")
INT_SUFFIXES = ("GmbH", "Inc.", "LLC", "Ltd", "Ltd.", "")
FREE_MAIL = ("gmail.com", "hotmail.com", "yahoo.com", "outlook.com", "yandex.com", "icloud.com", "mynet.com")
ASCII = str.maketrans("çğıöşüÇĞİÖŞÜ", "cgiosuCGIOSU")


def _zipf_weights(n: int, s: float = 1.0) -> list[float]:
    return [1.0 / (rank + 1) ** s for rank in range(n)]


@dataclass(frozen=True, slots=True)
class Person:
    """The truth about one person."""

    first: str
    last: str
    email: str | None
    mobile: str | None
    landline: str | None
    city: str
    street: str
    street_kind: int
    number: int
    postcode: str
    company: tuple[str, int, bool] | None
    birth: dt.date | None
    tckn: str | None


def _tckn(rng: random.Random) -> str:
    digits = [rng.randint(1, 9)] + [rng.randint(0, 9) for _ in range(8)]
    digits.append(((sum(digits[0:9:2]) * 7) - sum(digits[1:8:2])) % 10)
    digits.append(sum(digits) % 10)
    return "".join(map(str, digits))


class PeopleGenerator:
    """Yields ``(truth, record)``: the person number and a canonical contact dict."""

    def __init__(self, seed: int = 42) -> None:
        self.rng = random.Random(seed)
        self.tr_first_w = _zipf_weights(len(TR_FIRST), 0.9)
        self.tr_last_w = _zipf_weights(len(TR_LAST), 1.0)
        self.int_first_w = _zipf_weights(len(INT_FIRST), 0.8)
        self.int_last_w = _zipf_weights(len(INT_LAST), 0.8)
        self.emails: set[str] = set()
        self._last: Person | None = None

    def person(self) -> Person:
        rng = self.rng
        turkish = rng.random() < 0.85
        if turkish:
            first = rng.choices(TR_FIRST, self.tr_first_w)[0]
            if rng.random() < 0.12:
                first += " " + rng.choices(TR_FIRST, self.tr_first_w)[0]
            last = rng.choices(TR_LAST, self.tr_last_w)[0]
        else:
            first = rng.choices(INT_FIRST, self.int_first_w)[0]
            last = rng.choices(INT_LAST, self.int_last_w)[0]
        email = None
        if rng.random() < 0.85:
            domain = rng.choice(FREE_MAIL)
            email = f"{self._local(first, last)}@{domain}"
            while email in self.emails:  # a mailbox belongs to one person
                email = f"{self._local(first, last)}{rng.randint(1, 999)}@{domain}"
            self.emails.add(email)
        mobile = f"5{rng.choice('0345')}{rng.randint(0, 9)}{rng.randint(1000000, 9999999)}" if rng.random() < 0.8 \
            else None
        landline = f"{rng.choice(('212', '216', '312', '232'))}{rng.randint(1000000, 9999999)}" \
            if rng.random() < 0.25 else None
        company = None
        if rng.random() < 0.55:
            company = (f"{rng.choice(COMPANY_STEMS)} {rng.choice(COMPANY_KINDS)}", rng.randrange(len(SUFFIXES)),
                       turkish)
        birth = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(365 * 55)) if rng.random() < 0.6 else None
        city = rng.choice(CITIES)
        # Turkish postcodes start with the province's number; the rest names a district.
        postcode = f"{CITY_CODES[city]:02d}{rng.randint(0, 120) * 10:03d}"[:5]
        return Person(first, last, email, mobile, landline, city, rng.choice(STREETS),
                      rng.randrange(3), rng.randint(1, 250), postcode,
                      company, birth, _tckn(rng) if turkish and rng.random() < 0.3 else None)

    def _local(self, first: str, last: str) -> str:
        rng = self.rng
        f, l_ = first.split()[0].translate(ASCII).lower(), last.translate(ASCII).lower()
        style = rng.randrange(4)
        base = (f"{f}.{l_}", f"{f}{l_}", f"{f[0]}{l_}", f"{f}_{l_}")[style]
        return f"{base}{rng.randint(1, 9999)}" if rng.random() < 0.7 else base

    def relative(self, p: Person) -> Person:
        """Someone else in the same household: surname, address and landline shared."""
        other = self.person()
        return Person(other.first, p.last, other.email, other.mobile, p.landline or other.landline, p.city,
                      p.street, p.street_kind, p.number, p.postcode, other.company, other.birth, other.tckn)

    def record(self, p: Person, duplicate: bool) -> dict[str, Any]:
        rng = self.rng
        first, last, email = p.first, p.last, p.email
        mobile, city, birth, national_id = p.mobile, p.city, p.birth, p.tckn
        street_kind = STREET_KINDS[p.street_kind][0]
        company = p.company
        case = 0
        if duplicate:
            for _ in range(rng.choice((1, 1, 2, 2, 3))):
                change = rng.randrange(11)
                if change == 0:
                    first = _typo(rng, first)
                elif change == 1:
                    last = _typo(rng, last)
                elif change == 2:
                    first, last = last, first
                elif change == 3:
                    email = None
                elif change == 4 and email:
                    email = _changed_email(rng, email)
                elif change == 5:
                    mobile = None if rng.random() < 0.4 else mobile
                elif change == 6:
                    first, last, city = first.translate(ASCII), last.translate(ASCII), city.translate(ASCII)
                elif change == 7:
                    case = rng.choice((1, 2))
                elif change == 8 and company:
                    suffixes = SUFFIXES if company[2] else INT_SUFFIXES
                    company = (company[0], rng.randrange(len(suffixes)), company[2])
                elif change == 9:
                    street_kind = rng.choice(STREET_KINDS[p.street_kind])
                else:
                    birth = None if rng.random() < 0.6 else birth
                    national_id = None
        record: dict[str, Any] = {
            "first_name": first, "last_name": last, "email": email,
            "mobile": _spelled(rng, mobile) if mobile else None,
            "phone": _spelled(rng, p.landline) if p.landline else None,
            "address.city": city, "address.postcode": p.postcode,
            "address.street": f"{p.street} {street_kind} No:{p.number}",
            "birth_date": birth.isoformat() if birth else None,
            "national_id.value": national_id,
        }
        if company:
            suffixes = SUFFIXES if company[2] else INT_SUFFIXES
            record["company"] = f"{company[0]} {suffixes[company[1] % len(suffixes)]}".strip()
        if case == 1:
            record["first_name"], record["last_name"] = first.upper(), last.upper()
        elif case == 2:
            record["first_name"], record["last_name"] = first.lower(), last.lower()
        return record

    def generate(self, records: int) -> Iterator[tuple[int, dict[str, Any]]]:
        """``records`` records: (person number, canonical record), duplicates shuffled in among the rest."""
        rng = self.rng
        made = person_no = 0
        pending: list[tuple[int, dict[str, Any]]] = []
        while made < records:
            person = self.relative(self._last) if self._last and rng.random() < 0.03 else self.person()
            self._last = person
            copies = rng.choices((1, 2, 3, 4, 5), (0.62, 0.24, 0.09, 0.035, 0.015))[0]
            for n in range(copies):
                if made >= records:
                    break
                item = (person_no, self.record(person, duplicate=n > 0))
                made += 1
                # Duplicates arrive later, as in a CRM: held back a little and released at random.
                if n:
                    pending.append(item)
                else:
                    yield item
            while pending and rng.random() < 0.6:
                yield pending.pop(rng.randrange(len(pending)))
            person_no += 1
        yield from pending


def _typo(rng: random.Random, word: str) -> str:
    if len(word) < 3:
        return word
    at = rng.randrange(1, len(word) - 1)
    kind = rng.randrange(4)
    if kind == 0:
        return word[:at] + word[at + 1:]
    if kind == 1:
        return word[:at] + rng.choice("aeiklmnrsty") + word[at:]
    if kind == 2:
        return word[:at] + rng.choice("aeiklmnrsty") + word[at + 1:]
    return word[:at - 1] + word[at] + word[at - 1] + word[at + 1:]


def _changed_email(rng: random.Random, email: str) -> str:
    local, _, domain = email.partition("@")
    choice = rng.randrange(3)
    if choice == 0:
        return f"{local}@{rng.choice(FREE_MAIL)}"
    if choice == 1 and domain == "gmail.com":
        return f"{local[:2]}.{local[2:]}@gmail.com"
    return f"{local}{rng.randint(1, 99)}@{domain}"


def _spelled(rng: random.Random, number: str) -> str:
    style = rng.randrange(5)
    if style == 0:
        return f"0{number[:3]} {number[3:6]} {number[6:8]} {number[8:]}"
    if style == 1:
        return f"+90 ({number[:3]}) {number[3:6]}-{number[6:]}"
    if style == 2:
        return number
    if style == 3:
        return f"0090{number}"
    return f"+90{number}"
