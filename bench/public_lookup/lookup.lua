-- wrk script: cycles through the paths of PATHS_FILE (each thread starts at its own offset) and prints
-- a RESULT line with req/s, p50 and p99 (ms) and the count of non-2xx answers. The requests are
-- formatted once, before the run: building each in Lua during the run took CPU from the two cores
-- the service shares with wrk.
local paths = {}
for line in io.lines(os.getenv("PATHS_FILE")) do
  paths[#paths + 1] = line
end
local counter = 0
local threads = {}
local nthreads = tonumber(os.getenv("WRK_THREADS") or "2")

local requests = {}

function setup(thread)
  thread:set("offset", #threads * math.floor(#paths / nthreads))
  table.insert(threads, thread)
end

function init(args)
  for i = 1, #paths do
    requests[i] = wrk.format("GET", paths[i])
  end
end

request = function()
  counter = counter + 1
  return requests[((offset or 0) + counter - 1) % #paths + 1]
end

done = function(summary, latency, requests)
  local non2xx = summary.errors.status
  io.write(string.format(
    "RESULT {\"requests\": %d, \"rps\": %.0f, \"p50_ms\": %.2f, \"p99_ms\": %.2f, \"errors\": %d}\n",
    summary.requests, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    non2xx + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
