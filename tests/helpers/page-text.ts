// A page as a person reads it, for assertions on wording rather than markup.

/** The page's text without tags, React's text separators or the common entities. */
export const plain = (html: string) =>
  html
    .replace(/<!-- -->/g, "")
    .replace(/<[^>]+>/g, " ")
    .replace(/&#x27;|&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, "&")
    .replace(/\s+/g, " ");

/** The text of a response's page. */
export const text = async (response: Response) => plain(await response.text());
