-- get.lua — GET /api/v1/customers/{id} for random ids 1..$MAX_ID.
local common = dofile(os.getenv("BENCH_LOAD_DIR") .. "/common.lua")
local max_id

function init(args)
  common.seed()
  common.auth()
  max_id = common.env_int("MAX_ID")
end

function request()
  return wrk.format("GET", "/api/v1/customers/" .. math.random(1, max_id))
end
