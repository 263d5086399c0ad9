/** Small HTML pages for links a person opens from an email (booking, unsubscribe): no script, their own CSP. */

export const PAGE_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

const esc = (s: string) =>
  s.replace(/[&<>"']/g, (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[ch]!);

/** A page: a heading, lines of text, and an optional form button that POSTs to `action`. */
export function htmlPage(
  status: number,
  title: string,
  lines: readonly string[],
  form?: { action: string; label: string },
): Response {
  const body = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>${esc(title)}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color:#1b1f24}
h1{font-size:1.4rem}button{font:inherit;padding:.6rem 1.2rem;border-radius:.4rem;border:0;background:#c3002f;color:#fff;cursor:pointer}
button:focus-visible{outline:3px solid #1b1f24;outline-offset:2px}</style></head>
<body><main><h1>${esc(title)}</h1>${lines.map((l) => `<p>${esc(l)}</p>`).join("")}${
    form
      ? `<form method="post" action="${esc(form.action)}"><button type="submit">${esc(form.label)}</button></form>`
      : ""
  }</main></body></html>`;
  return new Response(body, {
    status,
    headers: {
      "content-type": "text/html; charset=utf-8",
      "content-security-policy": PAGE_CSP,
      "cache-control": "no-store",
    },
  });
}

/** Whether a request asks for a page (a browser) rather than JSON (an API caller). */
export function wantsHtml(accept: string | undefined): boolean {
  return !!accept && /text\/html/i.test(accept);
}
