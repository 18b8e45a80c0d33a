/** What a user asks to set on an account; every member is optional, and unset means "keep". */
export interface ServerInput {
  server?: string
  port?: number
  authType?: string
  username?: string
  password?: string
}

export interface AccountInput {
  email?: string
  associateId?: number
  imap: ServerInput
  smtp: ServerInput
}

export const SIDES = ['imap', 'smtp'] as const
export type Side = (typeof SIDES)[number]

export const SERVER_KEYS = ['server', 'port', 'authType', 'username', 'password'] as const
export type ServerKey = (typeof SERVER_KEYS)[number]

/** The flag that sets a field, so messages name what the user typed. */
export function flagName(side: Side, key: ServerKey): string {
  return `--${side}-${key === 'authType' ? 'auth-type' : key}`
}

export const DEFAULT_PORTS: Record<Side, number> = {imap: 993, smtp: 587}
