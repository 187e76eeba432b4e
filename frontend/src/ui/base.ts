// Shared pieces of every view: element registration, the `hass` shape used, translation.

import { LitElement, html, nothing } from "lit";
import { type Translate, translator } from "../i18n";
import { type HassTransport } from "../lib/api/client";
import { describeError } from "../lib/flows/describe-error";

export interface Hass extends HassTransport {
  language?: string;
  locale?: { language?: string };
  user?: { is_admin?: boolean; name?: string };
  themes?: { darkMode?: boolean };
}

export function define(name: string, element: CustomElementConstructor): void {
  if (customElements.get(name) === undefined) customElements.define(name, element);
}

export function translatorFor(hass: Hass | undefined): Translate {
  return translator(hass?.locale?.language ?? hass?.language ?? "en");
}

export function errorText(t: Translate, err: unknown): string {
  const { key, params } = describeError(err);
  return t(key, params);
}

export function isAdmin(hass: Hass | undefined): boolean {
  return hass?.user?.is_admin === true;
}

export function formatDateTime(ms: number, hass?: Hass): string {
  const language = hass?.locale?.language ?? hass?.language ?? undefined;
  return new Date(ms).toLocaleString(language, { dateStyle: "medium", timeStyle: "short" });
}

export function formatTime(ms: number, hass?: Hass): string {
  const language = hass?.locale?.language ?? hass?.language ?? undefined;
  return new Date(ms).toLocaleTimeString(language, { hour: "2-digit", minute: "2-digit", second: "2-digit" });
}

/** Views tell the panel that the account or enrolment changed: it reloads its status. */
export function announceChange(from: LitElement): void {
  from.dispatchEvent(new CustomEvent("e2ee-changed", { bubbles: true, composed: true }));
}

/** A screen's error line: nothing when there is no message. */
export function errorLine(message: string) {
  return message === "" ? nothing : html`<p class="error" role="alert">${message}</p>`;
}
