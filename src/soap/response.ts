import {HttpResponseError, NetServerError, oneLine, SoapFaultError, type ExceptionInfo, type HttpProblem, type HttpResponseFacts} from './errors.js'
import {SOAP11_ENV_NS} from './versions.js'
import {child, isNil, parseXml, XmlParseError, type XElement} from './xml-tree.js'

export interface SoapResponse {
  /** The body's `<Op>Response` wrapper. */
  body: XElement
  succeeded: boolean
}

export interface ResponseContext {
  operation: string
  /** The service namespace the answer must use. */
  ns: string
  url: string
  status: number
  contentType?: string
  /** The body's answer element when it is not `<operation>Response` (SoPrincipal answers AuthenticateResponse). */
  responseElement?: string
  /** NetServer responses carry Succeeded/ExceptionInfo headers; other services (PartnerSystemUser) do not. */
  netServerHeaders?: boolean
  /** The service called, carried into errors as a fact (see HttpResponseError.service). */
  service?: string
}

const SOAP12_ENV_NS = 'http://www.w3.org/2003/05/soap-envelope'

/**
 * Turns an HTTP answer into the response wrapper, or throws: a SOAP Fault, a NetServer refusal
 * (Succeeded=false or ExceptionInfo), or a body that is not the SOAP answer we asked for. The errors
 * state what came back; what the user should change is the CLI layer's to say.
 */
export function parseSoapResponse(text: string, ctx: ResponseContext): SoapResponse {
  const fail = (problem: HttpProblem, message: string, facts: Omit<HttpResponseFacts, 'service'> = {}, snippet?: string) =>
    new HttpResponseError(problem, ctx.url, ctx.status, message, snippet, {service: ctx.service, ...facts})
  const trimmed = text.trim()
  if (trimmed === '') {
    throw fail('empty', `${ctx.url} answered HTTP ${ctx.status} with an empty body instead of a SOAP message.`)
  }
  if (isHtml(trimmed, ctx.contentType)) {
    const why = ctx.status >= 500
      ? 'the server or a proxy in front of it failed.'
      : 'the URL probably points at a web page, a login page or a proxy, not at NetServer.'
    throw fail('html', `${ctx.url} answered HTTP ${ctx.status} with an HTML page${pageTitle(trimmed)}, not a SOAP message: ${why}`, {}, trimmed.slice(0, 500))
  }
  let root: XElement
  try {
    root = parseXml(trimmed)
  } catch (error) {
    const why = error instanceof XmlParseError ? error.message : String(error)
    throw fail('not-xml', `${ctx.url} answered HTTP ${ctx.status} with a body that is not well-formed XML (${why}).`, {}, trimmed.slice(0, 500))
  }
  if (root.local !== 'Envelope' || (root.ns !== SOAP11_ENV_NS && root.ns !== SOAP12_ENV_NS)) {
    throw fail('not-soap', `${ctx.url} answered with XML <${root.local}> in namespace "${root.ns}", not a SOAP 1.1 Envelope.`, {reason: 'not-envelope'})
  }
  const envNs = root.ns
  const body = child(root, envNs, 'Body')
  if (!body) throw fail('not-soap', `${ctx.url} answered with a SOAP envelope that has no Body.`, {reason: 'no-body'})
  const fault = child(body, envNs, 'Fault')
  if (fault) throw faultError(fault, ctx)

  const header = child(root, envNs, 'Header')
  let succeeded = true
  if (ctx.netServerHeaders !== false) {
    const exceptionEl = child(header, ctx.ns, 'ExceptionInfo')
    const succeededEl = child(header, ctx.ns, 'Succeeded')
    // NetServer always sends Succeeded (xs:boolean, not nillable; FACTS.md §2, §6). Without it the answer
    // did not come from NetServer as we asked it, so it cannot be taken as a success.
    if (!succeededEl) {
      const elsewhere = header?.children.find((c) => c.local === 'Succeeded')
      if (elsewhere) throw fail('not-soap', `${ctx.url} answered ${ctx.operation} with headers in namespace "${elsewhere.ns}", expected "${ctx.ns}".`, {reason: 'header-namespace'})
      throw fail('not-soap', `${ctx.url} answered ${ctx.operation} without the Succeeded header NetServer always sends, so its outcome is unknown.`, {reason: 'no-succeeded'})
    }
    succeeded = succeededEl.text.trim() === 'true' || succeededEl.text.trim() === '1'
    const info = exceptionEl && !isNil(exceptionEl) ? parseExceptionInfo(exceptionEl) : undefined
    if (info || !succeeded) throw new NetServerError(ctx.operation, info ?? {}, ctx.url)
  }
  const wrapperName = ctx.responseElement ?? `${ctx.operation}Response`
  const wrapper = body.children.find((c) => c.local === wrapperName)
  if (!wrapper) {
    const found = body.children[0]
    throw fail('not-soap', `${ctx.url} answered without ${wrapperName}${found ? ` (the body holds <${found.local}> in "${found.ns}")` : ' (the body is empty)'}.`, {reason: 'no-answer-element'})
  }
  if (wrapper.ns !== ctx.ns) {
    throw fail('not-soap', `${ctx.url} answered ${wrapperName} in namespace "${wrapper.ns}", expected "${ctx.ns}".`, {reason: 'answer-namespace'})
  }
  return {body: wrapper, succeeded}
}

function faultError(fault: XElement, ctx: ResponseContext): SoapFaultError {
  // SOAP 1.1 fault children are unqualified; SOAP 1.2 uses Code/Reason. Accept both shapes.
  const byLocal = (name: string) => fault.children.find((c) => c.local === name)
  const code = byLocal('faultcode')?.text.trim() ?? byLocal('Code')?.children[0]?.text.trim() ?? 'unknown'
  const reason = byLocal('faultstring')?.text.trim() ?? byLocal('Reason')?.children[0]?.text.trim() ?? ''
  const detail = byLocal('detail') ?? byLocal('Detail')
  return new SoapFaultError(code, reason, ctx.url, ctx.status, detail ? flatText(detail).slice(0, 2000) : undefined)
}

function flatText(el: XElement): string {
  return [el.text.trim(), ...el.children.map(flatText)].filter(Boolean).join(' ')
}

export function parseExceptionInfo(el: XElement): ExceptionInfo {
  const text = (name: string) => {
    const c = el.children.find((x) => x.local === name)
    return c && !isNil(c) && c.text !== '' ? c.text : undefined
  }
  const info: ExceptionInfo = {
    message: text('Message'),
    friendlyText: text('FriendlyText'),
    exceptionType: text('ExceptionType'),
    source: text('Source'),
  }
  const params = el.children.find((x) => x.local === 'Parameters')
  if (params && !isNil(params) && params.children.length > 0) {
    info.parameters = {}
    for (const pair of params.children) {
      const key = pair.children.find((x) => x.local === 'Key')?.text
      if (key !== undefined) info.parameters[key] = pair.children.find((x) => x.local === 'Value')?.text ?? ''
    }
  }
  const inner = el.children.find((x) => x.local === 'InnerException')
  if (inner && !isNil(inner)) info.inner = parseExceptionInfo(inner)
  return info
}

/** An HTML page (an IIS or ASP.NET error page, a login page, a proxy's), by its start or its content type. */
export function isHtml(text: string, contentType: string | undefined): boolean {
  return /^\s*<(!doctype\s+)?html[\s>]/i.test(text) || (/text\/html/i.test(contentType ?? '') && text.trim() !== '')
}

function pageTitle(html: string): string {
  const title = oneLine(/<title[^>]*>([^<]{1,120})<\/title>/i.exec(html)?.[1] ?? '')
  return title ? ` ("${title}")` : ''
}
