// graphql-http's GraphQL-over-HTTP server audits against the live server, with the API key added
// to every request. A warning (a SHOULD the server does not meet) fails like an error.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { serverAudits } from "graphql-http";

import { API_KEY, GRAPHQL_URL } from "./support.ts";

const authenticatedFetch: typeof fetch = (input, init) => {
  const headers = new Headers(init?.headers);
  headers.set("X-API-Key", API_KEY);
  return fetch(input, { ...init, headers });
};

describe("graphql-http server audits", { timeout: 120_000 }, () => {
  const audits = serverAudits({ url: GRAPHQL_URL, fetchFn: authenticatedFetch });

  test("the audit list is not empty", () => {
    assert.ok(audits.length >= 50, `only ${audits.length} audits`);
  });

  for (const audit of audits) {
    test(`${audit.id} ${audit.name}`, async () => {
      const result = await audit.fn();
      if (result.status !== "ok") {
        const body = result.response ? await result.response.text().catch(() => "") : "";
        assert.fail(
          `${result.status}: ${result.reason}` +
            (result.response ? `\nHTTP ${result.response.status} ${result.response.headers.get("content-type")}\n${body}` : ""),
        );
      }
    });
  }
});
