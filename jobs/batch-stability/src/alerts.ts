import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { HttpClient } from '@observes/tap-sdk';
import type { Logger } from '@observes/protocol';

/** Where the alert goes. */
export interface AlertTargets {
  snsTopicArn?: string;
  snsEndpoint?: string;
  region?: string;
  webhookUrl?: string;
}

/**
 * Sends the alert to each target given: an SNS Publish (subject and text), and a webhook POST of
 * `{"text": ..., "report": ...}` (Slack and most chat hooks read `text`). Every target is tried;
 * each failure is logged, and the first is thrown once all were tried.
 * @returns the targets reached
 */
export async function sendAlert(targets: AlertTargets, subject: string, text: string, report: unknown, logger: Logger): Promise<string[]> {
  const reached: string[] = [];
  const failures: Error[] = [];
  if (targets.snsTopicArn) {
    const sns = new SNSClient({ region: targets.region, ...(targets.snsEndpoint ? { endpoint: targets.snsEndpoint } : {}) });
    try {
      await sns.send(new PublishCommand({ TopicArn: targets.snsTopicArn, Subject: subject, Message: text }));
      reached.push('sns');
    } catch (error) {
      failures.push(new Error(`SNS publish to ${targets.snsTopicArn} failed: ${(error as Error).message}`));
    } finally {
      sns.destroy();
    }
  }
  if (targets.webhookUrl) {
    try {
      await new HttpClient({ logger, maxRetries: 3 }).request({ method: 'POST', url: targets.webhookUrl, headers: { 'content-type': 'application/json' }, body: { text: `${subject}\n${text}`, report } });
      reached.push('webhook');
    } catch (error) {
      failures.push(new Error(`webhook failed: ${(error as Error).message}`));
    }
  }
  for (const failure of failures) logger.error(failure.message);
  if (failures.length > 0) throw failures[0];
  return reached;
}
