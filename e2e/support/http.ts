/**
 * Talking to the server as a script would, without a browser: the no-JS
 * form fields of a server action, a sign-in over plain fetch, and a request
 * on a connection of its own from a chosen loopback address. Used by the
 * attack suites (bad input, fuzz, load), npm start's and the proxy's tests.
 */
import http from "node:http";

export type Reply = { status: number; headers: http.IncomingHttpHeaders; body: string };

/**
 * One request on a new connection (no keep-alive, so that a cluster's next
 * connection may go to another worker), from `localAddress` if given: a
 * client of its own on loopback (127.0.0.2, 127.0.0.3, …).
 */
export async function fresh(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: FormData; localAddress?: string } = {},
): Promise<Reply> {
  let body: Buffer | undefined;
  const headers = { ...init.headers };
  if (init.body) {
    const encoded = new Response(init.body);
    headers["content-type"] = encoded.headers.get("content-type")!;
    body = Buffer.from(await encoded.arrayBuffer());
  }
  return new Promise((resolve, reject) => {
    const request = http.request(
      url,
      { method: init.method ?? "GET", headers, agent: false, localAddress: init.localAddress },
      (response) => {
        let text = "";
        response.setEncoding("utf8");
        response.on("data", (chunk) => (text += chunk));
        response.on("end", () => resolve({ status: response.statusCode!, headers: response.headers, body: text }));
        response.on("error", reject);
      },
    );
    request.once("error", reject);
    request.end(body);
  });
}

/** The hidden fields of the page's form that contains `marker` (its heading or its button's text). */
export function formFieldsOf(html: string, marker: string): Record<string, string> {
  const form = [...html.matchAll(/<form[^>]*>([\s\S]*?)<\/form>/g)].find((match) => match[1].includes(marker));
  if (!form) throw new Error(`no form with "${marker}" in the page`);
  return actionFields(form[1]);
}

/** The hidden fields with which a no-JavaScript form names its server action. */
export function actionFields(html: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const match of html.matchAll(/<input type="hidden" name="(\$ACTION[^"]*)"(?: value="([^"]*)")?/g)) {
    fields[match[1]] = (match[2] ?? "").replaceAll("&quot;", '"');
  }
  if (Object.keys(fields).length === 0) throw new Error("no server action fields in the page");
  return fields;
}

/** The action id inside a useActionState form's fields. */
export function actionId(fields: Record<string, string>): string {
  const reference = Object.entries(fields).find(([name]) => name.endsWith(":0"));
  if (!reference) throw new Error("no action reference field");
  return (JSON.parse(reference[1]) as { id: string }).id;
}

export function formData(fields: Record<string, string | Blob | string[]>): FormData {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) {
    for (const item of Array.isArray(value) ? value : [value]) form.append(name, item);
  }
  return form;
}

/** Posts the login form as a browser without JavaScript would. */
export async function postLogin(
  baseURL: string,
  fields: Record<string, string | Blob | string[]>,
  init: { headers?: Record<string, string>; loginFields?: Record<string, string> } = {},
): Promise<Response> {
  const loginFields = init.loginFields ?? actionFields(await (await fetch(`${baseURL}/login`)).text());
  return fetch(`${baseURL}/login`, {
    method: "POST",
    body: formData({ ...loginFields, ...fields }),
    headers: { Origin: baseURL, ...init.headers },
    redirect: "manual",
  });
}

/** How the login form answered a sign-in: "wrong" (a wrong password), "locked" (refused by the throttle unread) or "?<status>". */
export async function loginOutcome(baseURL: string, username: string, password: string): Promise<string> {
  const response = await postLogin(baseURL, { username, password });
  const text = await response.text();
  if (/Too many failed sign-ins/.test(text)) return "locked";
  return /Wrong username or password/.test(text) ? "wrong" : `?${response.status}`;
}

/** Signs in over plain HTTP (`fields`: more form fields, e.g. remember); returns the `Cookie` header value of the new session. */
export async function signInByFetch(
  baseURL: string,
  username: string,
  password: string,
  headers: Record<string, string> = {},
  fields: Record<string, string> = {},
): Promise<string> {
  const response = await postLogin(baseURL, { username, password, next: "/students", ...fields }, { headers });
  const cookie = response.headers.getSetCookie().find((line) => /^[^=]*session=[^;]/.test(line));
  if (response.status !== 303 || !cookie) throw new Error(`sign-in failed: ${response.status}`);
  return cookie.split(";")[0];
}

/** Posts one of a page's forms as a browser without JavaScript would (`cookie`: the Cookie header). */
export async function postForm(
  baseURL: string,
  path: string,
  fields: Record<string, string | Blob | string[]>,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${baseURL}${path}`, {
    method: "POST",
    body: formData(fields),
    headers: { Origin: baseURL, ...headers },
    redirect: "manual",
  });
}
