import { clearLine, moveCursor } from "node:readline";
import { styleText } from "node:util";

import { clipDepth } from "../common/jsonDepth.js";
import { isMCPError, type MCPErrorJSON } from "../errors/errors.js";
import { describeError, type ErrorDescription } from "../errors/redact.js";
import { sanitizeText, stripControlCharacters } from "../errors/serverText.js";

/**
 * All terminal output of the CLI goes through here. stdout carries results only (one JSON document
 * with --json); notes, spinners and progress bars go to stderr, so piping stdout stays clean.
 * Colour only on a TTY and never with NO_COLOR.
 *
 * Much of what is printed comes from servers (tool names, error messages, stderr lines, progress
 * text): a server must not be able to drive the terminal (move the cursor, retitle the window, write
 * the clipboard with OSC 52) or get a secret printed. Plain text is cleaned here before it is styled;
 * JSON on stdout keeps every value exactly, with the control characters JSON leaves raw escaped.
 */

/** Control characters `JSON.stringify` leaves as they are (DEL, C1, bidirectional overrides). */
const RAW_IN_JSON = /[\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** JSON text with every character a terminal could act on written as a `\uXXXX` escape (same value). */
export function terminalSafeJson(json: string): string {
  return json.replace(RAW_IN_JSON, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/**
 * Deepest nesting printed as JSON (the document is level 0). `JSON.stringify` recurses once per
 * level, so a tool result nested some thousands of levels deep failed the command with a bare
 * "Maximum call stack size exceeded"; deeper parts are printed as `TOO_DEEP`.
 */
const MAX_PRINTED_DEPTH = 100;
const TOO_DEEP = `[nested more than ${MAX_PRINTED_DEPTH} levels deep: not shown]`;

/** `value` as terminal-safe JSON text, nesting cut at `MAX_PRINTED_DEPTH`. */
export function printableJson(value: unknown, indent?: number): string {
  return terminalSafeJson(JSON.stringify(clipDepth(value, MAX_PRINTED_DEPTH, TOO_DEEP), null, indent));
}

/**
 * The `error` of the `--json` document for a failed command. An MCPError is its `toJSON()`; anything
 * else (a bug, a library's own error) may still quote a server or a secret, so it is described as
 * `toJSON()` describes causes: redacted, without escape codes, cut.
 */
export function errorJson(error: unknown): MCPErrorJSON | ErrorDescription {
  return isMCPError(error) ? error.toJSON() : describeError(error);
}

/** One table cell or label: no control characters, and no line breaks or tabs to break the layout. */
function cellText(text: string): string {
  return stripControlCharacters(text).replace(/[\n\t]+/g, " ");
}

type Style = "bold" | "dim" | "red" | "green" | "yellow" | "cyan" | "magenta";

export interface OutputOptions {
  json: boolean;
  verbose: boolean;
}

const SPINNER_FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
const FRAME_MS = 80;

export class Output {
  readonly json: boolean;
  readonly verbose: boolean;
  /** stderr is a terminal: spinners and progress bars may redraw lines. */
  readonly interactive: boolean;
  private readonly colorOut: boolean;
  private readonly colorErr: boolean;

  constructor(
    options: OutputOptions,
    private readonly stdout: NodeJS.WriteStream = process.stdout,
    private readonly stderr: NodeJS.WriteStream = process.stderr,
  ) {
    this.json = options.json;
    this.verbose = options.verbose;
    const noColor = process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== "";
    this.colorOut = !noColor && stdout.isTTY === true;
    this.colorErr = !noColor && stderr.isTTY === true;
    this.interactive = stderr.isTTY === true && !options.json;
  }

  /** Styles text for stdout (plain when stdout is not a colour terminal). */
  style(text: string, ...styles: Style[]): string {
    return this.colorOut ? styleText(styles, text) : text;
  }

  /** Styles text for stderr. */
  styleErr(text: string, ...styles: Style[]): string {
    return this.colorErr ? styleText(styles, text) : text;
  }

  /** A result line on stdout (human mode). */
  print(text = ""): void {
    this.stdout.write(`${text}\n`);
  }

  /** The single JSON document of --json mode. */
  printJson(document: unknown): void {
    this.stdout.write(`${printableJson(document, 2)}\n`);
  }

  /** A note for the human on stderr (also in --json mode, where stdout is reserved). */
  note(text: string): void {
    // Notes carry URLs the user must open as given (a login URL): cleaned, not redacted.
    this.writeErr(`${this.styleErr(stripControlCharacters(text), "dim")}\n`);
  }

  warn(text: string): void {
    this.writeErr(`${this.styleErr("warning:", "yellow")} ${sanitizeText(text)}\n`);
  }

  error(text: string): void {
    this.writeErr(`${this.styleErr("error:", "red", "bold")} ${sanitizeText(text)}\n`);
  }

  /** Verbose-only diagnostics on stderr (server stderr lines, warnings, stack traces). */
  debug(text: string): void {
    if (this.verbose) this.writeErr(`${this.styleErr(sanitizeText(text), "dim")}\n`);
  }

  /** The spinner block being redrawn, if any: lines written meanwhile go above it. */
  activeSpinners: Spinners | undefined;

  private writeErr(text: string): void {
    if (this.activeSpinners) this.activeSpinners.interrupt(() => this.stderr.write(text));
    else this.stderr.write(text);
  }

  /** Aligned columns; the last column is not padded. Cells are plain text (style after layout). */
  table(headers: string[], rows: string[][], styleCell?: (column: number, text: string) => string): string {
    rows = rows.map((row) => row.map(cellText));
    const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
    const line = (cells: string[], isHeader: boolean) =>
      cells
        .map((cell, i) => {
          const padded = i === cells.length - 1 ? cell : cell.padEnd(widths[i]!);
          if (isHeader) return this.style(padded, "bold");
          return styleCell ? styleCell(i, padded) : padded;
        })
        .join("  ")
        .trimEnd();
    return [line(headers, true), ...rows.map((r) => line(r, false))].join("\n");
  }

  /** One status line per item, redrawn while work runs (plain final lines when not a terminal). */
  spinners(labels: string[]): Spinners {
    return new Spinners(this, labels, this.stderr);
  }

  /** A progress bar on stderr for a tool that reports progress. */
  progress(label: string): ProgressBar {
    return new ProgressBar(this, label, this.stderr);
  }

  /** Resolves once everything written to stdout has been flushed (piped output is never cut short). */
  flush(): Promise<void> {
    return new Promise((resolve) => {
      if (this.stdout.writableNeedDrain) this.stdout.once("drain", () => resolve());
      else this.stdout.write("", () => resolve());
    });
  }
}

type SpinnerState =
  { status: "running" } | { status: "done"; detail: string } | { status: "failed"; detail: string };

export class Spinners {
  private readonly states: SpinnerState[];
  private frame = 0;
  private timer: NodeJS.Timeout | undefined;
  private drawn = 0;

  constructor(
    private readonly output: Output,
    private readonly labels: string[],
    private readonly stream: NodeJS.WriteStream,
  ) {
    this.labels = labels.map(cellText);
    this.states = labels.map(() => ({ status: "running" }));
    if (output.interactive && labels.length > 0) {
      output.activeSpinners = this;
      this.render();
      this.timer = setInterval(() => {
        this.frame = (this.frame + 1) % SPINNER_FRAMES.length;
        this.render();
      }, FRAME_MS);
      this.timer.unref();
    }
  }

  succeed(index: number, detail: string): void {
    this.settle(index, { status: "done", detail: cellText(detail) });
  }

  fail(index: number, detail: string): void {
    this.settle(index, { status: "failed", detail: cellText(sanitizeText(detail)) });
  }

  /** Stops redrawing; lines still running are shown as they are. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.output.activeSpinners === this) this.output.activeSpinners = undefined;
    if (this.output.interactive) this.render();
  }

  /** Writes other lines above the spinner block (a login prompt, a warning) and redraws it below. */
  interrupt(write: () => void): void {
    if (this.drawn > 0) {
      moveCursor(this.stream, 0, -this.drawn);
      for (let i = 0; i < this.drawn; i++) {
        clearLine(this.stream, 0);
        moveCursor(this.stream, 0, 1);
      }
      moveCursor(this.stream, 0, -this.drawn);
      this.drawn = 0;
    }
    write();
    this.render();
  }

  private settle(index: number, state: SpinnerState): void {
    this.states[index] = state;
    if (this.output.interactive) this.render();
    else if (!this.output.json) this.stream.write(`${this.line(index)}\n`);
    if (this.states.every((s) => s.status !== "running")) this.stop();
  }

  private line(index: number): string {
    const state = this.states[index]!;
    const label = this.labels[index]!;
    if (state.status === "running") {
      return `${this.output.styleErr(SPINNER_FRAMES[this.frame]!, "cyan")} ${label} ${this.output.styleErr("connecting…", "dim")}`;
    }
    if (state.status === "done")
      return `${this.output.styleErr("✔", "green")} ${label} ${this.output.styleErr(state.detail, "dim")}`;
    return `${this.output.styleErr("✖", "red")} ${label} ${state.detail}`;
  }

  private render(): void {
    if (this.drawn > 0) moveCursor(this.stream, 0, -this.drawn);
    for (let i = 0; i < this.labels.length; i++) {
      clearLine(this.stream, 0);
      this.stream.write(`${this.line(i)}\n`);
    }
    this.drawn = this.labels.length;
  }
}

export class ProgressBar {
  private shown = false;

  constructor(
    private readonly output: Output,
    private readonly label: string,
    private readonly stream: NodeJS.WriteStream,
  ) {}

  update(progress: number, total?: number, message?: string): void {
    // The progress message is the server's text, redrawn on one terminal line.
    if (message !== undefined) message = cellText(sanitizeText(message));
    if (!this.output.interactive) {
      this.output.debug(
        `${this.label}: ${progress}${total ? `/${total}` : ""}${message ? ` ${message}` : ""}`,
      );
      return;
    }
    const width = 24;
    const ratio = total && total > 0 ? Math.min(1, progress / total) : undefined;
    const bar =
      ratio === undefined ? "".padEnd(width, "·") : "█".repeat(Math.round(ratio * width)).padEnd(width, "░");
    const count = total ? `${progress}/${total}` : `${progress}`;
    const text = `${this.label} ${this.output.styleErr(bar, "cyan")} ${count}${message ? ` ${this.output.styleErr(message, "dim")}` : ""}`;
    clearLine(this.stream, 0);
    this.stream.write(`\r${text}`);
    this.shown = true;
  }

  done(): void {
    if (this.shown) {
      clearLine(this.stream, 0);
      this.stream.write("\r");
      this.shown = false;
    }
  }
}
