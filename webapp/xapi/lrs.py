"""The LRS's statements resource, spoken to over HTTP with Basic auth (no Flask, no database)."""
from dataclasses import dataclass

import httpx

TIMEOUT_SECONDS = 10.0


class LrsError(Exception):
    """The LRS did not store the statement: down, refused, or answered with an error."""


@dataclass(frozen=True)
class Lrs:
    endpoint: str  # the xAPI base, e.g. https://lrs.example.cn/xAPI/
    username: str
    password: str

    @property
    def statements_url(self) -> str:
        return self.endpoint.rstrip("/") + "/statements"

    def put(self, statement: dict) -> None:
        """Store ``statement`` under its own id. PUT is idempotent by design, and an LRS that
        already holds that id answers 409 (ours: ids come from the event) or 204: both mean stored."""
        try:
            response = httpx.put(
                self.statements_url, params={"statementId": statement["id"]}, json=statement,
                auth=(self.username, self.password), timeout=TIMEOUT_SECONDS,
                headers={"X-Experience-API-Version": "1.0.3"},
            )
        except httpx.HTTPError as exc:
            raise LrsError(f"{type(exc).__name__}: {exc}") from exc
        if response.status_code not in (200, 204, 409):
            raise LrsError(f"HTTP {response.status_code}: {response.text[:300]}")
