// Injection tokens shared by the service's modules. This file imports nothing, so any
// folder can use a token without depending on the module that provides it.

/** The options DanmakuModule was given besides its settings (DanmakuModuleExtras). */
export const DANMAKU_OPTIONS = Symbol('DANMAKU_OPTIONS');
/** The raw settings of forRoot, or what forRootAsync's factory returned. */
export const DANMAKU_SETTINGS = Symbol('DANMAKU_SETTINGS');
/** The path prefix every route and the socket are mounted under ('' for none). */
export const DANMAKU_ROUTE_PREFIX = Symbol('DANMAKU_ROUTE_PREFIX');
