"""Small helpers for talking to the server under test."""

from typing import Any

import httpx


class GraphQLFailure(AssertionError):
    pass


class Api:
    def __init__(self, http: httpx.AsyncClient, key: str, organization_id: int) -> None:
        self.http = http
        self.key = key
        self.organization_id = organization_id

    async def raw(self, query: str, variables: dict | None = None, **headers: str) -> httpx.Response:
        return await self.http.post(
            "/graphql",
            json={"query": query, "variables": variables or {}},
            headers={"X-API-Key": self.key, **headers},
        )

    async def query(self, query: str, variables: dict | None = None) -> dict[str, Any]:
        """Run an operation that must succeed without top-level errors; return `data`."""
        response = await self.raw(query, variables)
        body = response.json()
        if response.status_code != 200 or body.get("errors"):
            raise GraphQLFailure(f"HTTP {response.status_code}: {body}")
        return body["data"]

    async def errors(self, query: str, variables: dict | None = None) -> list[dict[str, Any]]:
        """Run an operation expected to fail at the top level; return its errors."""
        response = await self.raw(query, variables)
        body = response.json()
        assert body.get("errors"), body
        return body["errors"]
