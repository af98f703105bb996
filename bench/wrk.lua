-- wrk script for `make bench`: optional path list (Zipf mix), and a one-line JSON report.
-- Usage: wrk -t THREADS ... -s bench/wrk.lua URL [-- PATHS_FILE THREADS SKIP]
-- With a paths file, thread k walks its own slice of the sequence from SKIP on, so a measured run
-- continues where the warm-up stopped instead of replaying it.
local paths = {}
local position = 0
local thread_counter = 0

function setup(thread)
  thread_counter = thread_counter + 1
  thread:set("thread_number", thread_counter)
end

function init(args)
  if args[1] then
    for line in io.lines(args[1]) do
      paths[#paths + 1] = line
    end
    local threads = tonumber(args[2] or "1")
    local skip = tonumber(args[3] or "0")
    local slice = math.floor(#paths / threads)
    position = ((thread_number or 1) - 1) * slice + skip
  end
end

function request()
  if #paths == 0 then
    return wrk.request()
  end
  position = position % #paths + 1
  return wrk.format("GET", paths[position])
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"bytes":%d,"errors":%d,"non_2xx_3xx":%d,' ..
    '"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,"mean_us":%.1f}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
