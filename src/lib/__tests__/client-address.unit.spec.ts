import { clientAddress } from "../client-address"

describe("clientAddress", () => {
  it("uses the connection's peer and ignores X-Forwarded-For unless proxies are trusted", () => {
    expect(clientAddress({ socketAddress: "10.0.0.9", forwardedFor: "1.2.3.4" }, 0)).toBe("10.0.0.9")
    expect(clientAddress({ socketAddress: undefined, forwardedFor: undefined }, 0)).toBe("unknown")
  })

  it("takes the address the outermost trusted proxy saw", () => {
    // client 7.7.7.7 -> load balancer (appends 7.7.7.7) -> the app sees the balancer 10.0.0.9.
    expect(clientAddress({ socketAddress: "10.0.0.9", forwardedFor: "7.7.7.7" }, 1)).toBe("7.7.7.7")
    // A client that sends its own header cannot choose: the balancer appends the real address last.
    expect(clientAddress({ socketAddress: "10.0.0.9", forwardedFor: "6.6.6.6, 7.7.7.7" }, 1)).toBe("7.7.7.7")
    // Two proxies (CDN, then balancer).
    expect(clientAddress({ socketAddress: "10.0.0.9", forwardedFor: ["6.6.6.6, 7.7.7.7", "172.16.0.1"] }, 2)).toBe("7.7.7.7")
    // Fewer entries than trusted hops: the leftmost one.
    expect(clientAddress({ socketAddress: "10.0.0.9", forwardedFor: undefined }, 3)).toBe("10.0.0.9")
  })
})
