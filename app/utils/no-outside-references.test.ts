import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

// The reasons behind the code live in docs/ (invariants.md, design.md, decisions/): a pointer to a
// file outside this repository is one a successor cannot follow. Built from parts so this file does
// not match itself.
const OUTSIDE_REFERENCES = [["DESIGN", ".md"], ["STACK", ".md"], ["STYLE", ".md"], ["../", "shared"], ["/work/", "shared"]].map(
  (parts) => parts.join(""),
);

const repositoryRoot = execFileSync("git", ["rev-parse", "--show-toplevel"], { encoding: "utf8" }).trim();

/** Tracked files, and new ones not yet added (so a fresh file is caught before its commit). */
function repositoryFiles(): string[] {
  const listed = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], {
    cwd: repositoryRoot,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  return [...new Set(listed.split("\0"))].filter(
    (file) => file !== "" && !file.startsWith("node_modules/") && !file.includes("/node_modules/") && !file.startsWith("app/generated/"),
  );
}

function outsideReferences(files: string[]): string[] {
  const found: string[] = [];
  for (const file of files) {
    let content: Buffer;
    try {
      content = fs.readFileSync(path.join(repositoryRoot, file));
    } catch {
      continue; // deleted in the working tree, not yet in the index
    }
    if (content.includes(0)) continue; // images and other binary files
    content
      .toString("utf8")
      .split("\n")
      .forEach((line, index) => {
        const named = OUTSIDE_REFERENCES.filter((reference) => line.includes(reference));
        if (named.length > 0) found.push(`${file}:${index + 1} mentions ${named.join(", ")}`);
      });
  }
  return found;
}

describe("references to files outside the repository", () => {
  it("finds the repository's own files to read", () => {
    const files = repositoryFiles();
    expect(files).toContain("app/utils/no-outside-references.test.ts");
    expect(files).toContain("prisma/schema.prisma");
  });

  it("no source, test or document points outside the repository (the design is in docs/)", () => {
    expect(outsideReferences(repositoryFiles())).toEqual([]);
  });
});
