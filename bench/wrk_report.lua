-- wrk script: requests GET <prefix><code> with codes drawn at random from a file (one per
-- line) when BENCH_CODES is set, else the -path of the URL; at the end prints one line
-- "BENCH_JSON {...}" with throughput, latency percentiles (microseconds) and errors.
local codes = {}
local prefix = os.getenv("BENCH_PREFIX") or "/"

function init(args)
  local file = os.getenv("BENCH_CODES")
  if file then
    for line in io.lines(file) do
      if #line > 0 then codes[#codes + 1] = line end
    end
  end
  math.randomseed(os.time() + (tonumber(tostring({}):sub(8)) or 0))
end

function request()
  if #codes > 0 then
    return wrk.format("GET", prefix .. codes[math.random(#codes)])
  end
  return wrk.format()
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"bytes":%d,"non_2xx":%d,' ..
    '"connect_errors":%d,"read_errors":%d,"write_errors":%d,"timeouts":%d,' ..
    '"latency_us":{"mean":%.1f,"p50":%d,"p90":%d,"p99":%d,"p999":%d,"max":%d}}\n',
    summary.requests, summary.duration, summary.bytes, e.status, e.connect, e.read, e.write,
    e.timeout, latency.mean, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency:percentile(99.9), latency.max))
end
