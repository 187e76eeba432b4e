// Section 10.1 per camera: the newest clip of each camera, checked against this browser's
// verified set, so a withheld revocation is shown at the top of the clips screen, not only on
// a tile the user happens to scroll to.

import { type E2eeSession } from "./session";

export interface WithheldCamera {
  cameraKey: string;
  cameraName: string;
  clipId: string;
  name: "RevocationWithheld" | "RolledBack";
  detail: string;
}

/** Cameras whose newest clip shows a withheld revocation (or a store showing an older set). */
export async function withheldCameras(session: E2eeSession): Promise<WithheldCamera[]> {
  if (session.enrolled === null || session.signedSet === null) return [];
  const opener = session.clips();
  const found: WithheldCamera[] = [];
  const { devices } = await session.cameras();
  for (const device of devices) {
    for (const camera of device.cameras) {
      const page = await session.api.clipsList({ deviceId: device.device_id, cameraId: camera.camera_id }, 1, null);
      const newest = page.clips[0];
      if (newest === undefined) continue;
      try {
        const facts = await opener.facts(newest.clip_id, newest);
        if (facts.withheld !== null) {
          found.push({ cameraKey: `${facts.deviceId}/${facts.cameraId}`, cameraName: facts.cameraName, clipId: facts.clipId, ...facts.withheld });
        }
      } catch {
        // A clip that does not verify says nothing about delivery; its tile shows the refusal.
      }
    }
  }
  return found;
}
