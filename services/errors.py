"""What a use case can refuse with; the API maps each class to one HTTP status (api/errors.py)."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar, cast

from domain.policy import PolicyInputError
from store.disputes import DisputeNotFound
from store.orders import OrderConflict, OrderNotFound, PaymentTaken
from store.refunds import OpenRefundExists, RefundNotFound
from store.staff import StaffNameTaken, StaffNotFound

F = TypeVar("F", bound=Callable[..., Any])


class ServiceError(Exception):
    """A refusal with one sentence a support agent understands, and optional fields for the caller."""

    def __init__(self, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra


class NotFound(ServiceError):
    """Nothing has this id."""


class Conflict(ServiceError):
    """The request clashes with the records (an open refund, a different body under the same key, a state)."""


class Forbidden(ServiceError):
    """The actor's roles do not allow this action."""


class InvalidInput(ServiceError):
    """The request itself is wrong; `code` says which rule it breaks."""


class Unavailable(ServiceError):
    """A service we depend on (Temporal, Stripe) is unreachable; nothing was recorded, try again."""


@contextmanager
def store_and_policy_errors() -> Iterator[None]:
    """Raise the store's and the policy's refusals as service errors."""
    try:
        yield
    except (OrderNotFound, RefundNotFound, DisputeNotFound, StaffNotFound) as error:
        raise NotFound(str(error)) from error
    except OpenRefundExists as error:
        raise Conflict(str(error), order_id=error.order_id, refund_id=error.refund_id, status=error.status) from error
    except PaymentTaken as error:
        raise Conflict(str(error), code="payment_already_used") from error
    except (OrderConflict, StaffNameTaken) as error:
        raise Conflict(str(error)) from error
    except PolicyInputError as error:
        raise InvalidInput(error.message, code=error.code) from error


def use_case(function: F) -> F:
    """Mark a (sync or async) service function: store and policy refusals leave it as service errors."""
    if inspect.iscoroutinefunction(function):

        @functools.wraps(function)
        async def run_async(*args: Any, **kwargs: Any) -> Any:
            with store_and_policy_errors():
                return await function(*args, **kwargs)

        return cast(F, run_async)

    @functools.wraps(function)
    def run(*args: Any, **kwargs: Any) -> Any:
        with store_and_policy_errors():
            return function(*args, **kwargs)

    return cast(F, run)
