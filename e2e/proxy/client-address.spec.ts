import { expect, test } from "@playwright/test";
import { serverWith, testRedisUrl, USERS } from "../support/fixtures";
import { actionFields, formData, formFieldsOf, fresh } from "../support/http";
import { startNginx, type Nginx } from "../support/nginx";
import type { RunningServer } from "../support/server";

/**
 * The client's address behind real proxies: the README's nginx block in
 * front of `npm start` (its default worker count), with TRUST_PROXY counting
 * the proxies. The clients have addresses of their own on loopback
 * (127.0.0.2, 127.0.0.3): a guesser who forges a new X-Forwarded-For with
 * every try is still locked by its own address, and an honest client behind
 * the same proxy still signs in. Each topology is a server and its nginx.
 */
test.describe.configure({ mode: "serial" });

const GUESSER = "127.0.0.2";
const HONEST = "127.0.0.3";

/** A different forged X-Forwarded-For for every request. */
let forgeries = 0;
const forged = () => `203.0.113.${++forgeries % 250}, 198.51.100.${forgeries % 250}`;

type Front = { url: string; stop: () => Promise<void> };

const TOPOLOGIES: { name: string; proxies: string; front: (server: RunningServer) => Promise<Front> }[] = [
  {
    name: "one nginx that appends to X-Forwarded-For (the README's block)",
    proxies: "1",
    front: (server) => startNginx([server.url]),
  },
  {
    name: "one nginx that overwrites X-Forwarded-For ($remote_addr)",
    proxies: "1",
    front: (server) =>
      startNginx([server.url], {
        edit: (block) => block.replace("$proxy_add_x_forwarded_for", "$remote_addr"),
      }),
  },
  {
    name: "two proxies in a row, as Cloudflare in front of nginx (each appends)",
    proxies: "2",
    front: async (server) => {
      const inner: Nginx = await startNginx([server.url]);
      const outer = await startNginx([inner.url]);
      return {
        url: outer.url,
        stop: async () => {
          await outer.stop();
          await inner.stop();
        },
      };
    },
  },
];

/** A sign-in from `address`, as a browser without JavaScript posts it; "wrong", "locked", or "in" (with its cookie). */
async function signInFrom(front: string, address: string, username: string, password: string, headers = {}) {
  const page = await fresh(`${front}/login`, { localAddress: address, headers });
  const reply = await fresh(`${front}/login`, {
    method: "POST",
    localAddress: address,
    headers: { origin: front, ...headers },
    body: formData({ ...actionFields(page.body), username, password, next: "/students" }),
  });
  if (reply.status === 303 && /session=[^;]/.test(String(reply.headers["set-cookie"]))) return "in";
  if (reply.body.includes("Too many failed sign-ins")) return "locked";
  return reply.body.includes("Wrong username or password") ? "wrong" : `?${reply.status}`;
}

for (const topology of TOPOLOGIES) {
  test(`${topology.name}, TRUST_PROXY=${topology.proxies}: a forged X-Forwarded-For changes nothing`, async () => {
    test.setTimeout(120_000);
    const redis = topology.proxies === "1" && !topology.name.includes("overwrites");
    const server = await serverWith(
      {
        TRUST_PROXY: topology.proxies,
        // The first topology also counts new server-side sessions per address.
        ...(redis ? { SESSION_STORE: "redis", REDIS_URL: testRedisUrl(), SESSION_NEW_PER_ADDRESS: "3" } : {}),
      },
      { npmStart: true, workers: "per core" },
    );
    const front = await topology.front(server);
    try {
      // Five wrong passwords, each with a new forged X-Forwarded-For: the fifth locks the guesser's own address.
      const guesses: string[] = [];
      for (let n = 1; n <= 5; n++) {
        guesses.push(await signInFrom(front.url, GUESSER, "alice", `guess ${n}`, { "x-forwarded-for": forged() }));
      }
      guesses.push(await signInFrom(front.url, GUESSER, "alice", USERS.alice, { "x-forwarded-for": forged() }));
      // The honest client behind the same proxy, with the same account, is not locked out.
      const honest = await signInFrom(front.url, HONEST, "alice", USERS.alice);
      console.log(
        `proxy (${topology.name}): the guesser, forging X-Forwarded-For each time: ${guesses.join(" ")}; an honest client beside it: ${honest}`,
      );
      expect(guesses).toEqual(["wrong", "wrong", "wrong", "wrong", "locked", "locked"]);
      expect(honest).toBe("in");

      // The audit log names each client's real address, never a forged one.
      const log = server.output();
      const addresses = [...log.matchAll(/"event":"signin\.(\w+)","user":"alice","ip":"([^"]+)"/g)].map(
        ([, event, ip]) => `${event} ${ip}`,
      );
      expect(addresses).toEqual([...Array(5).fill(`failure ${GUESSER}`), `throttled ${GUESSER}`, `success ${HONEST}`]);
      expect(log).not.toMatch(/"ip":"(203\.0\.113|198\.51\.100)\./);

      if (redis) {
        // New anonymous sessions on the server: 3 per address, whatever X-Forwarded-For says.
        const setKey = async (address: string, n: number, headers = {}) => {
          const page = await fresh(`${front.url}/session`, { localAddress: address, headers });
          const reply = await fresh(`${front.url}/session`, {
            method: "POST",
            localAddress: address,
            headers: { origin: front.url, ...headers },
            body: formData({ ...formFieldsOf(page.body, "Set a key"), key: `k${n}`, value: "v" }),
          });
          return reply.body.includes("Too many new sessions") ? "refused" : reply.body.includes("Set “") ? "set" : "?";
        };
        const floods: string[] = [];
        for (let n = 0; n < 5; n++) floods.push(await setKey(GUESSER, n, { "x-forwarded-for": forged() }));
        const other = await setKey(HONEST, 0);
        console.log(`proxy: new sessions, forging X-Forwarded-For: ${floods.join(" ")}; another client: ${other}`);
        expect(floods).toEqual(["set", "set", "set", "refused", "refused"]);
        expect(other).toBe("set");
      }
    } finally {
      await front.stop();
      await server.stop();
    }
  });
}
