import { progressBar } from "../progress"

describe("progressBar", () => {
  it("redraws one line on a terminal and clears it when done", () => {
    const out: string[] = []
    let t = 0
    const bar = progressBar("ease", (s) => out.push(s), { tty: true, width: 10, now: () => (t += 1000) })
    bar.update(4, 10, "cholesky")
    bar.update(10, 10, "cholesky")
    bar.done()
    expect(out).toEqual([
      "\r" + "ease: cholesky [####------]  40% 4/10\u001b[K",
      "\r" + "ease: cholesky [##########] 100% 10/10\u001b[K",
      "\r\u001b[K",
    ])
  })

  it("prints at most one plain line per interval elsewhere, and always the last step", () => {
    const out: string[] = []
    let t = 0
    const bar = progressBar("als", (s) => out.push(s), { tty: false, intervalMs: 2000, now: () => (t += 500) })
    for (let done = 1; done <= 8; done++) bar.update(done, 8)
    bar.done()
    // Times 500..4000: printed at 500 (first), 2500, and the final step.
    expect(out).toEqual(["als 13% (1/8)\n", "als 63% (5/8)\n", "als 100% (8/8)\n"])
  })
})
