// `mcp-tools/testing`: utilities for testing code built on mcp-tools; nothing here is meant for
// production use.

export { ManualClock } from "./resilience/clock.js";
