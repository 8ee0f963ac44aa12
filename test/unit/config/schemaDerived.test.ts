/**
 * The config shape has one source of truth, the zod schema in src/config/schema.ts: the known keys,
 * their snake_case twins, the unknown-key suggestions and the input types are all read from it.
 * Adding a key means adding it to the schema (and its default to defaults.ts); these tests fail
 * when some other list would still need it.
 */
import { describe, expect, it } from "vitest";

import type { AuthFlow, TokenEndpointAuthMethod, TokenStoreKind } from "../../../src/config/authTypes.js";
import { toSnakeCase } from "../../../src/config/keys.js";
import { SECTIONS } from "../../../src/config/schema.js";
import { checkServerConfig } from "../../../src/config/serverConfig.js";
import type {
  CircuitBreakerConfig,
  ConcurrencyConfig,
  HealthCheckConfig,
  HttpServerConfig,
  ReconnectConfig,
  StdioServerConfig,
} from "../../../src/config/types.js";
import type {
  AuthConfig,
  AuthInput,
  CircuitBreakerInput,
  ConcurrencyInput,
  HealthCheckInput,
  IdpInput,
  ReconnectInput,
  SecurityInput,
  ServerConfigInput,
  ToolArgumentLimitsInput,
  TransportType,
} from "../../../src/index.js";
import type { SecurityLevel, SecurityPolicy, ToolArgumentLimits } from "../../../src/security/types.js";

/** Every (section, camelCase key) of the schema, `""` being the server object. */
const KEYS = [...SECTIONS].flatMap(([section, { keys }]) => keys.map((key) => ({ section, key })));

/** A stdio server config with `value` at `section.key` (sections are nested objects). */
function withKey(section: string, key: string, value: unknown): Record<string, unknown> {
  const config: Record<string, unknown> = { name: "s", command: "node", args: ["server.js"] };
  let at = config;
  for (const part of section ? section.split(".") : []) {
    const next: Record<string, unknown> = {};
    at[toSnakeCase(part)] = next;
    at = next;
  }
  at[key] = value;
  return config;
}

describe("the schema is the one list of config keys", () => {
  it("reads every section of the schema, nested ones included", () => {
    expect([...SECTIONS.keys()].sort()).toEqual(
      [
        "",
        "auth",
        "auth.idp",
        "circuitBreaker",
        "concurrency",
        "healthCheck",
        "reconnect",
        "security",
        "security.env",
        "security.toolArguments",
      ].sort(),
    );
    expect(KEYS.length).toBeGreaterThan(60);
  });

  it.each(KEYS)(
    "$section.$key is known in camelCase and snake_case (no unknown-key warning)",
    ({ section, key }) => {
      for (const spelling of new Set([key, toSnakeCase(key)])) {
        const { warnings } = checkServerConfig(withKey(section, spelling, undefined));
        expect(warnings.filter((w) => w.rule === "config.unknownKey")).toEqual([]);
      }
    },
  );

  it.each(KEYS.filter(({ key }) => key.length >= 4))(
    "a misspelled $section.$key is ignored with a suggestion of the key",
    ({ section, key }) => {
      const typo = `${toSnakeCase(key)}x`;
      const { warnings } = checkServerConfig(withKey(section, typo, 1));
      const unknown = warnings.filter((w) => w.rule === "config.unknownKey");
      expect(unknown).toHaveLength(1);
      expect(unknown[0]?.message).toMatch(new RegExp(`did you mean "(${key}|${toSnakeCase(key)})"\\?`));
    },
  );

  it("reports both spellings of one key given together", () => {
    for (const { section, key } of KEYS.filter((k) => toSnakeCase(k.key) !== k.key)) {
      const config = withKey(section, key, 1);
      let at: Record<string, unknown> = config;
      for (const part of section ? section.split(".") : [])
        at = at[toSnakeCase(part)] as Record<string, unknown>;
      at[toSnakeCase(key)] = 1;
      const { issues } = checkServerConfig(config);
      expect(issues.map((i) => i.rule)).toContain("config.duplicateKey");
    }
  });

  it("loads unknown keys of the security and auth sections with a warning (and types them: see below)", () => {
    for (const config of unknownKeysInOpenSections) {
      const { issues, warnings } = checkServerConfig(config);
      expect(issues).toEqual([]);
      expect(warnings.map((w) => w.rule)).toContain("config.unknownKey");
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Type-level checks (run by `npm run typecheck`, which covers test/): a schema key without an
// output field, or an input type that refuses what it accepted before, does not compile.

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assignable<A, B> = [A] extends [B] ? true : false;
type OutputKeys = keyof StdioServerConfig | keyof HttpServerConfig;
type Settings<T> = keyof { [K in keyof T as string extends K ? never : K]: 0 };
type Input = Settings<ServerConfigInput>;

/** Every camelCase key of the schema is a field of the validated config. */
export const everyKeyIsAField: Assignable<
  Exclude<Extract<Input, string>, OutputKeys | SnakeSpellings>,
  never
> = true;
type SnakeSpellings = Extract<Input, `${string}_${string}`>;
/** Every section of the validated config has exactly the schema's keys. */
export const sectionsMatch: [
  Same<keyof CircuitBreakerConfig, Exclude<Settings<CircuitBreakerInput>, `${string}_${string}`>>,
  Same<keyof ReconnectConfig, Exclude<Settings<ReconnectInput>, `${string}_${string}`>>,
  Same<keyof HealthCheckConfig, Exclude<Settings<HealthCheckInput>, `${string}_${string}`>>,
  Same<keyof ConcurrencyConfig, Exclude<Settings<ConcurrencyInput>, `${string}_${string}`>>,
  Same<keyof ToolArgumentLimits, Exclude<Settings<ToolArgumentLimitsInput>, `${string}_${string}`>>,
  Same<Exclude<keyof SecurityPolicy, "env">, Exclude<Settings<SecurityInput>, `${string}_${string}` | "env">>,
  Same<Exclude<keyof AuthConfig, "idp">, Exclude<Settings<AuthInput>, `${string}_${string}` | "idp">>,
] = [true, true, true, true, true, true, true];

// What the hand-written input interfaces accepted before they were derived from the schema: every
// value of theirs is still a value of the derived types (assignment-compatible for callers).
interface LegacyServerConfigInput {
  name?: string;
  type?: TransportType | "http" | "streamableHttp" | (string & {});
  command?: string | string[];
  args?: string[];
  env?: Record<string, string>;
  cwd?: string;
  url?: string;
  headers?: Record<string, string>;
  timeout?: number;
  connect_timeout?: number;
  connectTimeout?: number;
  http_read_timeout?: number;
  httpReadTimeout?: number;
  max_retries?: number;
  maxRetries?: number;
  retry_delay?: number;
  retryDelay?: number;
  max_message_bytes?: number;
  maxMessageBytes?: number;
  shutdown_grace?: number;
  shutdownGrace?: number;
  security?: LegacySecurityInput;
  allowed_tools?: string[];
  allowedTools?: string[];
  exclude_tools?: string[];
  excludeTools?: string[];
  circuit_breaker?: LegacyCircuitBreakerInput;
  circuitBreaker?: LegacyCircuitBreakerInput;
  reconnect?: LegacyReconnectInput;
  health_check?: LegacyHealthCheckInput;
  healthCheck?: LegacyHealthCheckInput;
  concurrency?: LegacyConcurrencyInput;
  auth?: LegacyAuthInput;
  description?: string;
  [key: string]: unknown;
}

interface LegacySecurityInput {
  level?: SecurityLevel | (string & {});
  allowed_executables?: string[];
  allowedExecutables?: string[];
  allow_inline_exec?: boolean;
  allowInlineExec?: boolean;
  env?: {
    level?: SecurityLevel | (string & {});
    mode?: "denylist" | "allowlist";
    allowed_vars?: string[];
    allowedVars?: string[];
    denied_vars?: string[];
    deniedVars?: string[];
  };
  allow_localhost?: boolean;
  allowLocalhost?: boolean;
  allow_private_ips?: boolean;
  allowPrivateIps?: boolean;
  allow_insecure_http?: boolean;
  allowInsecureHttp?: boolean;
  resolve_dns?: boolean;
  resolveDns?: boolean;
  allowed_hostnames?: string[];
  allowedHostnames?: string[];
  tool_arguments?: LegacyToolArgumentLimitsInput;
  toolArguments?: LegacyToolArgumentLimitsInput;
  [key: string]: unknown;
}

interface LegacyToolArgumentLimitsInput {
  max_depth?: number;
  maxDepth?: number;
  max_keys?: number;
  maxKeys?: number;
  max_items?: number;
  maxItems?: number;
  max_string_length?: number;
  maxStringLength?: number;
  max_size?: number;
  maxSize?: number;
}

interface LegacyCircuitBreakerInput {
  failure_threshold?: number;
  failureThreshold?: number;
  recovery_timeout?: number;
  recoveryTimeout?: number;
  expected_exception?: string | string[];
  expectedException?: string | string[];
}

interface LegacyReconnectInput {
  enabled?: boolean;
  max_attempts?: number;
  maxAttempts?: number;
  initial_delay?: number;
  initialDelay?: number;
  max_delay?: number;
  maxDelay?: number;
  healthy_reset?: number;
  healthyReset?: number;
}

interface LegacyHealthCheckInput {
  interval?: number;
  timeout?: number;
  max_misses?: number;
  maxMisses?: number;
}

interface LegacyConcurrencyInput {
  max_in_flight?: number;
  maxInFlight?: number;
  max_queue?: number;
  maxQueue?: number;
}

interface LegacyIdpInput {
  issuer?: string;
  token_endpoint?: string;
  tokenEndpoint?: string;
  client_id?: string;
  clientId?: string;
  client_secret?: string;
  clientSecret?: string;
  id_token?: string;
  idToken?: string;
}

interface LegacyAuthInput {
  flow?: AuthFlow | (string & {});
  client_id?: string;
  clientId?: string;
  client_secret?: string;
  clientSecret?: string;
  client_name?: string;
  clientName?: string;
  client_metadata_url?: string;
  clientMetadataUrl?: string;
  redirect_url?: string;
  redirectUrl?: string;
  scope?: string | string[];
  token_endpoint_auth_method?: TokenEndpointAuthMethod | (string & {});
  tokenEndpointAuthMethod?: TokenEndpointAuthMethod | (string & {});
  private_key?: string;
  privateKey?: string;
  signing_algorithm?: string;
  signingAlgorithm?: string;
  expected_issuer?: string;
  expectedIssuer?: string;
  skip_issuer_check?: boolean;
  skipIssuerCheck?: boolean;
  offline_access?: boolean;
  offlineAccess?: boolean;
  token_store?: TokenStoreKind | (string & {});
  tokenStore?: TokenStoreKind | (string & {});
  token_file?: string;
  tokenFile?: string;
  idp?: LegacyIdpInput;
  [key: string]: unknown;
}

export const inputsStayCompatible: [
  Assignable<LegacyServerConfigInput, ServerConfigInput>,
  Assignable<LegacySecurityInput, SecurityInput>,
  Assignable<LegacyToolArgumentLimitsInput, ToolArgumentLimitsInput>,
  Assignable<LegacyCircuitBreakerInput, CircuitBreakerInput>,
  Assignable<LegacyReconnectInput, ReconnectInput>,
  Assignable<LegacyHealthCheckInput, HealthCheckInput>,
  Assignable<LegacyConcurrencyInput, ConcurrencyInput>,
  Assignable<LegacyAuthInput, AuthInput>,
  Assignable<LegacyIdpInput, IdpInput>,
] = [true, true, true, true, true, true, true, true, true];

// Object literals get excess-property checks that `Assignable` does not see: a server config written
// inline keeps the unknown keys its `security` and `auth` sections accepted before (they load, with a
// warning), as `SecurityInput` and `AuthInput` do on their own.
export const unknownKeysInOpenSections: ServerConfigInput[] = [
  { name: "s", command: "node", security: { level: "strict", vendor_setting: 1 } },
  { name: "h", type: "http", url: "https://example.com/mcp", auth: { scope: "read", type: "x" } },
];
