// Shared test setup: every test file gets this. Unhandled rejections already fail a vitest run;
// this file exists so that later suites can register global invariants in one place.
export {};
