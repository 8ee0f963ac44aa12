// Four tiers, one run: `npm test` runs every project and prints one summary line for all of them
// (test/helpers/summaryReporter.ts). `npm run test:unit` (and :integration, :bench, :conformance)
// runs one. The groups run one after the other: unit and integration together first, then the bench
// smoke run, then the conformance suite, so that the two heavy process-spawning suites never share the
// CPU with the rest (under load they missed their steps).
import { availableParallelism } from "node:os";

import { defineConfig } from "vitest/config";

/** The harness smoke run compiles bench/ and spawns every contender: its own tier, after the others. */
const BENCH_SMOKE = "test/integration/benchSmoke.test.ts";

export default defineConfig({
  test: {
    pool: "forks",
    // One test file per core. vitest's default for `run` is one fewer, a single worker on the 2-core
    // machines CI runs on, where integration files spend much of their time waiting on real processes:
    // two workers took unit + integration from 2 min 24 s to 1 min 23 s there, at the same CPU time.
    maxWorkers: availableParallelism(),
    setupFiles: ["test/helpers/setup.ts"],
    reporters: ["default", "./test/helpers/summaryReporter.ts"],
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts"],
          // In-process only (fake timers, in-memory transports): a test near this bound is a hang.
          testTimeout: 10_000,
          hookTimeout: 10_000,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: "integration",
          // test/fixtures/faultServer.test.ts tests a fixture with real processes: integration.
          include: ["test/integration/**/*.test.ts", "test/fixtures/**/*.test.ts"],
          exclude: [BENCH_SMOKE],
          testTimeout: 30_000,
          hookTimeout: 30_000,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: "bench",
          include: [BENCH_SMOKE],
          // The file bounds its own beforeAll (compile + smoke run); this covers the rest.
          testTimeout: 30_000,
          hookTimeout: 30_000,
          sequence: { groupOrder: 1 },
        },
      },
      {
        extends: true,
        test: {
          name: "conformance",
          include: ["test/conformance/**/*.test.ts"],
          // The file bounds the suite run in its beforeAll; the tests only read its results.
          testTimeout: 30_000,
          hookTimeout: 30_000,
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
});
