/** GitHub is OAuth 2.0 without ID tokens: who the user is comes from its REST API, with the access token. */
import { z } from 'zod';

const API = 'https://api.github.com';

const userSchema = z.object({ id: z.number(), login: z.string(), name: z.string().nullable().optional() });
const emailsSchema = z.array(z.object({ email: z.string(), primary: z.boolean(), verified: z.boolean() }));

async function get<T>(path: string, accessToken: string, schema: z.ZodType<T>): Promise<T> {
  const response = await fetch(`${API}${path}`, {
    headers: {
      authorization: `Bearer ${accessToken}`,
      accept: 'application/vnd.github+json',
      'x-github-api-version': '2022-11-28',
      'user-agent': 'Slotcast',
    },
    signal: AbortSignal.timeout(5_000),
  });
  if (!response.ok) throw new TypeError(`GitHub answered ${response.status} for ${path}`);
  return schema.parse(await response.json());
}

/** The account id, and the primary email only if GitHub has verified it. */
export async function githubIdentity(accessToken: string) {
  const [user, emails] = await Promise.all([
    get('/user', accessToken, userSchema),
    get('/user/emails', accessToken, emailsSchema),
  ]);
  const primary = emails.find((e) => e.primary);
  return {
    subject: String(user.id),
    email: primary?.email ?? null,
    emailVerified: primary?.verified === true,
    name: user.name ?? user.login,
  };
}
