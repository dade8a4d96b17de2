-- wrk script: one data exchange query (POST /api/v1/exchange/resources/CODE/query) with a
-- client-credentials bearer token, or (METHOD GET) a plain authenticated GET of PATH with
-- the same token, the reference.
--   wrk -t1 -c50 -d6s --latency -s bench/exchange.lua http://127.0.0.1:PORT -- TOKEN POST CODE SUBJECT
--   wrk -t1 -c50 -d6s --latency -s bench/exchange.lua http://127.0.0.1:PORT -- TOKEN GET PATH
-- The request is formatted once in init: the server signs, logs and chains each answer anew.
local request_bytes

function init(args)
  local token, method, what, subject = args[1], args[2], args[3], args[4]
  if token == nil or method == nil or what == nil then
    error("exchange.lua needs TOKEN POST CODE SUBJECT or TOKEN GET PATH")
  end
  local headers = { ["Authorization"] = "Bearer " .. token, ["Accept"] = "application/json" }
  if method == "GET" then
    request_bytes = wrk.format("GET", what, headers)
  else
    headers["Content-Type"] = "application/json"
    local body = '{"subject":"' .. subject .. '","fields":["name","status"],' ..
                 '"purpose":"benchmark","case_tracking":"SL2026BENCH0001"}'
    request_bytes = wrk.format("POST", "/api/v1/exchange/resources/" .. what .. "/query", headers, body)
  end
end

function request()
  return request_bytes
end
