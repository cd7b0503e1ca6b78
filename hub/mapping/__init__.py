"""Declarative mappings between a system's records and the canonical model.

::

    transforms = host.transforms                       # TransformRegistry filled by plugins
    mapping = load_mapping(find_mapping("salesforce"), transforms)
    contacts = mapping.stream("contacts")              # StreamMapping
    record, issues = contacts.to_canonical(source_record.data)
    fields = contacts.from_canonical(record)           # system field names, non-empty values

Connections without a mapping file use :func:`canonical_mapping` (keys already canonical).
The file format is documented in ``mappings/README.md``.
"""

from hub.mapping.canonical import CanonicalStreamMapping, canonical_mapping
from hub.mapping.spec import DEFAULT_SEARCH_DIRS, Mapping, find_mapping, load_mapping, parse_mapping
from hub.mapping.stream import FieldRule, SplitRule, StreamMapping
from hub.mapping.transforms import BoundTransform, Transform, TransformError, TransformFn, TransformRegistry

__all__ = [
    "DEFAULT_SEARCH_DIRS",
    "BoundTransform",
    "CanonicalStreamMapping",
    "FieldRule",
    "Mapping",
    "SplitRule",
    "StreamMapping",
    "Transform",
    "TransformError",
    "TransformFn",
    "TransformRegistry",
    "canonical_mapping",
    "find_mapping",
    "load_mapping",
    "parse_mapping",
]
