"""Normalisation for comparison: the forms two spellings of the same name, company or address share.

Nothing here is shown to a person or written to a system: these forms only decide whether two
records look alike. Text goes through Unicode NFKC, a Turkish-aware case fold (``İ``→``i``,
``I``→``ı``: Python's own ``lower()`` turns ``İ`` into ``i`` plus a combining dot) and then an ASCII
fold (``ş``→``s``, ``ğ``→``g``, ``ü``→``u``, ``ö``→``o``, ``ç``→``c``, ``ı``→``i``, other accents
dropped), so "İŞÇİ", "işçi" and "isci" compare equal. Folding ``I`` to ``ı`` first and ``ı`` to ``i``
after means an English "IAN" and a Turkish "Ian" meet at "ian" too.

The folds are memoised: names, cities and companies repeat a great deal in customer data, so a
million records cost far fewer than a million folds.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = [
    "address_tokens",
    "company_key",
    "fold_ascii",
    "fold_case",
    "match_text",
    "name_tokens",
]

_TR_CASE = str.maketrans({"İ": "i", "I": "ı"})
# Letters NFKD does not decompose into a base letter and a mark, so they are mapped by hand.
_ASCII_EXTRA = str.maketrans({"ı": "i", "ß": "ss", "æ": "ae", "ø": "o", "œ": "oe", "đ": "d", "ł": "l", "þ": "th"})
_PUNCTUATION = re.compile(r"[^\w\s]|_", re.UNICODE)
_SPACES = re.compile(r"\s+")


def fold_case(text: str) -> str:
    """NFKC, then Turkish-aware case folding: ``İ``→``i``, ``I``→``ı``, everything else ``casefold()``."""
    return unicodedata.normalize("NFKC", text).translate(_TR_CASE).casefold()


def fold_ascii(text: str) -> str:
    """Drop diacritics and map the letters that have none to their ASCII look-alikes (``ı``→``i``)."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_ASCII_EXTRA))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


# The caches hold what repeats across records (names, cities, companies): a few tens of thousands of
# values cover those; a street is nearly unique to its household, so caching it buys little and a
# large cache of them would hold a hundred megabytes in a million-record run.
@lru_cache(maxsize=65_536)
def match_text(text: str) -> str:
    """The comparison form of free text: folded case and accents, punctuation to spaces, spaces collapsed."""
    folded = fold_ascii(fold_case(text))
    return _SPACES.sub(" ", _PUNCTUATION.sub(" ", folded)).strip()


def name_tokens(*parts: str | None) -> tuple[str, ...]:
    """The words of a person's name parts, in comparison form (``"Ayşe Nur", "Yılmaz"`` → ayse, nur, yilmaz)."""
    words: list[str] = []
    for part in parts:
        if part:
            words.extend(match_text(part).split())
    return tuple(words)


# Legal forms, in comparison form, that end company names: Turkish (A.Ş., Ltd. Şti., San. ve Tic.),
# German, English and a few common European ones. Only trailing words are dropped, so "Ve" or "Co"
# inside a name stays; "San. ve Tic." is a trailing phrase in Turkish names ("… Gıda San. ve Tic. A.Ş.").
_LEGAL_WORDS = frozenset({
    "a", "s", "as", "anonim", "sirketi", "sirket", "sti", "ltd", "limited", "ltdsti", "san", "sanayi", "ve",
    "tic", "ticaret", "ith", "ihr", "ithalat", "ihracat", "pazarlama", "paz", "koll", "kollektif", "komandit",
    "gmbh", "mbh", "ag", "kg", "co", "inc", "incorporated", "llc", "llp", "lp", "plc", "corp", "corporation",
    "company", "sa", "sas", "sarl", "srl", "spa", "bv", "nv", "oy", "ab", "aps", "pty", "pvt", "ltda", "cie",
    "holding", "grubu", "group", "tas",
})
# Words that carry a legal form but also shorten it: "Ltd. Şti." folds to "ltd sti".
_CONNECTORS = frozenset({"and", "und", "et", "ve", "&"})


@lru_cache(maxsize=65_536)
def company_key(name: str) -> str:
    """A company name without its legal form and punctuation (``"ABC Gıda San. ve Tic. A.Ş."`` → ``"abc gida"``).

    At least one word always stays, so a company called "Holding" is still "holding".
    """
    words = match_text(name.replace("&", " and ")).split()
    end = len(words)
    while end > 1 and (words[end - 1] in _LEGAL_WORDS or words[end - 1] in _CONNECTORS):
        end -= 1
    return " ".join(words[:end])


# Street words and their abbreviations, Turkish and English, to one spelling each.
_ADDRESS_WORDS = {
    "mah": "mahallesi", "mh": "mahallesi", "mahalle": "mahallesi",
    "cad": "caddesi", "cd": "caddesi", "cadde": "caddesi",
    "sok": "sokak", "sk": "sokak", "sokagi": "sokak",
    "bulv": "bulvari", "blv": "bulvari", "bul": "bulvari",
    "apt": "apartmani", "ap": "apartmani",
    "no": "no", "numara": "no", "kat": "kat", "k": "kat", "d": "daire", "daire": "daire",
    "st": "street", "str": "strasse", "rd": "road", "ave": "avenue", "av": "avenue",
    "blvd": "boulevard", "ln": "lane", "dr": "drive", "sq": "square", "fl": "floor", "apt.": "apartment",
}


@lru_cache(maxsize=16_384)
def address_tokens(street: str) -> frozenset[str]:
    """The words of a street address, abbreviations spelled out (``"Atatürk Cad. No:5"`` → ataturk, caddesi, no, 5)."""
    return frozenset(_ADDRESS_WORDS.get(word, word) for word in match_text(street).split())
