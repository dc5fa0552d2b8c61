// Merge fields: the person's name and the unit's in a campaign's subject, preheader and body,
// written `{{name}}`, `{{first_name|there}}` (the text after "|" stands in when the person has
// no name) or `{{unit}}`, the double braces that listmonk's and Liquid's templates use. The
// message is still rendered once per campaign (ADR 049): each tag becomes a slot, and each copy
// only fills in its recipient's values, escaped for the part they go into (ADR 054).

export const MERGE_FIELDS = ["name", "first_name", "unit"] as const;
export type MergeField = (typeof MERGE_FIELDS)[number];

/** One tag as written. `spaceBefore`: the space before it goes with it, so an empty value leaves no double space. */
export type MergeTag = { readonly field: MergeField; readonly fallback: string; readonly spaceBefore: boolean };

/** Literal text and tags, in order. */
export type MergeTemplate = readonly (string | MergeTag)[];

/** The facts a copy's fields come from. */
export type MergeValues = { readonly name: string | null | undefined; readonly unit: string };

/** What the composer's help text shows. */
export const MERGE_FIELD_HELP =
  "Personal touches: {{first_name|there}} is the person's first name, or “there” when we do not know it; {{name}} is their full name; {{unit}} is the unit's name.";

const KNOWN = new Set<string>(MERGE_FIELDS);
const TAG = /\{\{|\}\}/g;

/** The text as literal pieces and tags, and one message for each tag that is unknown or not closed. */
export function parseMergeFields(text: string): { template: MergeTemplate; problems: string[] } {
  const template: (string | MergeTag)[] = [];
  const problems: string[] = [];
  let literal = "";
  let from = 0;
  TAG.lastIndex = 0;
  for (let match = TAG.exec(text); match; match = TAG.exec(text)) {
    if (match[0] === "}}") {
      problems.push("“}}” closes no merge field: write fields as {{first_name}}.");
      continue;
    }
    const close = text.indexOf("}}", match.index + 2);
    const inside = close === -1 ? null : text.slice(match.index + 2, close);
    if (inside === null || /[{}\r\n]/.test(inside)) {
      problems.push(`A merge field is not closed: “${excerpt(text.slice(match.index))}” needs its “}}”.`);
      // Past its "}}" unless another "{{" starts inside it, to be read on its own.
      TAG.lastIndex = inside !== null && !inside.includes("{") ? close + 2 : match.index + 2;
      continue;
    }
    const bar = inside.indexOf("|");
    const field = (bar === -1 ? inside : inside.slice(0, bar)).trim();
    const fallback = bar === -1 ? "" : inside.slice(bar + 1).trim();
    TAG.lastIndex = close + 2;
    if (!KNOWN.has(field)) {
      problems.push(
        field
          ? `There is no merge field “{{${field}}}”: use {{name}}, {{first_name}} (with a fallback, as in {{first_name|there}}) or {{unit}}.`
          : "A merge field “{{}}” is empty: name one, as in {{first_name|there}}.",
      );
      continue;
    }
    literal += text.slice(from, match.index);
    const spaceBefore = literal.endsWith(" ");
    if (spaceBefore) literal = literal.slice(0, -1);
    if (literal) template.push(literal);
    template.push({ field: field as MergeField, fallback, spaceBefore });
    literal = "";
    from = close + 2;
  }
  literal += text.slice(from);
  if (literal) template.push(literal);
  return { template, problems };
}

/** [] when every tag in the text is a known field, properly closed. */
export function mergeFieldProblems(text: string): string[] {
  return parseMergeFields(text).problems;
}

/** The tag's text for this copy, unescaped and on one line: its space before it when it has one and the value is not empty. */
export function mergeValue(tag: MergeTag, values: MergeValues): string {
  const value = fieldValue(tag.field, values) || oneLine(tag.fallback);
  return value && tag.spaceBefore ? ` ${value}` : value;
}

/** The whole text for one copy, unescaped (for tests, and a part that is not slotted). Throws on a text with problems. */
export function renderMergeFields(text: string, values: MergeValues): string {
  const { template, problems } = parseMergeFields(text);
  if (problems.length > 0) throw new Error(problems.join(" "));
  return template.map((piece) => (typeof piece === "string" ? piece : mergeValue(piece, values))).join("");
}

function fieldValue(field: MergeField, values: MergeValues): string {
  switch (field) {
    case "name":
      return oneLine(values.name ?? "");
    case "first_name":
      return oneLine(values.name ?? "").split(" ")[0];
    case "unit":
      return oneLine(values.unit);
  }
}

// A name is one line: line breaks, tabs and other control characters (a header injection in a
// subject) become one space, and runs of spaces one.
function oneLine(value: string): string {
  return value.replace(/[\s\u0000-\u001f\u007f\u200b]+/g, " ").trim();
}

function excerpt(text: string): string {
  const line = text.split(/\r?\n/)[0];
  return line.length > 30 ? `${line.slice(0, 30)}…` : line;
}
