-- wrk script: POSTs the example dossiers of config/examples in turn, each with a fresh Idempotency-Key,
-- and counts answers by status so the run reports accepted (202) vs refused.
local bodies = {}
local counter = 0
local statuses = {}

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
end

function request()
  counter = counter + 1
  local body = bodies[(counter % #bodies) + 1]
  local headers = { ["Content-Type"] = "application/json",
                    ["Idempotency-Key"] = string.format("bench-%d-%d-%d", id or 0, counter, math.random(1, 1e9)) }
  return wrk.format("POST", "/v1/dossiers", headers, body)
end

local thread_seq = 0
function setup(thread)
  -- wrk's Lua RNG is not seeded: without this, every run would replay the same Idempotency-Keys
  thread_seq = thread_seq + 1
  math.randomseed(os.time() + thread_seq)
  thread:set("id", math.random(1, 1e9) * 10 + thread_seq)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  io.write(string.format("wrk: requests=%d errors(connect=%d read=%d write=%d timeout=%d status=%d)\n",
    summary.requests, summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.timeout, summary.errors.status))
  io.write(string.format("wrk: latency p50=%.1fms p99=%.1fms max=%.1fms\n",
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
