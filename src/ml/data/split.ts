import { IdIndex } from "./id-index"
import { type Interactions, interactionsFromLines } from "./interactions"
import type { PurchaseLine } from "./purchase-line"

/** Per test user, the sorted item indices they bought after the cutoff (CSR-like). */
export interface TestTruth {
  /** Test users (train user indices), increasing. */
  readonly users: Int32Array
  /** Length users.length + 1: items of users[k] are items[indptr[k] .. indptr[k + 1]). */
  readonly indptr: Int32Array
  readonly items: Int32Array
}

export interface TemporalSplit {
  /** Train has lines with time < cutoff; test has cutoff <= time < end. ms since the epoch. */
  readonly cutoff: number
  readonly end: number
  /** Customers and products seen in train, sorted: index = position in the sorted ids. */
  readonly users: IdIndex
  readonly items: IdIndex
  readonly train: Interactions
  /** Distinct train items each test user bought in [cutoff, end). */
  readonly truthAll: TestTruth
  /** truthAll minus the items the user bought before the cutoff; users left empty dropped. */
  readonly truthNew: TestTruth
  readonly trainLines: number
  readonly testLines: number
}

/**
 * the evaluation protocol's (docs/evaluation.md) temporal split at `cutoff` (ms): train = lines before it; users and items =
 * those seen in train; strength = distinct orders per (user, item); test users = train users
 * who buy a train item in [cutoff, end) (end defaults to +Infinity: all later lines).
 */
export function temporalSplit(lines: readonly PurchaseLine[], cutoff: number, end = Number.POSITIVE_INFINITY): TemporalSplit {
  const trainLines: PurchaseLine[] = []
  const testLines: PurchaseLine[] = []
  for (const line of lines) {
    if (line.time < cutoff) trainLines.push(line)
    else if (line.time < end) testLines.push(line)
  }
  const users = IdIndex.fromIds(trainLines.map((l) => l.customerId))
  const items = IdIndex.fromIds(trainLines.map((l) => l.productId))
  const train = interactionsFromLines(trainLines, users, items, cutoff)

  const bought = new Map<number, Set<number>>()
  for (const line of testLines) {
    const u = users.indexOf(line.customerId)
    const i = items.indexOf(line.productId)
    if (u < 0 || i < 0) continue
    let s = bought.get(u)
    if (!s) bought.set(u, (s = new Set()))
    s.add(i)
  }
  const testUsers = Array.from(bought.keys()).sort((a, b) => a - b)
  const all = { users: [] as number[], indptr: [0], items: [] as number[] }
  const fresh = { users: [] as number[], indptr: [0], items: [] as number[] }
  const { indptr, indices } = train.strength
  for (const u of testUsers) {
    const s = Array.from(bought.get(u) as Set<number>).sort((a, b) => a - b)
    all.users.push(u)
    all.items.push(...s)
    all.indptr.push(all.items.length)
    const before = new Set(indices.subarray(indptr[u], indptr[u + 1]))
    const n = s.filter((i) => !before.has(i))
    if (n.length > 0) {
      fresh.users.push(u)
      fresh.items.push(...n)
      fresh.indptr.push(fresh.items.length)
    }
  }
  const toTruth = (t: typeof all): TestTruth => ({
    users: Int32Array.from(t.users),
    indptr: Int32Array.from(t.indptr),
    items: Int32Array.from(t.items),
  })
  return {
    cutoff,
    end,
    users,
    items,
    train,
    truthAll: toTruth(all),
    truthNew: toTruth(fresh),
    trainLines: trainLines.length,
    testLines: testLines.length,
  }
}
