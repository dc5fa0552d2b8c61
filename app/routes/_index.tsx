import type { MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { listUnitCatalog } from "~/domain/units/catalog.server.ts";
import { LanguageSwitch } from "~/components/language-switch.tsx";

export const meta: MetaFunction = () => [{ title: "Preference Center" }];

export async function loader() {
  return { units: await listUnitCatalog() };
}

export default function Home() {
  const { units } = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  return (
    <main className="page">
      <header>
        <div className="home-bar">
          <nav className="home-nav" aria-label={t("common.account")}>
            <a href="/preferences">{t("pages.home.manage")}</a>
            <a href="/login">{t("account.login.submit")}</a>
          </nav>
          <LanguageSwitch />
        </div>
        <h1>Preference Center</h1>
        <p className="lede">{t("pages.home.lede")}</p>
      </header>
      {units.length === 0 ? (
        <p className="empty">{t("pages.home.empty")}</p>
      ) : (
        <div className="units">
          {units.map((unit) => (
            <section key={unit.id} className="unit" style={{ "--brand": unit.brandColor } as React.CSSProperties} aria-labelledby={`unit-${unit.slug}`}>
              <h2 id={`unit-${unit.slug}`}>{unit.displayName}</h2>
              {unit.legalName ? <p className="legal">{unit.legalName}</p> : null}
              <h3>{t("pages.home.topics")}</h3>
              <ul>
                {unit.topics.map((topic) => (
                  <li key={topic.id}>
                    <strong>
                      {topic.name}
                      <span className="channels">
                        {topic.channels.map((channel) => (
                          <span key={channel} className="channel">
                            {t(`pages.channel.${channel}`)}
                          </span>
                        ))}
                      </span>
                    </strong>
                    <span>{topic.description}</span>
                  </li>
                ))}
              </ul>
              <h3>{t("pages.home.service")}</h3>
              <ul>
                {unit.exemptCategories.map((category) => (
                  <li key={category.id}>
                    <strong>{category.name}</strong>
                    <span>{category.reason}</span>
                  </li>
                ))}
              </ul>
            </section>
          ))}
        </div>
      )}
    </main>
  );
}
