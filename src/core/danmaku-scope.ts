import type { DynamicModule, ModuleMetadata, Provider, Type } from '@nestjs/common';

/**
 * DanmakuModule's options besides the settings, with their defaults applied. The host's
 * classes are loosely typed here so that core/ depends on no feature folder; the public
 * DanmakuModuleOptions (danmaku-options.ts) types them for hosts.
 */
export interface DanmakuModuleExtras {
  /** Without leading or trailing slashes; '' for none. */
  routePrefix: string;
  roomPage: boolean;
  isGlobal: boolean;
  filters: Type[];
  authenticator: Type | undefined;
  broker: Type | undefined;
  sensitiveWords: string[];
  /** The host's modules that its classes (and its settings factory) depend on. */
  imports: NonNullable<ModuleMetadata['imports']>;
  /** The host's providers its classes depend on; their home is the core module. */
  providers: Provider[];
}

/**
 * One DanmakuModule instance as its inner modules see it. Their providers depend on this
 * instance's settings and extension classes, so the modules are built per instance rather
 * than static, and they import `core` rather than finding it through a global. `module()`
 * builds each once per instance: Nest tells dynamic modules apart by object identity, so
 * every importer getting the same object is what keeps one RoomService (one Broker, ...).
 */
export class DanmakuScope {
  private readonly modules = new Map<Type, DynamicModule>();

  constructor(
    /** The home of DanmakuConfig, the option tokens and the host's providers. */
    readonly core: DynamicModule,
    readonly options: DanmakuModuleExtras,
  ) {}

  /** `type` with the metadata that depends on this instance, built on first use. */
  module(type: Type, metadata: () => Omit<DynamicModule, 'module'>): DynamicModule {
    let built = this.modules.get(type);
    if (!built) {
      built = { module: type, ...metadata() };
      this.modules.set(type, built);
    }
    return built;
  }
}
