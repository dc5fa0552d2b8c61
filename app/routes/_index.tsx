import type { MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { listUnitCatalog } from "~/domain/units/catalog.server.ts";
import { CHANNEL_LABEL } from "~/domain/consent/channels.ts";

export const meta: MetaFunction = () => [{ title: "Preference Center" }];

export async function loader() {
  return { units: await listUnitCatalog() };
}

export default function Home() {
  const { units } = useLoaderData<typeof loader>();
  return (
    <main className="page">
      <header>
        <nav className="home-nav" aria-label="Account">
          <a href="/preferences">Manage my preferences</a>
          <a href="/login">Sign in</a>
        </nav>
        <h1>Preference Center</h1>
        <p className="lede">The promotional topics each of our business units offers, and the service messages that always reach you.</p>
      </header>
      {units.length === 0 ? (
        <p className="empty">No business units are set up yet.</p>
      ) : (
        <div className="units">
          {units.map((unit) => (
            <section key={unit.id} className="unit" style={{ "--brand": unit.brandColor } as React.CSSProperties} aria-labelledby={`unit-${unit.slug}`}>
              <h2 id={`unit-${unit.slug}`}>{unit.displayName}</h2>
              {unit.legalName ? <p className="legal">{unit.legalName}</p> : null}
              <h3>Promotional topics</h3>
              <ul>
                {unit.topics.map((topic) => (
                  <li key={topic.id}>
                    <strong>
                      {topic.name}
                      <span className="channels">
                        {topic.channels.map((channel) => (
                          <span key={channel} className="channel">{CHANNEL_LABEL[channel]}</span>
                        ))}
                      </span>
                    </strong>
                    <span>{topic.description}</span>
                  </li>
                ))}
              </ul>
              <h3>Service messages you always receive</h3>
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
