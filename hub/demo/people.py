"""Seeded pools of Turkish and international names, places and companies for demo and bench data."""

from __future__ import annotations

import random

TR_FIRST = ("Ahmet", "Mehmet", "Ayşe", "Fatma", "Zeynep", "Emine", "Mustafa", "Hüseyin", "İbrahim", "Hatice",
            "Elif", "Çağla", "Şule", "Gökhan", "Ömer", "Işıl", "Ilgın", "Özge", "Büşra", "Uğur", "Gülşen", "Barış",
            "Doğan", "Sevgi", "Yağmur", "Kıvanç", "Ebru", "Serkan", "Tuğba", "İrem")
TR_LAST = ("Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Yıldız", "Yıldırım", "Öztürk", "Aydın", "Özdemir",
           "Arslan", "Doğan", "Kılıç", "Aslan", "Çetin", "Kara", "Koç", "Kurt", "Özkan", "Şimşek", "Güneş",
           "Akgül", "Erdoğan", "Polat", "Işık", "Uçar", "Bulut", "Türkmen", "Ağaoğlu", "Karagöz")
INT_FIRST = ("John", "Maria", "Anna", "Peter", "Sophie", "Lucas", "Emma", "Hans", "Claire", "Marco", "Julia",
             "Thomas", "Laura", "David", "Sara")
INT_LAST = ("Smith", "Müller", "Schmidt", "Rossi", "Dubois", "García", "Johnson", "Weber", "Fischer", "Martin",
            "Bianchi", "Brown", "Wagner", "Moreau", "López")
TR_CITIES = (("İstanbul", "34"), ("Ankara", "06"), ("İzmir", "35"), ("Bursa", "16"), ("Antalya", "07"),
             ("Şanlıurfa", "63"), ("Eskişehir", "26"), ("Muğla", "48"), ("Ağrı", "04"), ("Çanakkale", "17"))
INT_CITIES = (("Berlin", "DE", "Almanya"), ("München", "DE", "Germany"), ("Paris", "FR", "Fransa"),
              ("London", "GB", "United Kingdom"), ("Roma", "IT", "İtalya"), ("Madrid", "ES", "Spain"),
              ("Amsterdam", "NL", "Hollanda"), ("Wien", "AT", "Avusturya"))
COMPANY_STEMS = ("Anadolu", "Boğaziçi", "Ege", "Karadeniz", "Marmara", "Toros", "Kapadokya", "Yeşil", "Güneş",
                 "Atlas", "Nova", "Delta", "Orion", "Pera", "Galata")
COMPANY_KINDS = ("Tekstil", "Gıda", "Lojistik", "Yazılım", "İnşaat", "Turizm", "Enerji", "Danışmanlık")
COMPANY_SUFFIXES = ("A.Ş.", "Ltd. Şti.", "San. ve Tic. A.Ş.", "GmbH", "Ltd", "Inc.")
TITLES = ("Satın Alma Müdürü", "Genel Müdür", "Muhasebe Uzmanı", "Sales Manager", "CFO", "IT Müdürü", "Owner")
STAGES_TR = ("Müşteri", "Potansiyel", "Fırsat", "Eski Müşteri")
ASCII_FOLD = str.maketrans("çğıöşüÇĞİÖŞÜ", "cgiosuCGIOSU")


def tckn(rng: random.Random) -> str:
    """A Turkish national id with valid check digits."""
    digits = [rng.randint(1, 9)] + [rng.randint(0, 9) for _ in range(8)]
    d10 = ((sum(digits[0:9:2]) * 7) - sum(digits[1:8:2])) % 10
    digits.append(d10)
    digits.append(sum(digits) % 10)
    return "".join(map(str, digits))


def mobile_tr(rng: random.Random) -> str:
    """A Turkish mobile number in one of the spellings exports contain."""
    number = f"5{rng.choice('0345')}{rng.randint(0, 9)}{rng.randint(1000000, 9999999)}"
    style = rng.randrange(4)
    if style == 0:
        return f"0{number[:3]} {number[3:6]} {number[6:8]} {number[8:]}"
    if style == 1:
        return f"+90 ({number[:3]}) {number[3:6]}-{number[6:]}"
    if style == 2:
        return number
    return f"+90{number}"
