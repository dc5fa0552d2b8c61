// Summarises a V8 .cpuprofile (e.g. from BENCH_PROFILE_DIR=... npm run bench:one-click): self time
// by package or source file and by function. Async code has no useful inclusive time, so self
// time grouped by where the code lives is what tells Remix, Prisma, SQLite, jose and Express apart.
//
// Usage: tsx bench/profile-summary.ts <file.cpuprofile> [--from=<seconds>] [--top=<n>]
//   --from skips the start-up (migrations, module loading): the load starts a few seconds in.

import fs from "node:fs";

type ProfileNode = { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] };
type Profile = { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => Number(args.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? fallback);
const file = args.find((a) => !a.startsWith("--"));
if (!file) {
  console.error("Usage: tsx bench/profile-summary.ts <file.cpuprofile> [--from=<seconds>] [--top=<n>]");
  process.exit(1);
}
const fromMicros = option("from", 0) * 1e6;
const top = option("top", 25);

const profile = JSON.parse(fs.readFileSync(file, "utf8")) as Profile;
const nodes = new Map(profile.nodes.map((node) => [node.id, node]));

/** node_modules package, node: module, or the project file a frame belongs to. */
function placeOf(url: string, functionName: string): string {
  if (!url) return functionName; // (garbage collector), (idle), (program), native
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  return url.startsWith("node:") ? url : url.replace(/^file:\/\/.*?\/(app|build|scripts|bench|prisma)\//, "$1/");
}

const byPlace = new Map<string, number>();
const byFunction = new Map<string, number>();
const busyPerSecond: number[] = [];
let clock = 0;
let total = 0;
profile.samples.forEach((id, i) => {
  const delta = profile.timeDeltas[i] ?? 0;
  clock += delta;
  const { functionName, url, lineNumber } = nodes.get(id)!.callFrame;
  const second = Math.floor(clock / 1e6);
  if (functionName !== "(idle)") busyPerSecond[second] = (busyPerSecond[second] ?? 0) + delta;
  if (clock < fromMicros) return;
  total += delta;
  const place = placeOf(url, functionName);
  byPlace.set(place, (byPlace.get(place) ?? 0) + delta);
  const fn = `${functionName || "(anonymous)"}  ${place}:${lineNumber + 1}`;
  byFunction.set(fn, (byFunction.get(fn) ?? 0) + delta);
});

const show = (title: string, table: Map<string, number>) => {
  console.log(`\n${title}`);
  for (const [name, micros] of [...table].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`${(micros / 1000).toFixed(0).padStart(8)} ms ${((100 * micros) / total).toFixed(1).padStart(5)}%  ${name}`);
  }
};
console.log(`busy ms in each second (find where the load starts): ${Array.from(busyPerSecond, (m, s) => `${s}:${Math.round((m ?? 0) / 1000)}`).join(" ")}`);
console.log(`${(total / 1e6).toFixed(2)} s sampled from second ${fromMicros / 1e6}`);
show("Self time by package or file", byPlace);
show("Self time by function", byFunction);
