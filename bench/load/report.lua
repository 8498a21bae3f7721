-- report.lua — a report page or endpoint, as whoever $TOKEN belongs to (the
-- user's data scope applies): GET one of the paths in $PATHS (separated by
-- commas or spaces), drawn at random per request — e.g. the funnel and the
-- forecast pages with their default periods, or the funnel over all time.
local common = dofile(os.getenv("BENCH_LOAD_DIR") .. "/common.lua")
local paths = {}

function init(args)
  common.seed()
  common.auth()
  for p in (os.getenv("PATHS") or ""):gmatch("[^%s,]+") do
    paths[#paths + 1] = p
  end
  if #paths == 0 then
    error("set PATHS to one or more paths, e.g. /app/reports/funnel")
  end
end

function request()
  return wrk.format("GET", paths[math.random(1, #paths)])
end
