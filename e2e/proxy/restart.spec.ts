import http from "node:http";
import { expect, test } from "@playwright/test";
import { serverWith, USERS } from "../support/fixtures";
import { freePort } from "../support/free-port";
import { actionFields, formData, fresh } from "../support/http";
import { startNginx } from "../support/nginx";
import { isAlive } from "../support/process-tree";
import type { RunningServer } from "../support/server";

/**
 * A restart of `npm start` (its default worker count) as a supervisor does
 * it: SIGTERM, wait for the exit, start again. scripts/shutdown.mjs says what
 * a stop does; this holds it to that, alone and behind the README's nginx.
 */
test.describe.configure({ mode: "serial" });

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Sends SIGTERM and waits for the process to be gone; the milliseconds it took. */
async function stopped(server: RunningServer, during: () => Promise<void> = async () => {}): Promise<number> {
  const started = Date.now();
  process.kill(server.pid, "SIGTERM");
  await during();
  while (isAlive(server.pid)) await sleep(50);
  return Date.now() - started;
}

test("npm start on SIGTERM: /healthz says 503, answers close their connection, requests in flight finish, then it exits", async () => {
  test.setTimeout(120_000);
  const server = await serverWith({}, { npmStart: true, workers: "per core" });
  try {
    // A request in flight across the whole stop, on a keep-alive connection: a sign-in whose body is still on its
    // way. Its answer closes the connection, or the process would wait for the client to let it go.
    const fields = actionFields((await fresh(`${server.url}/login`)).body);
    const encoded = new Response(formData({ ...fields, username: "alice", password: USERS.alice, next: "/students" }));
    const body = Buffer.from(await encoded.arrayBuffer());
    const slowAgent = new http.Agent({ keepAlive: true });
    const slow = http.request(`${server.url}/login`, {
      method: "POST",
      agent: slowAgent,
      headers: {
        origin: server.url,
        "content-type": encoded.headers.get("content-type")!,
        "content-length": String(body.length),
      },
    });
    const answered = new Promise<{ status: number; connection?: string }>((resolve, reject) => {
      slow.on("response", (response) => {
        response.resume();
        resolve({ status: response.statusCode!, connection: response.headers.connection });
      });
      slow.on("error", reject);
    });
    slow.write(body.subarray(0, 100));
    // A keep-alive client that goes on asking during the stop.
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const keptAlive = (path: string) =>
      new Promise<{ status: number; connection?: string }>((resolve, reject) => {
        http
          .get(`${server.url}${path}`, { agent }, (response) => {
            response.resume();
            response.on("end", () =>
              resolve({ status: response.statusCode!, connection: response.headers.connection }),
            );
          })
          .on("error", reject);
      });
    expect((await keptAlive("/healthz")).connection).toBe("keep-alive");

    const seen = { health: [] as string[], keptAlive: [] as string[], slow: undefined as unknown };
    const took = await stopped(server, async () => {
      // While the delay lasts (2 s by default), new connections are taken and /healthz says the process stops.
      await sleep(300);
      seen.keptAlive.push(JSON.stringify(await keptAlive("/login")));
      for (let n = 0; n < 4; n++) {
        const health = await fresh(`${server.url}/healthz`).then(
          (reply) => `${reply.status} ${reply.body.trim()}`,
          () => "refused",
        );
        seen.health.push(health);
        await sleep(250);
      }
      // After it, none: the rest of the sign-in arrives, and is answered all the same.
      await sleep(1_500);
      seen.health.push(
        await fresh(`${server.url}/healthz`).then(
          (reply) => String(reply.status),
          () => "refused",
        ),
      );
      slow.end(body.subarray(100));
      seen.slow = await answered;
    });
    agent.destroy();
    slowAgent.destroy();
    console.log(
      `npm start stopped by SIGTERM: exited after ${took} ms; /healthz meanwhile: ${seen.health.join(", ")}; ` +
        `a keep-alive client got ${seen.keptAlive.join(", ")}; the sign-in in flight got ${JSON.stringify(seen.slow)}`,
    );
    expect(seen.health.slice(0, 4)).toEqual(Array(4).fill("503 stopping"));
    expect(seen.health.at(-1)).toBe("refused");
    expect(seen.keptAlive).toEqual([JSON.stringify({ status: 200, connection: "close" })]);
    expect(seen.slow).toEqual({ status: 303, connection: "close" });
    expect(server.output()).toMatch(/"event":"server\.stopping","signal":"SIGTERM","workers":\d+,"delaySeconds":2/);
  } finally {
    await server.stop();
  }
});

test("two npm start instances behind nginx, restarted one at a time under load: no request fails, no sign-in is half done", async () => {
  test.setTimeout(240_000);
  const ports = [await freePort(), await freePort()];
  const start = (port: number) => serverWith({}, { npmStart: true, workers: "per core", port });
  const instances = await Promise.all(ports.map(start));
  const nginx = await startNginx(instances.map((instance) => instance.url));
  const base = nginx.url;
  let running = true;
  try {
    const fields = actionFields((await fresh(`${base}/login`)).body);
    const signIn = (user: keyof typeof USERS) =>
      fresh(`${base}/login`, {
        method: "POST",
        headers: { origin: base },
        body: formData({ ...fields, username: user, password: USERS[user], next: "/students" }),
      });
    const cookieOf = (reply: { headers: http.IncomingHttpHeaders }) =>
      [reply.headers["set-cookie"] ?? []]
        .flat()
        .find((line) => /session=[^;]/.test(line))
        ?.split(";")[0];
    const cookie = cookieOf(await signIn("alice"))!;
    const outcome = { pages: 0, signedIn: 0, refused: 0, failed: [] as string[] };
    const page = async (withCookie: string) => {
      const reply = await fresh(`${base}/students`, { headers: { cookie: withCookie } });
      return reply.status === 200 && reply.body.includes('data-testid="signed-in-user"');
    };
    const pages = async () => {
      while (running) {
        try {
          if (await page(cookie)) outcome.pages += 1;
          else outcome.failed.push("a signed-in page was not answered as one");
        } catch (error) {
          outcome.failed.push(`page: ${String(error)}`);
        }
      }
    };
    const signIns = async () => {
      while (running) {
        try {
          const reply = await signIn("bob");
          const issued = cookieOf(reply);
          // Completed: a cookie that opens the signed-in page; refused: a page that says why.
          if (reply.status === 303 && issued && (await page(issued))) outcome.signedIn += 1;
          else if (reply.status === 200 && /id="login-message"[^>]*><p[^>]*>[^<]+</.test(reply.body))
            outcome.refused += 1;
          else outcome.failed.push(`sign-in answered ${reply.status}${issued ? " with a cookie" : ""}`);
        } catch (error) {
          outcome.failed.push(`sign-in: ${String(error)}`);
        }
      }
    };
    const load = [...Array.from({ length: 6 }, pages), ...Array.from({ length: 4 }, signIns)];
    await sleep(2_000);
    const restarts: string[] = [];
    for (const n of [0, 1]) {
      const took = await stopped(instances[n]);
      const started = Date.now();
      instances[n] = await start(ports[n]);
      // Back in nginx's rotation (after its fail_timeout) before the next one goes: as a supervisor waits.
      const logged = nginx.requests().length;
      await expect
        .poll(
          () =>
            nginx
              .requests()
              .slice(logged)
              .some((entry) => entry.upstreams.at(-1) === `127.0.0.1:${ports[n]}`),
          {
            timeout: 30_000,
          },
        )
        .toBe(true);
      restarts.push(
        `instance ${n + 1}: drained and exited in ${took} ms, served again ${Date.now() - started} ms later`,
      );
    }
    await sleep(2_000);
    running = false;
    await Promise.all(load);
    const logged = nginx.requests();
    const retried = logged.filter((entry) => entry.upstreams.length > 1).length;
    console.log(
      `restarts behind nginx: ${restarts.join("; ")}. Under load: ${outcome.pages} signed-in pages, ` +
        `${outcome.signedIn} sign-ins completed, ${outcome.refused} refused with a message, ${outcome.failed.length} failed; ` +
        `nginx passed ${retried} of ${logged.length} requests on to the other instance`,
    );
    expect(outcome.failed).toEqual([]);
    expect(outcome.pages).toBeGreaterThan(0);
    expect(outcome.signedIn).toBeGreaterThan(0);
  } finally {
    running = false;
    await nginx.stop();
    await Promise.all(instances.map((instance) => instance.stop()));
  }
});
