/**
 * Router-state trees for the checks of scripts/screen.mjs: trees Next.js 16.4
 * reads (its client sends these), ones it throws on, and random mutations of
 * the first. The unit
 * test (screen.test.ts) holds the screen to them; e2e/attack/next-start.spec.ts
 * holds the screen to what plain `next start` does with each, over HTTP.
 */
export const tree = (value: unknown) => encodeURIComponent(JSON.stringify(value));

export const VALID_TREES: unknown[] = [
  ["", {}],
  ["", { children: ["students", { children: ["__PAGE__", {}] }] }, null, "refetch"],
  [
    "",
    { children: ["students", { children: [["id", "3", "d", null], { children: ["__PAGE__", {}] }] }] },
    null,
    null,
    1,
  ],
  ["", { children: [["id", "3", "d", ["all"]], {}, ["/students/3", "/students/3"], "inside-shared-layout", 0, "k"] }],
  ["", { children: ['__PAGE__?{"x":1}', {}, null, "metadata-only"] }],
  ["", []], // an array where the children go: Next's schema takes it, as an object
];

export const BROKEN_TREES: unknown[] = [
  [],
  {},
  null,
  1,
  "x",
  [1, 2],
  ["", { children: 1 }],
  ["", {}, "url"],
  ["", {}, null, "other"],
  ["", {}, null, null, "1"],
  ["", {}, null, null, 1, null],
  ["", {}, null, null, 1, "k", "extra"],
  [["id", "3", "x", null], {}],
  [["id", "3", "d"], {}],
  [["id", 3, "d", null], {}],
  [["id", "3", "d", [1]], {}],
  ["", { children: ["a", { children: [] }] }],
];

/** Headers that are no tree at all. */
export const NOT_TREES = ["x", "%", "%E0%A4%A", "[".repeat(50_000), tree(["", {}]).repeat(2), " "];

/** `count` headers: the valid trees mutated at random (the same ones every run). */
export function mutatedTrees(count: number): string[] {
  let seed = 42;
  const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  const pick = <T>(items: T[]) => items[Math.floor(random() * items.length)];
  const junk = () =>
    pick<unknown>([null, 0, 1.5, "", "x", "refetch", "d", [], {}, ["a"], true, ["id", "3", "d", null]]);
  function mutate(value: unknown): unknown {
    if (random() < 0.08) return junk();
    if (Array.isArray(value)) {
      const copy = value.map((item) => mutate(item));
      if (random() < 0.05) copy.push(junk());
      if (random() < 0.05) copy.pop();
      return copy;
    }
    if (value && typeof value === "object") {
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, mutate(item)]));
    }
    return value;
  }
  return Array.from({ length: count }, () => tree(mutate(pick(VALID_TREES))));
}
