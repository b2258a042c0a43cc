-- wrk: print p50/p95/p99/max latency in milliseconds at the end.
done = function(summary, latency, requests)
    for _, p in ipairs({ 50, 95, 99 }) do
        io.write(string.format("  p%d %.2f ms\n", p, latency:percentile(p) / 1000))
    end
    io.write(string.format("  p100 %.2f ms\n", latency.max / 1000))
end
