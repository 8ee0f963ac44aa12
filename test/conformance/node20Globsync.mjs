// Loaded with `node --import`: makes @modelcontextprotocol/conformance (>= 0.1.14) run on Node 20, whose
// `fs` has no `globSync`. Only imports made by the conformance package are redirected to the shim.
import { register } from "node:module";

register("./fsGlobHooks.mjs", import.meta.url);
