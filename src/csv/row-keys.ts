/**
 * Hashing and the compact key sets behind duplicate detection and the resume check. A million rows must
 * fit in a bounded amount of memory, so nothing here keeps strings: keys are 64-bit hashes in typed arrays.
 */

// Two 32-bit lanes (the cyrb53 construction, both lanes kept). Kept in a typed array rather than object
// fields so that updating them per character allocates nothing.
const lanes = new Int32Array(2)

/** Starts a hash; `seed` separates unrelated uses (row hash, e-mail key) so they cannot be confused. */
export function hashStart(seed: number): void {
  lanes[0] = 0xdeadbeef ^ seed
  lanes[1] = 0x41c6ce57 ^ seed
}

/** Adds one value; undefined and '' hash alike (both mean "not given"), and a separator keeps ["ab",""] apart from ["a","b"]. */
export function hashAdd(text: string | undefined): void {
  let h1 = lanes[0] as number
  let h2 = lanes[1] as number
  if (text !== undefined) {
    for (let i = 0; i < text.length; i++) {
      const ch = text.charCodeAt(i)
      h1 = Math.imul(h1 ^ ch, 2654435761)
      h2 = Math.imul(h2 ^ ch, 1597334677)
    }
  }
  // U+FFFF is a noncharacter: it never occurs in a value that passes validation.
  lanes[0] = Math.imul(h1 ^ 0xffff, 2654435761)
  lanes[1] = Math.imul(h2 ^ 0xffff, 1597334677)
}

/** Finishes the hash into lanes 0 and 1 (unsigned via hashHigh/hashLow). */
export function hashFinish(): void {
  let h1 = lanes[0] as number
  let h2 = lanes[1] as number
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507)
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909)
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507)
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909)
  lanes[0] = h1
  lanes[1] = h2
}

export const hashHigh = (): number => (lanes[1] as number) >>> 0
export const hashLow = (): number => (lanes[0] as number) >>> 0

/** The finished hash as 16 hex digits; built in one call because Number#toString(16) was a seventh of pre-flight time. */
export function hashHex(): string {
  const hi = lanes[1] as number
  const lo = lanes[0] as number
  return String.fromCharCode(
    hex(hi >>> 28), hex((hi >>> 24) & 15), hex((hi >>> 20) & 15), hex((hi >>> 16) & 15),
    hex((hi >>> 12) & 15), hex((hi >>> 8) & 15), hex((hi >>> 4) & 15), hex(hi & 15),
    hex(lo >>> 28), hex((lo >>> 24) & 15), hex((lo >>> 20) & 15), hex((lo >>> 16) & 15),
    hex((lo >>> 12) & 15), hex((lo >>> 8) & 15), hex((lo >>> 4) & 15), hex(lo & 15),
  )
}

const hex = (nibble: number): number => (nibble < 10 ? 48 + nibble : 87 + nibble)

/** ES2024 resizable ArrayBuffer (Node 20+), which lib ES2023 does not describe. */
interface ResizableBuffer extends ArrayBuffer {
  readonly maxByteLength: number
  resize(byteLength: number): void
}
const ResizableArrayBuffer = ArrayBuffer as unknown as new (byteLength: number, options: {maxByteLength: number}) => ResizableBuffer

/**
 * A resizable ArrayBuffer and a length-tracking view of it. Growing commits pages in place (no copy, no
 * old buffer left for the garbage collector), and release() hands the memory back at once: V8 counts these
 * buffers as external memory only loosely, so waiting for a collection could keep tens of MB resident.
 */
class GrowableUint32 {
  private buffer: ResizableBuffer
  view: Uint32Array

  constructor(length: number, maxLength: number) {
    this.buffer = new ResizableArrayBuffer(length * 4, {maxByteLength: maxLength * 4})
    this.view = new Uint32Array(this.buffer)
  }

  /** Grows to at least `length` elements; new elements are 0. */
  grow(length: number): void {
    const bytes = length * 4
    if (bytes <= this.buffer.maxByteLength) {
      this.buffer.resize(bytes)
      return
    }
    // Past the reservation (tens of millions of rows): move to a larger one, once.
    const next = new ResizableArrayBuffer(bytes, {maxByteLength: bytes * 2})
    new Uint32Array(next).set(this.view)
    this.buffer = next
    this.view = new Uint32Array(next)
  }

  /** Zeroes the first `length` elements and drops the rest. */
  reset(length: number): void {
    this.buffer.resize(0)
    this.buffer.resize(length * 4)
  }
}

// Virtual reservations only; pages are committed as the tables grow. Enough for 16 million keys.
const MAX_KEYS = 1 << 24
const FIRST_BITS = 12

/**
 * A set of 64-bit keys, each with the line that brought it first, in 12 bytes a key plus a 4-byte index
 * slot (at most 3/4 full): about 20 MB for a million keys. Entries (hi, lo, line) are appended in order; an
 * open-addressing index of entry numbers finds them. Call release() when done to give the memory back.
 */
export class KeyTable {
  private readonly entries = new GrowableUint32(3 << FIRST_BITS, 3 * MAX_KEYS)
  private count = 0
  private bits = FIRST_BITS
  /** Entry number + 1 per slot; 0 is an empty slot. */
  private readonly index = new GrowableUint32(1 << FIRST_BITS, 2 * MAX_KEYS)

  get size(): number {
    return this.count
  }

  /** The line that added this key before, or 0 after adding it now with `line`. */
  firstLine(hi: number, lo: number, line: number): number {
    const mask = (1 << this.bits) - 1
    const index = this.index.view
    let entries = this.entries.view
    let slot = this.slotOf(hi, lo)
    for (;;) {
      const entry = index[slot] as number
      if (entry === 0) break
      const at = (entry - 1) * 3
      if (entries[at + 1] === lo && entries[at] === hi) return entries[at + 2] as number
      slot = (slot + 1) & mask
    }
    const n = this.count++
    const at = n * 3
    if (at + 3 > entries.length) {
      this.entries.grow(entries.length * 2)
      entries = this.entries.view
    }
    entries[at] = hi
    entries[at + 1] = lo
    entries[at + 2] = line
    index[slot] = n + 1
    if (this.count * 4 >= 3 << this.bits) this.rebuild(this.bits + 1)
    return 0
  }

  /** Gives the memory back; the table is empty afterwards. */
  release(): void {
    this.count = 0
    this.bits = FIRST_BITS
    this.entries.reset(3 << FIRST_BITS)
    this.index.reset(1 << FIRST_BITS)
  }

  // Fibonacci hashing: ids are often consecutive, and the multiply spreads them over the index.
  private slotOf(hi: number, lo: number): number {
    return Math.imul(lo ^ Math.imul(hi, 0x85ebca6b), 0x9e3779b1) >>> (32 - this.bits)
  }

  /** Re-inserts every entry into an index of 2^bits slots, in place. */
  private rebuild(bits: number): void {
    this.bits = bits
    this.index.reset(0)
    this.index.grow(1 << bits)
    const index = this.index.view
    const entries = this.entries.view
    const mask = (1 << bits) - 1
    for (let n = 0; n < this.count; n++) {
      let slot = this.slotOf(entries[n * 3] as number, entries[n * 3 + 1] as number)
      while (index[slot] !== 0) slot = (slot + 1) & mask
      index[slot] = n + 1
    }
  }
}
