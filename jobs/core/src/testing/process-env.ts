/**
 * Sets environment variables of this process for the mocha suite it is called in (restored after):
 * for in-process runs of code that reads `process.env` itself, like the AWS SDK's credential chain.
 */
export function useProcessEnv(variables: Record<string, string> | (() => Record<string, string>)): void {
  const saved: Record<string, string | undefined> = {};
  before(() => {
    for (const [name, value] of Object.entries(typeof variables === 'function' ? variables() : variables)) {
      saved[name] = process.env[name];
      process.env[name] = value;
    }
  });
  after(() => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });
}
