-- open receiving units of config/agencies.json, spread so per-unit daily counters are not one hot key
UNITS = {"000.00.00.H26", "000.00.00.H29", "000.00.00.H31", "000.00.00.H48", "000.00.00.H92", "000.00.00.H46", "000.00.00.H12", "000.00.00.H11", "000.00.00.H14", "000.00.00.H20", "000.00.00.H22", "000.00.00.H38", "000.00.00.H40", "000.00.00.H42", "000.00.00.H04", "000.00.00.H08", "000.00.00.H10", "000.00.00.H19", "000.00.00.H25", "000.00.00.H27", "000.00.00.H33", "000.00.00.H37", "000.00.00.H45", "000.00.00.H51", "000.00.00.H64", "000.00.00.H56", "000.00.00.H68", "000.00.00.H66", "000.00.00.H75", "000.00.00.H72", "000.00.00.H86", "000.00.00.H87", "000.00.00.H89", "000.00.00.H96", "000.00.18.H48", "000.00.21.H48", "000.00.53.H48", "000.00.77.H48", "000.21.53.H48"}
-- wrk script: POSTs the example dossiers of config/examples in turn, each with a fresh Idempotency-Key, the API key
-- of a development client, a fresh applicant id (citizenId / taxCode) and one of the receiving units above, so neither
-- idempotency replays nor the per-applicant rate limit shape the measurement, and in cluster mode every intake
-- partition (a receiving unit's share) gets its part of the load.
--   wrk ... -s ops/bench/submit.lua URL -- [examples dir] [api key]
-- BENCH_API_KEY sets the key too. BENCH_DELAY_MS=D paces each connection (wrk's delay() hook, defined only then):
-- C connections offer about C * 1000 / (D + latency) requests per second.
local bodies = {}
local counter = 0
local api_key = "dev-portal-web-key"
local pause_ms = tonumber(os.getenv("BENCH_DELAY_MS") or "")

local function read(path)
  local f = assert(io.open(path, "rb"))
  local s = f:read("*a")
  f:close()
  return s
end

function init(args)
  math.randomseed(os.time() * 1000 + (id or 0) % 1000)
  local dir = args[1] or "config/examples"
  bodies = { read(dir .. "/birth-registration.json"), read(dir .. "/driving-licence-renewal.json"),
             read(dir .. "/business-registration.json") }
  api_key = args[2] or os.getenv("BENCH_API_KEY") or api_key
end

local function fresh_applicant(body)
  local citizen = string.format("%06d%06d", math.random(0, 999999), math.random(0, 999999))
  local tax = string.format("%05d%05d", math.random(0, 99999), math.random(0, 99999))
  -- receiving units must be open codes of config/agencies.json (submissions are checked against it)
  local unit = UNITS[math.random(1, #UNITS)]
  body = string.gsub(body, '"receivingUnit": "[^"]+"', '"receivingUnit": "' .. unit .. '"', 1)
  body = string.gsub(body, '"citizenId": "%d+"', '"citizenId": "' .. citizen .. '"', 1)
  return (string.gsub(body, '"taxCode": "%d+"', '"taxCode": "' .. tax .. '"', 1))
end

function request()
  counter = counter + 1
  local body = fresh_applicant(bodies[(counter % #bodies) + 1])
  local headers = { ["Content-Type"] = "application/json", ["X-Api-Key"] = api_key,
                    ["Idempotency-Key"] = string.format("bench-%d-%d-%d", id or 0, counter, math.random(1, 1e9)) }
  return wrk.format("POST", "/v1/dossiers", headers, body)
end

if pause_ms and pause_ms > 0 then
  function delay()
    return pause_ms
  end
end

-- four bytes of the kernel's randomness: the clock and the thread's number alone gave two wrk processes started in
-- the same second the same Idempotency-Keys and bodies (half of such a run's 202s were replays)
local function entropy()
  local f = io.open("/dev/urandom", "rb")
  if not f then
    return 0
  end
  local bytes = f:read(4)
  f:close()
  local n = 0
  for i = 1, #bytes do
    n = n * 256 + bytes:byte(i)
  end
  return n
end

local thread_seq = 0
function setup(thread)
  -- wrk's Lua RNG is not seeded: without this, every run would replay the same Idempotency-Keys
  thread_seq = thread_seq + 1
  math.randomseed(os.time() + thread_seq + entropy())
  thread:set("id", math.random(1, 1e9) * 10 + thread_seq)
end

function done(summary, latency, requests)
  io.write(string.format("wrk: requests=%d errors(connect=%d read=%d write=%d timeout=%d status=%d)\n",
    summary.requests, summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.timeout, summary.errors.status))
  io.write(string.format("wrk: latency p50=%.1fms p99=%.1fms max=%.1fms\n",
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
