-- wrk script of the Switchboard bench: POSTs the JSON bodies of a file (one a line) in turn, each
-- thread from its own offset, with the API key; `{{N}}` in a body becomes a number unique to the
-- request (tag * 10^7 + thread * 10^5 + counter, nine digits). Prints one BENCH_JSON line.
-- Arguments after `--`: bodies file, API key, tag, warm-up seconds. Only responses after the
-- warm-up count; the latency percentiles are wrk's, over the whole run.

local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
  int clock_gettime(int clock_id, bench_timespec *tp);
]]
local clock = ffi.new("bench_timespec")
local CLOCK_MONOTONIC = 1

local function now()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, clock)
  return tonumber(clock.tv_sec) + tonumber(clock.tv_nsec) / 1e9
end

local threads = {}

function setup(thread)
  thread:set("thread_index", #threads)
  table.insert(threads, thread)
end

local bodies, counter, offset, base = {}, 0, 0, 0
-- Globals, which done() reads from each thread: responses counted and the warm-up.
counted, count_from, warmup = 0, 0, 0

function init(args)
  for line in io.lines(args[1]) do
    bodies[#bodies + 1] = line
  end
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["X-API-Key"] = args[2]
  base = tonumber(args[3]) * 10000000 + thread_index * 100000
  offset = thread_index * math.floor(#bodies / 2)
  warmup = tonumber(args[4] or "0")
  count_from = now() + warmup
end

function response(status, headers, body)
  if now() >= count_from then
    counted = counted + 1
  end
end

function request()
  counter = counter + 1
  local body = bodies[(offset + counter) % #bodies + 1]
  if string.find(body, "{{N}}", 1, true) then
    body = string.gsub(body, "{{N}}", string.format("%09d", base + counter))
  end
  return wrk.format(nil, nil, nil, body)
end

function done(summary, latency, requests)
  local e = summary.errors
  local total, warm = 0, 0
  for _, thread in ipairs(threads) do
    total = total + thread:get("counted")
    warm = thread:get("warmup")
  end
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "seconds": %.6f, "errors": %d, "p50_ms": %.3f, "p95_ms": %.3f, "p99_ms": %.3f, "max_ms": %.3f}\n',
    total, summary.duration / 1e6 - warm, e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(50) / 1e3, latency:percentile(95) / 1e3, latency:percentile(99) / 1e3, latency.max / 1e3))
end
