/** The admin console's version, shown in its footer. */
export const CONSOLE_VERSION = "0.1.0";
