import { resolveAuthConfig } from "../config/authSchema.js";
import type { AuthConfig } from "../config/authTypes.js";
import { type Environment, expandAll } from "../config/expandVariables.js";
import { configurationError } from "../config/issues.js";
import type { HttpServerConfig, ServerConfig, StdioServerConfig } from "../config/types.js";
import type { ConfigIssue } from "../errors/errors.js";
import { registerSecret } from "../errors/knownSecrets.js";
import { checkCommand } from "../security/command.js";
import { buildChildEnvironment, checkEnv } from "../security/env.js";
import { checkHeaders } from "../security/headers.js";
import { checkResolvedAddresses, type HostLookup } from "../security/url.js";

/** What a stdio connection needs once `${VAR}` references are expanded and re-checked. */
export interface PreparedStdio {
  kind: "stdio";
  command: string;
  args: string[];
  /** The complete child environment: safe inherited variables plus the configured env. */
  env: Record<string, string>;
}

/** What an HTTP connection needs once `${VAR}` references are expanded and re-checked. */
export interface PreparedHttp {
  kind: "http";
  headers: Record<string, string>;
  /** The `auth` section with `${VAR}` references expanded (secrets included). */
  auth: AuthConfig | undefined;
}

/**
 * The lookup type of `security/url.ts` under its old name, for the two client files that still
 * import it from here; new code imports `HostLookup` (one lookup type, one name).
 */
export type DnsLookup = HostLookup;

/**
 * Expands `${VAR}` references in args, env, header values and the `auth` section, then applies the
 * security rules again to the expanded values (a variable must not smuggle in `-c` or a CR/LF header). Every problem is
 * reported at once and nothing is spawned or connected when there is one.
 */
export async function prepareConnection(
  config: ServerConfig,
  environment: Environment,
  lookup?: HostLookup,
): Promise<PreparedStdio | PreparedHttp> {
  const issues: ConfigIssue[] = [];
  const prepared =
    config.type === "stdio"
      ? prepareStdio(config, environment, issues)
      : await prepareHttp(config, environment, issues, lookup);
  if (issues.length > 0) {
    const onlyMissingVariables = issues.every((issue) => issue.rule === "env.unsetVariable");
    throw configurationError(`server "${config.name}"`, issues, [], {
      serverName: config.name,
      ...(onlyMissingVariables ? { code: "ENV_VAR_MISSING" as const } : {}),
    });
  }
  return prepared;
}

function prepareStdio(
  config: StdioServerConfig,
  environment: Environment,
  issues: ConfigIssue[],
): PreparedStdio {
  const args = expandAll(config.args, "args", issues, environment) as string[];
  const env = expandAll(config.env, "env", issues, environment) as Record<string, string>;
  rememberSecrets(env);
  if (issues.length === 0) {
    issues.push(...checkCommand([config.command], args, config.security).issues);
    issues.push(...checkEnv(env, config.security.env));
  }
  return { kind: "stdio", command: config.command, args, env: buildChildEnvironment(env) };
}

async function prepareHttp(
  config: HttpServerConfig,
  environment: Environment,
  issues: ConfigIssue[],
  lookup?: HostLookup,
): Promise<PreparedHttp> {
  const headers = expandAll(config.headers, "headers", issues, environment) as Record<string, string>;
  const auth = config.auth === undefined ? undefined : resolveAuthConfig(config.auth, environment, issues);
  rememberSecrets(headers);
  const { clientSecret, privateKey, idp } = auth ?? {};
  rememberSecrets({ clientSecret, privateKey, idpClientSecret: idp?.clientSecret, idToken: idp?.idToken });
  if (issues.length === 0) issues.push(...checkHeaders(headers));
  if (issues.length === 0 && config.security.resolveDns) {
    issues.push(...(await checkResolvedAddresses(config.url, config.security, lookup)));
  }
  return { kind: "http", headers, auth };
}

/**
 * What the client sends as a credential (configured env and header values, the `auth` secrets) is
 * registered, so a server that echoes it (in any shape) never gets it into a message or log.
 */
function rememberSecrets(values: Readonly<Record<string, string | undefined>>): void {
  for (const [name, value] of Object.entries(values))
    if (value !== undefined) registerSecret(value, { name });
}
