/**
 * Dense index over string ids: id <-> 0..size-1. Built from the sorted distinct ids (by UTF-16
 * code unit, the order of Python's sorted() for these ids), so index = position in the sorted
 * list, as docs/evaluation.md requires, and the same ids always get the same indices.
 */
export class IdIndex {
  readonly ids: readonly string[]
  private readonly byId: Map<string, number>

  private constructor(sortedIds: string[]) {
    this.ids = sortedIds
    this.byId = new Map(sortedIds.map((id, i) => [id, i]))
  }

  /** Index over the distinct values of `ids`, sorted. */
  static fromIds(ids: Iterable<string>): IdIndex {
    const distinct = Array.from(new Set(ids))
    distinct.sort(compareCodeUnits)
    return new IdIndex(distinct)
  }

  /** Index over ids already sorted and distinct (e.g. a deserialized model); checked. */
  static fromSorted(ids: readonly string[]): IdIndex {
    for (let i = 1; i < ids.length; i++) {
      if (compareCodeUnits(ids[i - 1], ids[i]) >= 0) {
        throw new RangeError(`IdIndex.fromSorted: ids not strictly increasing at ${i} ("${ids[i - 1]}", "${ids[i]}")`)
      }
    }
    return new IdIndex(ids.slice())
  }

  get size(): number {
    return this.ids.length
  }

  /** Index of `id`, or -1 when absent. */
  indexOf(id: string): number {
    const i = this.byId.get(id)
    return i === undefined ? -1 : i
  }

  has(id: string): boolean {
    return this.byId.has(id)
  }

  /** Id at `index` (0..size-1). */
  id(index: number): string {
    const v = this.ids[index]
    if (v === undefined) throw new RangeError(`IdIndex: no id at index ${index} (size ${this.size})`)
    return v
  }
}

export function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
