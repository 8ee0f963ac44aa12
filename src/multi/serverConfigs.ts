// The server-list walker lives in config/serverList.ts; this module keeps the public names' old home.
export type { ServerConfigsCheck, ServerConfigsInput } from "../config/serverList.js";
export { checkServerConfigs, parseServerConfigs } from "../config/serverList.js";
