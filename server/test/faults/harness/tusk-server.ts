import { childrenOf, type TuskProcess } from '../../../../test-support/tusk-process.js'

// The fault suite starts the built server through the test kit's child-process starter.
export {
  childrenOf,
  mainScript,
  spawnTusk as startTusk,
  type TuskProcess,
} from '../../../../test-support/tusk-process.js'

/** Kills a process tree (the supervisor and its workers) with SIGKILL, for a test that kills early. */
export async function killTree(tusk: TuskProcess | undefined): Promise<void> {
  if (!tusk) return
  const workers = childrenOf(tusk.pid)
  await tusk.stop('SIGKILL')
  for (const pid of workers) {
    try {
      process.kill(pid, 'SIGKILL')
    } catch {}
  }
}
