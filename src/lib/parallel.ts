// Bounded concurrency: the one loop that runs work over a list with at most so many at once.

/** Runs `run` over `tasks` with at most `limit` at once, in the order given; `run` must not throw. */
export async function inParallel<T>(tasks: readonly T[], limit: number, run: (task: T) => Promise<void>): Promise<void> {
  let next = 0;
  const runner = async () => {
    while (next < tasks.length) await run(tasks[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, runner));
}
