// Translatable strings: one JSON file per language, looked up by dotted key with {name}
// placeholders. Only English exists so far; a missing key falls back to English, then to the key.

import en from "./en.json";

type Tree = { [key: string]: string | Tree };
const LANGUAGES: Record<string, Tree> = { en };

export type Params = Record<string, string | number>;

function lookup(tree: Tree, key: string): string | undefined {
  let node: string | Tree | undefined = tree;
  for (const part of key.split(".")) {
    if (typeof node !== "object") return undefined;
    node = node[part];
  }
  return typeof node === "string" ? node : undefined;
}

export function translate(language: string, key: string, params: Params = {}): string {
  const base = language.split("-")[0] ?? "en";
  const template = lookup(LANGUAGES[language] ?? LANGUAGES[base] ?? en, key) ?? lookup(en, key) ?? key;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

export type Translate = (key: string, params?: Params) => string;

export function translator(language = "en"): Translate {
  return (key, params) => translate(language, key, params);
}
