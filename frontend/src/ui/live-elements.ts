// Every live-view element in one chunk, loaded the first time the panel's Live tab or a card in
// live mode shows: pages that never show live view never fetch the live code.

import "../panel/live-tab";
import "../card/card-live";
