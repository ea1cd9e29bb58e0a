/**
 * The stored list format of the recommendations module: the binary lists of
 * src/ml/recommend/packed-lists.ts (product indexes and reason codes) read back against the
 * version's product table. No Medusa import.
 */
import { TRENDING_WINDOW_DAYS } from "../../ml/pipeline/training"
import { type ReasonCodeName, decodeList, reasonCodeName } from "../../ml/recommend/packed-lists"

export { REASON_CODE, type ReasonCodeName } from "../../ml/recommend/packed-lists"
export { TRENDING_WINDOW_DAYS }

/** A version's product table as the lists need it: index -> product id, and the buyer counts trending and popular reasons show. */
export type VersionProducts = { ids: string[]; buyers: Int32Array; recentBuyers: Int32Array }

/** One item of a stored list, resolved to ids; the numbers a reason needs that the version knows. */
export type StoredItem = {
  product_id: string
  code: ReasonCodeName
  /** The product a because_you_bought or new_like_purchased reason names (the customer's own); null otherwise. */
  anchor_id: string | null
  /** Distinct buyers at training time. */
  buyers: number
  /** Distinct buyers in the TRENDING_WINDOW_DAYS before training. */
  recent_buyers: number
}

export type StoredList = { version_id: string; items: StoredItem[] }

export function decodeStoredList(versionId: string, bytes: Uint8Array, products: VersionProducts): StoredList {
  const list = decodeList(bytes)
  const id = (index: number) => {
    const value = products.ids[index]
    if (value === undefined) throw new RangeError(`list of version ${versionId} names product index ${index}, beyond its table of ${products.ids.length}`)
    return value
  }
  const items: StoredItem[] = []
  for (let k = 0; k < list.items.length; k++) {
    const index = list.items[k]
    items.push({
      product_id: id(index),
      code: reasonCodeName(list.codes[k]),
      anchor_id: list.anchors[k] >= 0 ? id(list.anchors[k]) : null,
      buyers: products.buyers[index],
      recent_buyers: products.recentBuyers[index],
    })
  }
  return { version_id: versionId, items }
}
