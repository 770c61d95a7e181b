import type { Logger } from '@observes/protocol';
import { HttpClient, HttpError, type HttpClientOptions } from '@observes/tap-sdk';

/**
 * Which organization each group belongs to, from the platform's API:
 * `GET <platform_api_url>/groups/<group>` with `Authorization: Bearer <token>` answers
 * `{"name": "<group>", "organization": "<organization>" | null}`, or 404 for a group the platform
 * does not know. Both "null" and 404 mean the group has no organization. Asked once per group and
 * run (cached); 429, 408, 5xx and network errors are retried by the SDK's client, a 401/403 fails
 * the job.
 */
export class PlatformOrganizations {
  private readonly http: HttpClient;
  private readonly cache = new Map<string, Promise<string | null>>();

  constructor(apiUrl: string, token: string, logger: Logger, http: Partial<HttpClientOptions> = {}) {
    this.http = new HttpClient({ baseUrl: apiUrl, headers: { authorization: `Bearer ${token}`, accept: 'application/json' }, logger, ...http });
  }

  /** The group's organization, or null. */
  organizationOf(group: string): Promise<string | null> {
    let answer = this.cache.get(group);
    if (!answer) {
      answer = this.ask(group);
      this.cache.set(group, answer);
    }
    return answer;
  }

  /** The organizations of several groups, asked one after the other (the platform is not hurried). */
  async organizationsOf(groups: Iterable<string>): Promise<Map<string, string | null>> {
    const out = new Map<string, string | null>();
    for (const group of [...groups].sort()) out.set(group, await this.organizationOf(group));
    return out;
  }

  private async ask(group: string): Promise<string | null> {
    try {
      const response = await this.http.request<{ organization?: unknown }>({ url: `groups/${encodeURIComponent(group)}` });
      const organization = response.body?.organization;
      if (organization === null || organization === undefined) return null;
      if (typeof organization !== 'string' || organization === '')
        throw new Error(`the platform API answered group ${group} with organization ${JSON.stringify(organization)}, not a name`);
      return organization;
    } catch (error) {
      if (error instanceof HttpError && error.status === 404) return null;
      throw error;
    }
  }
}
