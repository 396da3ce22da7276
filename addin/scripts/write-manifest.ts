/** Regenerates the repository's `manifest.xml` (the sandbox rendering) after the renderer changes. */
import { writeFile } from "node:fs/promises";
import { renderAddinManifest, SANDBOX_PUBLIC_URL } from "../../bridge/src/api/addin-manifest.js";

await writeFile(new URL("../../manifest.xml", import.meta.url), renderAddinManifest({ publicUrl: SANDBOX_PUBLIC_URL }));
