import {HttpResponseError, type HttpProblem} from './errors.js'
import {isHtml, parseSoapResponse, type ResponseContext, type SoapResponse} from './response.js'
import type {HttpExchange} from './transport.js'

/**
 * The SOAP 1.1 binding every service here is reached through (NetServer's EMail and SoPrincipal, and
 * SuperOffice Online's PartnerSystemUserService): which HTTP answers hold a SOAP message to read, and what
 * every other status means. Envelopes are built by envelope.ts and read by response.ts (SOAP Fault,
 * ExceptionInfo, HTML pages). The errors state facts - status, URL, service, Location - and leave the
 * advice to the layer that knows the user's flags.
 */
export type AnswerContext = Omit<ResponseContext, 'status' | 'contentType'> & {service: string}

/** The answer's response element, or the error the exchange amounts to. */
export function readSoap11Answer(ex: HttpExchange, ctx: AnswerContext): SoapResponse {
  const {status, body, contentType} = ex
  const html = isHtml(body, contentType)
  const xml = /^\s*</.test(body) && !html
  // WCF reports faults with 500 (and sometimes 400) and a SOAP body: let the parser name the fault.
  // A 5xx HTML page (IIS/ASP.NET error page, proxy) goes to the parser too, which names it by its title.
  if ((status >= 200 && status < 300) || ((status === 500 || status === 400) && xml) || (status >= 500 && html)) {
    return parseSoapResponse(body, {...ctx, status, contentType})
  }
  throw statusError(ex, ctx)
}

function statusError(ex: HttpExchange, ctx: AnswerContext): HttpResponseError {
  const {status} = ex
  const {url, service} = ctx
  const fail = (problem: HttpProblem, message: string, snippet?: string) => new HttpResponseError(problem, url, status, message, snippet, {service, location: ex.location})
  if (status >= 300 && status < 400) return fail('redirect', `${url} redirected (HTTP ${status}) to ${ex.location ?? 'another page'}.`)
  if (status === 401 || status === 403) return fail('unauthorized', `${url} refused the request (HTTP ${status}).`)
  if (status === 404) return fail('not-found', `${url} does not exist (HTTP 404).`)
  if (status === 415) {
    const what = ctx.netServerHeaders === false ? service : 'a NetServer service'
    return fail('unsupported-media-type', `${url} refused the message format (HTTP 415): the endpoint does not speak SOAP 1.1 (text/xml), or it is not ${what}.`)
  }
  if (status >= 500) return fail('server-error', `${url} failed with HTTP ${status}; the server or a proxy in front of it has a problem.`, ex.body.slice(0, 500))
  return fail('http-status', `${url} answered HTTP ${status}, which is not a SOAP answer.`, ex.body.slice(0, 500))
}
