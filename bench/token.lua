-- wrk script: the OAuth 2.0 token endpoint, client-credentials grant, client_secret_basic.
--   wrk -t1 -c16 -d5s --latency -s bench/token.lua http://127.0.0.1:PORT -- BASIC [SCOPE]
-- BASIC is the value after "Basic " (base64 of "client_id:client_secret", each
-- form-urlencoded first, RFC 6749 section 2.3.1); SCOPE (optional) goes in the body.
-- The request is formatted once in init: every request is the same bytes, and the
-- server signs a fresh token (new jti) for each.
local request_bytes

function init(args)
  local basic, scope = args[1], args[2]
  if basic == nil or basic == "" then
    error("token.lua needs the client's Basic credentials: wrk ... -s token.lua URL -- BASIC")
  end
  local body = "grant_type=client_credentials"
  if scope ~= nil and scope ~= "" then body = body .. "&scope=" .. scope end
  request_bytes = wrk.format("POST", "/oauth2/token", {
    ["Authorization"] = "Basic " .. basic,
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Accept"] = "application/json",
  }, body)
end

function request()
  return request_bytes
end
