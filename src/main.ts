import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module.js';
import { runPrimary, runsServer } from './cluster/cluster-launcher.js';
import type { DanmakuConfig } from './config/danmaku-config.js';
import { validateConfig } from './config/validate-config.js';
import { DanmakuWsAdapter } from './gateway/danmaku-ws.adapter.js';

/** Largest accepted HTTP body; larger ones get 413. */
const BODY_LIMIT = '1mb';

async function bootstrap(config: DanmakuConfig): Promise<void> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forConfig(config), {
    bodyParser: false,
    logger: logLevels(config.LOG_LEVEL),
    // A failing start (Redis unreachable) exits 1 with its message below, not abort().
    abortOnError: false,
  });
  app.useBodyParser('json', { limit: BODY_LIMIT });
  app.useBodyParser('urlencoded', { limit: BODY_LIMIT, extended: false });
  app.useWebSocketAdapter(new DanmakuWsAdapter(app));
  app.disable('x-powered-by');

  let closing = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (closing) return;
    closing = true;
    Logger.log(`${signal}: draining`, 'Danmaku');
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        Logger.error(error, 'Shutdown');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);

  // Nest's types stop at (port, hostname), but its listen hands every argument on to
  // http.Server.listen, whose third is the backlog; going through Nest keeps its own
  // bookkeeping (listening state, close on shutdown). test/listen-backlog.e2e-spec.ts pins it.
  const listen = app.listen.bind(app) as unknown as (port: number, hostname: string, backlog: number) => Promise<unknown>;
  await listen(config.PORT, config.HOST, config.LISTEN_BACKLOG);
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  // Tests and scripts read the port from this line when PORT=0.
  Logger.log(`listening on http://${config.HOST}:${port} (ws path /connect)`, 'Danmaku');
}

function logLevels(level: string | undefined) {
  const order = ['error', 'warn', 'log', 'debug'] as const;
  const index = order.indexOf((level ?? 'log') as (typeof order)[number]);
  return order.slice(0, index < 0 ? 3 : index + 1);
}

/**
 * The one validation of the environment: WORKERS > 1 makes this process only supervise
 * the workers (see cluster-launcher.ts), so it is needed before Nest starts.
 */
function main(): Promise<void> {
  const config = validateConfig(process.env);
  if (runsServer(config)) return bootstrap(config);
  runPrimary(config);
  return Promise.resolve();
}

Promise.resolve().then(main).catch((error: unknown) => {
  // A configuration error names the variable; nothing else is worth a stack here.
  console.error(error instanceof Error && error.name === 'ConfigError' ? error.message : error);
  process.exit(1);
});
