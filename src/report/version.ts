/** Version of the JSON report; bumped on any incompatible change. */
export const REPORT_SCHEMA_VERSION = 1;
