/**
 * Synthetic personal lists for the list benches (bench:lists, bench:serve's store B): items and
 * reasons like a training run's personal lists, in the stored format (PackedListWriter /
 * encodeList of src/ml/recommend/packed-lists.ts).
 */

/**
 * Share of a personal list's items per reason: a training run's lists are the model's best items
 * (mostly explained by a product the customer bought, because_you_bought), the customer's own
 * items further down (buy_again), items without a co-buyer anchor (trending, popular) and a few
 * cold-item places (new_like_purchased). because_you_bought and new_like_purchased store their
 * anchor product: 80% of the items carry one.
 */
export const REASON_MIX = { because_you_bought: 0.75, buy_again: 0.08, trending: 0.06, popular: 0.06, new_like_purchased: 0.05 }
const ANCHORED = new Set(["because_you_bought", "new_like_purchased"])

/**
 * Fills `items`, `codes` and `anchors` (one list) with draws of `random`: items from `pool`
 * (product indexes; pass null for 0..products-1 with Zipf-like popularity), distinct when drawn
 * from a pool; a reason per item from REASON_MIX; an anchor from the pool for anchored reasons.
 */
export function fillList({ items, codes, anchors }, { random, reasonCode, products, pool = null }) {
  const mix = Object.entries(REASON_MIX)
  const n = items.length
  if (pool) {
    // A partial Fisher-Yates shuffle: the first n of a random order of the pool.
    const order = Int32Array.from(pool)
    for (let i = 0; i < n; i++) {
      const j = i + Math.floor(random() * (order.length - i))
      const t = order[i]
      order[i] = order[j]
      order[j] = t
      items[i] = order[i]
    }
  } else {
    for (let i = 0; i < n; i++) items[i] = Math.min(products - 1, Math.floor(products * random() ** 3))
  }
  for (let i = 0; i < n; i++) {
    let r = random()
    let code = mix[mix.length - 1][0]
    for (const [name, share] of mix) {
      if (r < share) {
        code = name
        break
      }
      r -= share
    }
    codes[i] = reasonCode[code]
    anchors[i] = ANCHORED.has(code) ? (pool ? pool[Math.floor(random() * pool.length)] : Math.floor(products * random() ** 2)) : -1
  }
}
