"""The public names of hub.mapping and hub.validation: changing them is a decision, not an accident."""

from __future__ import annotations

import hub.mapping
import hub.validation


def test_mapping_exports() -> None:
    assert sorted(hub.mapping.__all__) == [
        "BoundTransform", "CanonicalStreamMapping", "DEFAULT_SEARCH_DIRS", "FieldRule", "Mapping", "SplitRule",
        "StreamMapping", "Transform", "TransformError", "TransformFn", "TransformRegistry", "canonical_mapping",
        "find_mapping", "load_mapping", "parse_mapping",
    ]
    for name in hub.mapping.__all__:
        assert getattr(hub.mapping, name) is not None


def test_validation_exports() -> None:
    assert sorted(hub.validation.__all__) == [
        "CHECKS", "REASON_CODES", "RecordCheck", "check_target_limits", "country_code", "currency_code", "is_tckn",
        "is_vkn", "language_tag", "register_code", "validate",
    ]
    for name in hub.validation.__all__:
        assert getattr(hub.validation, name) is not None


def test_stream_mapping_interface() -> None:
    for name in ("to_canonical", "from_canonical", "system_fields_written", "system_fields_read", "check_against"):
        assert callable(getattr(hub.mapping.StreamMapping, name))
    mapping = hub.mapping.canonical_mapping("companies")
    assert (mapping.canonical, mapping.object, mapping.key_field, mapping.id_field) == (
        "companies", "companies", "id", None
    )
