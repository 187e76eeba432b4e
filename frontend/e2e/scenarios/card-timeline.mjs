// The dashboard card with `timeline: true`: the day timeline under its clips shows the event
// marker the panel showed (from the decrypted event details, the card's own session), and a
// click on it plays that clip from the event's offset inside the card.
//
// params: dashboardPath, markerKind.

import { TIMEOUT_MS, openLoggedIn, waitDecodedFrames } from "./common.mjs";

export async function run({ page, params, shot }) {
  await openLoggedIn(page, params, params.dashboardPath, shot);
  const card = page.locator("e2ee-nvr-clips-card").first();
  await card.waitFor({ state: "attached", timeout: TIMEOUT_MS });
  const marker = card.locator(`e2ee-nvr-day-timeline .marker[data-kind="${params.markerKind}"]`).first();
  await marker.waitFor({ state: "visible", timeout: 60_000 });
  const placed = {
    clipId: await marker.getAttribute("data-clip-id"),
    offsetMs: Number(await marker.getAttribute("data-offset-ms")),
    atMs: Number(await marker.getAttribute("data-at-ms")),
  };
  await shot("card-timeline");
  await marker.click();
  const player = card.locator("e2ee-nvr-day-timeline e2ee-nvr-clip-player").first();
  const video = await waitDecodedFrames(page, player, "card timeline playing from the marker");
  const played = await player.locator("video").first().evaluate((v) =>
    Array.from({ length: v.played.length }, (_, i) => [v.played.start(i), v.played.end(i)]),
  );
  const playingClip = await player.getAttribute("data-playing-clip");
  await shot("card-timeline-playing");
  return { marker: placed, video, played, playingClip, insideHaCard: (await card.locator("ha-card e2ee-nvr-day-timeline").count()) > 0 };
}
