import {HttpResponseError, NetServerError, oneLine, SoapFaultError, type ExceptionInfo} from './errors.js'
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
}

const SOAP12_ENV_NS = 'http://www.w3.org/2003/05/soap-envelope'

/**
 * Turns an HTTP answer into the response wrapper, or throws: a SOAP Fault, a NetServer refusal
 * (Succeeded=false or ExceptionInfo), or a body that is not the SOAP answer we asked for.
 */
export function parseSoapResponse(text: string, ctx: ResponseContext): SoapResponse {
  const trimmed = text.trim()
  if (trimmed === '') {
    throw new HttpResponseError('empty', ctx.url, ctx.status, `${ctx.url} answered HTTP ${ctx.status} with an empty body instead of a SOAP message.`)
  }
  if (/^<!doctype html|^<html[\s>]/i.test(trimmed) || /text\/html/i.test(ctx.contentType ?? '')) {
    const why = ctx.status >= 500
      ? 'the server or a proxy in front of it failed.'
      : 'the URL probably points at a web page, a login page or a proxy, not at NetServer.'
    throw new HttpResponseError('html', ctx.url, ctx.status, `${ctx.url} answered HTTP ${ctx.status} with an HTML page${pageTitle(trimmed)}, not a SOAP message: ${why}`, trimmed.slice(0, 500))
  }
  let root: XElement
  try {
    root = parseXml(trimmed)
  } catch (error) {
    const why = error instanceof XmlParseError ? error.message : String(error)
    throw new HttpResponseError('not-xml', ctx.url, ctx.status, `${ctx.url} answered HTTP ${ctx.status} with a body that is not well-formed XML (${why}).`, trimmed.slice(0, 500))
  }
  if (root.local !== 'Envelope' || (root.ns !== SOAP11_ENV_NS && root.ns !== SOAP12_ENV_NS)) {
    throw new HttpResponseError('not-soap', ctx.url, ctx.status, `${ctx.url} answered with XML <${root.local}> in namespace "${root.ns}", not a SOAP 1.1 Envelope.`)
  }
  const envNs = root.ns
  const body = child(root, envNs, 'Body')
  if (!body) throw new HttpResponseError('not-soap', ctx.url, ctx.status, `${ctx.url} answered with a SOAP envelope that has no Body.`)
  const fault = child(body, envNs, 'Fault')
  if (fault) throw faultError(fault, ctx)

  const header = child(root, envNs, 'Header')
  let succeeded = true
  if (ctx.netServerHeaders !== false) {
    const exceptionEl = child(header, ctx.ns, 'ExceptionInfo')
    const succeededEl = child(header, ctx.ns, 'Succeeded')
    // NetServer always sends Succeeded (xs:boolean, not nillable; FACTS.md §2, §6). Without it the answer
    // did not come from NetServer as we asked it, so it cannot be taken as a success.
    if (!succeededEl) throw missingSucceeded(header, ctx)
    succeeded = succeededEl.text.trim() === 'true' || succeededEl.text.trim() === '1'
    const info = exceptionEl && !isNil(exceptionEl) ? parseExceptionInfo(exceptionEl) : undefined
    if (info || !succeeded) throw new NetServerError(ctx.operation, info ?? {}, ctx.url)
  }
  const wrapperName = ctx.responseElement ?? `${ctx.operation}Response`
  const wrapper = body.children.find((c) => c.local === wrapperName)
  if (!wrapper) {
    const found = body.children[0]
    throw new HttpResponseError('not-soap', ctx.url, ctx.status, `${ctx.url} answered without ${wrapperName}${found ? ` (the body holds <${found.local}> in "${found.ns}")` : ' (the body is empty)'}; check --api-version and the URL.`)
  }
  if (wrapper.ns !== ctx.ns) {
    throw new HttpResponseError('not-soap', ctx.url, ctx.status, `${ctx.url} answered ${wrapperName} in namespace "${wrapper.ns}", expected "${ctx.ns}"; check --api-version.`)
  }
  return {body: wrapper, succeeded}
}

function missingSucceeded(header: XElement | undefined, ctx: ResponseContext): HttpResponseError {
  const elsewhere = header?.children.find((c) => c.local === 'Succeeded')
  if (elsewhere) {
    return new HttpResponseError('not-soap', ctx.url, ctx.status, `${ctx.url} answered ${ctx.operation} with headers in namespace "${elsewhere.ns}", expected "${ctx.ns}"; check --api-version.`)
  }
  return new HttpResponseError('not-soap', ctx.url, ctx.status, `${ctx.url} answered ${ctx.operation} without the Succeeded header NetServer always sends, so its outcome is unknown; check --url (a proxy or another service may be answering).`)
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

function pageTitle(html: string): string {
  const title = oneLine(/<title[^>]*>([^<]{1,120})<\/title>/i.exec(html)?.[1] ?? '')
  return title ? ` ("${title}")` : ''
}
