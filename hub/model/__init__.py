"""The canonical model: what every system's records are mapped to and from."""

from hub.model.common import Address, Consent, ConsentStatus, Money, NationalId, NationalIdType, TaxId
from hub.model.fields import FieldSpec, FieldType, flatten, iter_flat_fields, unflatten
from hub.model.streams import STREAM_MODELS, Company, Contact, is_canonical_field, stream_fields

__all__ = [
    "STREAM_MODELS",
    "Address",
    "Company",
    "Consent",
    "ConsentStatus",
    "Contact",
    "FieldSpec",
    "FieldType",
    "Money",
    "NationalId",
    "NationalIdType",
    "TaxId",
    "flatten",
    "is_canonical_field",
    "iter_flat_fields",
    "stream_fields",
    "unflatten",
]
