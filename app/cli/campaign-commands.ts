// `campaign send`: create a campaign from a Markdown file and start it, optionally waiting
// (with a progress bar) until it has been sent.

import fs from "node:fs";
import cliProgress from "cli-progress";
import { options, required, UsageError, type Command } from "./args.ts";

export const campaignCommands: Record<string, Command> = {
  "campaign send": {
    usage:
      "campaign send --unit <slug> --topic <slug> --subject <text> --body <file.md> [--preheader <text>] [--advertisement] [--wait]\n" +
      "                                                 create and start a campaign; --wait sends it from here and shows progress",
    async run(args) {
      const { values } = options(args, {
        unit: { type: "string" },
        topic: { type: "string" },
        subject: { type: "string" },
        body: { type: "string" },
        preheader: { type: "string" },
        advertisement: { type: "boolean" },
        wait: { type: "boolean" },
      });
      const bodyFile = required(values.body, "--body");
      if (!fs.existsSync(bodyFile)) throw new UsageError(`--body: there is no file ${bodyFile}.`);
      const { db } = await import("~/utils/db.server.ts");
      const { CLI_OPERATOR, createCampaign, sendNow, campaignReport } = await import("~/domain/campaigns/campaigns.server.ts");
      const unitSlug = required(values.unit, "--unit");
      const topicSlug = required(values.topic, "--topic");
      const unit = await db.businessUnit.findUnique({ where: { slug: unitSlug }, select: { id: true } });
      if (!unit) throw new Error(`There is no unit "${unitSlug}".`);
      const topic = await db.topic.findFirst({ where: { unitId: unit.id, slug: topicSlug }, select: { id: true } });
      if (!topic) throw new Error(`Unit ${unitSlug} has no topic "${topicSlug}".`);
      const { id } = await createCampaign(CLI_OPERATOR, {
        unitId: unit.id,
        topicId: topic.id,
        subject: required(values.subject, "--subject"),
        preheader: values.preheader ?? "",
        bodyMarkdown: fs.readFileSync(bodyFile, "utf8"),
        advertisementLabel: values.advertisement ?? false,
      });
      await sendNow(CLI_OPERATOR, id);
      console.log(`Campaign ${id} started.`);
      if (!values.wait) {
        console.log("A running `npm start` or `npm run worker` sends it; add --wait to send it from here and watch.");
        return;
      }
      const { startCampaignSender } = await import("~/domain/campaigns/worker.server.ts");
      const sender = startCampaignSender({ pollMs: 200 });
      const bar = new cliProgress.SingleBar(
        { format: "Sending [{bar}] {value}/{total} {percentage}% | {rate}/s | failed {failed} | skipped {skipped} | ETA {etaText}" },
        cliProgress.Presets.shades_classic,
      );
      let report = await campaignReport(CLI_OPERATOR, id);
      bar.start(1, 0, { rate: 0, failed: 0, skipped: 0, etaText: "…" });
      for (;;) {
        report = await campaignReport(CLI_OPERATOR, id);
        const { sent, failed, skipped, waiting, remaining } = report.counts;
        bar.setTotal(Math.max(1, sent + failed + skipped + (remaining ?? waiting)));
        // The campaign's own ETA: the bar's would jump while the total is still being listed.
        const etaText = report.etaSeconds === null ? "…" : report.etaSeconds < 90 ? `${report.etaSeconds}s` : `${Math.round(report.etaSeconds / 60)} min`;
        bar.update(sent + failed + skipped, { rate: Math.round(report.ratePerSecond), failed, skipped, etaText });
        if (!["SENDING"].includes(report.campaign.status)) break;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      bar.stop();
      await sender.stop();
      const { sent, failed, skipped } = report.counts;
      console.log(`Campaign ${id}: ${report.campaign.status.toLowerCase()} — ${sent} sent, ${failed} failed, ${skipped} skipped.`);
      if (report.campaign.status !== "SENT") throw new Error(report.campaign.pausedReason ?? `Campaign ${id} ended as ${report.campaign.status}.`);
    },
  },
};
