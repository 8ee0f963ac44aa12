import { readFileSync } from "node:fs";
import { arch, cpus, freemem, loadavg, platform, release, totalmem } from "node:os";

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  ramGiB: number;
  freeRamGiB: number;
  node: string;
  os: string;
  /** 1, 5 and 15 minute load averages when the run started (other work on the machine shows here). */
  loadAverage: [number, number, number];
  date: string;
}

/** What the numbers were measured on, read at run time. */
export function machineInfo(): MachineInfo {
  const list = cpus();
  const [one, five, fifteen] = loadavg();
  return {
    cpuModel: list[0]?.model.trim() ?? cpuModelFromProc() ?? "unknown",
    cores: list.length,
    ramGiB: round(totalmem() / 2 ** 30, 1),
    freeRamGiB: round(freemem() / 2 ** 30, 1),
    node: process.version,
    os: `${platform()} ${release()} ${arch()}`,
    loadAverage: [round(one ?? 0, 2), round(five ?? 0, 2), round(fifteen ?? 0, 2)],
    date: new Date().toISOString(),
  };
}

function cpuModelFromProc(): string | undefined {
  try {
    return /model name\s*:\s*(.+)/.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1]?.trim();
  } catch {
    return undefined;
  }
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
