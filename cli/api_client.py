"""The CLI's way to the refund API: a token, the base URL, and errors turned into the API's own message."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import httpx
import typer

from domain.text import escaped

DEFAULT_API_URL = "http://127.0.0.1:8000"
TIMEOUT_SECONDS = 30.0

ApiUrl = Annotated[
    str,
    typer.Option(
        "--api-url", envvar="REFUNDS_API_URL", help="Base URL of the refund API.", rich_help_panel="Connection"
    ),
]
Token = Annotated[
    str | None,
    typer.Option(
        "--token",
        envvar="REFUNDS_TOKEN",
        help="Your staff token (prefer the REFUNDS_TOKEN variable).",
        show_default=False,
        rich_help_panel="Connection",
    ),
]


class ApiError(Exception):
    """The API refused or could not be reached; the message is what the user reads."""


class StaffApi:
    """A thin HTTP client that answers JSON or raises ApiError with the API's `detail`."""

    def __init__(self, base_url: str, token: str) -> None:
        """A client sending `token` to `base_url`."""
        self.base_url = base_url.rstrip("/")
        self._http = httpx.Client(
            base_url=self.base_url, headers={"Authorization": f"Bearer {token}"}, timeout=TIMEOUT_SECONDS
        )

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        """GET a JSON resource."""
        return self._send("GET", path, params=_without_none(params or {})).json()

    def get_text(self, path: str, params: dict[str, Any] | None = None) -> str:
        """GET a text resource (the settlements CSV)."""
        return self._send("GET", path, params=_without_none(params or {})).text

    def post(self, path: str, body: dict[str, Any], headers: dict[str, str] | None = None) -> tuple[Any, httpx.Headers]:
        """POST JSON; answers the JSON body and the response headers."""
        response = self._send("POST", path, json=_without_none(body), headers=headers or {})
        return response.json(), response.headers

    def close(self) -> None:
        """Release the connection pool."""
        self._http.close()

    def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """Send a request; transport failures and 4xx/5xx answers become ApiError."""
        try:
            response = self._http.request(method, path, **kwargs)
        except httpx.TimeoutException:
            raise ApiError(f"the refund API at {self.base_url} did not answer within {TIMEOUT_SECONDS:.0f} s") from None
        except httpx.TransportError as error:
            raise ApiError(
                f"cannot reach the refund API at {self.base_url} ({error}); is it running, and is --api-url right?"
            ) from None
        if response.is_error:
            raise ApiError(error_message(response))
        return response


def error_message(response: httpx.Response) -> str:
    """The API's `detail` sentence, or what little can be said when there is none."""
    try:
        detail = response.json().get("detail")
    except (ValueError, AttributeError):
        detail = None
    if isinstance(detail, str) and detail:
        return detail
    if isinstance(detail, list):  # FastAPI's own validation format
        return "; ".join(str(item.get("msg", item)) if isinstance(item, dict) else str(item) for item in detail)
    return f"the refund API answered {response.status_code} {response.reason_phrase}: {response.text[:200]}"


def _without_none(values: dict[str, Any]) -> dict[str, Any]:
    """Leave out options the user did not give."""
    return {key: value for key, value in values.items() if value is not None}


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print an error to stderr; raise the returned Exit to stop with `code`."""
    typer.secho(f"error: {escaped(message)}", err=True, fg=typer.colors.RED)  # it may quote what was sent
    return typer.Exit(code)


@contextmanager
def staff_api(api_url: str, token: str | None) -> Iterator[StaffApi]:
    """An API client for one command: a missing token or an API error ends the command with a message."""
    if not token:
        raise fail(
            "no staff token: pass --token or set REFUNDS_TOKEN (ask an admin for one: refunds staff add)", code=2
        )
    api = StaffApi(api_url, token)
    try:
        yield api
    except ApiError as error:
        raise fail(str(error)) from None
    finally:
        api.close()
