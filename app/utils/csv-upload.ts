import { z } from "zod";

// The file field of the pages that import a CSV file, read by parseForm with the page's upload limit.

const MISSING = "Choose a CSV file to import (it is empty or missing).";

/** The uploaded file, there and not empty. */
export const CsvFile = z.instanceof(File, { error: MISSING }).refine((file) => file.size > 0, MISSING);
