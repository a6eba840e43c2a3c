-- wrk script: POST a realistic report (no external_id, so each request opens a new case).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer @KEY@"  -- scripts/bench puts a fresh admin key here
wrk.body = '{"source":"grid_worker","category":"06010","description":"网格员巡查发现暴露垃圾","location":{"lat":30.3192,"lon":120.1414},"address":"拱墅区湖墅南路"}'
