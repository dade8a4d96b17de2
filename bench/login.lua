-- wrk script: password logins, POST /api/v1/session with the right password, rotating
-- over the accounts of a file with one "username password" pair per line.
--   wrk -t1 -c4 -d5s --latency -s bench/login.lua http://127.0.0.1:PORT -- ACCOUNTS_FILE
-- Requests are formatted once in init. wrk keeps no cookies, so every request is a
-- fresh login (no session cookie, hence no CSRF token needed); each one creates a
-- session. Usernames and passwords must need no JSON escaping (the benchmark's do not).
local requests = {}
local next_index = 1
local threads = 0

function setup(thread)
  thread:set("thread_number", threads)
  threads = threads + 1
end

function init(args)
  local file = args[1]
  if file == nil then
    error("login.lua needs an accounts file: wrk ... -s login.lua URL -- FILE")
  end
  for line in io.lines(file) do
    local user, password = line:match("^(%S+)%s+(%S+)$")
    if user then
      local body = '{"username":"' .. user .. '","password":"' .. password .. '"}'
      requests[#requests + 1] = wrk.format("POST", "/api/v1/session", {
        ["Content-Type"] = "application/json",
        ["Accept"] = "application/json",
      }, body)
    end
  end
  if #requests == 0 then
    error("login.lua: " .. file .. " has no accounts")
  end
  next_index = ((thread_number or 0) * 7919) % #requests + 1
end

function request()
  local r = requests[next_index]
  next_index = next_index % #requests + 1
  return r
end
