// Apollo Client 4 against a live Switchboard: normalized cache, errors as data, cursor pagination,
// authentication errors through an error link, automatic persisted queries.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, test } from "node:test";

import { CombinedGraphQLErrors, ServerError, type ErrorLike } from "@apollo/client";
import { ErrorLink } from "@apollo/client/link/error";
import { PersistedQueryLink } from "@apollo/client/link/persisted-queries";

import {
  CreateTelephonyConfigDocument,
  DefaultCallerIdOfConfigFragmentDoc,
  OrganizationDocument,
  SetDefaultCallerIdDocument,
  TelephonyConfigWithNumbersDocument,
  UpdatePhoneNumberDocument,
} from "../src/__generated__/graphql.ts";
import {
  createClient,
  createConfig,
  createNumbers,
  operationNames,
  recordingFetch,
  twilioCredentials,
  uniqueName,
} from "./support.ts";

const TIMEOUT = { timeout: 60_000 };

async function waitFor(condition: () => boolean, describe: () => string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(describe());
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe("normalized cache", TIMEOUT, () => {
  test("mutations update the cached TelephonyConfig and its numbers by __typename:id, without refetch", async () => {
    const { fetch, sent } = recordingFetch();
    const client = createClient({ fetch });
    const config = await createConfig(client);
    const [mainId, backupId] = await createNumbers(client, config.id, 2);
    const variables = { id: config.id, first: 10 };

    const first = await client.query({ query: TelephonyConfigWithNumbersDocument, variables });
    assert.equal(first.data!.telephonyConfig!.phoneNumbers.totalCount, 2);
    assert.equal(first.data!.telephonyConfig!.defaultCallerId, null);
    // A watcher of the same query (cache-first: answered from the cache) sees every later change.
    const watched = client.watchQuery({ query: TelephonyConfigWithNumbersDocument, variables });
    const emitted: string[][] = [];
    const subscription = watched.subscribe((result) => {
      if (result.dataState !== "complete") return;
      const labels = result.data.telephonyConfig?.phoneNumbers.edges.map((edge) => edge.node.label ?? "");
      if (labels) emitted.push(labels);
    });

    // updatePhoneNumber returns the changed fields; the cache merges them into PhoneNumber:<id>.
    const updated = await client.mutate({
      mutation: UpdatePhoneNumberDocument,
      variables: { input: { id: mainId!, label: "Main line" } },
    });
    assert.deepEqual(updated.data!.updatePhoneNumber.errors, []);
    assert.equal(updated.data!.updatePhoneNumber.phoneNumber!.label, "Main line");
    assert.ok(client.cache.identify({ __typename: "PhoneNumber", id: mainId! }) === `PhoneNumber:${mainId}`);

    // setDefaultCallerId returns the number and its configuration's new default caller ID.
    const setDefault = await client.mutate({ mutation: SetDefaultCallerIdDocument, variables: { phoneNumberId: backupId! } });
    assert.deepEqual(setDefault.data!.setDefaultCallerId.errors, []);
    assert.equal(setDefault.data!.setDefaultCallerId.phoneNumber!.isDefaultCallerId, true);

    const cached = client.readQuery({ query: TelephonyConfigWithNumbersDocument, variables });
    const numbers = cached!.telephonyConfig!.phoneNumbers.edges.map((edge) => edge.node);
    assert.equal(numbers.find((n) => n.id === mainId)!.label, "Main line");
    assert.equal(numbers.find((n) => n.id === backupId)!.isDefaultCallerId, true);
    assert.equal(cached!.telephonyConfig!.defaultCallerId!.id, backupId);

    // Switching the default back: the previous default's flag is cleared with cache.modify in
    // `update`, since the payload only carries the new default.
    const previous = client.readFragment({
      fragment: DefaultCallerIdOfConfigFragmentDoc,
      id: client.cache.identify({ __typename: "TelephonyConfig", id: config.id }),
    });
    await client.mutate({
      mutation: SetDefaultCallerIdDocument,
      variables: { phoneNumberId: mainId! },
      update(cache) {
        const previousId = previous?.defaultCallerId?.id;
        if (previousId && previousId !== mainId) {
          cache.modify({
            id: cache.identify({ __typename: "PhoneNumber", id: previousId }),
            fields: { isDefaultCallerId: () => false },
          });
        }
      },
    });
    const after = client.readQuery({ query: TelephonyConfigWithNumbersDocument, variables })!.telephonyConfig!;
    assert.equal(after.defaultCallerId!.id, mainId);
    assert.deepEqual(
      after.phoneNumbers.edges.map((edge) => [edge.node.id, edge.node.isDefaultCallerId]),
      [
        [mainId, true],
        [backupId, false],
      ],
    );

    // The watcher saw the new label from the cache; the query itself went over the wire once.
    await waitFor(() => emitted.some((labels) => labels.includes("Main line")), () => JSON.stringify(emitted));
    subscription.unsubscribe();
    assert.equal(operationNames(sent).filter((name) => name === "TelephonyConfigWithNumbers").length, 1);

    // And the server agrees with what the cache computed.
    const fresh = await client.query({ query: TelephonyConfigWithNumbersDocument, variables, fetchPolicy: "network-only" });
    assert.deepEqual(fresh.data, client.readQuery({ query: TelephonyConfigWithNumbersDocument, variables }));
  });
});

describe("errors as data", TIMEOUT, () => {
  test("a duplicate name comes back as CONFLICT in the payload's errors, nothing is thrown", async () => {
    const client = createClient();
    const name = uniqueName("Duplicate");
    await createConfig(client, name);
    let onErrorCalls = 0;
    const watching = createClient({
      links: [
        new ErrorLink(() => {
          onErrorCalls += 1;
        }),
      ],
    });
    const { data, error } = await watching.mutate({
      mutation: CreateTelephonyConfigDocument,
      variables: { input: { name, credentials: { twilio: twilioCredentials() } } },
    });
    assert.equal(error, undefined);
    assert.equal(data!.createTelephonyConfig.telephonyConfig, null);
    assert.equal(data!.createTelephonyConfig.errors.length, 1);
    assert.equal(data!.createTelephonyConfig.errors[0]!.code, "CONFLICT");
    assert.deepEqual(data!.createTelephonyConfig.errors[0]!.field, ["input", "name"]);
    assert.equal(onErrorCalls, 0);
  });

  test("an invalid credential is INVALID with the path into the input", async () => {
    const client = createClient();
    const { data } = await client.mutate({
      mutation: CreateTelephonyConfigDocument,
      variables: { input: { name: uniqueName("Invalid"), credentials: { twilio: { accountSid: "nope", authToken: "x".repeat(32) } } } },
    });
    const [userError] = data!.createTelephonyConfig.errors;
    assert.equal(userError!.code, "INVALID");
    assert.deepEqual(userError!.field, ["input", "credentials", "twilio", "accountSid"]);
  });
});

describe("cursor pagination", TIMEOUT, () => {
  test("relayStylePagination merges fetchMore pages of phoneNumbers: 25 numbers, pages of 10", async () => {
    const { fetch, sent } = recordingFetch();
    const client = createClient({ fetch });
    const config = await createConfig(client);
    const created = await createNumbers(client, config.id, 25);

    const variables = { id: config.id, first: 10 };
    const result = await client.query({ query: TelephonyConfigWithNumbersDocument, variables });
    const observable = client.watchQuery({ query: TelephonyConfigWithNumbersDocument, variables });
    const watchedSizes: number[] = [];
    const subscription = observable.subscribe((value) => {
      if (value.dataState === "complete") watchedSizes.push(value.data.telephonyConfig!.phoneNumbers.edges.length);
    });
    const pageSizes: number[] = [];
    let connection = result.data!.telephonyConfig!.phoneNumbers;
    pageSizes.push(connection.edges.length);
    for (let page = 0; connection.pageInfo.hasNextPage && page < 5; page++) {
      const more = await observable.fetchMore({ variables: { after: connection.pageInfo.endCursor } });
      pageSizes.push(more.data!.telephonyConfig!.phoneNumbers.edges.length);
      // The merged list, as the cache holds it after the type policy's merge.
      connection = client.readQuery({ query: TelephonyConfigWithNumbersDocument, variables })!.telephonyConfig!.phoneNumbers;
    }
    await waitFor(() => watchedSizes.at(-1) === 25, () => `watcher saw ${JSON.stringify(watchedSizes)}`);
    subscription.unsubscribe();

    assert.deepEqual(pageSizes, [10, 10, 5]);
    assert.equal(connection.totalCount, 25);
    assert.equal(connection.pageInfo.hasNextPage, false);
    assert.deepEqual(
      connection.edges.map((edge) => edge.node.id),
      created,
    );
    assert.deepEqual(
      connection.edges.map((edge) => edge.node.addressNormalized),
      created.map((_, n) => `+1415555${String(100 + n).padStart(4, "0")}`),
    );
    assert.equal(operationNames(sent).filter((name) => name === "TelephonyConfigWithNumbers").length, 3);
  });
});

describe("authentication errors", TIMEOUT, () => {
  function collectingErrorLink(errors: ErrorLike[]): ErrorLink {
    return new ErrorLink(({ error }) => {
      errors.push(error);
    });
  }

  test("a bad key reaches the error link as CombinedGraphQLErrors with UNAUTHENTICATED (graphql-response+json)", async () => {
    const seen: ErrorLike[] = [];
    const client = createClient({ key: "sb_not-a-real-key", links: [collectingErrorLink(seen)] });
    await assert.rejects(client.query({ query: OrganizationDocument }), (error: unknown) => {
      assert.ok(CombinedGraphQLErrors.is(error), String(error));
      assert.equal(error.errors[0]!.extensions!.code, "UNAUTHENTICATED");
      return true;
    });
    assert.equal(seen.length, 1);
    assert.ok(CombinedGraphQLErrors.is(seen[0]));
    assert.equal((seen[0] as CombinedGraphQLErrors).errors[0]!.extensions!.code, "UNAUTHENTICATED");
  });

  test("a client that accepts only application/json gets a ServerError with status 401 and the coded body", async () => {
    const seen: ErrorLike[] = [];
    const client = createClient({ key: "sb_not-a-real-key", accept: "application/json", links: [collectingErrorLink(seen)] });
    await assert.rejects(client.query({ query: OrganizationDocument }));
    assert.equal(seen.length, 1);
    const error = seen[0];
    assert.ok(ServerError.is(error), String(error));
    assert.equal(error.statusCode, 401);
    assert.equal(JSON.parse(error.bodyText).errors[0].extensions.code, "UNAUTHENTICATED");
  });

  test("the right key works through the same links", async () => {
    const seen: ErrorLike[] = [];
    const client = createClient({ links: [collectingErrorLink(seen)] });
    const { data } = await client.query({ query: OrganizationDocument });
    assert.equal(data!.organization.name, "Default organization");
    assert.deepEqual(seen, []);
  });
});

describe("automatic persisted queries", TIMEOUT, () => {
  const sha256 = (query: string) => createHash("sha256").update(query).digest("hex");

  function apqClient(options: { useGETForHashedQueries?: boolean } = {}) {
    const recorder = recordingFetch();
    const client = createClient({
      fetch: recorder.fetch,
      links: [new PersistedQueryLink({ sha256, useGETForHashedQueries: options.useGETForHashedQueries ?? false })],
    });
    return { client, sent: recorder.sent };
  }

  function persistedHash(request: { body: Record<string, unknown> | null; url: URL }): string | undefined {
    const extensions = request.body?.extensions ?? JSON.parse(request.url.searchParams.get("extensions") ?? "null");
    return (extensions as { persistedQuery?: { sha256Hash: string } } | null)?.persistedQuery?.sha256Hash;
  }

  test("first request: PERSISTED_QUERY_NOT_FOUND, retried with the query; next time the hash alone", async () => {
    const { fetch, sent } = recordingFetch();
    const config = await createConfig(createClient({ fetch }));
    sent.length = 0;
    const { client, sent: apqSent } = apqClient();
    const variables = { id: config.id, first: 3 };

    const first = await client.query({ query: TelephonyConfigWithNumbersDocument, variables });
    assert.equal(first.data!.telephonyConfig!.name, config.name);
    assert.equal(apqSent.length, 2);
    const [hashOnly, withQuery] = apqSent;
    assert.equal(hashOnly!.body!.query, undefined);
    assert.equal(hashOnly!.status, 200);
    assert.equal(typeof withQuery!.body!.query, "string");
    assert.equal(persistedHash(withQuery!), sha256(withQuery!.body!.query as string));
    assert.equal(persistedHash(hashOnly!), persistedHash(withQuery!));

    // A second client (empty cache, no knowledge of the server's state) sends only the hash.
    const { client: second, sent: secondSent } = apqClient();
    const again = await second.query({ query: TelephonyConfigWithNumbersDocument, variables });
    assert.deepEqual(again.data, first.data);
    assert.equal(secondSent.length, 1);
    assert.equal(secondSent[0]!.body!.query, undefined);
    assert.equal(persistedHash(secondSent[0]!), persistedHash(withQuery!));
  });

  test("useGETForHashedQueries: hash over GET, registration over POST, then GET alone", async () => {
    const { client, sent } = apqClient({ useGETForHashedQueries: true });
    const first = await client.query({ query: OrganizationDocument, fetchPolicy: "network-only" });
    assert.equal(first.data!.organization.name, "Default organization");
    assert.deepEqual(
      sent.map((request) => [request.method, request.url.searchParams.has("query") || Boolean(request.body?.query)]),
      [
        ["GET", false],
        ["POST", true],
      ],
    );
    sent.length = 0;
    const second = await client.query({ query: OrganizationDocument, fetchPolicy: "network-only" });
    assert.deepEqual(second.data, first.data);
    assert.deepEqual(
      sent.map((request) => [request.method, request.url.searchParams.has("query")]),
      [["GET", false]],
    );
  });

  test("mutations go through the persisted-query link too", async () => {
    const { client, sent } = apqClient();
    const name = uniqueName("APQ");
    const { data } = await client.mutate({
      mutation: CreateTelephonyConfigDocument,
      variables: { input: { name, credentials: { twilio: twilioCredentials() } } },
    });
    assert.equal(data!.createTelephonyConfig.telephonyConfig!.name, name);
    assert.ok(sent.every((request) => request.method === "POST"));
    assert.ok(sent.every((request) => persistedHash(request)));
  });
});

