-- wrk script for bench/gateway.sh: POSTs a JSON body, reports one machine-readable line.
--   WRK_BODY=FILE      the request body (required)
--   WRK_BODY2=FILE     optional second body: requests alternate between the two (the soak's mix)
--   WRK_HEADERS="K: V\nK: V"  extra request headers (newline-separated)
local function slurp(path)
  local f = assert(io.open(path, "rb"), "cannot open " .. tostring(path))
  local s = f:read("*a")
  f:close()
  return s
end

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
for line in (os.getenv("WRK_HEADERS") or ""):gmatch("[^\n]+") do
  local k, v = line:match("^([^:]+):%s*(.*)$")
  if k then wrk.headers[k] = v end
end
wrk.body = slurp(os.getenv("WRK_BODY"))

local body2 = os.getenv("WRK_BODY2")
if body2 and body2 ~= "" then
  local reqs = { wrk.format(nil, nil, nil, wrk.body), wrk.format(nil, nil, nil, slurp(body2)) }
  local i = 0
  request = function()
    i = i + 1
    return reqs[(i % 2) + 1]
  end
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("WRK requests=%d duration_us=%d connect=%d read=%d write=%d status=%d timeout=%d p50_us=%d p99_us=%d\n",
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
