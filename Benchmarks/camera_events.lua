-- wrk script: POST batches of camera detections (城市眼) to /api/v1/camera/events.
-- Each request carries BATCH events with ids never sent before (so each is taken, not answered
-- as a retry), spread over the registered cameras and their categories: after each camera's
-- first detection of a category opens a case, the rest join it, as bursts do.
-- scripts/bench fills in the key, the cameras ({id, category} pairs) and the batch size.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer @KEY@"
local pairs_ = @PAIRS@
local batch = @BATCH@
local counter = 0
local thread_id = 0

-- Every run and thread sends ids of its own: a repeated id would be answered as a retry.
init = function(args)
  math.randomseed(os.time() + math.floor(os.clock() * 1000000))
  thread_id = math.random(1, 1000000000)
end

request = function()
  counter = counter + 1
  local parts = {}
  local now = os.date("!%Y-%m-%dT%H:%M:%SZ")
  for i = 1, batch do
    local p = pairs_[((counter * batch + i) % #pairs_) + 1]
    parts[i] = string.format('{"event_id":"b%d-%d-%d","camera_id":"%s","category":"%s","confidence":0.95,"detected_at":"%s","state":"present"}',
      thread_id, counter, i, p[1], p[2], now)
  end
  return wrk.format(nil, nil, nil, '{"events":[' .. table.concat(parts, ",") .. ']}')
end

done = function(summary, latency, requests)
  io.write(string.format("events/s: %.0f (batches of %d)\n", summary.requests / (summary.duration / 1e6) * batch, batch))
end
