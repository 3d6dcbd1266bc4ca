// Live updates through Apollo Client 4: a split link sends subscriptions over graphql-ws
// (GraphQLWsLink) and everything else over HTTP. The subscription runs on one server and the
// mutation goes to another (on PostgreSQL: another process on the same database), and the
// event updates the normalized cache that a query had filled.
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";

import { ApolloClient, ApolloLink, HttpLink, gql } from "@apollo/client";
import { GraphQLWsLink } from "@apollo/client/link/subscriptions";
import { getMainDefinition } from "@apollo/client/utilities";
import { type Client, createClient as createWsClient } from "graphql-ws";
import { Kind, OperationTypeNode } from "graphql";
import WebSocket from "ws";

import {
  NodeByIdDocument,
  PhoneNumberChangedDocument,
  type PhoneNumberChangedSubscription,
  UpdatePhoneNumberDocument,
} from "../src/__generated__/graphql.ts";
import { API_KEY, GRAPHQL_URL, OTHER_API_KEY, authLink, createCache, createClient, createConfig, createNumbers } from "./support.ts";

// The server the mutations go to: another process when run.sh serves two on PostgreSQL.
const OTHER_SERVER_URL = process.env.SWITCHBOARD_SECOND_GRAPHQL_URL || GRAPHQL_URL;

const NUMBER_LABEL = gql`
  fragment NumberLabel on PhoneNumber {
    id
    label
  }
`;

const sockets: Client[] = [];
after(async () => {
  await Promise.all(sockets.map((socket) => socket.dispose()));
});

/** An Apollo Client as a dashboard sets one up for live updates (README, "Live updates"). */
function liveClient(key: string): ApolloClient {
  const socket = createWsClient({
    url: GRAPHQL_URL.replace(/^http/, "ws"),
    webSocketImpl: WebSocket,
    connectionParams: { "X-API-Key": key },
    retryAttempts: 0,
  });
  sockets.push(socket);
  const split = ApolloLink.split(
    ({ query }) => {
      const definition = getMainDefinition(query);
      return definition.kind === Kind.OPERATION_DEFINITION && definition.operation === OperationTypeNode.SUBSCRIPTION;
    },
    new GraphQLWsLink(socket),
    ApolloLink.from([authLink(key), new HttpLink({ uri: GRAPHQL_URL })]),
  );
  return new ApolloClient({ cache: createCache(), link: split });
}

function nextEvent<T>(subscribe: (next: (value: T) => void, fail: (error: unknown) => void) => () => void): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("no event within 10 s")), 10_000);
    const stop = subscribe(
      (value) => {
        clearTimeout(timer);
        stop();
        resolve(value);
      },
      (error) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

describe("live updates", { timeout: 60_000 }, () => {
  test("a change made through another server reaches the subscription and updates the cache", async () => {
    const dashboard = liveClient(API_KEY);
    const config = await createConfig(dashboard);
    const [numberId] = await createNumbers(dashboard, config.id, 1, "Before");
    const cached = await dashboard.query({ query: NodeByIdDocument, variables: { id: numberId! } });
    assert.equal(cached.data!.node?.__typename, "PhoneNumber");

    const observable = dashboard.subscribe({ query: PhoneNumberChangedDocument, variables: { id: numberId! } });
    const event = nextEvent<PhoneNumberChangedSubscription>((next, fail) => {
      const subscription = observable.subscribe({
        next: (result) => {
          if (result.error) fail(result.error);
          else if (result.data) next(result.data as PhoneNumberChangedSubscription);
        },
        error: fail,
      });
      return () => subscription.unsubscribe();
    });
    await new Promise((resolve) => setTimeout(resolve, 500)); // subscribed before the change

    const elsewhere = new ApolloClient({
      cache: createCache(),
      link: ApolloLink.from([authLink(API_KEY), new HttpLink({ uri: OTHER_SERVER_URL })]),
    });
    const updated = await elsewhere.mutate({ mutation: UpdatePhoneNumberDocument, variables: { input: { id: numberId!, label: "After" } } });
    assert.deepEqual(updated.data!.updatePhoneNumber.errors, []);

    const received = (await event).phoneNumberChanged;
    assert.equal(received.change, "UPDATED");
    assert.equal(received.phoneNumber?.__typename, "PhoneNumber");
    assert.equal(received.phoneNumber?.label, "After");
    // Normalized by __typename and id: the query's cached number shows the new label, no refetch.
    const fromCache = dashboard.cache.readFragment<{ label: string }>({
      id: dashboard.cache.identify({ __typename: "PhoneNumber", id: numberId! }),
      fragment: NUMBER_LABEL,
    });
    assert.equal(fromCache?.label, "After");
  });

  test("another organization's key hears nothing of it", async () => {
    const mine = createClient();
    const config = await createConfig(mine);
    const [numberId] = await createNumbers(mine, config.id, 1);
    const theirs = liveClient(OTHER_API_KEY);
    const events: unknown[] = [];
    const subscription = theirs.subscribe({ query: PhoneNumberChangedDocument, variables: {} }).subscribe({
      next: (result) => events.push(result),
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    await mine.mutate({ mutation: UpdatePhoneNumberDocument, variables: { input: { id: numberId!, label: "Private" } } });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    subscription.unsubscribe();
    assert.deepEqual(events, []);
  });
});
