import fs from "node:fs";
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

// Remix's browser build empties every `.server` module, but it still runs the module-scope code of
// each route and of every module the browser imports. A `.server` import used there is undefined in
// the browser and the page never comes to life (React #418 or "x is not a function"), while every
// test without a browser passes. Seen twice: `export const loader = answering404(...)` and a form
// schema built at module level from a `.server` helper. This test reads the source for that shape.

const APP = path.resolve(import.meta.dirname, "..");

/** Module-scope uses of names imported from `.server` modules, as "file:line name". */
export function serverNamesAtModuleScope(fileName: string, source: string): string[] {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true, fileName.endsWith(".tsx") ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const serverNames = new Set<string>();
  const found: string[] = [];
  for (const statement of file.statements) {
    if (ts.isImportDeclaration(statement)) {
      const from = (statement.moduleSpecifier as ts.StringLiteral).text;
      const clause = statement.importClause;
      if (!/\.server(\.tsx?)?$/.test(from) || !clause || clause.isTypeOnly) continue;
      if (clause.name) serverNames.add(clause.name.text);
      const bindings = clause.namedBindings;
      if (bindings && ts.isNamespaceImport(bindings)) serverNames.add(bindings.name.text);
      if (bindings && ts.isNamedImports(bindings)) for (const element of bindings.elements) if (!element.isTypeOnly) serverNames.add(element.name.text);
    }
  }
  const visit = (node: ts.Node): void => {
    // Function bodies run later, on the server for loaders and actions; types never run.
    if (ts.isFunctionLike(node) || ts.isTypeNode(node) || ts.isTypeAliasDeclaration(node) || ts.isInterfaceDeclaration(node)) return;
    if (ts.isIdentifier(node) && serverNames.has(node.text) && !ts.isImportSpecifier(node.parent) && !ts.isImportClause(node.parent)) {
      const { line } = file.getLineAndCharacterOfPosition(node.getStart());
      found.push(`${fileName}:${line + 1} ${node.text}`);
    }
    ts.forEachChild(node, visit);
  };
  for (const statement of file.statements) if (!ts.isImportDeclaration(statement)) visit(statement);
  return found;
}

function browserModules(directory: string): string[] {
  return fs.readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) return entry.name === "generated" ? [] : browserModules(full);
    return /\.tsx?$/.test(entry.name) && !/\.server\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name) ? [full] : [];
  });
}

describe("modules the browser loads", () => {
  it("finds a .server name used at module scope, and not one used inside a function or as a type", () => {
    const source = [
      'import { answering404, requireAdmin } from "~/utils/permissions.server.ts";',
      'import { UnitForm, type UnitSettings } from "~/domain/units/unit-settings.server.ts";',
      'import { z } from "zod";',
      "export const loader = answering404(async () => requireAdmin());",
      "const Form = z.object({ unit: UnitForm });",
      "export async function action() { return requireAdmin(UnitForm); }",
      "type Shown = UnitSettings;",
      "export const helper = () => requireAdmin();",
    ].join("\n");
    expect(serverNamesAtModuleScope("route.tsx", source)).toEqual(["route.tsx:4 answering404", "route.tsx:5 UnitForm"]);
  });

  it("no route, component or shared module uses a .server import at module scope", () => {
    const found = browserModules(APP).flatMap((file) => serverNamesAtModuleScope(path.relative(APP, file), fs.readFileSync(file, "utf8")));
    expect(found).toEqual([]);
  });
});
