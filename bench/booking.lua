-- wrk script for bench/booking.sh. Mode "book": each request books a random open slot of the
-- bench hall for a random resident (POST /api/v1/bookings with that resident's session);
-- mode "walkin": the counter clerk's walk-in number (POST .../walk-ins), the plain
-- authenticated write of the same server. Counts answers by status per thread and prints
-- them at the end ("status 201: n").
--   wrk ... -s bench/booking.lua URL -- MODE DIR
local sessions, slots, mode = {}, {}, "book"
counts = {}
local hall, item = "BENCH-HALL", "330102-SCJG-XCYDJ"

local function lines(path)
  local out = {}
  for l in io.lines(path) do if l ~= "" then out[#out + 1] = l end end
  return out
end

function init(args)
  mode = args[1]
  local dir = args[2]
  for _, l in ipairs(lines(dir .. (mode == "book" and "/sessions.txt" or "/counter.txt"))) do
    local cookie, csrf = l:match("^(%S+) (%S+)$")
    sessions[#sessions + 1] = { cookie = cookie, csrf = csrf }
  end
  slots = lines(dir .. "/slots.txt")
  math.randomseed(os.time() + math.floor(os.clock() * 1e6))
end

function request()
  local s = sessions[math.random(#sessions)]
  local headers = { ["Cookie"] = s.cookie, ["X-CSRF-Token"] = s.csrf, ["Content-Type"] = "application/json" }
  if mode == "walkin" then
    return wrk.format("POST", "/api/v1/halls/" .. hall .. "/walk-ins", headers, '{"item_code":"' .. item .. '"}')
  end
  local day, start = slots[math.random(#slots)]:match("^(%S+) (%S+)$")
  local body = string.format('{"hall_code":"%s","item_code":"%s","day":"%s","start":"%s"}', hall, item, day, start)
  return wrk.format("POST", "/api/v1/bookings", headers, body)
end

function response(status)
  counts[status] = (counts[status] or 0) + 1
end

local threads = {}
function setup(thread) threads[#threads + 1] = thread end

function done()
  local total = {}
  for _, t in ipairs(threads) do
    local c = t:get("counts")
    for k, v in pairs(c) do total[k] = (total[k] or 0) + v end
  end
  for k, v in pairs(total) do io.write(string.format("status %d: %d\n", k, v)) end
end
