import { startTaskpane } from "./bootstrap.js";

const container = document.getElementById("root");
if (container) await startTaskpane(Office, container, window.location.href);
