// What people paste into the pairing code field: the bare code, the `e2ee-nvr-pair:<code>` URI
// a QR code holds, or a panel link carrying `?pair=<code>`. Everything but the code is dropped
// here; the crypto layer normalises and checks the code itself (pairing.ts normaliseCode).

/**
 * The pairing URI scheme (protocol section 8.1; crypto/pairing.ts URI_PREFIX, which a test holds
 * equal). Not imported from there: pairing.ts pulls certificate issuing and CSR parsing into
 * every page that shows the card, and the card never pairs.
 */
export const URI_PREFIX = "e2ee-nvr-pair:";

/** The code inside `text` if it is a pairing URI or panel link, else `text` unchanged. */
export function pairingCodeFromInput(text: string): string {
  const trimmed = text.trim();
  if (trimmed.toLowerCase().startsWith(URI_PREFIX)) return trimmed.slice(URI_PREFIX.length).trim();
  if (/^https?:\/\//i.test(trimmed)) {
    try {
      const code = new URL(trimmed).searchParams.get("pair");
      if (code !== null) return pairingCodeFromInput(code);
    } catch {
      // Not a URL after all: leave it for the code check to refuse.
    }
  }
  return text;
}

/** The `?pair=` code of a panel URL's query string, or null. */
export function pairingCodeFromQuery(search: string): string | null {
  const code = new URLSearchParams(search).get("pair");
  return code === null || code.trim() === "" ? null : pairingCodeFromInput(code);
}

/** The `?clip=` id of a panel URL's query string (the media browser links there), or null. */
export function clipIdFromQuery(search: string): string | null {
  const id = new URLSearchParams(search).get("clip");
  return id !== null && /^[0-9a-f]{32}$/.test(id) ? id : null;
}
