/** The add-in's version, shown in its footer and sent to the bridge with each request. */
export const ADDIN_VERSION = "0.1.0";
