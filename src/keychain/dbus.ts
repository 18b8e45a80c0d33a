/**
 * A minimal D-Bus client: just enough to ask the session bus and the Secret Service a few questions
 * before the native keychain library is allowed near them (see keychain.ts). Unix sockets only, SASL
 * EXTERNAL, method calls and their replies; no signals subscriptions, no fd passing.
 *
 * Written by hand because the only job is a bounded probe, and a full D-Bus binding would be a large
 * native or pure-JS dependency for four method calls.
 */
import {EventEmitter} from 'node:events'
import {existsSync, statSync} from 'node:fs'
import {createConnection, type Socket} from 'node:net'
import {join} from 'node:path'

/**
 * Values as this client reads and writes them: strings (s, o, g), numbers (y, n, q, i, u, h, d),
 * bigints (x, t), booleans (b), arrays for arrays and structs, `[key, value]` arrays for dict entries,
 * and {@link DBusVariant} for variants.
 */
export type DBusValue = string | number | bigint | boolean | DBusValue[] | DBusVariant

export interface DBusVariant {
  signature: string
  value: DBusValue
}

export const MessageType = {METHOD_CALL: 1, METHOD_RETURN: 2, ERROR: 3, SIGNAL: 4} as const

export const MessageFlag = {NO_REPLY_EXPECTED: 0x1, NO_AUTO_START: 0x2} as const

export interface DBusMessage {
  type: number
  flags: number
  serial: number
  path?: string
  interface?: string
  member?: string
  errorName?: string
  replySerial?: number
  destination?: string
  sender?: string
  signature: string
  body: DBusValue[]
}

/** The bus or a service answered with an error message. `errorName` is the D-Bus error name. */
export class DBusError extends Error {
  constructor(readonly errorName: string, message: string) {
    super(message)
  }
}

/** The socket could not be reached or the handshake failed. `code` is the errno code when there is one. */
export class DBusConnectError extends Error {
  constructor(message: string, readonly code?: string, options?: {cause?: unknown}) {
    super(message, options)
  }
}

export class DBusTimeoutError extends Error {}

// ---------------------------------------------------------------------------------------------------
// Addresses

export interface UnixBusAddress {
  /** The socket path; an abstract socket name is given with its leading NUL. */
  socketPath: string
  /** The address entry as written, for messages. */
  display: string
}

/**
 * The session bus address the way libdbus and zbus find it: DBUS_SESSION_BUS_ADDRESS, else the
 * systemd user bus at $XDG_RUNTIME_DIR/bus when that socket exists.
 */
export function sessionBusAddress(env: NodeJS.ProcessEnv): string | undefined {
  const fromEnv = env.DBUS_SESSION_BUS_ADDRESS?.trim()
  if (fromEnv) return fromEnv
  const runtime = env.XDG_RUNTIME_DIR
  if (runtime) {
    const candidate = join(runtime, 'bus')
    try {
      if (existsSync(candidate) && statSync(candidate).isSocket()) return `unix:path=${candidate}`
    } catch {
      // unreadable runtime dir: treat as no bus
    }
  }
  return undefined
}

/**
 * The unix-socket entries of a D-Bus address list (`;`-separated, `transport:key=value,...`, values
 * percent-encoded). Other transports (tcp, launchd, autolaunch) are left out: a session bus on Linux
 * is a unix socket, and anything else is beyond this probe.
 */
export function parseBusAddress(address: string): UnixBusAddress[] {
  const result: UnixBusAddress[] = []
  for (const entry of address.split(';')) {
    const colon = entry.indexOf(':')
    if (colon < 0 || entry.slice(0, colon) !== 'unix') continue
    const params = new Map<string, string>()
    for (const pair of entry.slice(colon + 1).split(',')) {
      const eq = pair.indexOf('=')
      if (eq < 0) continue
      let value: string
      try {
        value = decodeURIComponent(pair.slice(eq + 1))
      } catch {
        continue
      }
      params.set(pair.slice(0, eq), value)
    }
    const path = params.get('path')
    const abstract = params.get('abstract')
    if (path) result.push({socketPath: path, display: entry})
    else if (abstract) result.push({socketPath: `\0${abstract}`, display: entry})
  }
  return result
}

// ---------------------------------------------------------------------------------------------------
// Signatures and marshalling (the wire format in the D-Bus specification, "Message Protocol")

const ALIGN: Record<string, number> = {y: 1, b: 4, n: 2, q: 2, i: 4, u: 4, x: 8, t: 8, d: 8, h: 4, s: 4, o: 4, g: 1, a: 4, '(': 8, '{': 8, v: 1}

/** Splits a signature into its complete types: 'sa{sv}(ii)' -> ['s', 'a{sv}', '(ii)']. */
export function splitSignature(signature: string): string[] {
  const types: string[] = []
  let i = 0
  while (i < signature.length) {
    const end = completeTypeEnd(signature, i)
    types.push(signature.slice(i, end))
    i = end
  }
  return types
}

function completeTypeEnd(signature: string, start: number): number {
  const c = signature[start]
  if (c === undefined) throw new Error(`truncated D-Bus signature '${signature}'`)
  if (c === 'a') return completeTypeEnd(signature, start + 1)
  if (c === '(' || c === '{') {
    const close = c === '(' ? ')' : '}'
    let i = start + 1
    while (signature[i] !== close) {
      if (i >= signature.length) throw new Error(`unbalanced D-Bus signature '${signature}'`)
      i = completeTypeEnd(signature, i)
    }
    return i + 1
  }
  if (!(c in ALIGN)) throw new Error(`unsupported D-Bus type '${c}' in '${signature}'`)
  return start + 1
}

class Writer {
  private chunks: Buffer[] = []
  length = 0

  /** `base` is the stream offset of this writer's first byte; alignment is relative to the message. */
  constructor(private readonly base = 0) {}

  bytes(b: Buffer): void {
    this.chunks.push(b)
    this.length += b.length
  }

  align(n: number): void {
    const pad = (n - ((this.base + this.length) % n)) % n
    if (pad) this.bytes(Buffer.alloc(pad))
  }

  fixed(size: number, write: (b: Buffer) => void): void {
    this.align(size)
    const b = Buffer.alloc(size)
    write(b)
    this.bytes(b)
  }

  value(type: string, v: DBusValue): void {
    const c = type[0]
    switch (c) {
      case 'y':
        return this.fixed(1, (b) => b.writeUInt8(num(v, type)))
      case 'b':
        return this.fixed(4, (b) => b.writeUInt32LE(v === true ? 1 : v === false ? 0 : fail(v, type)))
      case 'n':
        return this.fixed(2, (b) => b.writeInt16LE(num(v, type)))
      case 'q':
        return this.fixed(2, (b) => b.writeUInt16LE(num(v, type)))
      case 'i':
        return this.fixed(4, (b) => b.writeInt32LE(num(v, type)))
      case 'u':
      case 'h':
        return this.fixed(4, (b) => b.writeUInt32LE(num(v, type)))
      case 'x':
        return this.fixed(8, (b) => b.writeBigInt64LE(BigInt(num(v, type))))
      case 't':
        return this.fixed(8, (b) => b.writeBigUInt64LE(BigInt(num(v, type))))
      case 'd':
        return this.fixed(8, (b) => b.writeDoubleLE(num(v, type)))
      case 's':
      case 'o': {
        const s = Buffer.from(str(v, type), 'utf8')
        this.fixed(4, (b) => b.writeUInt32LE(s.length))
        this.bytes(Buffer.concat([s, Buffer.alloc(1)]))
        return
      }
      case 'g': {
        const s = Buffer.from(str(v, type), 'utf8')
        this.bytes(Buffer.concat([Buffer.from([s.length]), s, Buffer.alloc(1)]))
        return
      }
      case 'v': {
        if (typeof v !== 'object' || Array.isArray(v)) return fail(v, type)
        this.value('g', v.signature)
        this.value(v.signature, v.value)
        return
      }
      case 'a': {
        if (!Array.isArray(v)) return fail(v, type)
        const element = type.slice(1)
        this.align(4)
        const lengthAt = this.chunks.length
        this.bytes(Buffer.alloc(4))
        // The length excludes the padding up to the first element, so align before measuring.
        this.align(ALIGN[element[0] ?? ''] ?? 1)
        const start = this.length
        for (const item of v) this.value(element, item)
        const lengthBuf = this.chunks[lengthAt]
        lengthBuf?.writeUInt32LE(this.length - start)
        return
      }
      case '(':
      case '{': {
        if (!Array.isArray(v)) return fail(v, type)
        this.align(8)
        const members = splitSignature(type.slice(1, -1))
        if (members.length !== v.length) return fail(v, type)
        members.forEach((m, i) => this.value(m, v[i] as DBusValue))
        return
      }
      default:
        throw new Error(`unsupported D-Bus type '${type}'`)
    }
  }

  toBuffer(): Buffer {
    return Buffer.concat(this.chunks)
  }
}

function num(v: DBusValue, type: string): number {
  if (typeof v === 'number') return v
  if (typeof v === 'bigint') return Number(v)
  return fail(v, type)
}

function str(v: DBusValue, type: string): string {
  return typeof v === 'string' ? v : fail(v, type)
}

function fail(v: DBusValue, type: string): never {
  throw new TypeError(`cannot write ${JSON.stringify(typeof v)} as D-Bus type '${type}'`)
}

class Reader {
  offset: number

  constructor(private readonly buf: Buffer, private readonly little: boolean, start: number, private readonly base = 0) {
    this.offset = start
  }

  align(n: number): void {
    const rel = this.offset - this.base
    this.offset += (n - (rel % n)) % n
  }

  need(n: number): void {
    if (this.offset + n > this.buf.length) throw new Error('D-Bus message is truncated')
  }

  u8(): number {
    this.need(1)
    return this.buf.readUInt8(this.offset++)
  }

  u32(): number {
    this.align(4)
    this.need(4)
    const v = this.little ? this.buf.readUInt32LE(this.offset) : this.buf.readUInt32BE(this.offset)
    this.offset += 4
    return v
  }

  value(type: string): DBusValue {
    const c = type[0]
    const b = this.buf
    const le = this.little
    const take = <T>(size: number, read: (at: number) => T): T => {
      this.align(size)
      this.need(size)
      const v = read(this.offset)
      this.offset += size
      return v
    }
    switch (c) {
      case 'y':
        return this.u8()
      case 'b':
        return this.u32() !== 0
      case 'n':
        return take(2, (at) => (le ? b.readInt16LE(at) : b.readInt16BE(at)))
      case 'q':
        return take(2, (at) => (le ? b.readUInt16LE(at) : b.readUInt16BE(at)))
      case 'i':
        return take(4, (at) => (le ? b.readInt32LE(at) : b.readInt32BE(at)))
      case 'u':
      case 'h':
        return this.u32()
      case 'x':
        return take(8, (at) => (le ? b.readBigInt64LE(at) : b.readBigInt64BE(at)))
      case 't':
        return take(8, (at) => (le ? b.readBigUInt64LE(at) : b.readBigUInt64BE(at)))
      case 'd':
        return take(8, (at) => (le ? b.readDoubleLE(at) : b.readDoubleBE(at)))
      case 's':
      case 'o': {
        const len = this.u32()
        this.need(len + 1)
        const s = b.toString('utf8', this.offset, this.offset + len)
        this.offset += len + 1
        return s
      }
      case 'g': {
        const len = this.u8()
        this.need(len + 1)
        const s = b.toString('latin1', this.offset, this.offset + len)
        this.offset += len + 1
        return s
      }
      case 'v': {
        const signature = this.value('g') as string
        return {signature, value: this.value(signature)}
      }
      case 'a': {
        const len = this.u32()
        const element = type.slice(1)
        this.align(ALIGN[element[0] ?? ''] ?? 1)
        const end = this.offset + len
        this.need(len)
        const items: DBusValue[] = []
        while (this.offset < end) items.push(this.value(element))
        return items
      }
      case '(':
      case '{': {
        this.align(8)
        return splitSignature(type.slice(1, -1)).map((m) => this.value(m))
      }
      default:
        throw new Error(`unsupported D-Bus type '${type}'`)
    }
  }
}

const FIELD = {PATH: 1, INTERFACE: 2, MEMBER: 3, ERROR_NAME: 4, REPLY_SERIAL: 5, DESTINATION: 6, SENDER: 7, SIGNATURE: 8} as const

/** Marshals a message in little-endian order. */
export function encodeMessage(m: Omit<DBusMessage, 'signature' | 'body'> & {signature?: string; body?: DBusValue[]}): Buffer {
  const signature = m.signature ?? ''
  const bodyTypes = splitSignature(signature)
  const body = m.body ?? []
  if (bodyTypes.length !== body.length) throw new TypeError(`D-Bus body has ${body.length} values for signature '${signature}'`)
  const bodyWriter = new Writer()
  bodyTypes.forEach((t, i) => bodyWriter.value(t, body[i] as DBusValue))
  const bodyBuf = bodyWriter.toBuffer()

  const fields: DBusValue[] = []
  const field = (code: number, type: string, value: string | number | undefined) => {
    if (value !== undefined) fields.push([code, {signature: type, value}])
  }
  field(FIELD.PATH, 'o', m.path)
  field(FIELD.INTERFACE, 's', m.interface)
  field(FIELD.MEMBER, 's', m.member)
  field(FIELD.ERROR_NAME, 's', m.errorName)
  field(FIELD.REPLY_SERIAL, 'u', m.replySerial)
  field(FIELD.DESTINATION, 's', m.destination)
  field(FIELD.SENDER, 's', m.sender)
  if (signature) field(FIELD.SIGNATURE, 'g', signature)

  const header = new Writer()
  header.value('y', 'l'.charCodeAt(0))
  header.value('y', m.type)
  header.value('y', m.flags)
  header.value('y', 1)
  header.value('u', bodyBuf.length)
  header.value('u', m.serial)
  header.value('a(yv)', fields)
  header.align(8)
  return Buffer.concat([header.toBuffer(), bodyBuf])
}

/** Bytes needed for the whole message starting at buf[0], or undefined while the fixed header is incomplete. */
export function messageLength(buf: Buffer): number | undefined {
  if (buf.length < 16) return undefined
  const little = buf[0] === 0x6c
  if (!little && buf[0] !== 0x42) throw new Error('not a D-Bus message (bad endianness byte)')
  const bodyLen = little ? buf.readUInt32LE(4) : buf.readUInt32BE(4)
  const fieldsLen = little ? buf.readUInt32LE(12) : buf.readUInt32BE(12)
  const headerLen = 16 + fieldsLen + ((8 - ((16 + fieldsLen) % 8)) % 8)
  return headerLen + bodyLen
}

export function decodeMessage(buf: Buffer): DBusMessage {
  const little = buf[0] === 0x6c
  const r = new Reader(buf, little, 1)
  const type = r.u8()
  const flags = r.u8()
  r.u8() // protocol version
  const bodyLen = r.u32()
  const serial = r.u32()
  const fields = r.value('a(yv)') as [number, DBusVariant][]
  r.align(8)
  const m: DBusMessage = {type, flags, serial, signature: '', body: []}
  for (const [code, {value}] of fields) {
    if (code === FIELD.PATH) m.path = value as string
    else if (code === FIELD.INTERFACE) m.interface = value as string
    else if (code === FIELD.MEMBER) m.member = value as string
    else if (code === FIELD.ERROR_NAME) m.errorName = value as string
    else if (code === FIELD.REPLY_SERIAL) m.replySerial = value as number
    else if (code === FIELD.DESTINATION) m.destination = value as string
    else if (code === FIELD.SENDER) m.sender = value as string
    else if (code === FIELD.SIGNATURE) m.signature = value as string
  }
  const bodyStart = r.offset
  if (bodyStart + bodyLen > buf.length) throw new Error('D-Bus message is truncated')
  const body = new Reader(buf.subarray(0, bodyStart + bodyLen), little, bodyStart, bodyStart)
  m.body = splitSignature(m.signature).map((t) => body.value(t))
  return m
}

// ---------------------------------------------------------------------------------------------------
// Connection

export interface MethodCall {
  destination?: string
  path: string
  interface?: string
  member: string
  signature?: string
  body?: DBusValue[]
  /** Don't let the bus start an activatable service for this call. */
  noAutoStart?: boolean
}

export interface ConnectOptions {
  /** Aborts the connection attempt and, later, every pending call. */
  signal?: AbortSignal
  /** The numeric user id sent in SASL EXTERNAL; defaults to the process's. */
  uid?: number
}

/**
 * One authenticated connection to a bus. Emits 'message' for method calls and signals addressed to it
 * (replies go to the promise of their call) and 'close' when the socket ends.
 */
export class DBusConnection extends EventEmitter {
  uniqueName = ''
  private serial = 0
  private readonly pending = new Map<number, {resolve: (body: DBusValue[]) => void; reject: (e: Error) => void}>()
  private buffer: Buffer = Buffer.alloc(0)
  private closed = false

  private constructor(private readonly socket: Socket, private readonly signal?: AbortSignal) {
    super()
    socket.on('data', (chunk: Buffer) => this.onData(chunk))
    socket.on('close', () => this.shutdown(new DBusConnectError('the D-Bus connection was closed')))
    socket.on('error', (e) => this.shutdown(new DBusConnectError(`D-Bus connection failed: ${e.message}`, errnoCode(e), {cause: e})))
    signal?.addEventListener('abort', this.onAbort, {once: true})
  }

  private readonly onAbort = () => this.shutdown(new DBusTimeoutError('the D-Bus call was aborted (timed out)'))

  /** Connects to the first reachable unix socket of `address`, authenticates and says Hello. */
  static async connect(address: string, options: ConnectOptions = {}): Promise<DBusConnection> {
    const candidates = parseBusAddress(address)
    if (candidates.length === 0) throw new DBusConnectError(`no usable unix socket in the D-Bus address '${address}'`, 'EADDRNOTAVAIL')
    let lastError: unknown
    for (const candidate of candidates) {
      if (candidate.socketPath.startsWith('\0') && !abstractSocketsWork()) {
        lastError = new DBusConnectError(
          `cannot connect to the D-Bus session bus at ${candidate.display}: this Node.js ${process.version} (libuv ${process.versions.uv}) cannot reach abstract-namespace sockets; ` +
            'use Node.js 22 or later, or a session bus at a unix:path= address',
          'EAFNOSUPPORT',
        )
        continue
      }
      try {
        const socket = await openSocket(candidate, options)
        const conn = new DBusConnection(socket, options.signal)
        try {
          const [name] = await conn.call({destination: 'org.freedesktop.DBus', path: '/org/freedesktop/DBus', interface: 'org.freedesktop.DBus', member: 'Hello'})
          conn.uniqueName = String(name)
          return conn
        } catch (e) {
          conn.close()
          throw e
        }
      } catch (e) {
        if (e instanceof DBusTimeoutError) throw e
        lastError = e
      }
    }
    throw lastError
  }

  call(c: MethodCall): Promise<DBusValue[]> {
    if (this.closed) return Promise.reject(new DBusConnectError('the D-Bus connection is closed'))
    const serial = ++this.serial
    const buf = encodeMessage({
      type: MessageType.METHOD_CALL,
      flags: c.noAutoStart ? MessageFlag.NO_AUTO_START : 0,
      serial,
      destination: c.destination,
      path: c.path,
      interface: c.interface,
      member: c.member,
      signature: c.signature,
      body: c.body,
    })
    return new Promise((resolve, reject) => {
      this.pending.set(serial, {resolve, reject})
      this.socket.write(buf)
    })
  }

  /** Sends a message as is (replies to incoming calls, RequestName from tests). Returns its serial. */
  send(m: Omit<DBusMessage, 'serial' | 'signature' | 'body'> & {signature?: string; body?: DBusValue[]}): number {
    const serial = ++this.serial
    if (!this.closed) this.socket.write(encodeMessage({...m, serial}))
    return serial
  }

  close(): void {
    this.shutdown(new DBusConnectError('the D-Bus connection was closed'))
  }

  private shutdown(error: Error): void {
    if (this.closed) return
    this.closed = true
    this.signal?.removeEventListener('abort', this.onAbort)
    this.socket.destroy()
    for (const p of this.pending.values()) p.reject(error)
    this.pending.clear()
    this.emit('close')
  }

  private onData(chunk: Buffer): void {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk
    try {
      for (;;) {
        const len = messageLength(this.buffer)
        if (len === undefined || this.buffer.length < len) return
        if (len > 128 * 1024 * 1024) throw new Error('D-Bus message is too large')
        const message = decodeMessage(this.buffer.subarray(0, len))
        this.buffer = this.buffer.subarray(len)
        this.dispatch(message)
      }
    } catch (e) {
      this.shutdown(new DBusConnectError(`unreadable D-Bus message: ${(e as Error).message}`, undefined, {cause: e}))
    }
  }

  private dispatch(m: DBusMessage): void {
    if ((m.type === MessageType.METHOD_RETURN || m.type === MessageType.ERROR) && m.replySerial !== undefined) {
      const p = this.pending.get(m.replySerial)
      if (!p) return
      this.pending.delete(m.replySerial)
      if (m.type === MessageType.METHOD_RETURN) p.resolve(m.body)
      else p.reject(new DBusError(m.errorName ?? 'org.freedesktop.DBus.Error.Failed', typeof m.body[0] === 'string' ? m.body[0] : (m.errorName ?? 'D-Bus error')))
      return
    }
    this.emit('message', m)
  }
}

/**
 * libuv before 1.48 (Node.js 20) pads abstract socket names to the full sun_path length, so it only
 * reaches abstract sockets created by itself, never the bus daemon's.
 */
export function abstractSocketsWork(): boolean {
  const [major = 0, minor = 0] = (process.versions.uv ?? '').split('.').map(Number)
  return process.platform === 'linux' && (major > 1 || (major === 1 && minor >= 48))
}

function errnoCode(e: unknown): string | undefined {
  const code = (e as NodeJS.ErrnoException | undefined)?.code
  return typeof code === 'string' ? code : undefined
}

/** Opens the socket and runs the SASL EXTERNAL handshake up to BEGIN. */
function openSocket(address: UnixBusAddress, options: ConnectOptions): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const {signal} = options
    if (signal?.aborted) return reject(new DBusTimeoutError('the D-Bus connection attempt timed out'))
    const socket = createConnection({path: address.socketPath})
    let received = ''
    let settled = false
    const finish = (error?: Error) => {
      if (settled) return
      settled = true
      signal?.removeEventListener('abort', onAbort)
      socket.off('data', onData)
      socket.off('error', onError)
      socket.off('close', onClose)
      if (error) {
        socket.destroy()
        reject(error)
      } else resolve(socket)
    }
    const onAbort = () => finish(new DBusTimeoutError(`no answer from the D-Bus socket ${address.display} in time`))
    const onError = (e: Error) => {
      const code = errnoCode(e)
      const why = code === 'ENOENT' ? 'the socket does not exist' : code === 'ECONNREFUSED' ? 'nothing is listening on it' : e.message
      finish(new DBusConnectError(`cannot connect to the D-Bus session bus at ${address.display}: ${why}`, code, {cause: e}))
    }
    const onClose = () => finish(new DBusConnectError(`the D-Bus session bus at ${address.display} closed the connection during authentication`))
    const onData = (chunk: Buffer) => {
      received += chunk.toString('latin1')
      const eol = received.indexOf('\r\n')
      if (eol < 0) {
        if (received.length > 4096) finish(new DBusConnectError('the D-Bus authentication answer is malformed'))
        return
      }
      const line = received.slice(0, eol)
      if (!line.startsWith('OK ')) return finish(new DBusConnectError(`the D-Bus session bus at ${address.display} rejected the authentication (${line.slice(0, 80)})`, 'EACCES'))
      // The bus sends nothing more until it sees our first message, so nothing after the line is lost.
      socket.write('BEGIN\r\n')
      finish()
    }
    signal?.addEventListener('abort', onAbort, {once: true})
    socket.on('error', onError)
    socket.on('close', onClose)
    socket.on('data', onData)
    socket.on('connect', () => {
      const uid = options.uid ?? process.getuid?.() ?? 0
      socket.write(`\0AUTH EXTERNAL ${Buffer.from(String(uid), 'ascii').toString('hex')}\r\n`)
    })
  })
}
