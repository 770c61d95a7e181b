import { failRequests, requireAuth, startFakeApi, type FakeApi } from '@observes/testkit';

/** A running fake of the platform API's group endpoint (see `platform-organizations.ts` for the contract). */
export interface FakePlatformApi extends FakeApi {
  /** Changes the organization of a group (null: none; undefined: the platform does not know it, 404). */
  organizations: Map<string, string | null>;
}

/**
 * Serves `GET /groups/:group` behind `Authorization: Bearer <token>`: `{name, organization}` for a
 * known group, 404 for an unknown one. `failFirst` answers 503 to the first N requests (the job must
 * retry them).
 */
export async function startFakePlatformApi(token: string, organizations: Record<string, string | null>, failFirst = 0): Promise<FakePlatformApi> {
  const map = new Map(Object.entries(organizations));
  const api = await startFakeApi({
    behaviours: [
      requireAuth({ header: 'authorization', value: `Bearer ${token}` }),
      failRequests({ nth: Array.from({ length: failFirst }, (_, i) => i + 1), status: 503 }),
    ],
    routes: [
      {
        path: '/groups/:group',
        handler: (request) => {
          const group = request.params.group;
          if (!map.has(group)) return { status: 404, body: { message: '404 Group Not Found' } };
          return { body: { name: group, organization: map.get(group) } };
        },
      },
    ],
  });
  return Object.assign(api, { organizations: map });
}
