"""Path, query and header parameters: plain text like the bodies, no longer than the columns they are looked up in."""

from __future__ import annotations

from typing import Annotated

from fastapi import Header, Path, Query

from domain.text import PlainText

OrderIdPath = Annotated[PlainText, Path(max_length=64, description="The shop's order id.")]
CustomerIdPath = Annotated[PlainText, Path(max_length=64, description="The shop's customer id.")]
RefundIdPath = Annotated[PlainText, Path(max_length=64, description="A refund id (rf_...).")]
DisputeIdPath = Annotated[PlainText, Path(max_length=255, description="A Stripe dispute id (dp_...).")]
OrderIdQuery = Annotated[PlainText | None, Query(max_length=64)]
CustomerIdQuery = Annotated[PlainText | None, Query(max_length=64)]
DisputeStatusQuery = Annotated[PlainText | None, Query(max_length=30)]
IdempotencyKeyHeader = Annotated[
    PlainText | None,
    Header(max_length=255, description="Repeat it to retry safely: the same key never makes a second refund."),
]
