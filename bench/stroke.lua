-- wrk: PUT one participant's whole answer (env PARTICIPANT, body in env BODY), with percentiles.
wrk.method = "PUT"
wrk.headers["Content-Type"] = "application/json"
wrk.path = "/v1/participants/" .. os.getenv("PARTICIPANT") .. "/availability"
wrk.body = os.getenv("BODY")

done = function(summary, latency, requests)
    for _, p in ipairs({ 50, 95, 99 }) do
        io.write(string.format("  p%d %.2f ms\n", p, latency:percentile(p) / 1000))
    end
    io.write(string.format("  p100 %.2f ms\n", latency.max / 1000))
end
