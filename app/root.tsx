import type { LinksFunction, MetaFunction } from "@remix-run/node";
import { groupName } from "~/domain/group/identity.server.ts";
import { Links, Meta, Outlet, Scripts, ScrollRestoration, isRouteErrorResponse, useRouteError } from "@remix-run/react";
import stylesheet from "~/styles/app.css";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: stylesheet },
  { rel: "icon", href: "/favicon.svg", type: "image/svg+xml" },
];

export const meta: MetaFunction = () => [{ title: "Preference Center" }];

/** The one name every page's header carries: the group's (ADR 044), read by useGroupName(). */
export async function loader() {
  return { groupName: await groupName() };
}

export function Layout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <Meta />
        <Links />
      </head>
      <body>
        {children}
        <ScrollRestoration />
        <Scripts />
      </body>
    </html>
  );
}

export default function App() {
  return <Outlet />;
}

/** Every error a person sees says what happened and what to do next; never a stack trace. */
export function ErrorBoundary() {
  const error = useRouteError();
  const status = isRouteErrorResponse(error) ? error.status : 500;
  const message = isRouteErrorResponse(error)
    ? typeof error.data === "string" ? error.data : error.statusText
    : "Something went wrong on our side. Please try again in a moment.";
  return (
    <main className="page">
      <h1>{status === 404 ? "Page not found" : "Sorry, that did not work"}</h1>
      <p>{message}</p>
      <p>
        <a href="/">Go to the home page</a>
      </p>
    </main>
  );
}
