"""Errors for bad refund input; their messages are written for a support agent (the API's 422)."""


class PolicyInputError(ValueError):
    """A refund request the policy cannot assess because its input is wrong."""

    def __init__(self, code: str, message: str) -> None:
        """Keep a stable machine code next to the human message."""
        super().__init__(message)
        self.code = code
        self.message = message


class RefundAmountError(PolicyInputError):
    """The requested amount or currency is not refundable on this order."""
