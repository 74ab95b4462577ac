// An import file (JSONL or CSV) read line by line: each line validated on its own, a bad line an error kept, never fatal to the file.
import { z } from "@hono/zod-openapi";
import { MemberId } from "../app/openapi";
import { addDays, iso } from "../ledger/dates";
import { fieldErrors, type FieldError } from "../ledger/errors";
import { lotExpiresAt } from "../ledger/expiry";
import type { ImportLine } from "../ledger/ops/import";
import type { ProgramSettings } from "../ledger/settings";
import { tierByName } from "../ledger/tiers";

export type ImportFormat = "jsonl" | "csv";

/** Lines a chunk (one queue message) holds at most; a member's lines never straddle two chunks. */
export const CHUNK_LINES = 200;
/** A member's lines in one file, at most: they are applied in one batch. */
export const MAX_LINES_PER_MEMBER = 50;
/** Lots one line may carry (JSONL), at most. */
export const MAX_LOTS_PER_LINE = 50;

const Instant = z.iso.datetime({ offset: true });

const LotSchema = z
  .object({
    points: z.number().int().min(1).max(1_000_000_000),
    earnedAt: Instant,
    expiresAt: Instant.nullable().optional(),
    availableAt: Instant.optional(),
  })
  .strict();

const LineSchema = z
  .object({
    memberId: MemberId,
    email: z.string().email().max(254).nullable().optional(),
    name: z.string().max(200).nullable().optional(),
    tier: z.string().min(1).max(64).nullable().optional(),
    attributes: z
      .record(z.string().max(64), z.union([z.string().max(500), z.number(), z.boolean(), z.null()]))
      .refine((a) => Object.keys(a).length <= 50, "at most 50 attributes")
      .optional(),
    lots: z.array(LotSchema).max(MAX_LOTS_PER_LINE).optional(),
  })
  .strict();

/** The CSV columns; `attr.<name>` columns become attributes. One row carries at most one lot. */
export const CSV_COLUMNS = ["memberId", "email", "name", "tier", "points", "earnedAt", "expiresAt", "availableAt"] as const;

export interface LineError {
  code: "invalid_line" | "unknown_tier" | "lot_already_expired" | "too_many_lines_for_member";
  message: string;
  errors?: FieldError[];
}

export type StagedLine =
  | { line: number; status: "pending"; memberId: string; data: ImportLine; chunk: number }
  | { line: number; status: "invalid"; memberId: string | null; error: LineError };

export interface ParsedFile {
  lines: StagedLine[];
  chunks: { chunk: number; lines: number }[];
}

/** Reads, validates and chunks a whole file. `now` decides which lots would already have expired. */
export function parseImportFile(text: string, format: ImportFormat, settings: ProgramSettings, now: Date): ParsedFile {
  const raw = format === "jsonl" ? jsonlRecords(text) : csvRecords(text);
  const staged: StagedLine[] = [];
  const perMember = new Map<string, number>();
  for (const record of raw) {
    const line = validateLine(record, settings, now);
    if (line.status === "pending") {
      const seen = (perMember.get(line.memberId) ?? 0) + 1;
      perMember.set(line.memberId, seen);
      if (seen > MAX_LINES_PER_MEMBER) {
        staged.push({ line: line.line, status: "invalid", memberId: line.memberId, error: { code: "too_many_lines_for_member", message: `at most ${MAX_LINES_PER_MEMBER} lines per member in one file` } });
        continue;
      }
    }
    staged.push(line);
  }
  return { lines: staged, chunks: assignChunks(staged) };
}

/** A raw record: its line number and either the parsed value or why it could not be read. */
type RawRecord = { line: number; value: unknown } | { line: number; unreadable: string };

function jsonlRecords(text: string): RawRecord[] {
  const records: RawRecord[] = [];
  text.split(/\r?\n/).forEach((content, index) => {
    if (content.trim() === "") return;
    try {
      records.push({ line: index + 1, value: JSON.parse(content) });
    } catch {
      records.push({ line: index + 1, unreadable: "not valid JSON" });
    }
  });
  return records;
}

function csvRecords(text: string): RawRecord[] {
  const rows = csvRows(text);
  const header = rows.shift();
  if (!header) return [];
  const columns = header.cells.map((c) => c.trim());
  const unknown = columns.filter((c) => !(CSV_COLUMNS as readonly string[]).includes(c) && !c.startsWith("attr."));
  const records: RawRecord[] = [];
  for (const row of rows) {
    if (row.cells.every((c) => c === "")) continue;
    if (unknown.length > 0) {
      records.push({ line: row.line, unreadable: `unknown column(s): ${unknown.join(", ")}` });
      continue;
    }
    if (row.cells.length !== columns.length) {
      records.push({ line: row.line, unreadable: `${row.cells.length} cells where the header has ${columns.length}` });
      continue;
    }
    const value: Record<string, unknown> = {};
    const attributes: Record<string, unknown> = {};
    const lot: Record<string, unknown> = {};
    columns.forEach((column, i) => {
      const cell = row.cells[i]!;
      if (cell === "") return;
      if (column.startsWith("attr.")) attributes[column.slice(5)] = cell;
      else if (column === "points") lot.points = /^-?\d+$/.test(cell) ? Number(cell) : cell;
      else if (column === "earnedAt" || column === "expiresAt" || column === "availableAt") lot[column] = column === "expiresAt" && cell === "never" ? null : cell;
      else value[column] = cell;
    });
    if (Object.keys(attributes).length > 0) value.attributes = attributes;
    if (Object.keys(lot).length > 0) value.lots = [lot];
    records.push({ line: row.line, value });
  }
  return records;
}

/** RFC 4180: quoted cells may hold commas, quotes ("") and line breaks; `line` is where the row starts. */
export function csvRows(text: string): { line: number; cells: string[] }[] {
  const rows: { line: number; cells: string[] }[] = [];
  let cells: string[] = [];
  let cell = "";
  let quoted = false;
  let line = 1;
  let rowLine = 1;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else {
        if (ch === "\n") line++;
        cell += ch;
      }
    } else if (ch === '"' && cell === "") quoted = true;
    else if (ch === ",") {
      cells.push(cell);
      cell = "";
    } else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[i + 1] === "\n") i++;
      cells.push(cell);
      rows.push({ line: rowLine, cells });
      cells = [];
      cell = "";
      line++;
      rowLine = line;
    } else cell += ch;
  }
  if (cell !== "" || cells.length > 0) {
    cells.push(cell);
    rows.push({ line: rowLine, cells });
  }
  return rows;
}

function validateLine(record: RawRecord, settings: ProgramSettings, now: Date): StagedLine {
  if ("unreadable" in record) return { line: record.line, status: "invalid", memberId: null, error: { code: "invalid_line", message: record.unreadable } };
  const parsed = LineSchema.safeParse(record.value);
  const memberId = typeof (record.value as { memberId?: unknown })?.memberId === "string" ? ((record.value as { memberId: string }).memberId) : null;
  if (!parsed.success) {
    const errors = fieldErrors(parsed.error.issues, "(line)");
    return { line: record.line, status: "invalid", memberId, error: { code: "invalid_line", message: `${errors.length} field(s) failed validation`, errors } };
  }
  const value = parsed.data;
  if (value.tier !== undefined && value.tier !== null && !tierByName(value.tier, settings.tiers)) {
    return { line: record.line, status: "invalid", memberId: value.memberId, error: { code: "unknown_tier", message: `this program has no tier '${value.tier}'` } };
  }
  const lots = [];
  const errors: FieldError[] = [];
  for (const [index, lot] of (value.lots ?? []).entries()) {
    const earnedAt = new Date(lot.earnedAt);
    const policyExpiry = lotExpiresAt(settings.expiry, earnedAt);
    const expiresAt = lot.expiresAt === undefined ? (policyExpiry ? iso(policyExpiry) : null) : lot.expiresAt === null ? null : iso(new Date(lot.expiresAt));
    const availableAt = lot.availableAt === undefined ? iso(addDays(earnedAt, settings.pendingDays)) : iso(new Date(lot.availableAt));
    const path = `lots.${index}`;
    if (earnedAt.getTime() > now.getTime()) errors.push({ path: `${path}.earnedAt`, message: "in the future" });
    if (availableAt < iso(earnedAt)) errors.push({ path: `${path}.availableAt`, message: "before earnedAt" });
    if (expiresAt !== null && expiresAt <= iso(earnedAt)) errors.push({ path: `${path}.expiresAt`, message: "not after earnedAt" });
    if (expiresAt !== null && Date.parse(expiresAt) <= now.getTime()) {
      return { line: record.line, status: "invalid", memberId: value.memberId, error: { code: "lot_already_expired", message: `${path} expired at ${expiresAt}; leave it out of the opening balance`, errors: [{ path: `${path}.expiresAt`, message: "in the past" }] } };
    }
    lots.push({ points: lot.points, earnedAt: iso(earnedAt), availableAt, expiresAt });
  }
  if (errors.length > 0) return { line: record.line, status: "invalid", memberId: value.memberId, error: { code: "invalid_line", message: `${errors.length} field(s) failed validation`, errors } };
  const { lots: _lots, ...profile } = value;
  return { line: record.line, status: "pending", memberId: value.memberId, chunk: 0, data: { ...profile, line: record.line, lots } };
}

/**
 * Chunks of at most CHUNK_LINES lines, a member's lines all in one chunk (its
 * batch applies them together), members in the order they first appear.
 */
function assignChunks(lines: StagedLine[]): { chunk: number; lines: number }[] {
  const byMember = new Map<string, Extract<StagedLine, { status: "pending" }>[]>();
  for (const line of lines) {
    if (line.status !== "pending") continue;
    const group = byMember.get(line.memberId);
    if (group) group.push(line);
    else byMember.set(line.memberId, [line]);
  }
  const chunks: { chunk: number; lines: number }[] = [];
  for (const group of byMember.values()) {
    let current = chunks.at(-1);
    if (!current || current.lines + group.length > CHUNK_LINES) {
      current = { chunk: chunks.length, lines: 0 };
      chunks.push(current);
    }
    for (const line of group) line.chunk = current.chunk;
    current.lines += group.length;
  }
  return chunks;
}
