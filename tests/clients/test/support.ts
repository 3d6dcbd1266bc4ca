// Shared set-up of the client checks: the live server that run.sh started, an Apollo Client
// configured the way the README recommends, and a fetch that records what went over the wire.
import { randomBytes } from "node:crypto";

import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from "@apollo/client";
import { SetContextLink } from "@apollo/client/link/context";
import { relayStylePagination } from "@apollo/client/utilities";

import {
  CreatePhoneNumberDocument,
  CreateTelephonyConfigDocument,
  type TelephonyConfigFieldsFragment,
} from "../src/__generated__/graphql.ts";
import introspection from "../src/__generated__/possibleTypes.ts";

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the checks through tests/clients/run.sh`);
  return value;
}

export const GRAPHQL_URL = required("SWITCHBOARD_GRAPHQL_URL");
export const API_KEY = required("SWITCHBOARD_API_KEY");
export const OTHER_API_KEY = required("SWITCHBOARD_OTHER_API_KEY");

export interface SentRequest {
  method: string;
  url: URL;
  body: Record<string, unknown> | null;
  status: number;
}

/** A fetch that remembers every request and the status of its response. */
export function recordingFetch(): { fetch: typeof fetch; sent: SentRequest[] } {
  const sent: SentRequest[] = [];
  const recorder: typeof fetch = async (input, init) => {
    const request = new Request(input, init);
    const text = request.method === "POST" ? await request.clone().text() : "";
    const response = await fetch(request);
    sent.push({
      method: request.method,
      url: new URL(request.url),
      body: text ? (JSON.parse(text) as Record<string, unknown>) : null,
      status: response.status,
    });
    return response;
  };
  return { fetch: recorder, sent };
}

/** Operation names of the recorded requests (from the body, or the query string of a GET). */
export function operationNames(sent: SentRequest[]): string[] {
  return sent.map((request) => String(request.body?.operationName ?? request.url.searchParams.get("operationName")));
}

export function createCache(): InMemoryCache {
  return new InMemoryCache({
    // Node is an interface: fragments on it (and `node(id:)` results) need the possible types.
    possibleTypes: introspection.possibleTypes,
    typePolicies: {
      TelephonyConfig: {
        fields: {
          // Cursor pages of one configuration's numbers are merged into one list per filter.
          phoneNumbers: relayStylePagination(["isActive"]),
        },
      },
      Query: {
        fields: {
          telephonyConfigs: relayStylePagination(["provider"]),
          phoneNumbers: relayStylePagination(["telephonyConfigId", "isActive", "addressType", "search"]),
          workflows: relayStylePagination(),
        },
      },
    },
  });
}

/** The API key on every request, the way a dashboard would add it. */
export function authLink(key: string): ApolloLink {
  return new SetContextLink((prevContext) => ({
    headers: { ...prevContext.headers, "X-API-Key": key },
  }));
}

export interface ClientOptions {
  key?: string;
  links?: ApolloLink[];
  fetch?: typeof fetch;
  accept?: string;
}

export function createClient(options: ClientOptions = {}): ApolloClient {
  const http = new HttpLink({
    uri: GRAPHQL_URL,
    fetch: options.fetch ?? fetch,
    ...(options.accept ? { headers: { accept: options.accept } } : {}),
  });
  return new ApolloClient({
    cache: createCache(),
    link: ApolloLink.from([authLink(options.key ?? API_KEY), ...(options.links ?? []), http]),
  });
}

/** Twilio credentials of a fresh account: numbers are unique per provider account across organizations. */
export function twilioCredentials(): { accountSid: string; authToken: string } {
  return { accountSid: `AC${randomBytes(16).toString("hex")}`, authToken: randomBytes(16).toString("hex") };
}

export function uniqueName(prefix: string): string {
  return `${prefix} ${randomBytes(4).toString("hex")}`;
}

export async function createConfig(client: ApolloClient, name = uniqueName("Config")): Promise<TelephonyConfigFieldsFragment> {
  const { data } = await client.mutate({
    mutation: CreateTelephonyConfigDocument,
    variables: { input: { name, credentials: { twilio: twilioCredentials() } } },
  });
  const payload = data!.createTelephonyConfig;
  if (payload.errors.length || !payload.telephonyConfig) throw new Error(`createTelephonyConfig: ${JSON.stringify(payload.errors)}`);
  return payload.telephonyConfig;
}

/** `count` numbers +1 415 555 01NN (NN = 00, 01, ...), created in order; returns their ids. */
export async function createNumbers(client: ApolloClient, configId: string, count: number, label?: string): Promise<string[]> {
  const ids: string[] = [];
  for (let n = 0; n < count; n++) {
    const { data } = await client.mutate({
      mutation: CreatePhoneNumberDocument,
      variables: {
        input: { telephonyConfigId: configId, address: `+1415555${String(100 + n).padStart(4, "0")}`, label: label ?? `Line ${n}` },
      },
    });
    const payload = data!.createPhoneNumber;
    if (payload.errors.length || !payload.phoneNumber) throw new Error(`createPhoneNumber: ${JSON.stringify(payload.errors)}`);
    ids.push(payload.phoneNumber.id);
  }
  return ids;
}
