// What every example reads from its environment: the API's origin and the keys `npm start` prints.
export function setting(name: string, fallback?: string): string {
  const value = process.env[name] ?? fallback;
  if (value === undefined || value === "") {
    console.error(`Set ${name} (npm start prints the demo program's keys), e.g. ${name}=trk_... npx tsx --conditions=source examples/<file>.ts`);
    process.exit(2);
  }
  return value;
}

export const baseUrl = () => setting("TREUE_URL", "http://localhost:8787");
