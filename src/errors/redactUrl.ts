// URL redaction: userinfo and secret-looking query and fragment parameters (`redactUrl`).
import { hideKnownSecrets } from "./knownSecrets.js";
import { isSecretKey, REDACTED } from "./secretKeys.js";

/** Hides userinfo and secret-looking query (and fragment) parameters in a URL string. */
export function redactUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return hideKnownSecrets(raw);
  }
  if (url.username || url.password) {
    url.username = url.username ? REDACTED : "";
    url.password = url.password ? REDACTED : "";
  }
  const query = withoutSecretParams(url.searchParams);
  if (query !== undefined) url.search = query;
  // OAuth's implicit flow and some SDKs put `access_token=…` in the fragment.
  const fragment = fragmentParams(url);
  const hash = fragment && withoutSecretParams(fragment);
  if (hash !== undefined) url.hash = hash;
  return hideKnownSecrets(url.href);
}

/**
 * `params` serialised with the values of secret-looking names hidden, or undefined when none is.
 * Built in one pass: `URLSearchParams.set` per name rewrites the whole list each time (quadratic).
 */
function withoutSecretParams(params: URLSearchParams): string | undefined {
  const entries = [...params];
  if (!entries.some(([name]) => isSecretKey(name))) return undefined;
  return new URLSearchParams(
    entries.map(([name, value]): [string, string] => [name, isSecretKey(name) ? REDACTED : value]),
  ).toString();
}

/** The fragment of `url` read as `name=value&…` parameters, when it has any. */
export function fragmentParams(url: URL): URLSearchParams | undefined {
  return url.hash.includes("=") ? new URLSearchParams(url.hash.slice(1)) : undefined;
}
