// One session per page, shared by the panel and every card: Home Assistant hands components a
// new `hass` object on each state change, so the transport reads whichever is current.

import { type HassTransport } from "../api/client";
import { E2eeSession } from "./session";

let current: HassTransport | null = null;
let session: E2eeSession | null = null;

const transport: HassTransport = {
  callWS<T>(message: Record<string, unknown>): Promise<T> {
    if (current === null) return Promise.reject(new Error("no connection to Home Assistant"));
    return current.callWS<T>(message);
  },
  fetchWithAuth(path: string, init?: RequestInit): Promise<Response> {
    if (current?.fetchWithAuth !== undefined) return current.fetchWithAuth(path, init);
    const headers = new Headers(init?.headers);
    const token = current?.auth?.data?.access_token;
    if (token !== undefined) headers.set("Authorization", `Bearer ${token}`);
    return fetch(path, { ...init, headers });
  },
};

export function sharedSession(hass: HassTransport): E2eeSession {
  current = hass;
  session ??= new E2eeSession(transport);
  return session;
}
