// The live player's own refusal, apart from the player so the screens can name it without
// loading the player (which comes in its own chunk, on first use).

import { type Playability } from "./codec";

/** The session's init declares codecs this browser's MediaSource does not take (H.265 often). */
export class LiveUnplayable extends Error {
  override name = "LiveUnplayable";
  constructor(readonly verdict: Playability & { playable: false }) {
    super(`this browser cannot play ${verdict.mime}`);
  }
}
