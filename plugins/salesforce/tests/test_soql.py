"""SOQL built by the connector: escaping, checked names, GET-sized IN lists; messages without values."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

import pytest
from crmhub_salesforce.client import safe_message
from crmhub_salesforce.sandbox.catalog import CONTACT
from crmhub_salesforce.schema import ObjectSchema
from crmhub_salesforce.soql import MAX_ENCODED_QUERY, datetime_literal, in_clauses, quote_string, select

from hub.errors import SchemaError

SCHEMA = ObjectSchema("Contact", CONTACT.describe("59.0"), "Crmhub_Id__c")


def test_string_literals_escape_quotes_backslashes_and_controls() -> None:
    assert quote_string("O'Brien \\ \"x\"\n") == "'O\\'Brien \\\\ \\\"x\\\"\\n'"
    assert quote_string("' OR Name != '") == "'\\' OR Name != \\''"


def test_datetime_literals_are_utc_with_milliseconds() -> None:
    moment = dt.datetime(2024, 5, 1, 13, 0, 0, 123456, tzinfo=dt.timezone(dt.timedelta(hours=3)))
    assert datetime_literal(moment) == "2024-05-01T10:00:00.123Z"


def test_names_are_checked_against_describe() -> None:
    assert select(SCHEMA, ["lastname", "Id"]) == "SELECT LastName, Id FROM Contact"
    with pytest.raises(SchemaError):
        select(SCHEMA, ["Id, (SELECT Id FROM Cases)"])
    with pytest.raises(SchemaError):
        select(SCHEMA, ["Shoe_Size__c"])


def test_in_lists_are_split_to_stay_under_the_uri_limit() -> None:
    keys = [f"hub-{i:08d}-{'x' * 20}" for i in range(2000)]
    queries = list(in_clauses(SCHEMA, "Crmhub_Id__c", keys, ["Id"]))
    assert len(queries) > 1
    assert all(len(quote(q)) <= MAX_ENCODED_QUERY for q in queries)
    assert sum(q.count("'hub-") for q in queries) == 2000


def test_messages_keep_salesforce_wording_but_not_the_values() -> None:
    assert safe_message("Email: invalid email address: ayse@@x.com") == "Email: invalid email address: …"
    assert safe_message("Last Name: data value too large: Çok uzun (max length=80)") == \
        "Last Name: data value too large: … (max length=80)"
    assert "1990" not in safe_message("Cannot deserialize instance of date from VALUE_STRING value 31/12/1990 or "
                                      "request may be missing a required field at [line:1, column:1]")
