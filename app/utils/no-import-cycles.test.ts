import { describe, expect, it } from "vitest";
import { domainCycles, fileCycles, folderImports, upwardImports, type FolderEdge } from "../../scripts/folder-imports.ts";

// The layout's direction: routes → domain → utils. Domain folders may import each other, but
// never round a cycle, so each can be read (and changed) after the ones it uses; nothing in the
// domain or utils imports a page (routes, components). docs/decisions/023-guards-route-side-no-cycles.md.

const edges = folderImports();

/** A cycle named with the files that make each of its edges, for the failure message. */
function described(group: string[]): string {
  const inside = edges.filter((edge) => group.includes(edge.from) && group.includes(edge.to));
  return `${group.join(" ⇄ ")}: ${inside.map((edge) => `${edge.from} -> ${edge.to} [${edge.files.join(", ")}]`).join("; ")}`;
}

describe("imports between app folders", () => {
  it("reads the real import graph (imports, export … from, import type)", () => {
    const pairs = edges.map((edge) => `${edge.from} -> ${edge.to}`);
    expect(pairs).toContain("routes -> domain/accounts");
    expect(pairs).toContain("domain/campaigns -> domain/consent");
    expect(new Set(edges.filter((edge) => edge.from.startsWith("domain/")).map((edge) => edge.from)).size).toBeGreaterThanOrEqual(10);
  });

  it("finds a cycle of any length, and an import pointing up, when there is one", () => {
    const planted: FolderEdge[] = [
      { from: "domain/a", to: "domain/b", files: [] },
      { from: "domain/b", to: "domain/c", files: [] },
      { from: "domain/c", to: "domain/a", files: [] },
      { from: "domain/c", to: "domain/d", files: [] },
      { from: "domain/d", to: "components", files: [] },
      { from: "utils", to: "routes", files: [] },
      { from: "routes", to: "domain/a", files: [] },
    ];
    expect(domainCycles(planted)).toEqual([["domain/a", "domain/b", "domain/c"]]);
    expect(upwardImports(planted).map((edge) => `${edge.from} -> ${edge.to}`)).toEqual(["domain/d -> components", "utils -> routes"]);
  });

  it("no cycle between domain folders, of any length", () => {
    expect(domainCycles(edges).map(described)).toEqual([]);
  });

  it("nothing in app/domain imports routes or components, nothing in app/utils imports components or routes", () => {
    expect(upwardImports(edges).map((edge) => `${edge.from} -> ${edge.to} [${edge.files.join(", ")}]`)).toEqual([]);
  });

  it("no two files import each other round a cycle (so utils the domain uses never lead back into the domain)", () => {
    expect(fileCycles().map((group) => group.join(" ⇄ "))).toEqual([]);
  });
});
