-- wrk script: POST an Open311 request (form-encoded) at a random point near 湖墅南路, so that
-- every request opens a case (the server runs with de-duplication off).
local key = "@KEY@"  -- scripts/bench-open311 puts a machine key here
counter = 0
request = function()
  counter = counter + 1
  local lat = 30.3192 + (math.random() - 0.5) * 0.004
  local lon = 120.1414 + (math.random() - 0.5) * 0.004
  local body = "api_key=" .. key .. "&service_code=06010&lat=" .. string.format("%.6f", lat) .. "&long=" .. string.format("%.6f", lon)
    .. "&description=%E8%B7%AF%E8%BE%B9%E5%9E%83%E5%9C%BE%E5%A0%86%E7%A7%AF" .. "&first_name=%E8%8A%B3&last_name=%E7%8E%8B"
  return wrk.format("POST", nil, {["Content-Type"] = "application/x-www-form-urlencoded"}, body)
end
