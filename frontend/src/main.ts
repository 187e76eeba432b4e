// The bundle's entry: registers <e2ee-nvr-panel>, the dashboard card and its editor, and wires
// the crypto layer's account operations (loaded on first use) into the panel.
//
// The integration loads this module on every page (frontend.add_extra_js_url) under the same
// versioned URL as the panel, so the browser's module map holds one copy, with one session and
// one keystore connection, however many cards and panels a page shows. A second copy (an old
// manual dashboard resource with another URL) would define nothing (define() skips taken names)
// but is recorded and named in the console, so it can be found and removed.

import "./lib/flows/wire";
import "./panel/e2ee-nvr-panel";
import "./card/clips-card";
import { recordModuleCopy } from "./module-copies";

recordModuleCopy(import.meta.url);
