import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { loadConfig } from '@tusk/server'
import { describe, expect, it } from 'vitest'
import { parseAllDocuments } from 'yaml'
import { readStage } from './dockerfile.js'

// Every manifest under deploy/kubernetes is parsed and validated against the Kubernetes OpenAPI
// schemas shipped inside the `kubernetes-models` package (offline), then checked for what the
// schemas cannot say: probes on the right paths, a grace period longer than the drain, non-root
// with a read-only root filesystem, selectors that match, a ConfigMap Tusk itself accepts.

const root = fileURLToPath(new URL('../../', import.meta.url))
const kubeDir = path.join(root, 'deploy/kubernetes')
const variants = readdirSync(kubeDir, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)

// biome-ignore lint/suspicious/noExplicitAny: manifests are free-form YAML; the schemas check their shape
type Manifest = Record<string, any>

function readManifests(dir: string): { file: string; manifest: Manifest }[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.yaml'))
    .flatMap((file) => {
      const docs = parseAllDocuments(readFileSync(path.join(dir, file), 'utf8'))
      return (Array.isArray(docs) ? docs : [docs]).map((doc) => {
        expect(doc.errors, `${file}: YAML errors`).toEqual([])
        return { file, manifest: doc.toJS() as Manifest }
      })
    })
}

/** Validates with the model class for apiVersion/kind; throws the schema's complaint. */
async function validate(manifest: Manifest): Promise<void> {
  const apiVersion = String(manifest.apiVersion)
  const kind = String(manifest.kind)
  // kubernetes-models lays its classes out as <group>/<version>/<Kind>; the core group is "v1".
  const module = (await import(`kubernetes-models/${apiVersion}/${kind}`)) as Record<
    string,
    new (
      data: Manifest,
    ) => { validate(): void }
  >
  const Model = module[kind]
  if (!Model) throw new Error(`kubernetes-models has no ${apiVersion} ${kind}`)
  new Model(manifest).validate()
}

const byKind = (manifests: { manifest: Manifest }[], kind: string) => {
  const found = manifests.filter((m) => m.manifest.kind === kind).map((m) => m.manifest)
  expect(found, kind).toHaveLength(1)
  return found[0] as Manifest
}

const image = readStage(path.join(root, 'Dockerfile'), 'runtime')

it('finds both deployment variants', () => {
  expect(variants.sort()).toEqual(['s3-redis', 'shared-volume'])
})

it('the validator rejects a manifest that breaks the schema (so a pass means something)', async () => {
  const broken = readManifests(path.join(kubeDir, 's3-redis')).find((m) => m.manifest.kind === 'Deployment')
  const manifest = structuredClone(broken?.manifest) as Manifest
  manifest.spec.template.spec.containers[0].ports[0].containerPort = 'http'
  await expect(validate(manifest)).rejects.toThrow(/containerPort must be integer/)
  delete manifest.spec.selector
  await expect(validate(manifest)).rejects.toThrow(/selector/)
})

describe.each(variants)('deploy/kubernetes/%s', (variant) => {
  const dir = path.join(kubeDir, variant)
  const all = readManifests(dir)
  const kustomization = all.find((m) => m.file === 'kustomization.yaml')?.manifest
  const manifests = all.filter((m) => m.file !== 'kustomization.yaml')

  it('lists every manifest in its kustomization', () => {
    expect(kustomization?.kind).toBe('Kustomization')
    expect([...((kustomization?.resources as string[] | undefined) ?? [])].sort()).toEqual(
      manifests.map((m) => m.file).sort(),
    )
  })

  it.each(manifests.map((m) => [`${m.file} (${m.manifest.kind})`, m.manifest] as const))(
    '%s is valid against the Kubernetes schema',
    async (_name, manifest) => {
      await validate(manifest)
    },
  )

  const deployment = byKind(manifests, 'Deployment')
  const pod = deployment.spec.template.spec
  const container = pod.containers[0]
  const labels = deployment.spec.template.metadata.labels

  it('probes /health for liveness and /ready for readiness, on the container port Tusk listens on', () => {
    expect(container.livenessProbe.httpGet.path).toBe('/health')
    expect(container.readinessProbe.httpGet.path).toBe('/ready')
    const port = container.ports.find((p: Manifest) => p.name === container.readinessProbe.httpGet.port)
    expect(port.containerPort).toBe(Number(image.env.TUSK_PORT))
  })

  it('gives a stopping pod longer than its preStop sleep plus the shutdown timeout Tusk is configured with', () => {
    const preStop: string[] = container.lifecycle.preStop.exec.command
    expect(preStop[0]).toBe('sleep')
    const config = configOf(manifests, deployment)
    expect(pod.terminationGracePeriodSeconds * 1000).toBeGreaterThan(
      Number(preStop[1]) * 1000 + config.shutdownTimeout,
    )
  })

  it('runs non-root on a read-only root filesystem, with a writable /tmp', () => {
    expect(pod.securityContext.runAsNonRoot).toBe(true)
    expect(pod.securityContext.runAsUser).toBeGreaterThan(0)
    expect(container.securityContext.readOnlyRootFilesystem).toBe(true)
    expect(container.securityContext.allowPrivilegeEscalation).toBe(false)
    const tmp = container.volumeMounts.find((m: Manifest) => m.mountPath === '/tmp')
    expect(pod.volumes.find((v: Manifest) => v.name === tmp.name).emptyDir).toBeDefined()
    // The data directory is writable too: a mounted volume, not the read-only image.
    const data = container.volumeMounts.find(
      (m: Manifest) => m.mountPath === configOf(manifests, deployment).dataDir,
    )
    expect(pod.volumes.map((v: Manifest) => v.name)).toContain(data?.name)
    expect(container.resources.requests.cpu).toBeDefined()
    expect(container.resources.requests.memory).toBeDefined()
  })

  it('has a ConfigMap that Tusk accepts, with Redis for locks and a store every replica shares', () => {
    const config = configOf(manifests, deployment)
    expect(config.redisUrl).toBeDefined()
    expect(config.host).toBe('0.0.0.0')
    expect(config.trustProxy).toBe(true)
    expect(config.jwtSecret, 'the optional jwt-secret key turns authentication on').toBeDefined()
    // Metrics on their own container port, named, and announced to Prometheus.
    const metricsPort = container.ports.find((p: Manifest) => p.name === 'metrics')
    expect(metricsPort.containerPort).toBe(config.metricsPort)
    expect(deployment.spec.template.metadata.annotations['prometheus.io/port']).toBe(
      String(config.metricsPort),
    )
    if (variant === 's3-redis') expect(config.store).toBe('s3')
    else {
      expect(config.store).toBe('file')
      const data = container.volumeMounts.find((m: Manifest) => m.mountPath === config.dataDir)
      const claim = pod.volumes.find((v: Manifest) => v.name === data.name).persistentVolumeClaim.claimName
      const pvc = byKind(manifests, 'PersistentVolumeClaim')
      expect(pvc.metadata.name).toBe(claim)
      expect(pvc.spec.accessModes).toEqual(['ReadWriteMany'])
    }
  })

  it('points its Service, PodDisruptionBudget and HorizontalPodAutoscaler at the Deployment', () => {
    const matches = (selector: Record<string, string>) =>
      Object.entries(selector).every(([key, value]) => labels[key] === value)
    expect(matches(deployment.spec.selector.matchLabels)).toBe(true)
    const service = byKind(manifests, 'Service')
    expect(matches(service.spec.selector)).toBe(true)
    expect(container.ports.map((p: Manifest) => p.name)).toContain(service.spec.ports[0].targetPort)
    expect(matches(byKind(manifests, 'PodDisruptionBudget').spec.selector.matchLabels)).toBe(true)
    const hpa = byKind(manifests, 'HorizontalPodAutoscaler')
    expect(hpa.spec.scaleTargetRef).toMatchObject({ kind: 'Deployment', name: deployment.metadata.name })
    expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2)
    const ingress = byKind(manifests, 'Ingress')
    expect(ingress.spec.rules[0].http.paths[0].backend.service.name).toBe(service.metadata.name)
    expect(ingress.metadata.annotations['nginx.ingress.kubernetes.io/proxy-request-buffering']).toBe('off')
    expect(ingress.metadata.annotations['nginx.ingress.kubernetes.io/proxy-body-size']).toBe('0')
  })
})

/**
 * The configuration the container would start with: the image's ENV, then the ConfigMap, then the
 * Deployment's env (Secret values stand in as examples), read by Tusk's own loadConfig.
 */
function configOf(manifests: { manifest: Manifest }[], deployment: Manifest) {
  const container = deployment.spec.template.spec.containers[0]
  const env: NodeJS.ProcessEnv = { ...image.env }
  for (const source of container.envFrom ?? []) {
    const configMap = manifests.find(
      (m) => m.manifest.kind === 'ConfigMap' && m.manifest.metadata.name === source.configMapRef.name,
    )
    Object.assign(env, configMap?.manifest.data)
  }
  const secretExamples: Record<string, string> = {
    'redis-url': 'redis://:secret@redis.default.svc:6379',
    's3-access-key-id': 'AKIAEXAMPLE',
    's3-secret-access-key': 'example-secret',
    'jwt-secret': 'an-example-hmac-secret-of-at-least-32-characters',
  }
  for (const item of container.env ?? []) {
    env[item.name] = item.value ?? secretExamples[item.valueFrom.secretKeyRef.key]
  }
  return loadConfig([], env)
}
