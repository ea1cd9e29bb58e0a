/**
 * A segment as plain rules: a shallow decision tree (CART, Gini impurity) that tells a
 * segment's members from everyone else over a few features, read back as the conditions on the
 * path to the leaf that holds the most members. Small and exact: the admin shows two or three
 * thresholds a shop owner can read, with how well they classify.
 */

export interface RuleCondition {
  /** Column index of the feature. */
  feature: number
  operator: "<=" | ">"
  /** Midpoint between the two neighbouring values the split separates. */
  threshold: number
}

export interface MemberRules {
  /** Conditions that all hold for a covered row; one per feature and direction (the tightest). */
  conditions: RuleCondition[]
  /** Share of members the rules cover, 0 to 1. */
  member_accuracy: number
  /** Share of non-members the rules exclude, 0 to 1. */
  non_member_accuracy: number
  covered_members: number
  covered_non_members: number
}

export interface RuleOptions {
  /** Depth of the tree, 1 to 3 (default 3): at most this many conditions on a path. */
  maxDepth?: number
  /** Rows a leaf must keep at least, >= 1 (default 1). */
  minLeaf?: number
}

type Node = { rows: number[]; depth: number; path: RuleCondition[] }

const gini = (members: number, n: number) => (n === 0 ? 0 : 1 - (members / n) ** 2 - ((n - members) / n) ** 2)

/**
 * The best split of `rows` (lowest weighted Gini impurity, ties to the lower column and
 * threshold), or null when no split lowers the impurity.
 */
function bestSplit(x: readonly (readonly number[])[], member: readonly boolean[], rows: number[], minLeaf: number) {
  const n = rows.length
  const total = rows.reduce((m, r) => m + (member[r] ? 1 : 0), 0)
  let best: { feature: number; threshold: number; impurity: number } | null = null
  const parent = gini(total, n)
  const d = x[rows[0]].length
  for (let f = 0; f < d; f++) {
    const sorted = [...rows].sort((a, b) => x[a][f] - x[b][f])
    let leftMembers = 0
    for (let i = 0; i < n - 1; i++) {
      if (member[sorted[i]]) leftMembers++
      const here = x[sorted[i]][f]
      const next = x[sorted[i + 1]][f]
      if (here === next) continue
      const left = i + 1
      if (left < minLeaf || n - left < minLeaf) continue
      const impurity = (left / n) * gini(leftMembers, left) + ((n - left) / n) * gini(total - leftMembers, n - left)
      if (impurity < parent - 1e-12 && (!best || impurity < best.impurity - 1e-12)) {
        best = { feature: f, threshold: (here + next) / 2, impurity }
      }
    }
  }
  return best
}

/** Keeps one condition per feature and direction, the tightest, in the order first met. */
function simplify(path: RuleCondition[]): RuleCondition[] {
  const out: RuleCondition[] = []
  for (const c of path) {
    const same = out.find((o) => o.feature === c.feature && o.operator === c.operator)
    if (!same) out.push({ ...c })
    else same.threshold = c.operator === "<=" ? Math.min(same.threshold, c.threshold) : Math.max(same.threshold, c.threshold)
  }
  return out
}

/**
 * Fits a tree of depth <= `maxDepth` on rows `x` (one array of feature values per row) labelled
 * `member`, and returns the path to the leaf with the most members among the leaves where
 * members are the majority (else the leaf with the most members), with the share of members
 * it covers and of non-members it excludes. Null without members or without non-members.
 */
export function describeMembers(x: readonly (readonly number[])[], member: readonly boolean[], options: RuleOptions = {}): MemberRules | null {
  const maxDepth = options.maxDepth ?? 3
  const minLeaf = options.minLeaf ?? 1
  if (!(maxDepth >= 1 && maxDepth <= 3)) throw new RangeError(`describeMembers: maxDepth must be 1 to 3, got ${maxDepth}`)
  if (!(minLeaf >= 1)) throw new RangeError(`describeMembers: minLeaf must be >= 1, got ${minLeaf}`)
  if (x.length !== member.length) throw new RangeError(`describeMembers: ${x.length} rows but ${member.length} labels`)
  const members = member.filter(Boolean).length
  const nonMembers = member.length - members
  if (members === 0 || nonMembers === 0) return null

  const leaves: Node[] = []
  const stack: Node[] = [{ rows: x.map((_, i) => i), depth: 0, path: [] }]
  while (stack.length) {
    const node = stack.pop() as Node
    const split = node.depth < maxDepth ? bestSplit(x, member, node.rows, minLeaf) : null
    if (!split) {
      leaves.push(node)
      continue
    }
    const left = node.rows.filter((r) => x[r][split.feature] <= split.threshold)
    const right = node.rows.filter((r) => x[r][split.feature] > split.threshold)
    // Right first, so the left child is taken first: leaves come out left to right.
    stack.push({ rows: right, depth: node.depth + 1, path: [...node.path, { feature: split.feature, operator: ">", threshold: split.threshold }] })
    stack.push({ rows: left, depth: node.depth + 1, path: [...node.path, { feature: split.feature, operator: "<=", threshold: split.threshold }] })
  }
  const count = (leaf: Node) => leaf.rows.reduce((m, r) => m + (member[r] ? 1 : 0), 0)
  const scored = leaves.map((leaf) => ({ leaf, members: count(leaf) }))
  const majority = scored.filter((s) => s.members * 2 > s.leaf.rows.length)
  const pool = majority.length ? majority : scored
  const chosen = pool.reduce((a, b) => (b.members > a.members ? b : a))
  const coveredNonMembers = chosen.leaf.rows.length - chosen.members
  return {
    conditions: simplify(chosen.leaf.path),
    member_accuracy: chosen.members / members,
    non_member_accuracy: (nonMembers - coveredNonMembers) / nonMembers,
    covered_members: chosen.members,
    covered_non_members: coveredNonMembers,
  }
}
