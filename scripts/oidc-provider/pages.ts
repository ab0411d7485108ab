/** The demo school's two pages: its sign-in form and its error page. */
const escape = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const layout = (title: string, body: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)}</title>
<style>
  body { font: 16px/1.5 system-ui, sans-serif; background: #eef2f7; color: #1d2733; margin: 0; }
  main { max-width: 26rem; margin: 3rem auto; background: #fff; padding: 1.5rem 2rem; border-radius: 8px; }
  label { display: block; font-weight: 600; margin-top: 1rem; }
  input[type=email] { width: 100%; box-sizing: border-box; padding: 0.5rem; font: inherit; }
  .check { display: flex; gap: 0.5rem; align-items: center; font-weight: normal; }
  button { margin-top: 1.25rem; padding: 0.6rem 1.2rem; font: inherit; background: #1d4ed8; color: #fff;
    border: 0; border-radius: 6px; cursor: pointer; }
  .hint { color: #4b5563; font-size: 0.9rem; }
</style></head><body><main>${body}</main></body></html>`;

export function loginPage(school: string, uid: string): string {
  return layout(
    `Sign in — ${school}`,
    `<h1>${escape(school)}</h1>
<p>Sign in with your school account to continue to Slotcast.</p>
<form method="post" action="/interaction/${escape(uid)}">
  <label for="email">School email address</label>
  <input id="email" name="email" type="email" autocomplete="email" required autofocus>
  <p class="hint">This is a local demo identity provider: any address works, no password.</p>
  <label class="check"><input type="checkbox" name="verified" checked> The school has verified this address</label>
  <button type="submit">Sign in</button>
</form>`,
  );
}

export function errorPage(school: string, message: string): string {
  return layout(`${school}: sign-in problem`, `<h1>${escape(school)}</h1><p role="alert">${escape(message)}</p>`);
}
