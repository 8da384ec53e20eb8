import { BlobServiceClient, type ContainerClient, StorageSharedKeyCredential } from '@azure/storage-blob'
import type { Config } from '../config/schema.js'

export type AzureClientConfig = Pick<
  Config,
  'azureContainer' | 'azureConnectionString' | 'azureAccount' | 'azureAccountKey' | 'azureEndpoint'
>

// The SDK's default retries wait 4 s, 8 s, 16 s: an unreachable service took ~30 s to answer 503.
// Three tries 0.5 s and 1 s apart give a request the same chance against a blip and answer an outage
// within seconds (failures.ts: 503 with Retry-After; 423 on an offset read).
const RETRY_OPTIONS = { maxTries: 3, retryDelayInMs: 500, maxRetryDelayInMs: 2_000 }

/** The container client for `--azure-*`: a connection string, or an account and key (and endpoint). */
export function azureContainerClient(config: AzureClientConfig): ContainerClient {
  const container = config.azureContainer
  // The config schema requires these with store azure; this guards direct callers.
  if (!container) throw new Error('the Azure store needs a container (azureContainer)')
  const options = { retryOptions: RETRY_OPTIONS }
  if (config.azureConnectionString) {
    return BlobServiceClient.fromConnectionString(config.azureConnectionString, options).getContainerClient(
      container,
    )
  }
  const { azureAccount: account, azureAccountKey: key } = config
  if (!account || !key) throw new Error('the Azure store needs a connection string, or an account and key')
  const endpoint = config.azureEndpoint ?? `https://${account}.blob.core.windows.net`
  const credential = new StorageSharedKeyCredential(account, key)
  return new BlobServiceClient(endpoint, credential, options).getContainerClient(container)
}
