// The fixed vocabularies (countries, languages, subjects), fetched once per tab.

import { api } from "./api.js";

let cached = null;

export function catalog() {
  if (!cached) cached = api.get("/api/catalog").catch((err) => {
    cached = null;
    throw err;
  });
  return cached;
}
