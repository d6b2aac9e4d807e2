"""Custom search attributes our workflows keep current, so the Web UI and CLI can filter on them."""

from temporalio.common import SearchAttributeKey

REFUND_STATUS = SearchAttributeKey.for_keyword("RefundStatus")
REFUND_REASON = SearchAttributeKey.for_keyword("RefundReason")
ORDER_ID = SearchAttributeKey.for_keyword("OrderId")
CUSTOMER_ID = SearchAttributeKey.for_keyword("CustomerId")
REFUND_AMOUNT = SearchAttributeKey.for_int("RefundAmount")
REFUND_CURRENCY = SearchAttributeKey.for_keyword("RefundCurrency")
SETTLEMENT_DUE_BY = SearchAttributeKey.for_datetime("SettlementDueBy")
DISPUTE_STATUS = SearchAttributeKey.for_keyword("DisputeStatus")
PAYMENT_INTENT_ID = SearchAttributeKey.for_keyword("PaymentIntentId")

ALL = (
    REFUND_STATUS,
    REFUND_REASON,
    ORDER_ID,
    CUSTOMER_ID,
    REFUND_AMOUNT,
    REFUND_CURRENCY,
    SETTLEMENT_DUE_BY,
    DISPUTE_STATUS,
    PAYMENT_INTENT_ID,
)

# The names the Temporal CLI's --search-attribute flag expects for each indexed value type.
_CLI_TYPE = {
    "KEYWORD": "Keyword",
    "INT": "Int",
    "DATETIME": "Datetime",
    "TEXT": "Text",
    "BOOL": "Bool",
    "FLOAT": "Double",
}


def cli_flags() -> list[str]:
    """`--search-attribute Name=Type` flags for `temporal server start-dev`."""
    flags: list[str] = []
    for key in ALL:
        flags += [
            "--search-attribute",
            f"{key.name}={_CLI_TYPE[key.indexed_value_type.name.removeprefix('INDEXED_VALUE_TYPE_')]}",
        ]
    return flags
