import { describe, expect, it } from "vitest";
import de from "./de.json";
import en from "./en.json";
import { CATALOGUES, catalogueLanguage, eventKindLabel, translate, translator } from "./index";

type Tree = { [key: string]: string | Tree };

function flatten(tree: Tree, prefix = ""): Map<string, string> {
  const flat = new Map<string, string>();
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix === "" ? key : `${prefix}.${key}`;
    if (typeof value === "string") flat.set(path, value);
    else for (const [inner, text] of flatten(value, path)) flat.set(inner, text);
  }
  return flat;
}

function placeholders(text: string): string[] {
  return [...text.matchAll(/\{(\w+)\}/g)].map((match) => match[1] ?? "").sort();
}

const english = flatten(en);

describe("catalogues", () => {
  it("lists English and German", () => {
    expect(Object.keys(CATALOGUES).sort()).toEqual(["de", "en"]);
  });

  for (const [language, catalogue] of Object.entries(CATALOGUES)) {
    const flat = flatten(catalogue);

    it(`${language} has exactly English's keys`, () => {
      expect([...flat.keys()].sort()).toEqual([...english.keys()].sort());
    });

    it(`${language} has each key's placeholders, no more and no fewer`, () => {
      const differing = [...english].filter(([key, text]) => placeholders(flat.get(key) ?? "").join() !== placeholders(text).join());
      expect(differing.map(([key]) => key)).toEqual([]);
    });

    it(`${language} has no empty text`, () => {
      expect([...flat].filter(([, text]) => text.trim() === "").map(([key]) => key)).toEqual([]);
    });
  }

  it("German is translated, not English copied (names and units may stay)", () => {
    const german = flatten(de);
    const same = [...english].filter(([key, text]) => german.get(key) === text).map(([key]) => key);
    // Words that are the same in both languages: the product name, "Live", "Browser {key}", units, ...
    expect(same.sort()).toEqual(
      ["app.tabs.live", "app.title", "clips.duration", "clips.event_kinds.person", "devices.offline", "devices.online", "devices.unnamed", "enrol.label", "passphrase.title", "upgrade.submit"].sort(),
    );
  });
});

describe("language from Home Assistant", () => {
  it("picks the catalogue of a tag, its base language, or English", () => {
    expect(catalogueLanguage("de")).toBe("de");
    expect(catalogueLanguage("de-CH")).toBe("de");
    expect(catalogueLanguage("DE_at")).toBe("de");
    expect(catalogueLanguage("en-GB")).toBe("en");
    expect(catalogueLanguage("fr")).toBe("en");
    expect(catalogueLanguage("")).toBe("en");
    expect(catalogueLanguage(undefined)).toBe("en");
    // Inherited properties of a plain object are not catalogues.
    expect(catalogueLanguage("constructor")).toBe("en");
    expect(catalogueLanguage("__proto__")).toBe("en");
  });

  it("translates into German with placeholders filled", () => {
    const t = translator("de-DE");
    expect(t("clips.title")).toBe("Aufnahmen");
    expect(t("enrol.wait", { seconds: 7 })).toBe("Zu viele falsche Versuche. Versuche es in 7 s erneut.");
    expect(translate("fr", "clips.title")).toBe("Clips");
  });

  it("the turn-off phrase the user must type is the one the prompt shows", () => {
    const t = translator("de");
    expect(t("turn_off.type_prompt", { phrase: t("turn_off.phrase") })).toContain(t("turn_off.phrase"));
  });
});

describe("event kinds", () => {
  it("are named in the user's language, unknown ones as the camera named them", () => {
    expect(eventKindLabel(translator("de"), "motion")).toBe("Bewegung");
    expect(eventKindLabel(translator("en"), "vehicle")).toBe("Vehicle");
    expect(eventKindLabel(translator("de"), "doorbell")).toBe("doorbell");
  });
});
