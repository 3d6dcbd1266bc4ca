-- wrk script of the Switchboard bench: POSTs the lines of a file in turn as bodies, each thread
-- from its own offset; `{{N}}` in a body becomes a number unique to the request (tag * 10^7 +
-- thread * 10^5 + counter, nine digits). Prints one BENCH_JSON line.
-- Arguments after `--`: lines file, tag, warm-up seconds, content type, API key, signing header,
-- expected text (the last three may be empty: none). With a signing header, each line is
-- "<header value> <body>". Only responses after the warm-up count; the latency percentiles are
-- wrk's, over the whole run. Answers without the expected text are counted, warm-up included.

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

local bodies, offset, base, signed_by, expect = {}, 0, 0, nil, nil
-- Globals, which done() reads from each thread: responses counted, answers without the expected
-- text, requests made, lines read, and the warm-up.
counted, unexpected, counter, lines, count_from, warmup = 0, 0, 0, 0, 0, 0

function init(args)
  for line in io.lines(args[1]) do
    bodies[#bodies + 1] = line
  end
  lines = #bodies
  base = tonumber(args[2]) * 10000000 + thread_index * 100000
  offset = thread_index * math.floor(#bodies / 2)
  warmup = tonumber(args[3] or "0")
  count_from = now() + warmup
  wrk.method = "POST"
  wrk.headers["Content-Type"] = args[4]
  if args[5] ~= "" then
    wrk.headers["X-API-Key"] = args[5]
  end
  if args[6] ~= "" then
    signed_by = args[6]
  end
  if args[7] ~= "" then
    expect = args[7]
  end
end

function response(status, headers, body)
  if now() >= count_from then
    counted = counted + 1
  end
  if expect and not string.find(body, expect, 1, true) then
    unexpected = unexpected + 1
  end
end

function request()
  counter = counter + 1
  local body = bodies[(offset + counter) % #bodies + 1]
  if signed_by then
    local value, rest = string.match(body, "^(%S+) (.*)$")
    wrk.headers[signed_by] = value
    body = rest
  end
  if string.find(body, "{{N}}", 1, true) then
    body = string.gsub(body, "{{N}}", string.format("%09d", base + counter))
  end
  return wrk.format(nil, nil, nil, body)
end

function done(summary, latency, requests)
  local e = summary.errors
  local total, wrong, repeated, warm = 0, 0, false, 0
  for _, thread in ipairs(threads) do
    total = total + thread:get("counted")
    wrong = wrong + thread:get("unexpected")
    -- Each thread's share of the lines ends where the next one's starts (see init).
    repeated = repeated or thread:get("counter") > math.floor(thread:get("lines") / #threads)
    warm = thread:get("warmup")
  end
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "seconds": %.6f, "errors": %d, "p50_ms": %.3f, "p95_ms": %.3f, "p99_ms": %.3f, "max_ms": %.3f, ' ..
    '"unexpected": %d, "repeated": %s}\n',
    total, summary.duration / 1e6 - warm, e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(50) / 1e3, latency:percentile(95) / 1e3, latency:percentile(99) / 1e3, latency.max / 1e3,
    wrong, tostring(repeated)))
end
