import { DEMO_LOGINS } from "../../prisma/demo-data.ts";

// The people the demo seed creates, as tests sign in with them: one list, the seed's own.

export type Login = { email: string; password: string };

const login = (email: string): Login => {
  const found = DEMO_LOGINS.find((person) => person.email === email);
  if (!found) throw new Error(`The demo seed has no login ${email}`);
  return { email: found.email, password: found.password };
};

export const DEMO = {
  admin: login("admin@example.com"),
  taxMarketer: login("marketer.tax@example.com"),
  subscriber: login("jane.doe@example.com"),
};
