// Process trees from /proc: the CPU time the server used per request, whatever else shares the machine, and what to stop.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

const TICKS_PER_SECOND = (() => {
  try {
    return Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
  } catch {
    return 100;
  }
})();

interface ProcStat {
  pid: number;
  ppid: number;
  cpuMs: number;
}

function readStats(): ProcStat[] | null {
  let pids: string[];
  try {
    pids = readdirSync("/proc").filter((name) => /^\d+$/.test(name));
  } catch {
    return null; // not Linux: CPU figures are left out
  }
  const stats: ProcStat[] = [];
  for (const pid of pids) {
    try {
      const text = readFileSync(`/proc/${pid}/stat`, "utf8");
      // The command name may hold spaces and parentheses; the fields after its last ")" are fixed.
      const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
      const ticks = Number(fields[11]) + Number(fields[12]); // utime + stime
      stats.push({ pid: Number(pid), ppid: Number(fields[1]), cpuMs: (ticks * 1000) / TICKS_PER_SECOND });
    } catch {
      // the process ended while we looked
    }
  }
  return stats;
}

/** Child processes of this one right now, to tell which ones a start-up created. */
export function childPids(): number[] {
  return (readStats() ?? []).filter((s) => s.ppid === process.pid).map((s) => s.pid);
}

function treeOf(stats: ProcStat[], roots: number[]): Set<number> {
  const inTree = new Set(roots);
  // Parents before children is not guaranteed, so widen until nothing changes (bounded by the process count).
  for (let pass = 0, grew = true; grew && pass < stats.length; pass++) {
    grew = false;
    for (const s of stats) {
      if (!inTree.has(s.pid) && inTree.has(s.ppid)) {
        inTree.add(s.pid);
        grew = true;
      }
    }
  }
  return inTree;
}

/** `root` and every process it started, as far as /proc shows them (just `root` elsewhere). */
export function processTree(root: number): number[] {
  const stats = readStats();
  return stats ? [...treeOf(stats, [root])] : [root];
}

/** Milliseconds of CPU used so far by `roots` and all their descendants, or null where /proc is missing. */
export function treeCpuMs(roots: number[]): number | null {
  const stats = readStats();
  if (!stats) return null;
  const inTree = treeOf(stats, roots);
  return stats.filter((s) => inTree.has(s.pid)).reduce((sum, s) => sum + s.cpuMs, 0);
}
