import type { JsonRecord } from '@observes/protocol';
import type { FakeTimedoctorApi } from './fake-timedoctor-api.js';

const DAY_MS = 86_400_000;
const MODES = ['computer', 'manual', 'mobile', 'offcomputer'];

/** Options of {@link seedTimedoctor}. */
export interface SeedOptions {
  /** Company id (default `c-acme`), added with the role `owner`. */
  company?: string;
  /** Number of users (default 4). */
  users?: number;
  /** First and last-but-one day (UTC, `YYYY-MM-DD`) with activity: `[from, to)`. */
  from: string;
  to: string;
}

/** A worklog row as the API answers it (CLIENT: `{start, time, mode, userId, taskId, projectId…}`). */
export function fakeWorklog(userId: string, start: Date, seconds: number, index: number): JsonRecord {
  const task = (index % 6) + 1;
  return {
    userId,
    start: start.toISOString(),
    time: seconds,
    mode: MODES[index % MODES.length],
    taskId: `t${task}`,
    taskName: `Task ${task}`,
    projectId: `p${(task % 3) + 1}`,
    projectName: `Project ${(task % 3) + 1}`,
    deviceId: `d-${userId}`,
    date: start.toISOString().slice(0, 10),
  };
}

/** A screenshot's metadata as `/files` answers it, with the signed URLs the tap must drop. */
export function fakeScreenshot(userId: string, at: Date, index: number): JsonRecord {
  const signed = (kind: string) =>
    `https://storage.googleapis.com/td2-backend-files/${kind}/${userId}/${at.getTime()}.jpg?X-Goog-Algorithm=GOOG4-RSA-SHA256&X-Goog-Credential=fake&X-Goog-Signature=${(index * 7919).toString(16)}`;
  return {
    id: `f-${userId}-${at.getTime()}`,
    userId,
    date: at.toISOString(),
    type: 'screenshot',
    deviceId: `d-${userId}`,
    taskId: `t${(index % 6) + 1}`,
    projectId: `p${(index % 3) + 1}`,
    keys: 40 + (index % 50),
    mouse: 100 + (index % 200),
    activity: (index * 13) % 100,
    screen: 0,
    deleted: false,
    url: signed('screenshot'),
    thumbnails: { small: signed('thumbnail'), count: 1 },
  };
}

/**
 * Seeds one company: users, 3 projects, 6 tasks, two work sessions per user and day (one at 23:30 crossing
 * midnight, so the last day of a month has a session ending in the next month) and a screenshot per user and day.
 * Deterministic. Returns the company id and user ids.
 */
export function seedTimedoctor(api: FakeTimedoctorApi, options: SeedOptions): { company: string; users: string[] } {
  const company = options.company ?? 'c-acme';
  api.addCompany(company, 'Acme');
  const users = Array.from({ length: options.users ?? 4 }, (_, i) => `u${String(i + 1).padStart(2, '0')}`);
  api.items('users', company).push(
    ...users.map((id, i) => ({
      id,
      name: `User ${i + 1}`,
      email: `${id}@example.com`,
      role: i === 0 ? 'owner' : 'user',
      status: 'active',
      timezone: 'UTC',
      hiredAt: '2025-01-06T00:00:00.000Z',
      createdAt: '2025-01-06T00:00:00.000Z',
      emailConfirmed: true,
      archived: false,
    })),
  );
  api.items('projects', company).push(
    ...[1, 2, 3].map((n) => ({
      id: `p${n}`,
      name: `Project ${n}`,
      description: null,
      deleted: false,
      weight: n,
      creatorId: users[0],
      createdAt: '2025-01-06T00:00:00.000Z',
    })),
  );
  api.items('tasks', company).push(
    ...[1, 2, 3, 4, 5, 6].map((n) => ({
      id: `t${n}`,
      name: `Task ${n}`,
      description: null,
      status: 'open',
      reporterId: users[0],
      deleted: false,
      createdAt: '2025-01-06T00:00:00.000Z',
      project: { id: `p${(n % 3) + 1}`, name: `Project ${(n % 3) + 1}` },
    })),
  );
  const worklogs = api.items('worklogs', company);
  const files = api.items('files', company);
  let index = 0;
  for (let day = Date.parse(`${options.from}T00:00:00Z`); day < Date.parse(`${options.to}T00:00:00Z`); day += DAY_MS) {
    users.forEach((user, u) => {
      worklogs.push(fakeWorklog(user, new Date(day + 9 * 3_600_000 + u * 60_000), 3 * 3600 + (index % 7) * 60, index++));
      worklogs.push(fakeWorklog(user, new Date(day + 23.5 * 3_600_000 + u * 60_000), 3600, index++));
      files.push(fakeScreenshot(user, new Date(day + 10 * 3_600_000 + u * 60_000), index++));
    });
  }
  return { company, users };
}
