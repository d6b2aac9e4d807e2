"""Stripe error codes that no retry can fix: the refund activity raises them non-retryable."""

# Stripe's documented error codes for refunds that will never succeed as asked.
PERMANENT_STRIPE_ERRORS = frozenset(
    {
        "charge_already_refunded",
        "amount_too_large",
        "charge_disputed",
        "refund_disputed_payment",
        "charge_expired_for_capture",
        "resource_missing",
        "parameter_invalid_integer",
        "parameter_missing",
        "parameter_unknown",
        "idempotency_error",
        "invalid_request",
        "authentication_error",
        "permission_error",
    }
)
