import type {ApiVersion, ServiceName} from '../soap/versions.js'
import {readWsdl} from './operations.js'
import type {HttpReply} from './responses.js'

const HTML = 'text/html; charset=utf-8'

/** IIS's answer for a path no application serves: an HTML page, which clients must not mistake for SOAP. */
export function notFoundPage(): HttpReply {
  const body = `<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8"/>
<title>404 - File or directory not found.</title>
</head>
<body>
<div id="header"><h1>Server Error</h1></div>
<div id="content">
 <div class="content-container"><fieldset>
  <h2>404 - File or directory not found.</h2>
  <h3>The resource you are looking for might have been removed, had its name changed, or is temporarily unavailable.</h3>
 </fieldset></div>
</div>
</body>
</html>
`
  return {status: 404, headers: {'content-type': HTML}, body}
}

/**
 * What IIS shows when the application pool fails mid-request: an HTML page with status 500, not a SOAP
 * fault, so a client must not try to read it as one.
 */
export function internalServerErrorPage(): HttpReply {
  const body = `<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8"/>
<title>500 - Internal server error.</title>
</head>
<body>
<div id="header"><h1>Server Error</h1></div>
<div id="content">
 <div class="content-container"><fieldset>
  <h2>500 - Internal server error.</h2>
  <h3>There is a problem with the resource you are looking for, and it cannot be displayed.</h3>
 </fieldset></div>
</div>
</body>
</html>
`
  return {status: 500, headers: {'content-type': HTML}, body}
}

/** IIS/HTTP.SYS answer when the application pool is overloaded or throttling; Retry-After says when to come back. */
export function serviceUnavailablePage(retryAfterSeconds: number): HttpReply {
  const body = `<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01//EN""http://www.w3.org/TR/html4/strict.dtd">
<HTML><HEAD><TITLE>Service Unavailable</TITLE>
<META HTTP-EQUIV="Content-Type" Content="text/html; charset=us-ascii"></HEAD>
<BODY><h2>Service Unavailable</h2>
<hr><p>HTTP Error 503. The service is unavailable.</p>
</BODY></HTML>
`
  return {status: 503, headers: {'content-type': 'text/html; charset=us-ascii', 'retry-after': String(retryAfterSeconds)}, body}
}

export function methodNotAllowedPage(): HttpReply {
  const body = '<!DOCTYPE html><html><head><title>Method not allowed</title></head><body><p>Method not allowed.</p></body></html>\n'
  return {status: 405, headers: {'content-type': HTML, allow: 'GET, HEAD, POST'}, body}
}

/** What WCF shows a browser that opens a .svc URL: a help page pointing at the WSDL. */
export function serviceHelpPage(service: ServiceName, endpoint: string): HttpReply {
  const name = `Wcf${service}Service`
  const url = escapeHtml(endpoint)
  const body = `<!DOCTYPE html>
<html><head><title>${name} Service</title></head>
<body>
<div id="content">
<p class="heading1">${name} Service</p>
<p>You have created a service.</p>
<p>To test this service, you will need to create a client and use it to call the service. You can do this using the svcutil.exe tool from the command line with the following syntax:</p>
<pre>svcutil.exe <a href="${url}?wsdl">${url}?wsdl</a></pre>
<p>You can also access the service description as a single file:</p>
<pre><a href="${url}?singleWsdl">${url}?singleWsdl</a></pre>
<p>This is the soemail sandbox, a local stand-in for SuperOffice NetServer.</p>
</div>
</body></html>
`
  return {status: 200, headers: {'content-type': HTML}, body}
}

const wsdlCache = new Map<string, string>()

/** The published WSDL, with its address rewritten to this endpoint as WCF does for the host it runs on. */
export function wsdlDocument(version: ApiVersion, service: ServiceName, endpoint: string): HttpReply {
  const key = `${service}${version}`
  let wsdl = wsdlCache.get(key)
  if (wsdl === undefined) {
    wsdl = readWsdl(version, service)
    wsdlCache.set(key, wsdl)
  }
  const body = wsdl.replace(/(<soap:address\s+location=")[^"]*(")/g, (_m, start: string, end: string) => `${start}${escapeHtml(endpoint)}${end}`)
  return {status: 200, headers: {'content-type': 'text/xml; charset=utf-8'}, body}
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}
