// Timing helpers for the benchmark scenarios (scripts/benchmarks/browser_flow.py): every time
// is taken inside the page on its own clock (performance.now), never in Node, so the round
// trips between Node and Chromium do not count. A trusted click's Event.timeStamp is the
// start; the end is a decoded frame (requestVideoFrameCallback) or a screen appearing.

import { alerts } from "./common.mjs";

/**
 * Installed before the panel loads: remembers every trusted click's time and, for every
 * <video> given a src (the MSE player sets one per clip), the time and media time of each
 * frame the compositor presents.
 */
export async function installProbes(page) {
  await page.addInitScript(() => {
    const bench = { clicks: [], frames: [] };
    window.__e2eeBench = bench;
    performance.setResourceTimingBufferSize(100_000);
    // Capture phase on window: clicks inside shadow roots are composed, so they reach it.
    window.addEventListener("click", (event) => {
      if (event.isTrusted) bench.clicks.push(event.timeStamp);
    }, true);
    const watched = new WeakSet();
    const watch = (video) => {
      if (watched.has(video) || typeof video.requestVideoFrameCallback !== "function") return;
      watched.add(video);
      const onFrame = (now, meta) => {
        bench.frames.push({ now, mediaTime: meta.mediaTime, presented: meta.presentedFrames });
        video.requestVideoFrameCallback(onFrame);
      };
      video.requestVideoFrameCallback(onFrame);
    };
    const src = Object.getOwnPropertyDescriptor(window.HTMLMediaElement.prototype, "src");
    Object.defineProperty(window.HTMLMediaElement.prototype, "src", {
      ...src,
      set(value) {
        src.set.call(this, value);
        if (this instanceof window.HTMLVideoElement) watch(this);
      },
    });
  });
}

/** Start watching (every animation frame) for `selector`, piercing shadow roots. */
export async function watchFor(page, selector) {
  await page.evaluate((sel) => {
    const find = (root) => {
      const hit = root.querySelector(sel);
      if (hit && hit.getClientRects().length > 0) return hit;
      for (const el of root.querySelectorAll("*")) {
        if (el.shadowRoot) {
          const inner = find(el.shadowRoot);
          if (inner) return inner;
        }
      }
      return null;
    };
    window.__e2eeBenchSeen = new Promise((resolve) => {
      const tick = () => (find(document) ? resolve(performance.now()) : window.requestAnimationFrame(tick));
      tick();
    });
  }, selector);
}

/** Milliseconds from the last trusted click to the watched selector appearing. */
export async function clickToSeen(page, timeoutMs) {
  return page.evaluate(async (timeout) => {
    const seen = await Promise.race([
      window.__e2eeBenchSeen,
      new Promise((resolve) => setTimeout(() => resolve(null), timeout)),
    ]);
    const clicks = window.__e2eeBench.clicks;
    if (seen === null || clicks.length === 0) return null;
    return seen - clicks[clicks.length - 1];
  }, timeoutMs);
}

/**
 * Submit `form` and time it in the page, from the click on its submit button to `selector`
 * appearing; past `timeoutMs` it fails with the panel's alerts ("not <what> after ...").
 */
export async function timeSubmit(page, form, selector, timeoutMs, what) {
  await watchFor(page, selector);
  await form.locator('button[type="submit"]').click();
  const ms = await clickToSeen(page, timeoutMs);
  if (ms === null) throw new Error(`not ${what} after ${timeoutMs} ms; alerts ${await alerts(page)}`);
  return ms;
}

/** Bytes of the clip's objects fetched (resource timing) in [fromMs, toMs) of page time. */
export async function clipBytes(page, fromMs, toMs) {
  return page.evaluate(([from, to]) => {
    let bytes = 0;
    let requests = 0;
    for (const entry of performance.getEntriesByType("resource")) {
      if (!entry.name.includes("/api/e2ee_nvr/clips/") || entry.startTime < from || entry.startTime >= to) continue;
      bytes += entry.encodedBodySize;
      requests += 1;
    }
    return { bytes, requests };
  }, [fromMs, toMs]);
}
