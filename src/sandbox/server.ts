import {createServer, type IncomingMessage, type Server, type ServerResponse} from 'node:http'
import {createServer as createTlsServer, type Server as TlsServer} from 'node:https'
import type {AddressInfo, Socket} from 'node:net'
import {performance} from 'node:perf_hooks'
import {PunctualTimer} from './punctual-timer.js'
import {CapacityGate, type CapacityStats, type SandboxCapacity} from './capacity.js'
import type {EMailAccount} from '../soap/account-model.js'
import {endpointUrl} from '../soap/versions.js'
import {DataFileWriter, loadDataFile, SandboxDataError} from './data-file.js'
import {dispatch} from './dispatch.js'
import {DEFAULT_MAIL_TIMEOUT_MS, type MailCheckOptions} from './mail-check.js'
import {FAULT_LABELS, FAULTS_BEFORE_ACTING, FaultInjector, type ActiveFaults, type FaultKind, type SandboxFaults} from './faults.js'
import {internalServerErrorPage, methodNotAllowedPage, notFoundPage, serviceHelpPage, serviceUnavailablePage, wsdlDocument} from './pages.js'
import {checkRequest} from './request-check.js'
import {faultReply, type HttpReply} from './responses.js'
import {createLoginService, type SystemUserRegistration} from './partner-service.js'
import {BASE_PATH, matchLoginRoute, matchRoute, wantsWsdl} from './routes.js'
import {emptyState, SandboxStore} from './store.js'
import {DEMO_DIRECTORY, UserDirectory} from './user-directory.js'
import {DEMO_USER} from './users.js'

export {SandboxDataError} from './data-file.js'
export {loadUserDirectory, SandboxUsersError, UserDirectory, DEMO_DIRECTORY, type DirectoryUser} from './user-directory.js'
export type {ActiveFaults, FaultKind, FaultRates, SandboxFaults} from './faults.js'
export type {CapacityStats, SandboxCapacity} from './capacity.js'

export interface SandboxOptions {
  /** 0 = any free port (default 0). */
  port?: number
  /** Default 127.0.0.1. */
  host?: string
  /** Persist the store as JSON here: loaded at start if it exists, rewritten atomically (mode 0600) after each change. */
  dataFile?: string
  /** Default true: validate every request envelope against the published XSDs. */
  schemaCheck?: boolean
  /** How long after a request arrives its answer leaves at the earliest, to make timeouts and progress visible (default 0). */
  latencyMs?: number
  /**
   * Fault injection for rehearsing a flaky server: random latency, 5xx, throttling, connection resets and
   * hung requests before or after the store acts, and ticket expiry. Absent, nothing of it runs.
   */
  faults?: SandboxFaults
  /**
   * A server that can be overloaded: at most `limit` POSTs worked on at once (each for its latency, counted
   * from when its turn comes), `queue` more waiting, 503 with Retry-After beyond that; a waiting request
   * whose client gave up is dropped unexecuted. Absent, every request is worked on at once.
   */
  capacity?: SandboxCapacity
  /**
   * The associates Archive.svc lists and SaveEMailAccount accepts as owners (default: the built-in demo
   * directory, DEMO_DIRECTORY; `soemail sandbox --users FILE` loads one with loadUserDirectory).
   */
  users?: UserDirectory
  /** One line per request (method, path, operation, status, ms) and data-file problems; never a secret. */
  log?: (line: string) => void
  /** Online system users PartnerSystemUserService accepts (at /login, beside /SuperOffice). */
  systemUsers?: SystemUserRegistration[]
  /** Lifetime of the JWTs it answers with (default 3600); negative makes them expired on arrival. */
  jwtLifetimeSeconds?: number
  /** 'rogue' signs those JWTs with a key the JWKS does not list (default 'sandbox'). */
  jwtSigningKey?: 'sandbox' | 'rogue'
  /** Serve https:// with this PEM key and certificate (chain) instead of http://, e.g. to rehearse a private CA. */
  tls?: {key: string; cert: string}
  /**
   * How AuthenticateIncoming/AuthenticateOutgoing reach mail servers: only loopback unless `allowRemote`,
   * trusting `ca` (PEM) besides Node's roots, each test bounded by `timeoutMs` (default 15 s); HasMXRecord
   * asks `dnsServers` when given. Reasons for a false answer go to `log`.
   */
  mail?: {allowRemote?: boolean; ca?: string; timeoutMs?: number; dnsServers?: string[]}
}

export interface Sandbox {
  /** Base URL, e.g. http://127.0.0.1:PORT/SuperOffice (https:// with `tls`); clients append /Remote/Services87/EMail.svc. */
  url: string
  demoUser: {userName: string; password: string; associateId: number; fullName: string; email: string}
  /** A live ticket made at start, so scripts can call EMail without logging in. */
  demoTicket: string
  /** Stops accepting, ends keep-alive connections, and writes the data file. */
  close(): Promise<void>
  /** A copy of the stored accounts, by id. */
  accounts(): EMailAccount[]
  /** Makes every ticket issued so far invalid (for rehearsing expired sessions). */
  expireTickets(): void
  /**
   * Sets what the sync service records about an account: AccountStatus (0 Unknown, 1 Deleted, 2 Failing,
   * 3 Failed, 4 Ok), ErrorCount, ErrorReason. Deleted and Failed accounts drop out of GetReadySyncEmailAccounts.
   */
  setSyncState(id: number, state: {accountStatus: number; errorCount?: number; errorReason?: string; lastFetch?: string}): boolean
  /** Counters since start (faults switched on or not). */
  stats(): SandboxStats
  /**
   * Replaces the faults while running; undefined switches them off. Without a `seed` the random streams
   * carry on, so a run that changes faults mid-way still replays from its first seed; the ticket-expiry
   * count starts over. Throws RangeError on a bad value, leaving the faults as they were.
   */
  setFaults(faults: SandboxFaults | undefined): void
  /** The faults in force with the seed resolved (to print, or to pass back for a replay); undefined when off. */
  activeFaults(): ActiveFaults | undefined
  /**
   * Changes how many requests are worked on at once while running (rehearsing a server that slows down or
   * recovers); without --capacity at start, it starts limiting now, with a queue as long as `limit`.
   * Throws RangeError unless `limit` is a whole number >= 1.
   */
  setCapacity(limit: number): void
}

export interface SandboxStats {
  /** Every HTTP request received. */
  requests: number
  /** Requests by operation name (SOAP operation, `wsdl`, or `-`), whether they succeeded, failed or were faulted. */
  byOperation: Record<string, number>
  /** Injected faults by kind (a FaultKind, or `ticketExpiry` each time the tickets were expired). */
  faults: Record<string, number>
  /** Requests that created, updated or deleted an account; a login's new ticket does not count. */
  acted: number
  /** With a capacity: requests turned away, dropped unexecuted, queued, and the peaks. */
  capacity?: CapacityStats
}

/** Larger than any account request; a bigger body is refused before it is parsed. */
const MAX_BODY_BYTES = 1024 * 1024
/** How long close() lets requests in progress finish before it cuts their connections. */
const CLOSE_GRACE_MS = 2000

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const log = options.log ?? (() => {})
  const schemaCheck = options.schemaCheck ?? true
  const latencyMs = Math.max(0, options.latencyMs ?? 0)
  const users = options.users ?? new UserDirectory(DEMO_DIRECTORY)
  const mail: MailCheckOptions = {
    allowRemote: options.mail?.allowRemote ?? false,
    ca: options.mail?.ca,
    timeoutMs: options.mail?.timeoutMs ?? DEFAULT_MAIL_TIMEOUT_MS,
    dnsServers: options.mail?.dnsServers,
    log,
  }

  let writer: DataFileWriter | undefined
  const store = new SandboxStore(options.dataFile ? loadDataFile(options.dataFile) : emptyState(), {
    changed: () => writer?.schedule(),
    touched: () => writer?.markDirty(),
  })
  if (options.dataFile) {
    writer = new DataFileWriter(options.dataFile, () => store.snapshot(), (error) => log(`data file ${options.dataFile} not written: ${errorText(error)}`))
  }

  let injector = options.faults ? new FaultInjector(options.faults) : undefined
  // `injector` outlives setFaults(undefined) so switching faults back on continues its random streams.
  let faults = injector
  const stats: SandboxStats = {requests: 0, byOperation: {}, faults: {}, acted: 0}
  let gate = options.capacity ? new CapacityGate(options.capacity) : undefined
  const timer = new PunctualTimer()
  const countFault = (kind: FaultKind | 'ticketExpiry') => (stats.faults[kind] = (stats.faults[kind] ?? 0) + 1)
  /** Sockets of requests held without an answer, cut at close() instead of waiting out the grace period. */
  const held = new Set<Socket>()

  let closing = false
  let url = ''
  const login = createLoginService({
    store,
    systemUsers: options.systemUsers ?? [],
    jwtLifetimeSeconds: options.jwtLifetimeSeconds ?? 3600,
    jwtSigningKey: options.jwtSigningKey ?? 'sandbox',
    sandboxUrl: () => url,
  })
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch((error: unknown) => {
      log(`internal error: ${errorText(error)}`)
      if (!res.headersSent) send(res, faultReply('Server', 'The sandbox failed to process the request.'), closing)
      else res.destroy()
    })
  }
  const server = options.tls ? createTlsServer({key: options.tls.key, cert: options.tls.cert}, onRequest) : createServer(onRequest)

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now()
    stats.requests++
    const method = req.method ?? 'GET'
    const {pathname, search} = new URL(req.url ?? '/', 'http://sandbox.invalid')
    const route = matchRoute(pathname)
    const loginRoute = matchLoginRoute(pathname)
    const logLine = (operation: string, status: number | string, note?: string) =>
      log(`${method} ${printable(pathname)} ${operation} ${status} ${Math.round(performance.now() - started)}ms${note ? ` ${note}` : ''}`)

    // Drawn before the first await, so draws follow arrival order and a seed replays the same faults.
    const soapAction = headerValue(req.headers.soapaction)
    const active = faults
    let delay = latencyMs
    let fault: FaultKind | undefined
    if (active) {
      delay += active.latency()
      if (method === 'POST' && (route || loginRoute)) fault = active.draw(route?.service ?? 'login', actionName(soapAction))
    }
    // Taken before the first await too, so requests queue in the order they arrived.
    const admission = gate && method === 'POST' && (route || loginRoute) ? gate.enter(() => clientGone(req), (gone) => res.once('close', gone)) : undefined
    const admitted = admission instanceof Promise ? await admission : admission
    if (admitted?.kind === 'full') {
      countOperation(actionName(soapAction))
      await readBody(req).catch(() => undefined)
      send(res, serviceUnavailablePage(1), closing)
      logLine(actionName(soapAction), 503, `server busy (${gate!.limit} at work, ${gate!.queue} waiting)`)
      return
    }
    if (admitted?.kind === 'gone') {
      countOperation(actionName(soapAction))
      logLine(actionName(soapAction), '-', 'dropped unexecuted: the client gave up while it waited')
      return
    }
    try {
      await work(req, res, {started: admitted ? performance.now() : started, route, loginRoute, method, search, soapAction, active, delay, fault, logLine})
    } finally {
      if (admitted?.kind === 'go') admitted.release()
    }
  }

  interface Work {
    /** When the request's turn came: its latency counts from here. */
    started: number
    route: ReturnType<typeof matchRoute>
    loginRoute: ReturnType<typeof matchLoginRoute>
    method: string
    search: string
    soapAction: string | undefined
    active: FaultInjector | undefined
    delay: number
    fault: FaultKind | undefined
    logLine: (operation: string, status: number | string, note?: string) => void
  }

  async function work(req: IncomingMessage, res: ServerResponse, {started, route, loginRoute, method, search, soapAction, active, delay, fault, logLine}: Work): Promise<void> {
    if (fault && FAULTS_BEFORE_ACTING.has(fault)) {
      const operation = actionName(soapAction)
      countOperation(operation)
      countFault(fault)
      await faultBeforeActing(fault, req, res, delay, started)
      logLine(operation, fault === 'serverError' ? 500 : fault === 'throttle' ? 503 : '-', FAULT_LABELS[fault])
      return
    }

    let operation = '-'
    let reply: HttpReply
    if (loginRoute) {
      const contentType = headerValue(req.headers['content-type'])
      const handled = await login.handle(loginRoute, {method, search, contentType, soapAction, readBody: () => readBody(req)})
      reply = handled.reply
      operation = handled.operation
    } else if (!route) {
      reply = notFoundPage()
    } else if (method === 'GET' || method === 'HEAD') {
      const endpoint = endpointUrl(url, route.version, route.service)
      reply = wantsWsdl(search) ? wsdlDocument(route.version, route.service, endpoint) : serviceHelpPage(route.service, endpoint)
      if (wantsWsdl(search)) operation = 'wsdl'
    } else if (method === 'POST') {
      operation = actionName(soapAction)
      const body = await readBody(req)
      if (!body) {
        reply = {status: 413, headers: {connection: 'close'}, body: ''}
      } else {
        const outcome = await checkRequest(
          {version: route.version, service: route.service, contentType: headerValue(req.headers['content-type']), soapAction, body},
          {schemaCheck},
        )
        if (outcome.request) {
          const request = outcome.request
          operation = request.operation.name
          let expire = false
          const counter = active?.countsTickets ? active : undefined
          const onAuthenticated = counter && (() => {
            expire = counter.authenticated(request.service, request.operation.name)
          })
          // The store acts synchronously inside dispatch (only the login tests answer later, and they write
          // nothing), so the difference is this request's own doing.
          const writes = store.accountWrites
          const dispatched = dispatch(request, store, (error) => log(`internal error in ${request.operation.name}: ${errorText(error)}`), onAuthenticated, users, mail)
          if (store.accountWrites !== writes) stats.acted++
          reply = await dispatched
          if (expire) {
            store.expireSessions()
            countFault('ticketExpiry')
          }
        } else {
          reply = outcome.reply
        }
      }
    } else {
      reply = methodNotAllowedPage()
    }
    countOperation(operation)
    if (fault) {
      // resetAfter / timeoutAfter: the store has acted; the client must not learn whether it did.
      countFault(fault)
      await answerAfter(delay, started)
      if (fault === 'resetAfter') resetConnection(req)
      else await holdUntilClientGivesUp(req)
      logLine(operation, '-', `${FAULT_LABELS[fault]} (would have answered ${reply.status})`)
      return
    }
    await answerAfter(delay, started)
    send(res, reply, closing)
    logLine(operation, reply.status)
  }

  /**
   * Latency is how long after a request arrived its answer leaves, as a client would measure a slow server:
   * the sandbox's own work counts towards it, so `--latency 50` answers in 50 ms, not 50 ms plus whatever
   * reading, checking and storing took.
   */
  async function answerAfter(delay: number, started: number): Promise<void> {
    const wait = delay - (performance.now() - started)
    if (wait > 0) await timer.sleep(wait)
  }

  function countOperation(operation: string): void {
    stats.byOperation[operation] = (stats.byOperation[operation] ?? 0) + 1
  }

  async function faultBeforeActing(fault: FaultKind, req: IncomingMessage, res: ServerResponse, delay: number, started: number): Promise<void> {
    // Take the whole request first, and answer when any other answer would: a client cannot tell these
    // from faults after acting by when they hit.
    await readBody(req).catch(() => undefined)
    if (fault === 'timeoutBefore') return holdUntilClientGivesUp(req)
    await answerAfter(delay, started)
    if (fault === 'resetBefore') resetConnection(req)
    else send(res, fault === 'throttle' ? serviceUnavailablePage(1) : internalServerErrorPage(), closing)
  }

  /** Never answers; resolves once the client (or close()) closes the connection, freeing the socket. */
  function holdUntilClientGivesUp(req: IncomingMessage): Promise<void> {
    const socket = req.socket
    if (socket.destroyed) return Promise.resolve()
    return new Promise((resolve) => {
      held.add(socket)
      socket.once('close', () => {
        held.delete(socket)
        resolve()
      })
      if (closing) socket.destroy()
    })
  }

  await listen(server, options.port ?? 0, options.host ?? '127.0.0.1')
  const address = server.address() as AddressInfo
  url = `${options.tls ? 'https' : 'http'}://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}${BASE_PATH}`

  const demoTicket = store.issueTicket(DEMO_USER.associateId)
  try {
    // Fail at start, not on the first save, when the data file cannot be written.
    await writer?.flush()
  } catch (error) {
    await new Promise<void>((resolve) => server.close(() => resolve()))
    throw new SandboxDataError(options.dataFile ?? '', `it cannot be written (${errorText(error)})`)
  }

  let closed: Promise<void> | undefined
  return {
    url,
    demoUser: {...DEMO_USER},
    demoTicket,
    accounts: () => store.accounts(),
    expireTickets: () => store.expireSessions(),
    setSyncState: (id, state) => store.setSyncState(id, {errorCount: 0, errorReason: '', ...state}),
    stats: () => ({...stats, byOperation: {...stats.byOperation}, faults: {...stats.faults}, ...(gate ? {capacity: {...gate.stats}} : {})}),
    setCapacity(limit) {
      if (gate) gate.setLimit(limit)
      else gate = new CapacityGate({limit})
    },
    setFaults(next) {
      if (!next) {
        faults = undefined
        return
      }
      if (injector) injector.configure(next)
      else injector = new FaultInjector(next)
      faults = injector
    },
    activeFaults: () => faults?.active,
    close() {
      closed ??= (async () => {
        closing = true
        for (const socket of held) socket.destroy()
        await new Promise<void>((resolve) => {
          const force = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS)
          force.unref()
          server.close(() => {
            clearTimeout(force)
            resolve()
          })
          server.closeIdleConnections()
        })
        await writer?.flush()
      })()
      return closed
    },
  }
}

function listen(server: Server | TlsServer, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(error)
    server.once('error', onError)
    server.listen(port, host, () => {
      server.off('error', onError)
      resolve()
    })
  })
}

/** The request body, or undefined when it is larger than MAX_BODY_BYTES. */
async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const declared = Number(req.headers['content-length'])
  if (declared > MAX_BODY_BYTES) return undefined
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    size += (chunk as Buffer).length
    if (size > MAX_BODY_BYTES) return undefined
    chunks.push(chunk as Buffer)
  }
  return Buffer.concat(chunks)
}

function send(res: ServerResponse, reply: HttpReply, closing: boolean): void {
  res.statusCode = reply.status
  for (const [name, value] of Object.entries(reply.headers)) res.setHeader(name, value)
  // Once close() has begun, a keep-alive client must open a new connection (and find the port closed).
  if (closing) res.setHeader('connection', 'close')
  res.end(reply.body)
}

/** The client closed the connection (its timeout, or it was stopped) before the answer went out. */
function clientGone(req: IncomingMessage): boolean {
  return req.socket.destroyed
}

/** A TCP RST, as a load balancer or a crashed worker gives: the client sees ECONNRESET, not a clean end. */
function resetConnection(req: IncomingMessage): void {
  const socket = req.socket
  if (socket.destroyed) return
  try {
    socket.resetAndDestroy()
  } catch {
    // Not a TCP socket (resetAndDestroy refuses); an abrupt close is the nearest thing.
    socket.destroy()
  }
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value
}

/** The operation named by a SOAPAction, for the log only; it is the client's text, so keep it short and plain. */
function actionName(action: string | undefined): string {
  if (action === undefined) return '-'
  const last = action.replace(/^"|"$/g, '').split('/').at(-1) ?? ''
  return printable(last).slice(0, 80) || '-'
}

function printable(text: string): string {
  return text.replace(/[^\x21-\x7e]/g, '?').slice(0, 200)
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
