import type { Paginator } from '@observes/tap-sdk';

/**
 * Pages through a GitLab list sorted by `updated_at` ascending (`order_by=updated_at&sort=asc`) by moving the
 * `updated_after` filter to the last item of each full page instead of counting pages. Offset pages shift when an
 * item is updated during the walk (it moves to the end and the item after it slides into the page already read,
 * so it would be skipped); restarting from the last timestamp cannot skip anything. The item at that timestamp is
 * asked for again (1 ms earlier, whether the API compares with `>` or `≥`), so callers drop items they already
 * emitted. When moving the filter would not progress (a whole page shares one timestamp), the page number advances.
 * @param size - page size (`per_page`)
 */
export function updatedAfterPaginator(size: number): Paginator {
  return {
    first: (request) => ({ url: request.url, query: { ...request.query, page: 1, per_page: size } }),
    next: (current, _response, items) => {
      if (items.length < size) return undefined;
      const first = Date.parse((items[0] as { updated_at: string }).updated_at);
      const last = Date.parse((items[items.length - 1] as { updated_at: string }).updated_at);
      const after = current.query.updated_after === undefined ? -Infinity : Date.parse(String(current.query.updated_after));
      if (last > first && last - 1 > after) {
        return { url: current.url, query: { ...current.query, updated_after: new Date(last - 1).toISOString(), page: 1 } };
      }
      return { url: current.url, query: { ...current.query, page: Number(current.query.page) + 1 } };
    },
  };
}
