import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DanmakuWsAdapter } from '../../src/index.js';
import { ModeratedRoomModule } from './app.module.js';

async function bootstrap(): Promise<void> {
  const app = await NestFactory.create<NestExpressApplication>(ModeratedRoomModule);
  // The one line DanmakuModule needs from main.ts: its socket runs on the ws adapter.
  app.useWebSocketAdapter(new DanmakuWsAdapter(app));
  app.enableShutdownHooks();
  await app.listen(Number(process.env.PORT ?? 3000), process.env.HOST ?? '0.0.0.0');
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : process.env.PORT;
  Logger.log(`listening on http://127.0.0.1:${port} (room page /live/, socket /live/connect)`, 'Example');
}

void bootstrap();
