// Email addresses as the self-referral rule compares them: one person's variants of an address fold into one.

/**
 * Domains whose mailboxes ignore dots in the local part (Gmail, and its old
 * name googlemail.com, which delivers to the same mailbox). Other providers
 * treat `a.b` and `ab` as different people, so dots stay there.
 */
export const DOT_INSENSITIVE_DOMAINS: ReadonlySet<string> = new Set(["gmail.com", "googlemail.com"]);
const DOMAIN_ALIASES: Readonly<Record<string, string>> = { "googlemail.com": "gmail.com" };

/**
 * Lower case; a `+tag` dropped for every domain (Gmail, Outlook, iCloud,
 * Fastmail and most hosted mail deliver `name+tag` to `name`, and a false
 * match only flags a referral for review, never rewards one); dots dropped
 * for the dot-insensitive domains above. Null for something that is not an
 * address, which matches nothing.
 */
export function normalizeEmail(email: string | null | undefined): string | null {
  if (!email) return null;
  const trimmed = email.trim().toLowerCase();
  const at = trimmed.lastIndexOf("@");
  if (at <= 0 || at === trimmed.length - 1) return null;
  let local = trimmed.slice(0, at);
  let domain = trimmed.slice(at + 1);
  const plus = local.indexOf("+");
  if (plus >= 0) local = local.slice(0, plus);
  if (DOT_INSENSITIVE_DOMAINS.has(domain)) local = local.replace(/\./g, "");
  domain = DOMAIN_ALIASES[domain] ?? domain;
  return local ? `${local}@${domain}` : null;
}
