"""A small client for the emulator's control API (/_emulator), for tests and chaos runs."""

from __future__ import annotations

from typing import Any

import httpx


class EmulatorControl:
    """Reset state, change settings, inject faults, run timers, inspect webhook deliveries."""

    def __init__(self, base_url: str, timeout: float = 10.0) -> None:
        self.base_url = base_url.rstrip("/")
        self._http = httpx.Client(base_url=self.base_url, timeout=timeout)

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        """One control request; raises httpx.HTTPStatusError with the emulator's message on failure."""
        response = self._http.request(method, f"/_emulator{path}", json=body)
        if response.status_code >= 400:
            raise httpx.HTTPStatusError(
                f"{method} /_emulator{path} -> {response.status_code}: {response.text}",
                request=response.request,
                response=response,
            )
        return response.json()

    def health(self) -> dict[str, Any]:
        """Liveness and object counts."""
        return self._call("GET", "/health")

    def reset(self) -> dict[str, Any]:
        """Forget all objects, keys, timers, deliveries and faults; settings return to their start-up values."""
        return self._call("POST", "/reset")

    def settings(self) -> dict[str, Any]:
        """Current settings."""
        return self._call("GET", "/config")

    def configure(self, **settings: Any) -> dict[str, Any]:
        """Change settings, e.g. `configure(refund_mode="pending", refund_pending_delay=0.2)`."""
        return self._call("POST", "/config", settings)

    def add_fault(self, **spec: Any) -> dict[str, Any]:
        """Inject a fault, e.g. `add_fault(method="POST", path="/v1/refunds", status=500, when="after")`."""
        return self._call("POST", "/faults", spec)

    def faults(self) -> list[dict[str, Any]]:
        """Faults still armed."""
        return self._call("GET", "/faults")["data"]

    def clear_faults(self) -> int:
        """Remove every fault."""
        return self._call("DELETE", "/faults")["deleted"]

    def expire_idempotency_keys(self, key: str | None = None) -> int:
        """Expire saved idempotent results (all, or one key's), as if 24 hours had passed."""
        return self._call("POST", "/expire_idempotency_keys", {"key": key} if key else {})["expired"]

    def webhook_deliveries(self) -> dict[str, Any]:
        """Delivery attempts made so far and deliveries still pending."""
        return self._call("GET", "/webhook_deliveries")

    def webhook_endpoints(self) -> list[dict[str, Any]]:
        """Endpoints with their signing secrets."""
        return self._call("GET", "/webhook_endpoints")["data"]

    def jobs(self) -> list[dict[str, Any]]:
        """Pending timed transitions."""
        return self._call("GET", "/jobs")["data"]

    def run_jobs(self) -> int:
        """Perform every pending timed transition now."""
        return self._call("POST", "/jobs")["ran"]

    def open_dispute(
        self, charge: str, *, reason: str = "fraudulent", status: str = "needs_response"
    ) -> dict[str, Any]:
        """Open a dispute on a succeeded charge immediately."""
        return self._call("POST", "/disputes", {"charge": charge, "reason": reason, "status": status})

    def escalate_dispute(self, dispute: str) -> dict[str, Any]:
        """Turn an open inquiry into a chargeback awaiting evidence (needs_response), as an issuer escalating it."""
        return self._call("POST", f"/disputes/{dispute}/escalate")

    def close(self) -> None:
        """Close the HTTP connection pool."""
        self._http.close()

    def __enter__(self) -> EmulatorControl:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
