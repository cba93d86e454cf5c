/**
 * Talking to the server as a script would, without a browser: the no-JS
 * form fields of a server action, and a sign-in over plain fetch. Used by
 * the attack suites (bad input, fuzz, load).
 */

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
  const cookie = response.headers.getSetCookie().find((line) => /^[^=]*session=Fe26/.test(line));
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
