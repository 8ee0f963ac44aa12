import { chmodSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";

import { afterEach, beforeEach, describe, expect, it } from "vitest";

import { FileTokenStore, MemoryTokenStore } from "../../../src/auth/tokenStore.js";
import type { StoredAuthState } from "../../../src/auth/types.js";
import { isMCPError } from "../../../src/errors/errors.js";
import { tempDir } from "../../helpers/servers.js";

const SENTINEL = "s3ntinel-REFRESH-51b2";
const state = (access: string): StoredAuthState => ({
  tokens: { access_token: access, token_type: "Bearer", refresh_token: SENTINEL },
  clientInformation: { client_id: "client-1" },
});
const modeOf = (path: string) => statSync(path).mode & 0o777;

describe("MemoryTokenStore", () => {
  it("keeps entries per key and clears them", async () => {
    const store = new MemoryTokenStore();
    await store.save("a", state("ta"));
    await store.save("b", state("tb"));
    expect((await store.load("a"))?.tokens?.access_token).toBe("ta");
    await store.clear("a");
    expect(await store.load("a")).toBeUndefined();
    expect((await store.load("b"))?.tokens?.access_token).toBe("tb");
  });

  it("hands out copies: changing a loaded or saved object does not change the store", async () => {
    const store = new MemoryTokenStore();
    const saved = state("original");
    await store.save("a", saved);
    saved.tokens!.access_token = "changed-after-save";
    const loaded = await store.load("a");
    loaded!.tokens!.access_token = "changed-after-load";
    expect((await store.load("a"))?.tokens?.access_token).toBe("original");
  });
});

describe("FileTokenStore", () => {
  let dir: ReturnType<typeof tempDir>;
  beforeEach(() => {
    dir = tempDir("mcp-tools-tokens-");
  });
  afterEach(() => dir.cleanup());

  it("creates its directory 0700 and its file 0600, even under a permissive umask", async () => {
    const file = join(dir.path, "nested", "tokens.json");
    const previous = process.umask(0o000);
    try {
      await new FileTokenStore(file).save("web https://x/mcp", state("t1"));
    } finally {
      process.umask(previous);
    }
    expect(modeOf(join(dir.path, "nested"))).toBe(0o700);
    expect(modeOf(file)).toBe(0o600);
    expect(JSON.parse(readFileSync(file, "utf8"))).toEqual({
      version: 1,
      servers: { "web https://x/mcp": state("t1") },
    });
  });

  it("round-trips entries across instances (and process runs) and clears one without touching others", async () => {
    const file = join(dir.path, "tokens.json");
    const first = new FileTokenStore(file);
    await first.save("a", state("ta"));
    await first.save("b", state("tb"));
    const second = new FileTokenStore(file);
    expect((await second.load("a"))?.tokens?.access_token).toBe("ta");
    await second.clear("a");
    expect(await first.load("a")).toBeUndefined();
    expect((await first.load("b"))?.tokens?.access_token).toBe("tb");
    expect(await new FileTokenStore(join(dir.path, "absent.json")).load("a")).toBeUndefined();
  });

  it("keys are own keys: __proto__ is stored as an entry, constructor and toString find nothing", async () => {
    const file = join(dir.path, "tokens.json");
    const store = new FileTokenStore(file);
    expect(await store.load("constructor")).toBeUndefined();
    expect(await store.load("toString")).toBeUndefined();
    await store.save("__proto__", state("tp"));
    await store.save("b", state("tb"));
    const onDisk = JSON.parse(readFileSync(file, "utf8")) as { servers: object };
    expect(Object.keys(onDisk.servers)).toEqual(["__proto__", "b"]);
    const second = new FileTokenStore(file);
    expect((await second.load("__proto__"))?.tokens?.access_token).toBe("tp");
    expect(await second.load("constructor")).toBeUndefined();
    await second.clear("__proto__");
    expect(await second.load("__proto__")).toBeUndefined();
    expect((await second.load("b"))?.tokens?.access_token).toBe("tb");
  });

  it("serialises concurrent writes: none is lost and no temporary file remains", async () => {
    const file = join(dir.path, "tokens.json");
    const store = new FileTokenStore(file);
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.save(`k${i}`, state(`t${i}`))));
    const servers = JSON.parse(readFileSync(file, "utf8")).servers as Record<string, StoredAuthState>;
    expect(Object.keys(servers)).toHaveLength(20);
    expect(readdirSync(dir.path)).toEqual(["tokens.json"]);
  });

  it("narrows an existing file readable by others to 0600 before reading it", async () => {
    const file = join(dir.path, "tokens.json");
    writeFileSync(file, JSON.stringify({ version: 1, servers: { a: state("ta") } }));
    chmodSync(file, 0o644);
    expect((await new FileTokenStore(file).load("a"))?.tokens?.access_token).toBe("ta");
    expect(modeOf(file)).toBe(0o600);
  });

  it("refuses a corrupt file with a typed error that names the file, not its content", async () => {
    const file = join(dir.path, "tokens.json");
    writeFileSync(file, `{"servers": {"a": ${SENTINEL}`);
    const error = await new FileTokenStore(file).load("a").catch((e: unknown) => e);
    expect(isMCPError(error, "AUTH_FAILED")).toBe(true);
    expect((error as Error).message).toContain(file);
    expect(
      JSON.stringify([(error as Error).message, (error as { toJSON(): unknown }).toJSON()]),
    ).not.toContain(SENTINEL);
    writeFileSync(file, JSON.stringify({ something: "else" }));
    await expect(new FileTokenStore(file).load("a")).rejects.toMatchObject({ code: "AUTH_FAILED" });
  });

  it("reports a file it cannot write as AUTH_FAILED and leaves no temporary file", async () => {
    const locked = join(dir.path, "locked");
    mkdirSync(locked, { mode: 0o500 });
    const store = new FileTokenStore(join(locked, "tokens.json"));
    const outcome = await store.save("a", state("ta")).then(
      () => "written",
      (error: unknown) => (isMCPError(error, "AUTH_FAILED") ? "refused" : error),
    );
    // Root ignores directory permissions; the refusal is only observable for other users.
    expect(outcome).toBe(process.getuid?.() === 0 ? "written" : "refused");
    chmodSync(locked, 0o700);
    expect(readdirSync(locked).filter((name) => name.endsWith(".tmp"))).toEqual([]);
  });
});
