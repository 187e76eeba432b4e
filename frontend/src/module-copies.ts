// A page-wide record of which URLs this bundle was evaluated from: one entry is the healthy case.

const KEY = "__e2eeNvrModuleCopies";

type CopyRegistry = Record<typeof KEY, string[] | undefined>;

/** Note this copy's URL; warn when another copy already ran on this page. */
export function recordModuleCopy(url: string): readonly string[] {
  const registry = globalThis as unknown as CopyRegistry;
  const copies = (registry[KEY] ??= []);
  copies.push(url);
  if (copies.length > 1) {
    console.warn(
      `E2EE NVR: ${copies.length} copies of the module on this page (${copies.join(", ")}). ` +
        "Remove any dashboard resource that points at /e2ee_nvr_static/: the integration loads the card itself.",
    );
  }
  return copies;
}
