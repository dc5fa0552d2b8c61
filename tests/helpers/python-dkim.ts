import fs from "node:fs";
import { spawnSync } from "node:child_process";

// Debian's python3-dkim (dkimpy), an independent DKIM implementation to cross-check ours.

/** A Python that can `import dkim`, or why there is none (Debian's python3 may not be first on PATH). */
export function findDkimPython(): { python: string } | { missing: string } {
  const candidates = ["/usr/bin/python3", "python3"].filter((candidate) => !candidate.startsWith("/") || fs.existsSync(candidate));
  const problems: string[] = [];
  for (const candidate of candidates) {
    const result = spawnSync(candidate, ["-c", "import dkim"], { encoding: "utf8" });
    if (result.status === 0) return { python: candidate };
    problems.push(`${candidate}: ${(result.stderr || result.error?.message || `exit ${result.status}`).trim().split("\n").at(-1)}`);
  }
  return { missing: `python3 cannot import dkim (${problems.join("; ") || "no python3 found"}); install it with: apt-get install -y python3-dkim` };
}

/**
 * The Python for the cross-checks. Missing, the test fails with the install command instead of
 * skipping: a check that quietly does not run guards nothing.
 */
export function requireDkimPython(): string {
  const found = findDkimPython();
  if ("missing" in found) throw new Error(`This test needs Debian's python3-dkim: ${found.missing} (npm test installs it when run as root).`);
  return found.python;
}

/** dkimpy's verdict on a message; DNS answers only <selector>._domainkey.<domain> with `record`. */
export function pythonDkimVerifies(python: string, raw: Buffer, selector: string, domain: string, record: string): boolean {
  const script = [
    "import sys, dkim",
    "selector, domain, record = sys.argv[1:4]",
    "def dnsfunc(name, timeout=5):",
    "    name = name.decode() if isinstance(name, bytes) else name",
    "    return record.encode() if name.rstrip('.').lower() == f'{selector}._domainkey.{domain}' else None",
    "print('pass' if dkim.verify(sys.stdin.buffer.read(), dnsfunc=dnsfunc) else 'fail')",
  ].join("\n");
  const result = spawnSync(python, ["-c", script, selector, domain, record], { input: raw, encoding: "utf8" });
  if (result.status !== 0) throw new Error(`python3-dkim failed: ${result.stderr}`);
  return result.stdout.trim() === "pass";
}

/** Signs with dkimpy, so our verifier meets canonicalisation written by someone else. */
export function pythonDkimSign(
  python: string,
  raw: Buffer,
  signer: { selector: string; domain: string; privateKeyPem: string; canonicalize: [string, string]; headers: string[] },
): Buffer {
  const script = [
    "import sys, dkim",
    "selector, domain, key_path, header_c, body_c, fields = sys.argv[1:7]",
    "key = open(key_path, 'rb').read()",
    "message = sys.stdin.buffer.read()",
    "sig = dkim.sign(message, selector.encode(), domain.encode(), key, canonicalize=(header_c.encode(), body_c.encode()), include_headers=[f.encode() for f in fields.split(':')])",
    "sys.stdout.buffer.write(sig + message)",
  ].join("\n");
  const keyPath = `${fs.mkdtempSync("/tmp/dkim-")}/key.pem`;
  fs.writeFileSync(keyPath, signer.privateKeyPem, { mode: 0o600 });
  try {
    const result = spawnSync(python, ["-c", script, signer.selector, signer.domain, keyPath, ...signer.canonicalize, signer.headers.join(":")], { input: raw });
    if (result.status !== 0) throw new Error(`python3-dkim could not sign: ${result.stderr.toString()}`);
    return result.stdout;
  } finally {
    fs.rmSync(keyPath.replace(/\/key\.pem$/, ""), { recursive: true, force: true });
  }
}
