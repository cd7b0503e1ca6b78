"""Reference data: countries (ISO 3166-1), currencies (ISO 4217) and languages (BCP 47 / ISO 639).

Codes and their English and Turkish names come from ``pycountry`` (the Debian ``iso-codes``
data and its translations); a short table adds what people actually type (``Turkey``, ``ABD``,
``KKTC``, ``₺``, ``TL``). Tables are built once, on first use; lookups are cached because the
same few values repeat across millions of records.
"""

from __future__ import annotations

import functools
import gettext
import re
import unicodedata

import pycountry

__all__ = [
    "country_code",
    "currency_code",
    "fold",
    "is_country",
    "is_currency",
    "language_tag",
]

# Turkish letters have no decomposition to ASCII (ı, İ) or should match their ASCII look-alikes
# as people type them without a Turkish keyboard (Türkiye / Turkiye).
_TURKISH_FOLD = str.maketrans({"ı": "i", "İ": "i", "I": "i", "ş": "s", "Ş": "s", "ğ": "g", "Ğ": "g"})
_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


def fold(text: str) -> str:
    """A key for loose matching: lower case, Turkish letters and accents folded, punctuation as spaces."""
    text = text.translate(_TURKISH_FOLD).casefold()
    if not text.isascii():
        text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return _NOT_ALNUM.sub(" ", text).strip()


def _translations(domain: str) -> gettext.NullTranslations:
    return gettext.translation(domain, pycountry.LOCALES_DIR, languages=["tr"], fallback=True)


# Countries ---------------------------------------------------------------------------------------
_COUNTRY_ALIASES = {
    "turkey": "TR", "turkiye": "TR", "turkiye cumhuriyeti": "TR", "republic of turkey": "TR", "tc": "TR",
    "kktc": "CY", "kuzey kibris": "CY", "kibris": "CY",
    "usa": "US", "u s a": "US", "us": "US", "united states of america": "US", "america": "US", "abd": "US",
    "amerika": "US", "amerika birlesik devletleri": "US",
    "uk": "GB", "great britain": "GB", "britain": "GB", "england": "GB", "ingiltere": "GB", "birlesik krallik": "GB",
    "scotland": "GB", "wales": "GB", "iskocya": "GB",
    "holland": "NL", "hollanda": "NL", "the netherlands": "NL",
    "russia": "RU", "rusya": "RU", "south korea": "KR", "guney kore": "KR", "korea": "KR",
    "iran": "IR", "syria": "SY", "suriye": "SY", "uae": "AE", "bae": "AE", "birlesik arap emirlikleri": "AE",
    "czech republic": "CZ", "cek cumhuriyeti": "CZ", "cekya": "CZ", "azerbaycan": "AZ", "gurcistan": "GE",
    "kosovo": "XK", "kosova": "XK",
}


@functools.lru_cache(maxsize=1)
def _country_table() -> dict[str, str]:
    table: dict[str, str] = {}
    turkish = _translations("iso3166-1")
    for country in pycountry.countries:
        code = country.alpha_2
        names = [country.alpha_2, country.alpha_3, country.numeric, country.name]
        names += [getattr(country, attr) for attr in ("common_name", "official_name") if hasattr(country, attr)]
        names += [turkish.gettext(n) for n in list(names[3:])]
        for name in names:
            table.setdefault(fold(name), code)
    table.update(_COUNTRY_ALIASES)
    return table


@functools.lru_cache(maxsize=1)
def _country_codes() -> frozenset[str]:
    return frozenset(c.alpha_2 for c in pycountry.countries) | {"XK"}


def is_country(code: str) -> bool:
    """True for an assigned ISO 3166-1 alpha-2 code (upper case), plus ``XK`` (Kosovo)."""
    return code in _country_codes()


@functools.lru_cache(maxsize=4096)
def country_code(text: str) -> str | None:
    """ISO alpha-2 code for a code (``TR``, ``TUR``, ``792``) or an English or Turkish name, else ``None``."""
    if len(text) == 2 and text.isupper() and is_country(text):
        return text
    return _country_table().get(fold(text))


# Currencies --------------------------------------------------------------------------------------
_CURRENCY_ALIASES = {
    "₺": "TRY", "tl": "TRY", "ytl": "TRY", "turk lirasi": "TRY", "lira": "TRY", "turkish lira": "TRY",
    "$": "USD", "us$": "USD", "usd": "USD", "dolar": "USD", "dollar": "USD", "abd dolari": "USD", "us dollar": "USD",
    "€": "EUR", "euro": "EUR", "avro": "EUR", "eur": "EUR",
    "£": "GBP", "sterlin": "GBP", "pound": "GBP", "ingiliz sterlini": "GBP",
    "¥": "JPY", "yen": "JPY", "₽": "RUB", "ruble": "RUB", "rus rublesi": "RUB", "₹": "INR", "chf": "CHF",
    "isvicre frangi": "CHF", "₼": "AZN", "manat": "AZN", "₾": "GEL",
}
# fold() turns symbols into empty strings, so symbols are looked up as they are.
_CURRENCY_SYMBOLS = {k: v for k, v in _CURRENCY_ALIASES.items() if not fold(k)}


@functools.lru_cache(maxsize=1)
def _currency_table() -> dict[str, str]:
    table: dict[str, str] = {}
    turkish = _translations("iso4217")
    for currency in pycountry.currencies:
        for name in (currency.alpha_3, currency.numeric, currency.name, turkish.gettext(currency.name)):
            table.setdefault(fold(name), currency.alpha_3)
    table.update({fold(k): v for k, v in _CURRENCY_ALIASES.items() if fold(k)})
    return table


@functools.lru_cache(maxsize=1)
def _currency_codes() -> frozenset[str]:
    return frozenset(c.alpha_3 for c in pycountry.currencies)


def is_currency(code: str) -> bool:
    """True for an active ISO 4217 alphabetic code (upper case)."""
    return code in _currency_codes()


@functools.lru_cache(maxsize=1024)
def currency_code(text: str) -> str | None:
    """ISO 4217 code for a code, symbol (``₺``, ``$``, ``€``) or English or Turkish name, else ``None``."""
    stripped = text.strip()
    if stripped in _CURRENCY_SYMBOLS:
        return _CURRENCY_SYMBOLS[stripped]
    if len(stripped) == 3 and stripped.isupper() and is_currency(stripped):
        return stripped
    return _currency_table().get(fold(stripped))


# Languages ---------------------------------------------------------------------------------------
_LANGUAGE_TAG = re.compile(
    r"^(?P<lang>[A-Za-z]{2,3})(?:[-_](?P<script>[A-Za-z]{4}))?(?:[-_](?P<region>[A-Za-z]{2}|\d{3}))?$"
)


@functools.lru_cache(maxsize=1)
def _language_codes() -> frozenset[str]:
    codes: set[str] = set()
    for language in pycountry.languages:
        codes.add(language.alpha_3)
        if hasattr(language, "alpha_2"):
            codes.add(language.alpha_2)
    return frozenset(codes)


@functools.lru_cache(maxsize=1)
def _language_names() -> dict[str, str]:
    table: dict[str, str] = {}
    turkish = _translations("iso639-3")
    for language in pycountry.languages:
        code = getattr(language, "alpha_2", None)
        if code is None:  # only languages with a two-letter code: the ones CRMs carry
            continue
        table.setdefault(fold(language.name), code)
        table.setdefault(fold(turkish.gettext(language.name)), code)
    return table


@functools.lru_cache(maxsize=1024)
def language_tag(text: str) -> str | None:
    """The normal form of a BCP 47-style tag (``tr``, ``en-GB``, ``zh-Hant-TW``) or language name, else ``None``.

    Language names in English or Turkish (``Turkish``, ``Türkçe``) map to their two-letter code.
    """
    match = _LANGUAGE_TAG.match(text.strip())
    if match is None:
        return _language_names().get(fold(text))
    lang = match["lang"].lower()
    if lang not in _language_codes():
        return _language_names().get(fold(text))
    tag = lang
    if match["script"]:
        tag += "-" + match["script"].title()
    if match["region"]:
        region = match["region"].upper()
        if not region.isdigit() and not is_country(region):
            return None
        tag += "-" + region
    return tag
