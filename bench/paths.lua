-- wrk script: each request takes the next path from a file, one path per line.
--   wrk -t1 -c8 -d10s --latency -s bench/paths.lua http://127.0.0.1:PORT -- PATHS_FILE
-- Requests are formatted once in init; each wrk thread starts at a different offset so
-- threads do not walk the list in lockstep.
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
    error("paths.lua needs a paths file: wrk ... -s paths.lua URL -- FILE")
  end
  for line in io.lines(file) do
    if #line > 0 then
      requests[#requests + 1] = wrk.format("GET", line)
    end
  end
  if #requests == 0 then
    error("paths.lua: " .. file .. " has no paths")
  end
  next_index = ((thread_number or 0) * 7919) % #requests + 1
end

function request()
  local r = requests[next_index]
  next_index = next_index % #requests + 1
  return r
end
