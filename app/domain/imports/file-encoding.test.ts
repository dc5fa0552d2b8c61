import { describe, expect, it } from "vitest";
import { utf16In, utf8Checker } from "./file-encoding.ts";

const HEADER = "email,name,topic,channel,basis,consented_at,source\r\nzoe@example.com,Zoë,news,email,express,2024-03-01,shop\r\n";
const utf16le = (text: string) => Buffer.from(text, "utf16le");
const utf16be = (text: string) => Buffer.from(text, "utf16le").swap16();
const whole = (bytes: Uint8Array, pieceSize = bytes.length) => {
  const checker = utf8Checker();
  for (let start = 0; start < bytes.length; start += pieceSize) {
    const found = checker.push(bytes.subarray(start, start + pieceSize));
    if (found) return found;
  }
  return checker.end();
};

describe("utf16In", () => {
  it("finds UTF-16 with a byte order mark, in either byte order", () => {
    expect(utf16In(Buffer.concat([Buffer.from([0xff, 0xfe]), utf16le(HEADER)]))?.name).toBe("UTF-16 (little-endian, with a byte order mark)");
    expect(utf16In(Buffer.concat([Buffer.from([0xfe, 0xff]), utf16be(HEADER)]))?.name).toBe("UTF-16 (big-endian, with a byte order mark)");
  });

  it("finds UTF-16 without a byte order mark by its NUL bytes", () => {
    expect(utf16In(utf16le(HEADER))?.name).toBe("UTF-16 (little-endian, without a byte order mark)");
    expect(utf16In(utf16be(HEADER))?.name).toBe("UTF-16 (big-endian, without a byte order mark)");
  });

  it("leaves UTF-8, with or without its byte order mark, alone", () => {
    expect(utf16In(Buffer.from(HEADER))).toBeNull();
    expect(utf16In(Buffer.from(`\uFEFF${HEADER}`))).toBeNull();
    expect(utf16In(Buffer.from("e,"))).toBeNull();
  });
});

describe("utf8Checker", () => {
  it("passes UTF-8 however it is cut into pieces", () => {
    const bytes = Buffer.from(`${HEADER}ann@example.com,Ann 😀 Ünal €,news,email,express,2024-03-01,shop\n`);
    for (const size of [1, 2, 3, 7, bytes.length]) expect(whole(bytes, size), `pieces of ${size}`).toBeNull();
  });

  it("names Windows-1252 (Latin-1) and the line of its first non-UTF-8 byte", () => {
    expect(whole(Buffer.from(HEADER, "latin1"))).toEqual({ name: "Windows-1252 (Latin-1)", line: 2 });
    expect(whole(Buffer.from(HEADER, "latin1"), 5)).toEqual({ name: "Windows-1252 (Latin-1)", line: 2 });
    // "café" at the very end: a lead byte with nothing after it.
    expect(whole(Buffer.from([0x63, 0x61, 0x66, 0xc3]))).toEqual({ name: "Windows-1252 (Latin-1)", line: 1 });
    // An overlong "/" and a UTF-16 surrogate written as UTF-8 are not UTF-8 either.
    expect(whole(Buffer.from([0xc0, 0xaf]))).not.toBeNull();
    expect(whole(Buffer.from([0xed, 0xa0, 0x80]))).not.toBeNull();
  });
});
