"""The V3 contract: the facts-only spec, its operations, and checking responses against it."""

from apps.v3.contract.spec import BASE_PATH, Operation, load_spec, match_operation, operation_by_id, operations
from apps.v3.contract.validation import (
    ContractViolation,
    validate_django_response,
    validate_error_envelope,
    validate_response,
)

__all__ = [
    "BASE_PATH",
    "ContractViolation",
    "Operation",
    "load_spec",
    "match_operation",
    "operation_by_id",
    "operations",
    "validate_django_response",
    "validate_error_envelope",
    "validate_response",
]
