import type {
  Client,
  ClientCapabilities,
  CreateMessageRequestParams,
  CreateMessageResult,
  ElicitRequestFormParams,
  ElicitResult,
  Root,
} from "@modelcontextprotocol/client";
import { ProtocolError, ProtocolErrorCode } from "@modelcontextprotocol/client";

/** What a handler learns about the request it answers. */
export interface HandlerContext {
  /** The configured name of the server that sent the request. */
  server: string;
  /** Aborted when the server cancels the request or the connection closes. */
  signal: AbortSignal;
}

/**
 * Answers to requests that servers send to the client. Each handler present is advertised as a
 * client capability in `initialize`; servers cannot send requests the client did not advertise.
 */
export interface ClientHandlers {
  /**
   * Answers `elicitation/create` in form mode: ask the user and return `{ action: "accept", content }`,
   * `{ action: "decline" }` or `{ action: "cancel" }`. Fields of the requested schema that `content`
   * leaves out are filled with the schema's defaults; the result is validated against the schema.
   */
  elicitation?:
    | ((request: ElicitRequestFormParams, context: HandlerContext) => ElicitResult | Promise<ElicitResult>)
    | undefined;
  /**
   * Answers `sampling/createMessage`: run the messages through a model (after asking the user, as the
   * spec recommends) and return its message.
   */
  sampling?:
    | ((
        request: CreateMessageRequestParams,
        context: HandlerContext,
      ) => CreateMessageResult | Promise<CreateMessageResult>)
    | undefined;
  /** The roots (`file://` directories) servers may work in: a list, or a function asked on every `roots/list`. */
  roots?:
    readonly Root[] | ((context: HandlerContext) => readonly Root[] | Promise<readonly Root[]>) | undefined;
}

/** The client capabilities the handlers stand for (declared in `initialize`). */
export function clientCapabilities(handlers: ClientHandlers | undefined): ClientCapabilities {
  const capabilities: ClientCapabilities = {};
  // applyDefaults makes the SDK fill in schema defaults the handler's content leaves out (SEP-1034).
  if (handlers?.elicitation) capabilities.elicitation = { form: { applyDefaults: true } };
  if (handlers?.sampling) capabilities.sampling = {};
  if (handlers?.roots) capabilities.roots = {};
  return capabilities;
}

/**
 * Registers the handlers on an SDK client before it connects. A handler that throws answers the
 * server with a JSON-RPC error; the client and its connection stay up.
 */
export function registerClientHandlers(
  sdk: Client,
  handlers: ClientHandlers | undefined,
  server: string,
): void {
  const elicitation = handlers?.elicitation;
  if (elicitation) {
    sdk.setRequestHandler("elicitation/create", async (request, ctx) => {
      const params = request.params;
      if (params.mode !== undefined && params.mode !== "form") {
        throw new ProtocolError(
          ProtocolErrorCode.InvalidParams,
          "This client supports form-mode elicitation only",
        );
      }
      return elicitation(params as ElicitRequestFormParams, { server, signal: ctx.mcpReq.signal });
    });
  }
  const sampling = handlers?.sampling;
  if (sampling) {
    sdk.setRequestHandler("sampling/createMessage", async (request, ctx) =>
      sampling(request.params, { server, signal: ctx.mcpReq.signal }),
    );
  }
  const roots = handlers?.roots;
  if (roots) {
    sdk.setRequestHandler("roots/list", async (_request, ctx) => {
      const list = typeof roots === "function" ? await roots({ server, signal: ctx.mcpReq.signal }) : roots;
      return { roots: [...list] };
    });
  }
}
