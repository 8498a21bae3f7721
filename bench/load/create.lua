-- create.lua — POST /api/v1/customers with a new customer each time (the
-- server commits every create durably: WAL, synchronous=FULL).
local common = dofile(os.getenv("BENCH_LOAD_DIR") .. "/common.lua")
local levels = {"A", "B", "C"}
local names = {"压测", "基准", "Bench", "测试"}
local n = 0

function init(args)
  common.seed()
  common.auth()
  wrk.headers["Content-Type"] = "application/json"
  wrk.method = "POST"
end

function request()
  n = n + 1
  local body = string.format(
    '{"name":"%s客户%d-%d有限公司","level":"%s","phone":"138%08d","email":"bench%d@example.com","notes":"load test"}',
    names[math.random(1, #names)], math.random(1, 999999), n, levels[math.random(1, 3)],
    math.random(0, 99999999), math.random(1, 999999))
  return wrk.format("POST", "/api/v1/customers", nil, body)
end
