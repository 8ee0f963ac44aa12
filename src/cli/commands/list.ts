import { redactCommandLine } from "../../errors/redact.js";
import { redactUrl } from "../../errors/redactUrl.js";
import type { ExitCode } from "../exitCodes.js";
import { EXIT } from "../exitCodes.js";
import type { Output } from "../output.js";
import type { GlobalOptions, Session } from "../session.js";
import { closeSession, firstLine, openSession } from "../session.js";

/** `mcp-tools list`: servers with their state, then tools, resources and prompts. */
export async function listCommand(options: GlobalOptions, output: Output): Promise<ExitCode> {
  let session: Session | undefined;
  try {
    session = await openSession(options, output);
    const { multi } = session;
    const servers = multi.serverNames.map((name) => {
      const status = multi.getServerStatus(name);
      const client = multi.getClient(name);
      const config = client.config;
      const target =
        config.type === "stdio"
          ? redactCommandLine([config.command, ...config.args]).join(" ")
          : redactUrl(config.url);
      return {
        name,
        transport: config.type,
        state: status.state,
        tools: multi.getToolsByServer(name).length,
        resources: [...multi.resources.values()].filter((r) => r.server === name).length,
        prompts: [...multi.prompts.values()].filter((p) => p.server === name).length,
        target,
        error: status.lastError ? firstLine(status.lastError.message) : undefined,
      };
    });
    const tools = [...multi.tools.values()].map((t) => ({
      name: t.name,
      server: t.server,
      rawName: t.rawName,
      description: t.description ?? "",
      inputSchema: t.inputSchema,
    }));
    const resources = [...multi.resources.values()].map((r) => ({
      uri: r.resource.uri,
      server: r.server,
      name: r.resource.name,
      mimeType: r.resource.mimeType,
    }));
    const templates = multi.serverNames.flatMap((name) =>
      multi.getServerStatus(name).connected
        ? multi
            .getClient(name)
            .resourceTemplates.map((t) => ({ uriTemplate: t.uriTemplate, server: name, name: t.name }))
        : [],
    );
    const prompts = [...multi.prompts.values()].map((p) => ({
      name: p.name,
      server: p.server,
      rawName: p.rawName,
      description: p.description ?? "",
      arguments: (p.arguments ?? []).map((a) => ({ name: a.name, required: a.required === true })),
    }));
    if (output.json) {
      output.printJson({ servers, tools, resources, resourceTemplates: templates, prompts });
    } else {
      output.print(output.style("Servers", "bold"));
      output.print(
        output.table(
          ["NAME", "TRANSPORT", "STATE", "TOOLS", "RESOURCES", "PROMPTS", "TARGET"],
          servers.map((s) => [
            s.name,
            s.transport,
            s.state,
            String(s.tools),
            String(s.resources),
            String(s.prompts),
            s.target,
          ]),
          (column, text) =>
            column === 2 ? output.style(text, text.startsWith("connected") ? "green" : "red") : text,
        ),
      );
      for (const server of servers.filter((s) => s.error))
        output.print(output.style(`  ${server.name}: ${server.error}`, "red"));
      if (tools.length > 0) {
        output.print();
        output.print(output.style("Tools", "bold"));
        output.print(
          output.table(
            ["NAME", "SERVER", "DESCRIPTION"],
            tools.map((t) => [t.name, t.server, firstLine(t.description)]),
          ),
        );
      }
      if (resources.length > 0 || templates.length > 0) {
        output.print();
        output.print(output.style("Resources", "bold"));
        output.print(
          output.table(
            ["URI", "SERVER", "NAME"],
            [
              ...resources.map((r) => [r.uri, r.server, r.name ?? ""]),
              ...templates.map((t) => [t.uriTemplate, t.server, `${t.name ?? ""} (template)`]),
            ],
          ),
        );
      }
      if (prompts.length > 0) {
        output.print();
        output.print(output.style("Prompts", "bold"));
        output.print(
          output.table(
            ["NAME", "SERVER", "ARGUMENTS", "DESCRIPTION"],
            prompts.map((p) => [
              p.name,
              p.server,
              p.arguments.map((a) => (a.required ? a.name : `[${a.name}]`)).join(" "),
              firstLine(p.description),
            ]),
          ),
        );
      }
    }
    return servers.every((s) => s.state === "connected") ? EXIT.OK : EXIT.CONNECTION;
  } finally {
    await closeSession(session);
  }
}
