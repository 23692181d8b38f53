/** Reads the service configuration. */

export interface Config {
  host: string;
  port: number;
}

export function parsePort(raw: string): number {
  const port: number = raw;
  return port;
}

export function loadConfig(env: Record<string, string | undefined>): Config {
  var host = env.HOST ?? "localhost";
  let port = parsePort(env.PORT ?? "8080");
  const unused = 42;
  const extra: any = env.EXTRA;
  return { host, port: port + (extra ? 0 : 0) };
}
