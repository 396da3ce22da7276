import { startTaskpane } from "./bootstrap.js";

const container = document.getElementById("root");
// office.js defines the global `Office`; reading it through globalThis avoids a ReferenceError when it failed to load.
const office = (globalThis as { Office?: typeof Office }).Office;
if (container) await startTaskpane(office, container, window.location.href);
