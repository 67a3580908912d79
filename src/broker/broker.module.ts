import { Module } from '@nestjs/common';
import { Broker } from './broker.js';
import { MemoryBroker } from './memory-broker.js';

/** Provides the Broker; the in-memory engine is the default. */
@Module({
  providers: [{ provide: Broker, useClass: MemoryBroker }],
  exports: [Broker],
})
export class BrokerModule {}
