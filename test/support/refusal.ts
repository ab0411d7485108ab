/** The API's 400 body, as far as a refusal's wording goes. */
export interface RefusalBody {
  message: string;
  details?: { issues?: { path: string; message: string }[] };
}

/**
 * A refusal as a test reads it: one line per refused field, `path: message` ("start: This is required."), or the
 * message alone when no field is named. The API's messages carry no path themselves (they are for people); the
 * path comes from `details.issues`, which is how a form puts each message beside its field.
 */
export function refusal(error: RefusalBody): string {
  const issues = error.details?.issues ?? [];
  if (issues.length === 0) return error.message;
  return issues.map((issue) => (issue.path ? `${issue.path}: ${issue.message}` : issue.message)).join('\n');
}
