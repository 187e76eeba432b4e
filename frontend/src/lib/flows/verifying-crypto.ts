// The crypto layer's verifying half, loaded on first use (a dynamic import, so chunks of their
// own): certificate parsing (the ASN.1 stack, about a quarter of the card's code) with the
// clip and live checks built on it. Every dashboard page loads the card's entry, and a card
// shows nothing that needs a certificate until a clip or a live view is opened; the opening is
// asynchronous anyway, so the wait for the chunk adds no new state. A failed load is retried on
// the next call instead of being cached (as wire.ts does for the account operations).

export interface VerifyingCrypto {
  certs: typeof import("../crypto/certs");
  clip: typeof import("../crypto/clip");
  eventPadding: typeof import("../crypto/event-padding");
  live: typeof import("../crypto/live");
}

let loading: Promise<VerifyingCrypto> | null = null;

export function verifyingCrypto(): Promise<VerifyingCrypto> {
  if (loading === null) {
    const attempt = Promise.all([
      import("../crypto/certs"),
      import("../crypto/clip"),
      import("../crypto/event-padding"),
      import("../crypto/live"),
    ]).then(([certs, clip, eventPadding, live]) => ({ certs, clip, eventPadding, live }));
    attempt.catch(() => {
      if (loading === attempt) loading = null;
    });
    loading = attempt;
  }
  return loading;
}
