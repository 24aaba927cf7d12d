// zod/mini loads no locale, so without one every issue reads "Invalid input"; classic zod sets English on its own.
// English is set here unless the application chose a locale first (a later choice still wins).
import { config } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

if (config().localeError === undefined) config(en());
