// Resolve hook (runs on the loader thread): `fs` / `node:fs` imported from inside the conformance
// package resolve to fsShim.mjs; every other import resolves as usual.
const SHIM = new URL("./fsShim.mjs", import.meta.url).href;
const PACKAGE = "/node_modules/@modelcontextprotocol/conformance/";

export async function resolve(specifier, context, nextResolve) {
  if ((specifier === "fs" || specifier === "node:fs") && context.parentURL?.includes(PACKAGE)) {
    return { url: SHIM, shortCircuit: true };
  }
  return nextResolve(specifier, context);
}
