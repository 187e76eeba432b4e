// Translatable strings: one JSON catalogue per language, looked up by dotted key with {name}
// placeholders. The language comes from Home Assistant (hass.locale.language, else
// hass.language: see ui/base.ts); a language without a catalogue, and a key missing from one,
// fall back to English, then to the key itself. i18n.test.ts checks that every catalogue has
// exactly English's keys and placeholders.

import de from "./de.json";
import en from "./en.json";

type Tree = { [key: string]: string | Tree };
export const CATALOGUES: Readonly<Record<string, Tree>> = { en, de };

export type Params = Record<string, string | number>;

function lookup(tree: Tree, key: string): string | undefined {
  let node: string | Tree | undefined = tree;
  for (const part of key.split(".")) {
    if (typeof node !== "object") return undefined;
    node = node[part];
  }
  return typeof node === "string" ? node : undefined;
}

/** The catalogue for a BCP 47 tag as HA gives it ("de", "de-CH", "en_GB", "DE"), else English. */
export function catalogueLanguage(language: string | undefined): string {
  const tag = (language ?? "").trim().toLowerCase().replace(/_/g, "-");
  if (Object.hasOwn(CATALOGUES, tag)) return tag;
  const base = tag.split("-")[0] ?? "";
  return Object.hasOwn(CATALOGUES, base) ? base : "en";
}

export function translate(language: string, key: string, params: Params = {}): string {
  const catalogue = CATALOGUES[catalogueLanguage(language)] ?? en;
  const template = lookup(catalogue, key) ?? lookup(en, key) ?? key;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

export type Translate = (key: string, params?: Params) => string;

export function translator(language = "en"): Translate {
  return (key, params) => translate(language, key, params);
}

/** An event kind ("motion") in the user's language; a kind the catalogue does not know stays as
 * the camera named it (kinds are [a-z_] from signed or decrypted data, never markup). */
export function eventKindLabel(t: Translate, kind: string): string {
  const key = `clips.event_kinds.${kind}`;
  const label = t(key);
  return label === key ? kind : label;
}

/** The language HA set on the page (<html lang>), for text made before any `hass` arrives:
 * the card picker's entry is registered when the module loads. */
export function pageLanguage(): string {
  return globalThis.document?.documentElement?.lang || "en";
}
