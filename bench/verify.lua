-- wrk script: the public licence verification, the same QR payload every time.
--   wrk -t1 -c16 -d5s --latency -s bench/verify.lua http://127.0.0.1:PORT -- PAYLOAD
-- The request is formatted once in init: every request is the same bytes, and the
-- server checks the SM2 signature, the seal's chain and the licence's status for each.
local request_bytes

function init(args)
  local payload = args[1]
  if payload == nil or payload == "" then
    error("verify.lua needs a payload: wrk ... -s verify.lua URL -- PAYLOAD")
  end
  request_bytes = wrk.format("POST", "/api/v1/licence-verifications", {
    ["Content-Type"] = "application/json",
    ["Accept"] = "application/json",
  }, '{"payload":"' .. payload .. '"}')
end

function request()
  return request_bytes
end

-- Any answer but 200 is counted by wrk as "Non-2xx or 3xx responses".
