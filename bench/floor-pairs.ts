// The floor ratios read in interleaved pairs: a phase of Treue's, then the floor's, several rounds, so drift falls on both.
import { median, type Measurement } from "./load";

type Phase = () => Promise<Measurement>;

/** One ratio of the issue: Treue's operation against the floor's, `writes` floor operations to one of Treue's. */
export interface FloorPair {
  name: string;
  treue: Phase;
  floor: Phase;
  writes?: number;
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;

/** A phase's own figures, kept with its round's ratio: which side moved when a round stands out. */
interface PhaseFigures {
  perSecond: number;
  serverCpuMsPerOp: number | null;
}
const figures = ({ perSecond, serverCpuMsPerOp }: Measurement): PhaseFigures => ({ perSecond, serverCpuMsPerOp });

/**
 * Each round measures every pair back to back (Treue's phase, then the
 * floor's). A pair's ratio is the median over rounds of the ratio within a
 * round, by rate and by server CPU per operation.
 */
export async function interleavedFloorRatios(pairs: readonly FloorPair[], rounds: number) {
  const perRound = new Map(pairs.map((p) => [p.name, { byRate: [] as number[], byCpu: [] as number[], phases: [] as { treue: PhaseFigures; floor: PhaseFigures }[] }]));
  for (let round = 0; round < rounds; round++) {
    for (const pair of pairs) {
      const treue = await pair.treue();
      const floor = await pair.floor();
      const writes = pair.writes ?? 1;
      const ratios = perRound.get(pair.name)!;
      ratios.phases.push({ treue: figures(treue), floor: figures(floor) });
      ratios.byRate.push(treue.perSecond / (floor.perSecond / writes));
      if (treue.serverCpuMsPerOp && floor.serverCpuMsPerOp) ratios.byCpu.push((floor.serverCpuMsPerOp * writes) / treue.serverCpuMsPerOp);
    }
  }
  return Object.fromEntries(
    pairs.map(({ name }) => {
      const { byRate, byCpu, phases } = perRound.get(name)!;
      return [name, { byRate: round3(median(byRate)), byCpu: byCpu.length ? round3(median(byCpu)) : null, rounds: { byRate: byRate.map(round3), byCpu: byCpu.map(round3), phases } }];
    }),
  );
}
