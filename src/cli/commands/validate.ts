import { resolve } from "node:path";

import { loadConfig } from "../../config/loadConfig.js";
import { MCPConfigurationError, MCPError } from "../../errors/errors.js";
import { redactCommandLine } from "../../errors/redact.js";
import { redactUrl } from "../../errors/redactUrl.js";
import { resolveConfigSource } from "../configSource.js";
import type { ExitCode } from "../exitCodes.js";
import { EXIT } from "../exitCodes.js";
import type { Output } from "../output.js";
import type { GlobalOptions } from "../session.js";

/**
 * `mcp-tools validate [file]`: checks a config file without starting anything. Prints the servers it
 * would use, or every problem with its file, line and key.
 */
export async function validateCommand(
  file: string | undefined,
  options: GlobalOptions,
  output: Output,
): Promise<ExitCode> {
  const source =
    file === undefined
      ? resolveConfigSource(options.config)
      : { kind: "file" as const, path: resolve(file), discovered: false };
  if (source.kind !== "file") {
    throw new MCPError(
      "No config file to validate: pass a file, or --config, or run it where mcp.json, .mcp.json or .vscode/mcp.json is.",
      {
        code: "NOT_FOUND",
      },
    );
  }
  try {
    const loaded = await loadConfig(source.path);
    const servers = loaded.servers.map((s) => ({
      name: s.name,
      type: s.type,
      target: s.type === "stdio" ? redactCommandLine([s.command, ...s.args]).join(" ") : redactUrl(s.url),
      security: s.security.level,
    }));
    const warnings = loaded.warnings.map((w) => ({
      path: w.path,
      message: w.message,
      line: w.line,
      rule: w.rule,
    }));
    if (output.json) {
      output.printJson({
        valid: true,
        file: source.path,
        shape: loaded.shape,
        servers,
        warnings,
      });
    } else {
      output.print(
        `${output.style("✔", "green")} ${source.path} is valid (${loaded.shape} format, ${servers.length} server${servers.length === 1 ? "" : "s"})`,
      );
      if (servers.length > 0) {
        output.print(
          output.table(
            ["NAME", "TYPE", "SECURITY", "TARGET"],
            servers.map((s) => [s.name, s.type, s.security, s.target]),
          ),
        );
      }
      for (const warning of warnings)
        output.warn(`${warning.path}${warning.line ? ` (line ${warning.line})` : ""}: ${warning.message}`);
    }
    return EXIT.OK;
  } catch (error) {
    if (!(error instanceof MCPConfigurationError)) throw error;
    if (output.json) {
      output.printJson({ valid: false, file: source.path, issues: error.issues, warnings: error.warnings });
    } else {
      output.print(
        `${output.style("✖", "red")} ${source.path}: ${error.issues.length} problem${error.issues.length === 1 ? "" : "s"}`,
      );
      for (const issue of error.issues) {
        const where = issue.line === undefined ? "" : `${output.style(`line ${issue.line}`, "dim")} `;
        output.print(`  ${where}${output.style(issue.path || "(file)", "bold")}: ${issue.message}`);
      }
    }
    return EXIT.USAGE;
  }
}
