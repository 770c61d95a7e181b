import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { HttpClient } from '@observes/tap-sdk';
import { errorText, LoadError, type Logger } from '@observes/protocol';

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
 * each failure is logged with its cause, and the first is thrown (a `LoadError` whose cause is the SDK's or
 * HTTP client's error: transient when that is) once all were tried.
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
      failures.push(new LoadError(`SNS publish to ${targets.snsTopicArn} failed`, { cause: error }));
    } finally {
      sns.destroy();
    }
  }
  if (targets.webhookUrl) {
    try {
      await new HttpClient({ logger, maxRetries: 3 }).request({
        method: 'POST',
        url: targets.webhookUrl,
        headers: { 'content-type': 'application/json' },
        body: { text: `${subject}\n${text}`, report },
      });
      reached.push('webhook');
    } catch (error) {
      failures.push(new LoadError('webhook failed', { cause: error }));
    }
  }
  for (const failure of failures) logger.error(errorText(failure));
  if (failures.length > 0) throw failures[0];
  return reached;
}
