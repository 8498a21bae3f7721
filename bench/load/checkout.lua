-- checkout.lua — POST /api/v1/checkouts at the front desk: a member (drawn
-- from the ids in $MEMBERS, separated by commas) pays from stored value for
-- an hour of a coach (ids $COACHES) that ended at the top of the current
-- hour and one drink (ids $DRINKS) — priced, discounted, the balance
-- debited, points awarded, ledger lines and day totals written, all in one
-- transaction. bench/desk.sh picks members whose stored value covers it.
local common = dofile(os.getenv("BENCH_LOAD_DIR") .. "/common.lua")
local members, coaches, drinks = {}, {}, {}
local start_at, end_at

local function ids(name, into)
  for v in (os.getenv(name) or ""):gmatch("%d+") do into[#into + 1] = tonumber(v) end
  if #into == 0 then error("set " .. name) end
end

function init(args)
  common.seed()
  common.auth()
  wrk.headers["Content-Type"] = "application/json"
  ids("MEMBERS", members)
  ids("COACHES", coaches)
  ids("DRINKS", drinks)
  local t = os.time()
  t = t - t % 3600
  start_at = os.date("!%Y-%m-%dT%H:%M:%SZ", t - 3600)
  end_at = os.date("!%Y-%m-%dT%H:%M:%SZ", t)
end

function request()
  local body = string.format(
    '{"customer_id":%d,"payment_method":"stored_value","lines":[{"resource_id":%d,"start_at":"%s","end_at":"%s"},{"resource_id":%d,"quantity":1}]}',
    members[math.random(1, #members)], coaches[math.random(1, #coaches)], start_at, end_at,
    drinks[math.random(1, #drinks)])
  return wrk.format("POST", "/api/v1/checkouts", nil, body)
end

function response(status, headers, body)
  if status ~= 201 then
    io.stderr:write("checkout: HTTP " .. status .. " " .. body:sub(1, 200) .. "\n")
  end
end
