// The dashboard's print button: a script file, not an inline handler, for the CSP.
"use strict";

document.querySelectorAll("[data-print]").forEach((button) =>
  button.addEventListener("click", () => window.print()));
