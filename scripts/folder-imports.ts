// Which app folders import which: each app/domain/<concept> is its own node, the other top-level
// folders of app/ (routes, components, utils, cli …) one node each. Read from the source with the
// TypeScript parser (imports, export … from, import types, dynamic imports); tests are left out.
// Run `npx tsx scripts/folder-imports.ts` to print the graph and what breaks the layout rules.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

export type FolderEdge = { from: string; to: string; files: string[] };

const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const appRoot = path.join(repositoryRoot, "app");

function sourceFiles(directory: string): string[] {
  return fs.readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) return entry.name === "generated" ? [] : sourceFiles(full);
    return /\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name) ? [full] : [];
  });
}

/** The folder node an app file belongs to: "domain/units", "routes", "utils" … ; null outside app/. */
export function folderOf(file: string): string | null {
  const relative = path.relative(appRoot, file).split(path.sep);
  if (relative[0] === ".." || relative.length < 2) return null;
  if (relative[0] === "domain") return relative.length > 2 ? `domain/${relative[1]}` : "domain";
  return relative[0];
}

function resolvedPath(specifier: string, importer: string): string | null {
  if (specifier.startsWith("~/")) return path.join(appRoot, specifier.slice(2));
  if (specifier.startsWith("./") || specifier.startsWith("../")) return path.resolve(path.dirname(importer), specifier);
  return null; // packages and ~emails are outside app/
}

/** Folder-to-folder edges, each with the importing files (relative to app/) that make it. */
export function folderImports(files: string[] = sourceFiles(appRoot)): FolderEdge[] {
  const edges = new Map<string, FolderEdge>();
  for (const file of files) {
    const from = folderOf(file);
    if (from === null) continue;
    const { importedFiles } = ts.preProcessFile(fs.readFileSync(file, "utf8"), true, true);
    for (const { fileName } of importedFiles) {
      const target = resolvedPath(fileName, file);
      const to = target === null ? null : folderOf(target);
      if (to === null || to === from) continue;
      const key = `${from} -> ${to}`;
      const edge = edges.get(key) ?? { from, to, files: [] };
      const importer = path.relative(appRoot, file);
      if (!edge.files.includes(importer)) edge.files.push(importer);
      edges.set(key, edge);
    }
  }
  return [...edges.values()].sort((a, b) => a.from.localeCompare(b.from) || a.to.localeCompare(b.to));
}

/** Groups of nodes that import each other round a cycle (strongly connected, two or more), by Tarjan's algorithm. */
function cyclicGroups(edges: { from: string; to: string }[]): string[][] {
  const next = new Map<string, string[]>();
  for (const { from, to } of edges) next.set(from, [...(next.get(from) ?? []), to]);
  const nodes = [...new Set(edges.flatMap((edge) => [edge.from, edge.to]))].sort();
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const groups: string[][] = [];
  const visit = (node: string) => {
    index.set(node, index.size);
    low.set(node, index.get(node)!);
    stack.push(node);
    onStack.add(node);
    for (const target of next.get(node) ?? []) {
      if (!index.has(target)) {
        visit(target);
        low.set(node, Math.min(low.get(node)!, low.get(target)!));
      } else if (onStack.has(target)) low.set(node, Math.min(low.get(node)!, index.get(target)!));
    }
    if (low.get(node) === index.get(node)) {
      const group: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        group.push(member);
      } while (member !== node);
      if (group.length > 1) groups.push(group.sort());
    }
  };
  for (const node of nodes) if (!index.has(node)) visit(node);
  return groups;
}

/** Groups of domain folders that import each other round a cycle of any length. */
export function domainCycles(edges: FolderEdge[]): string[][] {
  return cyclicGroups(edges.filter((edge) => edge.from.startsWith("domain/") && edge.to.startsWith("domain/")));
}

/** Groups of app files that import each other round a cycle (files relative to app/). */
export function fileCycles(files: string[] = sourceFiles(appRoot)): string[][] {
  const known = new Set(files);
  const edges = files.flatMap((file) =>
    ts
      .preProcessFile(fs.readFileSync(file, "utf8"), true, true)
      .importedFiles.map(({ fileName }) => resolvedPath(fileName, file))
      .filter((target): target is string => target !== null && known.has(target))
      .map((target) => ({ from: path.relative(appRoot, file), to: path.relative(appRoot, target) })),
  );
  return cyclicGroups(edges);
}

/** Edges that point up: domain into routes or components, utils into components or routes. */
export function upwardImports(edges: FolderEdge[]): FolderEdge[] {
  return edges.filter(
    (edge) =>
      ((edge.from === "domain" || edge.from.startsWith("domain/")) && (edge.to === "routes" || edge.to === "components")) ||
      (edge.from === "utils" && (edge.to === "routes" || edge.to === "components")),
  );
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const edges = folderImports();
  const shown = edges.filter((edge) => edge.from.startsWith("domain") || edge.from === "utils");
  console.log("Folder imports (domain and utils; importing files in brackets):");
  for (const edge of shown) console.log(`  ${edge.from} -> ${edge.to}  [${edge.files.join(", ")}]`);
  const twoWay = shown.filter((edge) => edge.from < edge.to && shown.some((back) => back.from === edge.to && back.to === edge.from));
  console.log("Two-way pairs:", twoWay.map((edge) => `${edge.from} <-> ${edge.to}`).join("; ") || "none");
  console.log("Domain folder cycles:", domainCycles(edges).map((group) => group.join(" <-> ")).join("; ") || "none");
  console.log("Imports pointing up:", upwardImports(edges).map((edge) => `${edge.from} -> ${edge.to}`).join("; ") || "none");
  console.log("File cycles:", fileCycles().map((group) => group.join(" <-> ")).join("; ") || "none");
}
