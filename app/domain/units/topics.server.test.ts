import { beforeEach, describe, expect, it } from "vitest";
import { CLI_ACTOR, type AuditActor } from "~/domain/audit/audit.server.ts";
import { CampaignError, CLI_OPERATOR, createCampaign, scheduleCampaign, sendNow } from "~/domain/campaigns/campaigns.server.ts";
import { applyConsentChange, ConsentError } from "~/domain/consent/changes.server.ts";
import { HEADER } from "~/domain/imports/contact-csv.ts";
import { importContacts } from "~/domain/imports/contact-import.server.ts";
import { savePreferences } from "~/domain/preferences/preference-center.server.ts";
import { controlName } from "~/domain/preferences/controls.ts";
import { db } from "~/utils/db.server.ts";
import { createContact, createTopic, createUnit } from "../../../tests/helpers/fixtures.ts";
import { archiveTopic, createTopic as createTopicByAdmin, deleteTopic, checkTopicForm, TopicAdminError, unarchiveTopic, updateTopic } from "./topics.server.ts";

// Topics as admins manage them: the form's checks, archiving and what it stops everywhere a
// subscription or a campaign can start, deleting only without history, and the audit entries.

const ADMIN: AuditActor = { userId: 1, email: "admin@example.com", ip: "203.0.113.9", userAgent: "test" };
const DRAFT = { subject: "Spring offers", preheader: "", bodyMarkdown: "Our **best** offers.", advertisementLabel: false };

let unit: { id: number; slug: string; displayName: string };
let topic: { id: number; slug: string; name: string };

beforeEach(async () => {
  unit = await createUnit({ displayName: "Acme Garden" });
  topic = await createTopic(unit.id, { slug: "seed-tips", name: "Seed tips", offersPhone: false });
});

const auditOf = (action: string) => db.auditEvent.findMany({ where: { action, target: `topic:${topic.id}` }, orderBy: { id: "asc" } });

describe("the topic form", () => {
  it("names each bad field", () => {
    const result = checkTopicForm({ slug: "Seed Tips", name: "", description: "x".repeat(301) }, { creating: true });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toEqual({
      slug: expect.stringMatching(/only lower-case letters, digits and hyphens/),
      name: expect.stringMatching(/Give the topic a name/),
      description: "Shorten the description to 300 characters or fewer.",
      channels: "Choose at least one channel the topic is offered on.",
    });
    expect(checkTopicForm({ slug: "ok-slug", name: "Ok", offersPostal: "on" }, { creating: true })).toMatchObject({ ok: true, settings: { offersEmail: false, offersPostal: true } });
    expect(checkTopicForm({ slug: "new", name: "New", offersEmail: "on" }, { creating: true })).toMatchObject({ ok: false, errors: { slug: expect.stringMatching(/names a page of its own/) } });
  });

  it("creates and renames with an audit entry each, refuses a taken slug, and writes nothing when nothing changed", async () => {
    expect(await createTopicByAdmin(ADMIN, unit.slug, { slug: "seed-tips", name: "Again", offersEmail: "on" })).toEqual({
      ok: false,
      errors: { slug: "Acme Garden already has a topic with the slug seed-tips: choose another." },
    });
    const created = await createTopicByAdmin(ADMIN, unit.slug, { slug: "bulbs", name: "Bulbs", description: "Autumn planting.", offersEmail: "on", offersPostal: "on" });
    expect(created).toMatchObject({ ok: true, slug: "bulbs" });
    const bulbs = await db.topic.findUniqueOrThrow({ where: { unitId_slug: { unitId: unit.id, slug: "bulbs" } } });
    const [entry] = await db.auditEvent.findMany({ where: { action: "topic.create", target: `topic:${bulbs.id}` } });
    expect(entry).toMatchObject({ actorUserId: 1, actorEmail: "admin@example.com", ip: "203.0.113.9" });
    expect(JSON.parse(entry.detail!)).toEqual({ unit: unit.slug, slug: "bulbs", name: "Bulbs", channels: ["EMAIL", "POSTAL"] });

    const renamed = await updateTopic(ADMIN, unit.slug, "bulbs", { name: "Bulbs and corms", description: "Autumn planting.", offersEmail: "on", offersPostal: "on" });
    expect(renamed).toEqual({ ok: true, slug: "bulbs", changed: ["name"] });
    const same = await updateTopic(ADMIN, unit.slug, "bulbs", { name: "Bulbs and corms", description: "Autumn planting.", offersEmail: "on", offersPostal: "on" });
    expect(same).toEqual({ ok: true, slug: "bulbs", changed: [] });
    const updates = await db.auditEvent.findMany({ where: { action: "topic.update", target: `topic:${bulbs.id}` } });
    expect(updates.map((e) => JSON.parse(e.detail!))).toEqual([{ unit: unit.slug, slug: "bulbs", changed: ["name"] }]);
  });

  it("refuses to stop offering a channel people are subscribed on", async () => {
    const contact = await createContact();
    await applyConsentChange({ kind: "subscribe", contactId: contact.id, topicId: topic.id, channel: "POSTAL", basis: "EXPRESS" }, { source: "ADMIN", actor: "test" });
    const result = await updateTopic(ADMIN, unit.slug, topic.slug, { name: topic.name, offersEmail: "on" });
    expect(result).toMatchObject({ ok: false, errors: { channels: expect.stringMatching(/subscribed to this topic on the channel you unticked \(1 by postal mail\)/) } });
    expect((await db.topic.findUniqueOrThrow({ where: { id: topic.id } })).offersPostal).toBe(true);
    // Unticking a channel nobody is subscribed on is fine.
    expect(await updateTopic(ADMIN, unit.slug, topic.slug, { name: topic.name, offersPostal: "on" })).toMatchObject({ ok: true, changed: ["offersEmail"] });
  });
});

describe("an archived topic", () => {
  it("takes no new subscriptions from the consent core, the preference center or an import, and keeps its history", async () => {
    const subscriber = await createContact();
    await applyConsentChange({ kind: "subscribe", contactId: subscriber.id, topicId: topic.id, channel: "EMAIL", basis: "EXPRESS" }, { source: "ADMIN", actor: "test" });
    expect(await archiveTopic(ADMIN, unit.slug, topic.slug)).toEqual({ changed: true, sending: 0 });

    const newcomer = await createContact("new.person@example.com");
    await expect(
      applyConsentChange({ kind: "subscribe", contactId: newcomer.id, topicId: topic.id, channel: "EMAIL", basis: "EXPRESS" }, { source: "API", actor: "test" }),
    ).rejects.toThrow(new ConsentError('The topic "Seed tips" is archived and takes no new subscriptions.'));
    const name = controlName.topic(topic.id, "EMAIL");
    await expect(savePreferences(newcomer.id, { shown: new Map([[name, false]]), checked: new Set([name]) }, { actor: "test" })).rejects.toThrow(/is archived and takes no new subscriptions/);

    const report = await importContacts({
      unitId: unit.id,
      input: { content: `${HEADER}\nnew.person@example.com,New,seed-tips,email,express,2025-01-01,fair stand\n` },
      actor: "user:1",
    });
    expect(report).toMatchObject({ rows: 1, subscribed: 0, bad: 1, badLines: [{ line: 2, reason: "topic “seed-tips” is archived and takes no new subscriptions" }] });
    expect(await db.subscription.count({ where: { topicId: topic.id } })).toBe(1);
    // Its history stays: the subscription and the ledger event are untouched.
    expect(await db.subscription.findFirst({ where: { topicId: topic.id } })).toMatchObject({ contactId: subscriber.id, status: "SUBSCRIBED" });
    expect(await db.consentEvent.count({ where: { topicId: topic.id } })).toBe(1);
  });

  it("takes no new campaign, and a draft written before can be neither sent nor scheduled", async () => {
    const draft = await createCampaign(CLI_OPERATOR, { unitId: unit.id, topicId: topic.id, ...DRAFT });
    await archiveTopic(ADMIN, unit.slug, topic.slug);
    await expect(createCampaign(CLI_OPERATOR, { unitId: unit.id, topicId: topic.id, ...DRAFT })).rejects.toThrow(new CampaignError("“Seed tips” is archived: it takes no new campaigns.", "topicId"));
    await expect(sendNow(CLI_OPERATOR, draft.id)).rejects.toThrow(/“Seed tips” is archived: it takes no new campaigns\. Edit the draft and choose another topic\./);
    await expect(scheduleCampaign(CLI_OPERATOR, draft.id, new Date(Date.now() + 3_600_000))).rejects.toThrow(/is archived: it takes no new campaigns/);
    expect(await db.campaign.findUniqueOrThrow({ where: { id: draft.id } })).toMatchObject({ status: "DRAFT", startedAt: null });

    await unarchiveTopic(ADMIN, unit.slug, topic.slug);
    await scheduleCampaign(CLI_OPERATOR, draft.id, new Date(Date.now() + 3_600_000));
    expect((await db.campaign.findUniqueOrThrow({ where: { id: draft.id } })).status).toBe("SCHEDULED");
  });

  it("cannot be archived while a campaign on it is scheduled, so no campaign ever starts on an archived topic", async () => {
    const draft = await createCampaign(CLI_OPERATOR, { unitId: unit.id, topicId: topic.id, ...DRAFT });
    await scheduleCampaign(CLI_OPERATOR, draft.id, new Date(Date.now() + 3_600_000));
    const refusal = await archiveTopic(ADMIN, unit.slug, topic.slug).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(TopicAdminError);
    expect((refusal as Error).message).toBe(`A campaign is scheduled on this topic: “Spring offers” (#${draft.id}). Cancel its schedule (or let it go out) before archiving.`);
    expect((await db.topic.findUniqueOrThrow({ where: { id: topic.id } })).archivedAt).toBeNull();
    expect(await auditOf("topic.archive")).toEqual([]);
  });

  it("records archive and unarchive in the audit log, once each however often they are asked", async () => {
    await archiveTopic(ADMIN, unit.slug, topic.slug);
    expect(await archiveTopic(ADMIN, unit.slug, topic.slug)).toEqual({ changed: false, sending: 0 });
    await unarchiveTopic(ADMIN, unit.slug, topic.slug);
    expect(await unarchiveTopic(ADMIN, unit.slug, topic.slug)).toEqual({ changed: false });
    expect((await auditOf("topic.archive")).map((e) => JSON.parse(e.detail!))).toEqual([{ unit: unit.slug, slug: topic.slug, subscriptions: 0, sending: 0 }]);
    expect(await auditOf("topic.unarchive")).toHaveLength(1);
  });
});

describe("deleting a topic", () => {
  it("is possible only while nothing refers to it", async () => {
    const contact = await createContact();
    await applyConsentChange({ kind: "subscribe", contactId: contact.id, topicId: topic.id, channel: "EMAIL", basis: "EXPRESS" }, { source: "ADMIN", actor: "test" });
    await expect(deleteTopic(ADMIN, unit.slug, topic.slug)).rejects.toThrow(/has history .* archive it instead/);
    expect(await db.topic.count({ where: { id: topic.id } })).toBe(1);

    const typo = await createTopic(unit.id, { slug: "sede-tips" });
    await deleteTopic(CLI_ACTOR, unit.slug, "sede-tips");
    expect(await db.topic.count({ where: { id: typo.id } })).toBe(0);
    const [entry] = await db.auditEvent.findMany({ where: { action: "topic.delete", target: `topic:${typo.id}` } });
    expect(entry).toMatchObject({ actorEmail: "cli", actorUserId: null });
  });
});
