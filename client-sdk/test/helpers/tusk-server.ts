/** What the server announces, so capability-dependent tests assert the matching behaviour. */
export async function announced(url: string): Promise<{ extensions: string[]; checksums: string[] }> {
  const res = await fetch(url, { method: 'OPTIONS', headers: { 'Tus-Resumable': '1.0.0' } })
  const split = (value: string | null) =>
    (value ?? '')
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean)
  return {
    extensions: split(res.headers.get('Tus-Extension')),
    checksums: split(res.headers.get('Tus-Checksum-Algorithm')),
  }
}
