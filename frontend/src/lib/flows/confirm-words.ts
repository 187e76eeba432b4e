// Confirming the written-down passphrase: ask for a few of its words by position.

export const CONFIRM_WORDS = 3;

/**
 * `count` distinct word positions (0-based, ascending), drawn uniformly with `draw` (an unbiased
 * draw below n: the passphrase module's randomBelow, which session.ts loads with the word list).
 */
export function pickPositions(wordTotal: number, count: number, draw: (n: number) => number): number[] {
  const pool = Array.from({ length: wordTotal }, (_, i) => i);
  const chosen: number[] = [];
  for (let i = 0; i < Math.min(count, wordTotal); i++) {
    const [picked] = pool.splice(draw(pool.length), 1);
    if (picked !== undefined) chosen.push(picked);
  }
  return chosen.sort((a, b) => a - b);
}

/** One typed word in the passphrase's canonical form: lower case, letters only. */
export function normaliseWord(typed: string): string {
  return typed.normalize("NFKC").toLowerCase().replace(/[^a-z]/g, "");
}

/** Positions whose typed word does not match the passphrase (empty: confirmed). */
export function wrongPositions(passphrase: string, positions: readonly number[], answers: readonly string[]): number[] {
  const words = passphrase.split(" ");
  return positions.filter((position, i) => normaliseWord(answers[i] ?? "") !== words[position]);
}

/** The passphrase laid out for writing down: numbered words. */
export function numberedWords(passphrase: string): Array<{ number: number; word: string }> {
  return passphrase.split(" ").map((word, i) => ({ number: i + 1, word }));
}
