import { ScanCommand, type AttributeValue, type DynamoDBClient, type ScanCommandInput } from '@aws-sdk/client-dynamodb';
import { withThrottleRetry, type ThrottleRetryOptions } from './throttle-retry.js';

/** Options of {@link scanSegment}. */
export interface ScanSegmentOptions {
  table: string;
  /** 0-based segment number, below `totalSegments`. */
  segment: number;
  /** Number of segments the table is scanned in (DynamoDB's `TotalSegments`). */
  totalSegments: number;
  /** Items per page (`Limit`); default DynamoDB's (pages of up to 1 MB). */
  pageSize?: number;
  /** Where to resume: the `LastEvaluatedKey` of the last page handled. */
  startKey?: Record<string, AttributeValue>;
  /** Throttling retries. */
  retry?: ThrottleRetryOptions;
  /** Further Scan parameters (a `FilterExpression`, `ConsistentRead`...). */
  scan?: Partial<ScanCommandInput>;
}

/** One page of a segment scan. */
export interface ScanPage {
  items: Record<string, AttributeValue>[];
  /** Where the next page starts; absent on the last page. */
  lastEvaluatedKey: Record<string, AttributeValue> | undefined;
}

/**
 * Scans one segment of a table page by page. A scan ends only when DynamoDB returns no
 * `LastEvaluatedKey`: a page may be empty (a filter, or `Limit` items all filtered out) and still have
 * more after it. Empty pages are yielded too, so that callers can checkpoint their position.
 */
export async function* scanSegment(client: DynamoDBClient, options: ScanSegmentOptions): AsyncGenerator<ScanPage> {
  let startKey = options.startKey;
  do {
    const input: ScanCommandInput = {
      ...options.scan,
      TableName: options.table,
      Segment: options.segment,
      TotalSegments: options.totalSegments,
      Limit: options.pageSize,
      ExclusiveStartKey: startKey,
    };
    const response = await withThrottleRetry(() => client.send(new ScanCommand(input)), options.retry);
    startKey = response.LastEvaluatedKey;
    yield { items: response.Items ?? [], lastEvaluatedKey: startKey };
  } while (startKey !== undefined);
}
