// Two organizations through Apollo Client: each key sees only its own objects, and a stored
// persisted query serves each organization its own data.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, test } from "node:test";

import { PersistedQueryLink } from "@apollo/client/link/persisted-queries";

import {
  NodeByIdDocument,
  OrganizationDocument,
  PhoneNumbersSearchDocument,
  TelephonyConfigWithNumbersDocument,
  UpdatePhoneNumberDocument,
} from "../src/__generated__/graphql.ts";
import { OTHER_API_KEY, createClient, createConfig, createNumbers, recordingFetch } from "./support.ts";

describe("tenancy", { timeout: 60_000 }, () => {
  test("the other organization cannot read or change this organization's configuration and numbers", async () => {
    const mine = createClient();
    const theirs = createClient({ key: OTHER_API_KEY });
    const config = await createConfig(mine);
    const [numberId] = await createNumbers(mine, config.id, 1);

    assert.equal((await theirs.query({ query: OrganizationDocument })).data!.organization.name, "Other");
    assert.equal((await theirs.query({ query: NodeByIdDocument, variables: { id: config.id } })).data!.node, null);
    assert.equal((await theirs.query({ query: NodeByIdDocument, variables: { id: numberId! } })).data!.node, null);
    const viaField = await theirs.query({ query: TelephonyConfigWithNumbersDocument, variables: { id: config.id, first: 5 } });
    assert.equal(viaField.data!.telephonyConfig, null);
    const search = await theirs.query({ query: PhoneNumbersSearchDocument, variables: { telephonyConfigId: config.id, first: 5 } });
    assert.equal(search.data!.phoneNumbers.totalCount, 0);

    const update = await theirs.mutate({ mutation: UpdatePhoneNumberDocument, variables: { input: { id: numberId!, label: "Hijacked" } } });
    assert.equal(update.data!.updatePhoneNumber.phoneNumber, null);
    assert.equal(update.data!.updatePhoneNumber.errors[0]!.code, "NOT_FOUND");

    // Still readable, and unchanged, by its owner.
    const own = await mine.query({ query: NodeByIdDocument, variables: { id: numberId! }, fetchPolicy: "network-only" });
    assert.equal(own.data!.node?.__typename, "PhoneNumber");
    const ownConfig = await mine.query({ query: TelephonyConfigWithNumbersDocument, variables: { id: config.id, first: 5 } });
    assert.equal(ownConfig.data!.telephonyConfig!.phoneNumbers.edges[0]!.node.label, "Line 0");
  });

  test("a persisted query stored through one organization answers the other with its own data", async () => {
    const sha256 = (query: string) => createHash("sha256").update(query).digest("hex");
    const first = recordingFetch();
    const mine = createClient({ fetch: first.fetch, links: [new PersistedQueryLink({ sha256 })] });
    const second = recordingFetch();
    const theirs = createClient({ key: OTHER_API_KEY, fetch: second.fetch, links: [new PersistedQueryLink({ sha256 })] });
    const config = await createConfig(createClient());

    const own = await mine.query({ query: NodeByIdDocument, variables: { id: config.id } });
    assert.equal(own.data!.node?.__typename, "TelephonyConfig");
    const other = await theirs.query({ query: NodeByIdDocument, variables: { id: config.id } });
    assert.equal(other.data!.node, null);
    assert.equal(second.sent.length, 1, "the hash alone was enough");
    assert.equal(second.sent[0]!.body!.query, undefined);
  });
});
