export { mintDownloadToken, mintUploadToken } from './auth/mint-token.js'
export { ConfigError, loadConfig, parseConfig } from './config/load.js'
export type { Config, ConfigInput } from './config/schema.js'
export { configKeys, configSchema } from './config/schema.js'
export { createTusk, type EmbeddedTusk } from './embed.js'
export { ERR, type ErrorCode, errorTable, TuskError } from './errors.js'
export type { HookEvent, HookResponse, HookType, TuskHooks } from './hooks/types.js'
export { createLogger, type Logger } from './log.js'
export { ownerOf } from './model/record.js'
export type { ServerOptions } from './server.js'
export { startServer, type TuskServer } from './server.js'
export type { StoredObject, TuskStore } from './stores/types.js'
export type {
  AccessCheck,
  Authorizer,
  CreationGrant,
  Intent,
  RequestInfo,
  UploadEvents,
} from './upload/types.js'
