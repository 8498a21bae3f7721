-- list.lua — the list page: GET /api/v1/customers?sort=-updated_at&limit=50,
-- as whoever $TOKEN belongs to (the user's data scope applies). With
-- $OWNER_MIN/$OWNER_MAX set, filters owner_id= a random user in that range
-- (an administrator looking at one rep's customers). $OFFSET (default 0)
-- selects the page: 100000 for deep pagination. $FIELDS (e.g.
-- "name,code,phone,status,owner_id,updated_at") asks for those fields only.
local common = dofile(os.getenv("BENCH_LOAD_DIR") .. "/common.lua")
local owner_min, owner_max, offset, fields

function init(args)
  common.seed()
  common.auth()
  owner_min = tonumber(os.getenv("OWNER_MIN") or "")
  owner_max = tonumber(os.getenv("OWNER_MAX") or "")
  offset = common.env_int("OFFSET", 0)
  fields = os.getenv("FIELDS")
end

function request()
  local path = "/api/v1/customers?sort=-updated_at&limit=50"
  if owner_min and owner_max then
    path = path .. "&owner_id=" .. math.random(owner_min, owner_max)
  end
  if offset > 0 then
    path = path .. "&offset=" .. offset
  end
  if fields and fields ~= "" then
    path = path .. "&fields=" .. fields
  end
  return wrk.format("GET", path)
end
