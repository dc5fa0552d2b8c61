// The channels a contact list is exported for (email goes through campaigns). Not a .server
// module: the download's form schema is built from them when the route module loads.

export const EXPORT_CHANNELS = ["POSTAL", "PHONE"] as const;
export type ExportChannel = (typeof EXPORT_CHANNELS)[number];
