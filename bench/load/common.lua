-- common.lua — shared by the load scripts: the Bearer token from $TOKEN, a
-- per-thread random seed, and URL encoding. Each script does
--   local common = dofile(os.getenv("BENCH_LOAD_DIR") .. "/common.lua")
local M = {}

function M.auth()
  local token = os.getenv("TOKEN")
  if not token or token == "" then
    error("set TOKEN to a Bearer token (bench/run.sh does)")
  end
  wrk.headers["Authorization"] = "Bearer " .. token
end

-- Different threads must not draw the same sequence: mix in the address of
-- a fresh table, which differs per Lua state.
function M.seed()
  local addr = tonumber(tostring({}):match("0x(%x+)") or "0", 16) or 0
  math.randomseed(os.time() + addr % 1000003)
end

function M.env_int(name, default)
  local v = tonumber(os.getenv(name) or "")
  if v then return math.floor(v) end
  if default then return default end
  error("set " .. name)
end

function M.urlencode(s)
  return (s:gsub("[^%w%-_%.~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

return M
