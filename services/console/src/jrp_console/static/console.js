// The console's small script (no framework): each page's behaviour is set up by the
// element that needs it (data-* attributes), so pages work without it where they can.
"use strict";
window.jrpConsole = window.jrpConsole || { setups: [] };
document.addEventListener("DOMContentLoaded", () => {
  for (const setup of window.jrpConsole.setups) setup(document);
});
