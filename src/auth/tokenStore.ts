import { randomBytes } from "node:crypto";
import { chmod, mkdir, open, readFile, rename, stat, unlink } from "node:fs/promises";
import { dirname } from "node:path";

import { ownValue, setOwn } from "../common/objects.js";
import { MCPAuthenticationError } from "../errors/errors.js";
import type { StoredAuthState, TokenStore } from "./types.js";

/** Owner read/write only: the file holds access tokens, refresh tokens and client secrets. */
const FILE_MODE = 0o600;
/** Owner only, for a directory the store creates. */
const DIRECTORY_MODE = 0o700;

/** Keeps OAuth state in this process only (the default): nothing touches the disk. */
export class MemoryTokenStore implements TokenStore {
  private readonly entries = new Map<string, StoredAuthState>();

  load(key: string): Promise<StoredAuthState | undefined> {
    const entry = this.entries.get(key);
    return Promise.resolve(entry === undefined ? undefined : structuredClone(entry));
  }

  save(key: string, state: StoredAuthState): Promise<void> {
    this.entries.set(key, structuredClone(state));
    return Promise.resolve();
  }

  clear(key: string): Promise<void> {
    this.entries.delete(key);
    return Promise.resolve();
  }
}

interface TokenFile {
  version: 1;
  servers: Record<string, StoredAuthState>;
}

/**
 * Keeps OAuth state in one JSON file (one entry per server), readable by its owner only: the file is
 * written with mode 0600 (a new directory gets 0700), and an existing file with wider permissions is
 * narrowed before it is read. Every write replaces the file atomically (temporary file + rename), so a
 * crash never leaves half a file; writes from this process are serialised.
 */
export class FileTokenStore implements TokenStore {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(readonly path: string) {}

  async load(key: string): Promise<StoredAuthState | undefined> {
    await this.queue.catch(() => undefined);
    // Keys name servers (any string): an inherited member ("constructor") is no stored state, and
    // `__proto__` is a key like any other (JSON.parse reads it as an own key).
    return ownValue((await this.read()).servers, key);
  }

  save(key: string, state: StoredAuthState): Promise<void> {
    return this.update((file) => {
      setOwn(file.servers, key, state);
    });
  }

  clear(key: string): Promise<void> {
    return this.update((file) => {
      delete file.servers[key];
    });
  }

  private update(change: (file: TokenFile) => void): Promise<void> {
    const run = this.queue
      .catch(() => undefined)
      .then(async () => {
        const file = await this.read();
        change(file);
        await this.write(file);
      });
    this.queue = run;
    return run;
  }

  private async read(): Promise<TokenFile> {
    let text: string;
    try {
      const info = await stat(this.path);
      if ((info.mode & 0o077) !== 0) await chmod(this.path, FILE_MODE);
      text = await readFile(this.path, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return { version: 1, servers: {} };
      throw this.failure("could not be read", error);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw this.failure("is not valid JSON; delete it (you will have to log in again) or restore it", error);
    }
    const servers = (parsed as { servers?: unknown } | null)?.servers;
    if (typeof servers !== "object" || servers === null || Array.isArray(servers)) {
      throw this.failure(
        "does not hold mcp-tools tokens (no servers map); delete it or point token_file elsewhere",
      );
    }
    return { version: 1, servers: servers as Record<string, StoredAuthState> };
  }

  private async write(file: TokenFile): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true, mode: DIRECTORY_MODE });
    const temporary = `${this.path}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
    try {
      const handle = await open(temporary, "wx", FILE_MODE);
      try {
        await handle.writeFile(`${JSON.stringify(file, null, 2)}\n`, "utf8");
        await handle.sync();
      } finally {
        await handle.close();
      }
      // The mode given to open() is reduced by the umask; make sure it is exactly 0600.
      await chmod(temporary, FILE_MODE);
      await rename(temporary, this.path);
    } catch (error) {
      await unlink(temporary).catch(() => undefined);
      throw this.failure("could not be written", error);
    }
  }

  private failure(what: string, cause?: unknown): MCPAuthenticationError {
    const reason = (cause as NodeJS.ErrnoException | undefined)?.code;
    return new MCPAuthenticationError(`The token file ${this.path} ${what}${reason ? ` (${reason})` : ""}.`, {
      code: "AUTH_FAILED",
      cause,
      context: { file: this.path },
    });
  }
}
