import type { JsonRecord } from '@observes/protocol';

/** Config keys of alert channels that hold credentials. */
const SECRET_KEY = /key|token|secret|password|auth/i;

/** An environment variable with its value dropped when Checkly marks it `locked` or `secret`. */
export function maskVariable(variable: JsonRecord): JsonRecord {
  return variable.locked === true || variable.secret === true ? { ...variable, value: null } : variable;
}

/** Masks the locked and secret values of a check's or group's `environmentVariables` and `apiCheckDefaults.headers`. */
export function maskCheckSecrets(item: JsonRecord): JsonRecord {
  const out: JsonRecord = { ...item };
  if (Array.isArray(item.environmentVariables)) out.environmentVariables = (item.environmentVariables as JsonRecord[]).map(maskVariable);
  const defaults = item.apiCheckDefaults as JsonRecord | null | undefined;
  if (defaults && Array.isArray(defaults.headers)) {
    out.apiCheckDefaults = { ...defaults, headers: (defaults.headers as JsonRecord[]).map(maskVariable) };
  }
  return out;
}

/**
 * An alert channel without its credentials: API and service keys, tokens and passwords are dropped, webhook and
 * Slack URLs cut to their origin (the path and query carry the secret), header values dropped.
 */
export function maskAlertChannel(channel: JsonRecord): JsonRecord {
  const config = channel.config as JsonRecord | null | undefined;
  if (!config) return channel;
  const masked: JsonRecord = {};
  for (const [key, value] of Object.entries(config)) {
    if (SECRET_KEY.test(key)) masked[key] = null;
    else if (key === 'url' && typeof value === 'string') masked[key] = originOf(value);
    else if (key === 'headers' && Array.isArray(value)) masked[key] = (value as JsonRecord[]).map((h) => ({ ...h, value: null }));
    else masked[key] = value;
  }
  return { ...channel, config: masked };
}

function originOf(url: string): string | null {
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}
