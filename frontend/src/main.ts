// The bundle's entry: registers <e2ee-nvr-panel>, the dashboard card and its editor, and wires
// the crypto layer's account operations into the panel.

import "./lib/flows/wire";
import "./panel/e2ee-nvr-panel";
import "./card/clips-card";
