// Reads a request's Content-Type (RFC 9110 media-type grammar) and says whether its body is UTF-8 JSON.
const TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
const QUOTED = '"(?:[^"\\\\]|\\\\.)*"';
const PARAMETER = `(${TOKEN})=(${TOKEN}|${QUOTED})`;
const MEDIA_TYPE = new RegExp(`^[ \\t]*(${TOKEN})/(${TOKEN})((?:[ \\t]*;[ \\t]*(?:${PARAMETER})?)*)[ \\t]*$`);
const PARAMETERS = new RegExp(PARAMETER, "g");

export type JsonBodyVerdict = { ok: true } | { ok: false; detail: string };

/**
 * `application/json` or any `+json` type, with parameters or none (RFC 9110
 * allows empty ones, so `application/json;` is fine). JSON is UTF-8 (RFC 8259):
 * a body declared in another charset would be misread, so it is refused.
 */
export function jsonBodyVerdict(header: string | undefined): JsonBodyVerdict {
  const match = header === undefined ? null : MEDIA_TYPE.exec(header);
  const type = match ? `${match[1]}/${match[2]}`.toLowerCase() : "";
  if (!match || !(type === "application/json" || (type.startsWith("application/") && type.endsWith("+json")))) {
    return { ok: false, detail: "Send the body as application/json." };
  }
  for (const [, name, raw] of match[3]!.matchAll(PARAMETERS)) {
    if (name!.toLowerCase() !== "charset") continue;
    const charset = raw!.startsWith('"') ? raw!.slice(1, -1).replace(/\\(.)/g, "$1") : raw!;
    if (charset.toLowerCase() !== "utf-8") {
      return { ok: false, detail: `JSON bodies are UTF-8; charset '${charset.slice(0, 40)}' is not accepted.` };
    }
  }
  return { ok: true };
}
