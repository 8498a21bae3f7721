-- order_create.lua — POST /api/v1/orders with LINES lines (default 20) of
-- random products (ids PRODUCT_MIN..PRODUCT_MAX) for a random customer (ids
-- CUSTOMER_MIN..CUSTOMER_MAX): priced, numbered (SO-YYYY-nnnnnn, gap-free)
-- and committed durably by the server. bench/orders.sh sets the ranges.
local common = dofile(os.getenv("BENCH_LOAD_DIR") .. "/common.lua")
local lines = common.env_int("LINES", 20)
local pmin, pmax = common.env_int("PRODUCT_MIN"), common.env_int("PRODUCT_MAX")
local cmin, cmax = common.env_int("CUSTOMER_MIN"), common.env_int("CUSTOMER_MAX")
-- ADDRESS (JSON object): the delivery address to send (bench/orders.sh DB=…)
local address = (os.getenv("ADDRESS") or "") ~= "" and ('"delivery_address":' .. os.getenv("ADDRESS") .. ",") or ""

function init(args)
  common.seed()
  common.auth()
  wrk.headers["Content-Type"] = "application/json"
  wrk.method = "POST"
end

function request()
  local parts = {}
  for i = 1, lines do
    parts[i] = string.format('{"product_id":%d,"quantity":"%d.%03d","discount_pct":%d}',
      math.random(pmin, pmax), math.random(1, 50), math.random(0, 999), math.random(0, 3) * 5)
  end
  local body = string.format('{"customer_id":%d,"tax_rate_pct":13,%s"lines":[%s]}',
    math.random(cmin, cmax), address, table.concat(parts, ","))
  return wrk.format("POST", "/api/v1/orders", nil, body)
end

function response(status, headers, body)
  if status ~= 201 then
    io.stderr:write("order_create: HTTP " .. status .. " " .. body:sub(1, 200) .. "\n")
  end
end
