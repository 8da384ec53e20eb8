import { readFileSync } from 'node:fs'
import { type Copy, DockerfileParser, type Instruction } from 'dockerfile-ast'

/** One stage of the Dockerfile, as the runtime-stage test replays it. */
export interface Stage {
  name: string
  workdir: string
  /** COPY --from=<stage> sources (absolute paths in that stage) and their destination. */
  copies: { from: string | undefined; sources: string[]; destination: string }[]
  runs: string[]
  env: Record<string, string>
  user: string | undefined
  volumes: string[]
  healthcheck: string[] | undefined
  entrypoint: string[] | undefined
  cmd: string[] | undefined
}

const argsOf = (instruction: Instruction) => instruction.getArguments().map((a) => a.getValue())

/** The exec (JSON array) form of CMD/ENTRYPOINT/HEALTHCHECK CMD: no shell between init and node. */
function execForm(text: string, what: string): string[] {
  const parsed: unknown = JSON.parse(text)
  if (!Array.isArray(parsed) || !parsed.every((part) => typeof part === 'string')) {
    throw new Error(`${what} must use the exec form (a JSON array of strings), got ${text}`)
  }
  return parsed
}

/** Reads the stage named `name` with dockerfile-ast (the parser of the VS Code Docker tooling). */
export function readStage(file: string, name: string): Stage {
  const dockerfile = DockerfileParser.parse(readFileSync(file, 'utf8'))
  const from = dockerfile.getFROMs().find((f) => f.getBuildStage() === name)
  if (!from) throw new Error(`no stage "${name}" in ${file}`)
  const start = from.getRange().start.line
  const next = dockerfile.getFROMs().find((f) => f.getRange().start.line > start)
  const end = next ? next.getRange().start.line : Number.POSITIVE_INFINITY
  const stage: Stage = {
    name,
    workdir: '/',
    copies: [],
    runs: [],
    env: {},
    user: undefined,
    volumes: [],
    healthcheck: undefined,
    entrypoint: undefined,
    cmd: undefined,
  }
  for (const instruction of dockerfile.getInstructions()) {
    const line = instruction.getRange().start.line
    if (line <= start || line >= end) continue
    const content = instruction.getArgumentsContent() ?? ''
    switch (instruction.getKeyword()) {
      case 'WORKDIR':
        stage.workdir = content
        break
      case 'COPY': {
        const copy = instruction as Copy
        const args = argsOf(copy).filter((a) => !a.startsWith('--'))
        stage.copies.push({
          from: copy.getFromFlag()?.getValue() ?? undefined,
          sources: args.slice(0, -1),
          destination: args.at(-1) ?? '',
        })
        break
      }
      case 'RUN':
        stage.runs.push(content.replace(/\s+/g, ' ').trim())
        break
      case 'ENV':
        for (const [key, value] of content.split(/\s+/).map((pair) => pair.split('='))) {
          if (key && value !== undefined) stage.env[key] = value
        }
        break
      case 'USER':
        stage.user = content
        break
      case 'VOLUME':
        stage.volumes.push(...argsOf(instruction))
        break
      case 'HEALTHCHECK':
        stage.healthcheck = execForm(content.replace(/^CMD\s+/, ''), 'HEALTHCHECK CMD')
        break
      case 'ENTRYPOINT':
        stage.entrypoint = execForm(content, 'ENTRYPOINT')
        break
      case 'CMD':
        stage.cmd = execForm(content, 'CMD')
        break
    }
  }
  return stage
}
