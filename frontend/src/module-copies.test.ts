// The page-wide record of module copies: one entry for one copy, and a named warning for two.

import { afterEach, describe, expect, it, vi } from "vitest";
import { recordModuleCopy } from "./module-copies";

const registry = globalThis as unknown as { __e2eeNvrModuleCopies?: string[] };

afterEach(() => {
  delete registry.__e2eeNvrModuleCopies;
  vi.restoreAllMocks();
});

describe("recordModuleCopy", () => {
  it("records one copy without a warning", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    expect(recordModuleCopy("http://ha/e2ee_nvr_static/e2ee-nvr.js?v=1")).toEqual(["http://ha/e2ee_nvr_static/e2ee-nvr.js?v=1"]);
    expect(warn).not.toHaveBeenCalled();
  });

  it("names both URLs when a second copy runs (an old manual resource)", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    recordModuleCopy("http://ha/e2ee_nvr_static/e2ee-nvr.js?v=1");
    const copies = recordModuleCopy("http://ha/e2ee_nvr_static/e2ee-nvr.js");
    expect(copies).toHaveLength(2);
    expect(warn).toHaveBeenCalledOnce();
    expect(String(warn.mock.calls[0]?.[0])).toContain("(http://ha/e2ee_nvr_static/e2ee-nvr.js?v=1, http://ha/e2ee_nvr_static/e2ee-nvr.js)");
  });
});
