-- global.lua — global search GET /api/v1/search?q=…&limit=5 (customers,
-- contacts and leads; modules/search.c) with random fragments of what
-- bench/gen.c writes. $MODE picks the kind:
--   cjk2    two Chinese characters of a company name (word index)
--   cjk3    three Chinese characters (trigram index)
--   phone   4 to 7 digits of a phone number (trigram index)
--   pinyin  2 to 4 pinyin initials of a company name (word / trigram index)
--   mix     (default) each request one of the four at random
local common = dofile(os.getenv("BENCH_LOAD_DIR") .. "/common.lua")

-- Same vocabulary as bench/gen.c.
local brand = {"恒","华","鑫","盛","达","通","泰","瑞","祥","丰","源","宏","伟","嘉","诚","信","德","隆",
  "安","康","永","兴","利","富","金","银","光","明","天","海","新","中","东","方","宇","星","辰","峰","博",
  "卓","远","航","润","泽","晟","和","美","佳","汇","联","创","科","智","云","数","易","优","捷","凯","越"}
local industry = {"贸易","科技","电子","机械","物流","建材","食品","医药","化工","纺织","传媒","教育科技",
  "软件","网络","信息技术","实业","投资","环保科技","新能源","汽车配件","置业","咨询","医疗器械","供应链"}
local city = {"上海","杭州","南京","苏州","北京","天津","沈阳","广州","深圳","武汉","成都","重庆","西安"}
local mobile = {"130","131","135","136","138","139","150","158","186","188","189","199"}
local area = {"021","010","020","0755","028","023","029","0571","025"}
local mode

function init(args)
  common.seed()
  common.auth()
  mode = os.getenv("MODE") or "mix"
end

local function pick(t) return t[math.random(1, #t)] end

-- The first UTF-8 character of s.
local function first_char(s) return s:match("^[%z\1-\127\194-\244][\128-\191]*") end

local function digits(n)
  local t = {}
  for i = 1, n do t[i] = tostring(math.random(0, 9)) end
  return table.concat(t)
end

local function fragment(kind)
  if kind == "cjk3" then
    local r = math.random(1, 3)
    if r == 1 then return pick(brand) .. pick(brand) .. first_char(pick(industry)) end
    if r == 2 then return pick(brand) .. pick(industry):sub(1, 6) end
    return pick(city) .. pick(brand)
  elseif kind == "cjk2" then
    if math.random(1, 2) == 1 then return pick(brand) .. pick(brand) end
    return pick(industry):sub(1, 6)
  elseif kind == "pinyin" then
    local letters = "abcdefghjklmnpqrstwxyz"
    local n = math.random(2, 4)
    local t = {}
    for i = 1, n do local k = math.random(1, #letters); t[i] = letters:sub(k, k) end
    return table.concat(t)
  else
    local r = math.random(1, 3)
    if r == 1 then return pick(mobile) .. digits(math.random(1, 4)) end
    if r == 2 then return pick(area) .. digits(2) end
    return digits(math.random(4, 7))
  end
end

local kinds = {"cjk3", "cjk2", "phone", "pinyin"}

function request()
  local kind = mode
  if kind == "mix" then kind = pick(kinds) end
  return wrk.format("GET", "/api/v1/search?limit=5&q=" .. common.urlencode(fragment(kind)))
end
