-- wrk script of bench/public_register_load.py --wrk: the same mix as its Python client
-- (70 % the page, 10 % each of the two CSV files and the JSON document), kept-alive
-- connections, Accept-Encoding: gzip unless REGISTER_NO_GZIP is set. Prints one RESULT line.
local base = os.getenv("REGISTER_BASE")
local headers = { ["Accept-Language"] = "nl" }
if os.getenv("REGISTER_NO_GZIP") == nil then
  headers["Accept-Encoding"] = "gzip, deflate, br, zstd"
end
local paths = {}
for _ = 1, 7 do paths[#paths + 1] = base end
paths[#paths + 1] = base .. "/nevenfuncties.csv"
paths[#paths + 1] = base .. "/inkomsten.csv"
paths[#paths + 1] = base .. "/register.json"

local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("seed", threads)
end

function init(args)
  math.randomseed(seed)
end

function request()
  return wrk.format("GET", paths[math.random(#paths)], headers)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d duration_us=%d errors=%d bytes=%d p50_us=%d p95_us=%d p99_us=%d\n",
    summary.requests, summary.duration,
    e.connect + e.read + e.write + e.status + e.timeout, summary.bytes,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
