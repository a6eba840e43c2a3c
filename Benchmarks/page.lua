-- wrk script: GET a page (or, with @MAX@ > 0, /cases/<random id>) as a logged-in user or an API
-- client, and print the latency percentiles the benchmark records (p95 among them).
wrk.headers["Cookie"] = "@COOKIE@"
wrk.headers["Authorization"] = "@AUTH@"
local max = @MAX@
request = function()
  if max > 0 then return wrk.format("GET", "@PATH@" .. math.random(1, max)) end
  return wrk.format("GET", "@PATH@")
end
done = function(summary, latency, requests)
  io.write(string.format("  %d requests, %.0f req/s, p50 %.1f ms, p95 %.1f ms, p99 %.1f ms, non-2xx %d\n", summary.requests,
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, summary.errors.status))
end
