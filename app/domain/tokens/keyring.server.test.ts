import { describe, expect, it } from "vitest";
import { KID } from "./key-ids.ts";
import { newKid } from "./keyring.server.ts";

describe("newKid", () => {
  // One base64url kid in 64 started with "-", and `npm run cli -- keys retire <kid>` read it as an option (exit 2).
  it("never starts with '-', so every kid can be typed after a CLI command", () => {
    const kids = Array.from({ length: 3000 }, newKid);
    expect(kids.filter((kid) => kid.startsWith("-"))).toEqual([]);
    expect(kids.every((kid) => KID.test(kid) && kid.length === 8)).toBe(true);
  });
});
