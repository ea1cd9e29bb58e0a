import { Rng } from "../../random"
import { ColdItemScorer, coldItemPicks } from "../cold-items"
import { ContentIndex } from "../content"

const WORDS = "tea coffee mug spoon jasmine green white black bamboo whisk paper filter bag lunch red blue".split(" ")

/** 60 products of 1 to 4 words drawn from WORDS (some products repeat others' texts), a seeded third of them cold. */
function catalogue(seed: number) {
  const rng = new Rng(seed)
  const random = () => rng.next()
  const pick = () => WORDS[Math.floor(random() * WORDS.length)]
  const products = Array.from({ length: 60 }, (_, i) => ({ id: `p${String(i).padStart(2, "0")}`, title: Array.from({ length: 1 + Math.floor(random() * 4) }, pick).join(" ") }))
  const cold = Uint8Array.from(products, () => (random() < 0.33 ? 1 : 0))
  return { content: ContentIndex.fit(products, { maxDocumentShare: 1 }), cold, random }
}

describe("ColdItemScorer", () => {
  it.each([1, 2, 3])("picks exactly what coldItemPicks picks, for any history, weights and options (seed %p)", (seed) => {
    const { content, cold, random } = catalogue(seed)
    // A small cache, so that rows computed again must agree with cached ones too.
    const scorer = new ColdItemScorer(content, cold, 200)
    let picked = 0
    for (let c = 0; c < 300; c++) {
      const history = Array.from({ length: Math.floor(random() * 8) }, () => (random() < 0.1 ? -1 : Math.floor(random() * 60)))
      const weights = random() < 0.5 ? Array.from(history, () => (random() < 0.1 ? 0 : random())) : undefined
      const options = { n: 1 + Math.floor(random() * 4), minSimilarity: [0.05, 0.1, 0.3][c % 3], weights }
      const fast = Array.from(scorer.picks(history, options))
      expect(fast).toEqual(Array.from(coldItemPicks(content, history, cold, options)))
      picked += fast.length
    }
    expect(picked).toBeGreaterThan(100) // the fixture does pick things
  })

  it("falls back to the dense scores for a minimum of 0, where untouched products count", () => {
    const { content, cold } = catalogue(4)
    const scorer = new ColdItemScorer(content, cold)
    expect(Array.from(scorer.picks([0, 1], { n: 5, minSimilarity: 0 }))).toEqual(Array.from(coldItemPicks(content, [0, 1], cold, { n: 5, minSimilarity: 0 })))
    expect(Array.from(scorer.picks([], { n: 5 }))).toEqual([])
    expect(() => new ColdItemScorer(content, new Uint8Array(3))).toThrow("cold has 3 entries for 60 products")
  })
})
