import { startFakeApi, type FakeApi } from '@observes/testkit';

/** A running fake of SNS Publish; `published` holds what was sent. */
export interface FakeSnsApi extends FakeApi {
  published: Array<{ topicArn: string; subject: string; message: string }>;
}

/**
 * SNS's Publish as `@aws-sdk/client-sns` speaks it: the AWS query protocol (a form-encoded POST
 * with `Action=Publish`, `TopicArn`, `Subject`, `Message`), answered with a `PublishResponse` XML
 * document holding a `MessageId` (the client's AwsQueryProtocol in 3.1169.0).
 */
export async function startFakeSnsApi(): Promise<FakeSnsApi> {
  const published: FakeSnsApi['published'] = [];
  const api = await startFakeApi({
    routes: [
      {
        method: 'POST',
        path: '/',
        handler: (request) => {
          const form = new URLSearchParams(request.body);
          if (form.get('Action') !== 'Publish' || !form.get('TopicArn')) {
            return {
              status: 400,
              headers: { 'content-type': 'text/xml' },
              body: '<ErrorResponse><Error><Type>Sender</Type><Code>InvalidParameter</Code><Message>bad request</Message></Error></ErrorResponse>',
            };
          }
          published.push({ topicArn: form.get('TopicArn')!, subject: form.get('Subject') ?? '', message: form.get('Message') ?? '' });
          const id = `msg-${published.length}`;
          return {
            headers: { 'content-type': 'text/xml' },
            body: `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>${id}</MessageId></PublishResult><ResponseMetadata><RequestId>req-${id}</RequestId></ResponseMetadata></PublishResponse>`,
          };
        },
      },
    ],
  });
  return Object.assign(api, { published });
}
