export function treeHash(root?: string): string
export function writeStamp(root?: string): void
export function isFresh(root?: string): boolean
