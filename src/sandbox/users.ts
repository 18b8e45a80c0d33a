export interface SandboxUser {
  userName: string
  password: string
  associateId: number
  fullName: string
  email: string
}

/** The one login the sandbox knows; published in its banner, so it is not a secret. */
export const DEMO_USER: Readonly<SandboxUser> = Object.freeze({
  userName: 'demo',
  password: 'demo',
  associateId: 5,
  fullName: 'Demo User',
  email: 'demo@example.com',
})

const USERS: readonly SandboxUser[] = [DEMO_USER]

/** SuperOffice user names are case-insensitive; passwords are not. */
export function findUser(userName: string | undefined, password: string | undefined): SandboxUser | undefined {
  if (!userName || password === undefined) return undefined
  return USERS.find((u) => u.userName.toLowerCase() === userName.trim().toLowerCase() && u.password === password)
}

export function userById(associateId: number): SandboxUser | undefined {
  return USERS.find((u) => u.associateId === associateId)
}
