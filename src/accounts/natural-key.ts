/**
 * The natural key of an e-mail account: (associate, e-mail address). Kept apart from the index so that
 * views can name a match without loading the wire layer.
 */

/** The key as compared: the associate id, and the address trimmed and lower-cased (addresses are matched case-insensitively, as the server does). */
export function naturalKey(associateId: number, email: string): string {
  return `${associateId} ${email.trim().toLowerCase()}`
}

/** "kari@example.no for kari" (or "for associate 12" when the user name is not at hand): how a natural key is named in messages. */
export function describeKey(associateId: number, email: string, userName?: string): string {
  return `${email.trim()} for ${userName ? userName : `associate ${associateId}`}`
}

/** "#42 (matched kari@example.no for kari)": an account found by its natural key. */
export function describeMatch(id: number, associateId: number, email: string, userName?: string): string {
  return `#${id} (matched ${describeKey(associateId, email, userName)})`
}
