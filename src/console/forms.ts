// Console forms: fields named by the API's own body paths, so the API's `errors[].path` lands beside its field; values become the JSON body the API validates.
import { html, raw } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";

export type Html = HtmlEscapedString | Promise<HtmlEscapedString> | string;

export interface Field {
  /** The body path (dots for nesting), as the API reports it in `errors[].path`. */
  name: string;
  label: string;
  type?: "text" | "number" | "select" | "json" | "list" | "datetime" | "password" | "textarea";
  options?: readonly string[];
  /** What an option shows, by its value (a reward's name for its id). */
  optionLabels?: Record<string, string>;
  required?: boolean;
  hint?: string;
  value?: string;
  /** A JSON field that is the whole body: every error the API reports belongs beside it. */
  wholeBody?: boolean;
}

export interface FieldError {
  path: string;
  message: string;
}

export interface FormState {
  formId: string;
  values: Record<string, string>;
  errors: FieldError[];
  /** The problem's detail, shown above the form. */
  detail?: string;
}

export interface FormSpec {
  id: string;
  action: string;
  submit: string;
  fields: Field[];
  /** Asks the operator before it posts (erase, close a period). */
  confirm?: string;
  danger?: boolean;
}

/**
 * The JSON body of the submitted fields: numbers stay integers, lists split at
 * commas, JSON fields parsed; an empty optional field is left out so the API's
 * default applies. A JSON field that does not parse is the one local error.
 */
export function bodyOf(fields: Field[], values: Record<string, string>): { body: Record<string, unknown>; errors: FieldError[] } {
  const body: Record<string, unknown> = {};
  const errors: FieldError[] = [];
  for (const field of fields) {
    const raw = (values[field.name] ?? "").trim();
    if (raw === "" && field.type !== "text" && field.type !== "textarea") continue;
    if (raw === "" && !field.required) continue;
    let value: unknown = raw;
    if (field.type === "number") value = /^-?\d+$/.test(raw) ? Number(raw) : raw;
    else if (field.type === "list") value = raw.split(",").map((s) => s.trim()).filter(Boolean);
    else if (field.type === "datetime") value = Number.isNaN(Date.parse(raw)) ? raw : new Date(raw).toISOString();
    else if (field.type === "json") {
      try {
        value = JSON.parse(raw);
      } catch {
        errors.push({ path: field.name, message: "not valid JSON" });
        continue;
      }
    } else if (raw === "null" && field.type === "select") value = null;
    setPath(body, field.name, value);
  }
  return { body, errors };
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split(".");
  let node = target;
  for (const part of parts.slice(0, -1)) {
    if (typeof node[part] !== "object" || node[part] === null) node[part] = {};
    node = node[part] as Record<string, unknown>;
  }
  node[parts[parts.length - 1]!] = value;
}

/** Errors of a field: its own path, or a path inside it (a JSON field's members). */
function errorsOf(errors: FieldError[], name: string): FieldError[] {
  return errors.filter((e) => e.path === name || e.path.startsWith(`${name}.`) || e.path.startsWith(`${name}[`));
}

const fieldId = (formId: string, name: string) => `${formId}-${name.replace(/[^A-Za-z0-9_-]/g, "-")}`;

export function renderForm(spec: FormSpec, csrf: string, state?: FormState): Html {
  const mine = state?.formId === spec.id ? state : undefined;
  const errors = mine?.errors ?? [];
  const known = new Set(spec.fields.map((f) => f.name));
  const whole = spec.fields.find((f) => f.wholeBody);
  const loose = whole ? [] : errors.filter((e) => ![...known].some((name) => errorsOf([e], name).length));
  const confirm = spec.confirm ? html` data-confirm="${spec.confirm}"` : "";
  return html`<form method="post" action="${spec.action}" class="card form" id="${spec.id}" novalidate${confirm}>
    <input type="hidden" name="_csrf" value="${csrf}">
    <input type="hidden" name="_form" value="${spec.id}">
    <input type="hidden" name="_idem" value="${crypto.randomUUID()}">
    ${mine && (mine.detail || loose.length)
      ? html`<div class="problem" role="alert" tabindex="-1"><p>${mine.detail ?? "The API refused this."}</p>${loose.length ? html`<ul>${loose.map((e) => html`<li><code>${e.path}</code>: ${e.message}</li>`)}</ul>` : ""}</div>`
      : ""}
    ${spec.fields.map((field) => renderField(spec.id, field, mine?.values[field.name] ?? field.value ?? "", field.wholeBody ? errors : errorsOf(errors, field.name)))}
    <button type="submit"${spec.danger ? raw(' class="danger"') : ""}>${spec.submit}</button>
  </form>`;
}

function renderField(formId: string, field: Field, value: string, errors: FieldError[]): Html {
  const id = fieldId(formId, field.name);
  const described = [field.hint ? `${id}-hint` : "", errors.length ? `${id}-error` : ""].filter(Boolean).join(" ");
  const aria = html`${described ? html` aria-describedby="${described}"` : ""}${errors.length ? raw(' aria-invalid="true"') : ""}${field.required ? raw(" required") : ""}`;
  const name = field.name;
  let control: Html;
  if (field.type === "select") {
    control = html`<select id="${id}" name="${name}"${aria}>${(field.options ?? []).map((o) => html`<option value="${o}"${o === value ? raw(" selected") : ""}>${field.optionLabels?.[o] ?? o}</option>`)}</select>`;
  } else if (field.type === "json" || field.type === "textarea") {
    control = html`<textarea id="${id}" name="${name}" rows="${field.type === "json" ? 5 : 3}" spellcheck="false"${aria}>${value}</textarea>`;
  } else {
    const type = field.type === "number" ? "text" : field.type === "password" ? "password" : "text";
    const mode = field.type === "number" ? raw(' inputmode="numeric"') : "";
    control = html`<input id="${id}" name="${name}" type="${type}" value="${value}" autocomplete="off"${mode}${aria}>`;
  }
  return html`<div class="field${errors.length ? " invalid" : ""}">
    <label for="${id}">${field.label}</label>
    ${control}
    ${field.hint ? html`<small id="${id}-hint">${field.hint}</small>` : ""}
    ${errors.length ? html`<p class="field-error" id="${id}-error">${errors.map((e) => e.message).join("; ")}</p>` : ""}
  </div>`;
}
