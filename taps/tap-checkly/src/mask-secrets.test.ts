import { expect } from 'chai';
import { maskAlertChannel, maskCheckSecrets, maskVariable } from './mask-secrets.js';

describe('secret masking', () => {
  it('drops the value of locked and of secret variables only', () => {
    expect(maskVariable({ key: 'A', value: 'plain', locked: false, secret: false })).to.deep.equal({ key: 'A', value: 'plain', locked: false, secret: false });
    expect(maskVariable({ key: 'B', value: 'x', locked: true, secret: false })).to.deep.equal({ key: 'B', value: null, locked: true, secret: false });
    expect(maskVariable({ key: 'C', value: 'y', locked: false, secret: true })).to.deep.equal({ key: 'C', value: null, locked: false, secret: true });
  });

  it('masks check and group variables and locked default headers, leaving the rest', () => {
    const group = {
      id: 1,
      name: 'g',
      environmentVariables: [
        { key: 'OPEN', value: 'v', locked: false },
        { key: 'HIDDEN', value: 'h', locked: true },
      ],
      apiCheckDefaults: {
        url: 'https://api.example.com',
        headers: [
          { key: 'Authorization', value: 'Bearer t', locked: true },
          { key: 'Accept', value: 'json', locked: false },
        ],
      },
    };
    expect(maskCheckSecrets(group)).to.deep.equal({
      id: 1,
      name: 'g',
      environmentVariables: [
        { key: 'OPEN', value: 'v', locked: false },
        { key: 'HIDDEN', value: null, locked: true },
      ],
      apiCheckDefaults: {
        url: 'https://api.example.com',
        headers: [
          { key: 'Authorization', value: null, locked: true },
          { key: 'Accept', value: 'json', locked: false },
        ],
      },
    });
    expect(maskCheckSecrets({ id: 'c', environmentVariables: null })).to.deep.equal({ id: 'c', environmentVariables: null });
  });

  it('removes credentials from alert channel configs', () => {
    expect(maskAlertChannel({ id: 1, type: 'OPSGENIE', config: { name: 'o', apiKey: 'k', region: 'EU' } }).config).to.deep.equal({
      name: 'o',
      apiKey: null,
      region: 'EU',
    });
    expect(maskAlertChannel({ id: 2, type: 'PAGERDUTY', config: { account: 'a', serviceKey: 's', serviceName: 'n' } }).config).to.deep.equal({
      account: 'a',
      serviceKey: null,
      serviceName: 'n',
    });
    expect(maskAlertChannel({ id: 3, type: 'SLACK', config: { url: 'https://hooks.slack.com/services/T/B/secret', channel: '#a' } }).config).to.deep.equal({
      url: 'https://hooks.slack.com',
      channel: '#a',
    });
    expect(maskAlertChannel({ id: 4, type: 'WEBHOOK', config: { url: 'not a url', headers: [{ key: 'X-Token', value: 'v' }] } }).config).to.deep.equal({
      url: null,
      headers: [{ key: 'X-Token', value: null }],
    });
    expect(maskAlertChannel({ id: 5, type: 'EMAIL', config: { address: 'a@example.com' } }).config).to.deep.equal({ address: 'a@example.com' });
  });
});
