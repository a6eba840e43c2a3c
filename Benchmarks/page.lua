-- wrk script: GET a page (or, with @MAX@ > 0, /cases/<random id>) as a logged-in user or an API
-- client, and print the latency percentiles the benchmark records (p95 among them). With
-- @SPAN@ > 0, each request adds `until=` a random second in [@FROM@, @FROM@ + @SPAN@] (epoch
-- seconds), so that a list's pages differ from request to request (a cold cache's peer).
wrk.headers["Cookie"] = "@COOKIE@"
wrk.headers["Authorization"] = "@AUTH@"
local max = @MAX@
local from, span = @FROM@, @SPAN@
request = function()
  if max > 0 then return wrk.format("GET", "@PATH@" .. math.random(1, max)) end
  if span > 0 then return wrk.format("GET", "@PATH@&until=" .. os.date("!%Y-%m-%dT%H:%M:%SZ", from + math.random(0, span))) end
  return wrk.format("GET", "@PATH@")
end
done = function(summary, latency, requests)
  io.write(string.format("  %d requests, %.0f req/s, p50 %.1f ms, p95 %.1f ms, p99 %.1f ms, non-2xx %d\n", summary.requests,
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, summary.errors.status))
end
