import { pattern } from '../context.js'
import type { Check } from '../types.js'
import { group } from './define.js'

const check = group('termination')
const SECTION = 'Termination > Requests > DELETE'
const requires = ['creation', 'termination']

export const terminationChecks: Check[] = [
  check(
    'delete.unfinished-204',
    { section: SECTION, level: 'MUST', rule: 'DELETE of an unfinished upload is 204 No Content', requires },
    async (ctx) => {
      const { url } = await ctx.create(10)
      await ctx.append(url, 0, pattern(3))
      ctx.expectStatus(await ctx.send('DELETE', url), 204, 'DELETE of an unfinished upload')
    },
  ),
  check(
    'delete.finished-204',
    { section: SECTION, level: 'MUST', rule: 'DELETE of a finished upload is 204 No Content', requires },
    async (ctx) => {
      const { url } = await ctx.create(3)
      await ctx.append(url, 0, pattern(3))
      ctx.expectStatus(await ctx.send('DELETE', url), 204, 'DELETE of a finished upload')
    },
  ),
  check(
    'delete.then-gone',
    {
      section: SECTION,
      level: 'SHOULD',
      rule: 'after DELETE, HEAD and PATCH of the upload get 404 or 410',
      requires,
    },
    async (ctx) => {
      const { url } = await ctx.create(10)
      await ctx.send('DELETE', url)
      ctx.expectStatus(await ctx.head(url), [404, 410], 'HEAD after DELETE')
      ctx.expectStatus(await ctx.patch(url, 0, pattern(2)), [404, 410], 'PATCH after DELETE')
    },
  ),
  check(
    'method-override.delete',
    {
      section: 'Core Protocol > Headers > X-HTTP-Method-Override',
      level: 'MUST',
      rule: 'POST with X-HTTP-Method-Override: DELETE terminates the upload',
      requires,
    },
    async (ctx) => {
      const { url } = await ctx.create(10)
      const res = await ctx.send('POST', url, { headers: { 'X-HTTP-Method-Override': 'DELETE' } })
      ctx.expectStatus(res, 204, 'POST with X-HTTP-Method-Override: DELETE')
      ctx.expectStatus(await ctx.head(url), [404, 410], 'HEAD after the overridden DELETE')
    },
  ),
]
