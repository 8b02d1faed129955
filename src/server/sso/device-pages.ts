import type { FastifyReply } from 'fastify';

/** The small HTML pages of the device flow's second device (RFC 8628 section 3.3). */

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>${escapeHtml(title)} - envid</title></head>
<body><main><h1>${escapeHtml(title)}</h1>
${body}
</main></body></html>
`;
}

function send(reply: FastifyReply, status: number, html: string): FastifyReply {
  return reply
    .code(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .header('content-security-policy', "default-src 'none'; form-action 'self'; frame-ancestors 'none'")
    .header('x-frame-options', 'DENY')
    .send(html);
}

/** A page that says one thing. */
export const answerPage = (reply: FastifyReply, status: number, title: string, message: string) =>
  send(reply, status, page(title, `<p>${escapeHtml(message)}</p>`));

/** The form the user types the code shown by `envid login --sso --no-browser` into. */
export function codeFormPage(
  reply: FastifyReply,
  options: { csrf: string; userCode: string; problem?: string; status?: number },
): FastifyReply {
  const problem = options.problem ? `<p role="alert">${escapeHtml(options.problem)}</p>\n` : '';
  return send(
    reply,
    options.status ?? 200,
    page(
      'Sign in to envid',
      `${problem}<p>Enter the code your terminal shows, then sign in with your organization's provider.</p>
<form method="post" action="/sso/device/verify">
<input type="hidden" name="csrf" value="${escapeHtml(options.csrf)}">
<label>Code <input name="user_code" value="${escapeHtml(options.userCode)}" autocomplete="off" autocapitalize="characters" maxlength="9" required></label>
<button type="submit">Continue</button>
</form>`,
    ),
  );
}
