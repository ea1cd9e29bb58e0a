import { describeMembers } from "../rules"

describe("describeMembers", () => {
  it("finds the one threshold that separates members exactly", () => {
    const x = [[1], [2], [3], [4], [5], [6]]
    const rules = describeMembers(x, [false, false, false, true, true, true])
    expect(rules).toEqual({
      conditions: [{ feature: 0, operator: ">", threshold: 3.5 }],
      member_accuracy: 1,
      non_member_accuracy: 1,
      covered_members: 3,
      covered_non_members: 0,
    })
  })

  it("reads the path to the members' leaf over two features (ties go to the lower column)", () => {
    // Root: x0 <= 3.5 and x1 <= 4 both leave a weighted Gini of 1/3; x0 wins the tie. The left
    // child then splits on x1 at (2 + 6) / 2 = 4 into two pure leaves.
    const x = [
      [1, 6],
      [2, 7],
      [1, 2],
      [2, 1],
      [5, 6],
      [6, 7],
    ]
    const rules = describeMembers(x, [true, true, false, false, false, false])
    expect(rules?.conditions).toEqual([
      { feature: 0, operator: "<=", threshold: 3.5 },
      { feature: 1, operator: ">", threshold: 4 },
    ])
    expect(rules?.member_accuracy).toBe(1)
    expect(rules?.non_member_accuracy).toBe(1)
  })

  it("with depth 1 picks the split of lowest impurity and reports what it misses", () => {
    // Weighted Gini: 1.5 -> 0.4, 2.5 -> 4/15, 3.5 -> 7/15, 4.5 -> 0.3: the split is at 2.5; its
    // left leaf holds 2 of the 3 members and none of the 2 non-members.
    const rules = describeMembers([[1], [2], [3], [4], [5]], [true, true, false, true, false], { maxDepth: 1 })
    expect(rules).toEqual({
      conditions: [{ feature: 0, operator: "<=", threshold: 2.5 }],
      member_accuracy: 2 / 3,
      non_member_accuracy: 1,
      covered_members: 2,
      covered_non_members: 0,
    })
  })

  it("bounds a band of one feature from both sides", () => {
    // Members sit at 6 and 7 only. Root: x <= 5.5 leaves Gini 0 + 3/8 * 4/9 = 1/6, the lowest;
    // under x > 5.5 the cut at 7.5 makes both leaves pure.
    const x = [[1], [2], [3], [4], [5], [6], [7], [8]]
    const member = [false, false, false, false, false, true, true, false]
    const rules = describeMembers(x, member)
    expect(rules?.conditions).toEqual([
      { feature: 0, operator: ">", threshold: 5.5 },
      { feature: 0, operator: "<=", threshold: 7.5 },
    ])
    expect(rules?.member_accuracy).toBe(1)
    expect(rules?.non_member_accuracy).toBe(1)
  })

  it("answers null without members or without non-members, and refuses a deeper tree", () => {
    expect(describeMembers([[1], [2]], [true, true])).toBeNull()
    expect(describeMembers([[1], [2]], [false, false])).toBeNull()
    expect(() => describeMembers([[1]], [true], { maxDepth: 4 })).toThrow(/maxDepth/)
  })
})
