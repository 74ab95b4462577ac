// The health check's one query: whether D1 answers at all.
export async function pingDatabase(d1: D1Database): Promise<void> {
  await d1.prepare("SELECT 1").first();
}
