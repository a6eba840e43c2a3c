-- wrk script: GET one case's detail (with its history), a random one of the first @MAX@ ids.
wrk.headers["Authorization"] = "Bearer @KEY@"
request = function()
  return wrk.format("GET", "/api/v1/cases/" .. math.random(1, @MAX@))
end
