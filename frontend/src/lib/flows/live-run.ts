// One live session from request to screen: open it (live-opener.ts) and play it into a video
// element (live-player.ts). With the live elements, its own chunk (ui/live-elements.ts).

import { type LiveContext, openLive } from "./live-opener";
import { LivePlayer, type LivePlayerEvents } from "../player/live-player";

export interface RunningLive {
  sessionId: string;
  withheld: boolean;
  newerSet: boolean;
  player: LivePlayer;
}

/** Open the session, attach a player to `video`; the caller awaits player.run(). */
export async function startLive(
  context: LiveContext,
  cameraRef: string,
  video: () => Promise<HTMLVideoElement>,
  events: LivePlayerEvents,
  signal: AbortSignal,
): Promise<RunningLive> {
  const opened = await openLive(context, cameraRef, signal);
  const element = await video();
  element.dataset["sessionId"] = opened.sessionId;
  return { sessionId: opened.sessionId, withheld: opened.withheld, newerSet: opened.newerSet, player: new LivePlayer(element, opened.stream, opened.reader, events) };
}
