import type { StoreCapabilities } from '../stores/types.js'

/**
 * Tus-Extension, derived from the store's capabilities: creation and creation-with-upload on every
 * store; checksum and checksum-trailer on every store (a chunk is staged, verified, then written);
 * the others exactly when the store has the capability behind them.
 */
export function tusExtensions(capabilities: StoreCapabilities): string[] {
  const extensions = ['creation', 'creation-with-upload']
  if (capabilities.deferLength) extensions.push('creation-defer-length')
  if (capabilities.terminate) extensions.push('termination')
  if (capabilities.expire) extensions.push('expiration')
  extensions.push('checksum', 'checksum-trailer')
  if (capabilities.concatenate) extensions.push('concatenation')
  if (capabilities.concatenateUnfinished) extensions.push('concatenation-unfinished')
  return extensions
}
