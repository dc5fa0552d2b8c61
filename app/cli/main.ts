// `npm run cli -- <command>`: operational commands. Each prints what it did; errors are one
// line on stderr and a non-zero exit.

import cliProgress from "cli-progress";
import { ConfigError } from "~/utils/env.server.ts";
import { options, required, UsageError, type Command } from "./args.ts";
import { campaignCommands } from "./campaign-commands.ts";
import { contactCommands } from "./contact-commands.ts";
import { ledgerCommands } from "./ledger-commands.ts";
import { userCommands } from "./user-commands.ts";

const commands: Record<string, Command> = {
  ...contactCommands,
  "api-keys create": {
    usage: "api-keys create --unit <slug> [--name <text>]   create a transactional API key (printed once, last line)",
    async run(args) {
      const { values } = options(args, { unit: { type: "string" }, name: { type: "string" } });
      const { createApiKey } = await import("~/domain/transactional/api-keys.server.ts");
      const created = await createApiKey(required(values.unit, "--unit"), values.name ?? "");
      console.log(`Created API key ${created.id} for ${created.unitSlug}. Store it now: it is not shown again.`);
      console.log(created.key);
    },
  },
  "api-keys revoke": {
    usage: "api-keys revoke <id>                             revoke an API key at once",
    async run(args) {
      const { positionals } = options(args, {});
      const id = Number(positionals[0]);
      if (!Number.isSafeInteger(id)) throw new UsageError("Give the id of the key to revoke, e.g. `api-keys revoke 3`.");
      const { revokeApiKey } = await import("~/domain/transactional/api-keys.server.ts");
      if (!(await revokeApiKey(id))) throw new Error(`There is no active API key ${id}.`);
      console.log(`Revoked API key ${id}.`);
    },
  },
  "api-keys list": {
    usage: "api-keys list                                    list API keys (prefixes only)",
    async run() {
      const { listApiKeys } = await import("~/domain/transactional/api-keys.server.ts");
      for (const key of await listApiKeys()) {
        const state = key.revokedAt ? `revoked ${key.revokedAt.toISOString()}` : "active";
        console.log(`${key.id}\t${key.unit.slug}\t${key.prefix}…\t${state}\t${key.name}`);
      }
    },
  },
  "policy-change announce": {
    usage:
      "policy-change announce (--unit <slug> | --all-units) --effective <YYYY-MM-DD> --policy <name> --summary <text> --url <policy URL>\n" +
      "                                                 send the policy-change notice to every contact of the unit(s)",
    async run(args) {
      const { values } = options(args, {
        unit: { type: "string" },
        "all-units": { type: "boolean" },
        effective: { type: "string" },
        policy: { type: "string" },
        summary: { type: "string" },
        url: { type: "string" },
      });
      if (!values.unit === !values["all-units"]) throw new UsageError("Give either --unit <slug> or --all-units.");
      const effective = required(values.effective, "--effective");
      const effectiveAt = new Date(`${effective}T00:00:00Z`);
      if (!/^\d{4}-\d{2}-\d{2}$/.test(effective) || Number.isNaN(effectiveAt.getTime())) {
        throw new UsageError("--effective must be a date like 2027-03-01.");
      }
      const url = required(values.url, "--url");
      if (!/^https?:\/\/\S+$/.test(url)) throw new UsageError("--url must be an http(s) URL.");
      const { db } = await import("~/utils/db.server.ts");
      const units = await db.businessUnit.findMany({
        where: values.unit ? { slug: values.unit } : {},
        select: { id: true, slug: true },
        orderBy: { id: "asc" },
      });
      if (units.length === 0) throw new Error(`There is no business unit "${values.unit}".`);
      const { announcePolicyChange } = await import("~/domain/transactional/policy-change.server.ts");
      const bar = new cliProgress.SingleBar({ format: "Sending notices [{bar}] {value}/{total} {percentage}% ETA {eta_formatted}" }, cliProgress.Presets.shades_classic);
      let started = false;
      const outcome = await announcePolicyChange({
        unitIds: units.map((u) => u.id),
        effectiveAt,
        policyName: required(values.policy, "--policy"),
        summary: required(values.summary, "--summary"),
        policyUrl: url,
        onProgress(done, total) {
          if (!started) bar.start(total, 0);
          started = true;
          bar.update(done);
        },
      }).finally(() => started && bar.stop());
      console.log(
        `Policy change effective ${effective} announced for ${units.map((u) => u.slug).join(", ")}: ` +
          `${outcome.sent} sent, ${outcome.alreadySent} already sent earlier, ${outcome.refused} refused (bounced or erased), ${outcome.failed} failed.`,
      );
    },
  },
  links: {
    usage: "links --email <address> --unit <slug> [--topic <slug>]   fresh unsubscribe and preferences links for support staff",
    async run(args) {
      const { values } = options(args, { email: { type: "string" }, unit: { type: "string" }, topic: { type: "string" } });
      const { supportLinks } = await import("~/domain/unsubscribe/support-links.server.ts");
      const links = await supportLinks({
        email: required(values.email, "--email"),
        unitSlug: required(values.unit, "--unit"),
        topicSlug: values.topic,
      });
      console.log(`unsubscribe: ${links.unsubscribe}`);
      console.log(`preferences: ${links.preferences}`);
    },
  },
  "accounts prune": {
    usage:
      "accounts prune [--inactive-days <n>] [--dry-run]   delete accounts unused for n days (default 730); contacts and consent stay",
    async run(args) {
      const { values } = options(args, { "inactive-days": { type: "string" }, "dry-run": { type: "boolean" } });
      const { DEFAULT_INACTIVE_DAYS, pruneInactiveAccounts } = await import("~/domain/accounts/prune.server.ts");
      const days = values["inactive-days"] === undefined ? DEFAULT_INACTIVE_DAYS : Number(values["inactive-days"]);
      if (!Number.isSafeInteger(days) || days < 1) throw new UsageError("--inactive-days must be a whole number of days, 1 or more.");
      const dryRun = values["dry-run"] === true;
      const report = await pruneInactiveAccounts({ inactiveDays: days, dryRun });
      const verb = dryRun ? "Would delete" : "Deleted";
      console.log(`${verb} ${report.accounts.length} account${report.accounts.length === 1 ? "" : "s"} not used since ${report.cutoff.toISOString().slice(0, 10)} (${days} days).`);
      for (const account of report.accounts) {
        console.log(`  ${account.id}\t${account.maskedEmail}\t${account.role}\tlast used ${account.lastUsedAt.toISOString().slice(0, 10)}`);
      }
      if (report.keptLastAdmin) {
        console.log(`Kept admin account ${report.keptLastAdmin.id} (${report.keptLastAdmin.maskedEmail}), inactive too: it is the last admin.`);
      }
      if (dryRun) console.log("Dry run: nothing was deleted.");
      else console.log(`Their contacts and consent records were kept. Also removed ${report.spentLinks} spent one-time links and ${report.staleLockouts} old sign-in counters.`);
    },
  },
  ...userCommands,
  ...campaignCommands,
  ...ledgerCommands,
};

function usage(): string {
  return ["Usage: npm run cli -- <command>", "", ...Object.values(commands).map((c) => `  ${c.usage}`)].join("\n");
}

async function main(argv: string[]): Promise<number> {
  const name = Object.keys(commands).find((key) => key.split(" ").every((word, i) => argv[i] === word));
  if (!name) {
    console.error(argv.length ? `Unknown command "${argv.join(" ")}".\n\n${usage()}` : usage());
    return 2;
  }
  try {
    return (await commands[name].run(argv.slice(name.split(" ").length))) ?? 0;
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`${error.message}\nUsage: npm run cli -- ${commands[name].usage.split("\n")[0].trim()}`);
      return 2;
    }
    if (error instanceof ConfigError || error instanceof Error) {
      console.error(error.message);
      return 1;
    }
    throw error;
  } finally {
    // Links signed by this command (`links`, a campaign send) are counted before the client closes.
    const { flushSignatureCounts } = await import("~/domain/tokens/signature-counts.server.ts");
    await flushSignatureCounts().catch((error) => console.error(`Signature counts not written: ${(error as Error).message}`));
    const { db, readDb } = await import("~/utils/db.server.ts");
    await Promise.all([db.$disconnect(), readDb.$disconnect()]);
  }
}

process.exitCode = await main(process.argv.slice(2));
