import { useRouteLoaderData } from "@remix-run/react";

/** The group's name for page headers (root loader, ADR 044); the product's name on error pages that ran without it. */
export function useGroupName(): string {
  const root = useRouteLoaderData("root") as { groupName?: string } | undefined;
  return root?.groupName ?? "Preference Center";
}
