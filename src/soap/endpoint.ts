import {EndpointPolicyError} from './errors.js'

export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase()
  return h === 'localhost' || h.endsWith('.localhost') || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h)
}

/** Refuses URLs that would send tickets and passwords in the clear to another machine. */
export function checkBaseUrl(base: string, allowHttp: boolean): URL {
  let url: URL
  try {
    url = new URL(base)
  } catch {
    throw new EndpointPolicyError('bad-url', `"${base}" is not a URL; give the installation's base URL, e.g. https://crm.example.com/SuperOffice`)
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new EndpointPolicyError('bad-url', `"${base}" uses ${url.protocol.replace(':', '')}; only https:// (or http:// to this machine) is supported`)
  }
  if (url.username || url.password) {
    throw new EndpointPolicyError('bad-url', 'the URL must not contain a user name or password; log in instead')
  }
  // endpointUrl appends /Remote/... to the text, which would land inside a query or fragment.
  if (/[?#]/.test(base)) {
    throw new EndpointPolicyError('bad-url', `"${base}" has a query or fragment; give the installation's base URL without "?" or "#", e.g. https://crm.example.com/SuperOffice`)
  }
  if (url.protocol === 'http:' && !allowHttp && !isLoopbackHost(url.hostname)) {
    throw new EndpointPolicyError('insecure-http', `refusing to send tickets and passwords unencrypted to ${url.host}`)
  }
  return url
}
