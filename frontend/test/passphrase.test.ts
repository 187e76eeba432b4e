// Generation: words from the pinned list, unbiased indices, the right count; Node only.
import { describe, expect, it } from "vitest";
import {
  canonicalPassphrase,
  filteredWordlist,
  generatePassphrase,
  randomBelow,
  wordCount,
} from "../src/lib/crypto/passphrase";

describe("passphrase", () => {
  it("loads the pinned filtered list", async () => {
    const { words } = await filteredWordlist();
    expect(words.length).toBe(7447);
    expect(wordCount(words.length)).toBe(10);
  });

  it("generates W list words that canonicalise to themselves", async () => {
    for (let i = 0; i < 20; i++) {
      const phrase = await generatePassphrase();
      expect(phrase.split(" ")).toHaveLength(10);
      expect(await canonicalPassphrase(phrase.toUpperCase())).toBe(phrase);
    }
  });

  it("draws indices uniformly below n", () => {
    const counts = new Array<number>(3).fill(0);
    for (let i = 0; i < 30000; i++) {
      const drawn = randomBelow(3);
      counts[drawn] = (counts[drawn] ?? 0) + 1;
    }
    for (const count of counts) expect(Math.abs(count - 10000)).toBeLessThan(600);
  });
});
