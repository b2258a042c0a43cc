-- wrk: POST /v1/{store}/participants on one meeting (its code in env MEETING), with percentiles.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"meeting_url_code": "' .. os.getenv("MEETING") .. '", "name": "wrk participant"}'

done = function(summary, latency, requests)
    for _, p in ipairs({ 50, 95, 99 }) do
        io.write(string.format("  p%d %.2f ms\n", p, latency:percentile(p) / 1000))
    end
    io.write(string.format("  p100 %.2f ms\n", latency.max / 1000))
end
