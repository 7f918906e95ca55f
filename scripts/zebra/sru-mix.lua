-- wrk script: SRU 1.2 searchRetrieve requests rotating through a fixed list
-- of CQL queries (one per line, not URL-encoded), used by sru-load.sh.
--
--   wrk -t2 -c8 -d30s --latency -s sru-mix.lua http://127.0.0.1:9998/biblios
--
-- The URL given to wrk is the SRU base URL; its path (and query string, if
-- any) is kept and the SRU parameters are appended.
-- Environment:
--   SRU_QUERIES      query file (default /tmp/kitap-bench/queries.txt)
--   SRU_MAX_RECORDS  maximumRecords (default 10)
--   SRU_SCHEMA       recordSchema (default marcxml)
--   SRU_CHECK=1      look at every response body: count responses carrying
--                    SRU diagnostics or no numberOfRecords (costs some CPU)

local query_file = os.getenv("SRU_QUERIES") or "/tmp/kitap-bench/queries.txt"
local max_records = os.getenv("SRU_MAX_RECORDS") or "10"
local schema = os.getenv("SRU_SCHEMA") or "marcxml"
local check = os.getenv("SRU_CHECK") == "1"

local function urlencode(s)
  return (s:gsub("[^%w%-%._~]", function(c)
    return string.format("%%%02X", string.byte(c))
  end))
end

local function read_queries()
  local list = {}
  local fh = io.open(query_file, "r")
  if not fh then
    error("cannot open query file " .. query_file)
  end
  for line in fh:lines() do
    if line:match("%S") then
      list[#list + 1] = line
    end
  end
  fh:close()
  if #list == 0 then
    error("no queries in " .. query_file)
  end
  return list
end

-- main state: number the threads so each starts at a different query
local threads = {}
local next_id = 0

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

-- thread state
local requests = {}
local pos = 1
bad = 0      -- responses with diagnostics or without numberOfRecords
checked = 0  -- responses looked at

function init(args)
  local base = wrk.path
  local sep = base:find("?", 1, true) and "&" or "?"
  for _, cql in ipairs(read_queries()) do
    local path = base .. sep
      .. "version=1.2&operation=searchRetrieve"
      .. "&query=" .. urlencode(cql)
      .. "&maximumRecords=" .. max_records
      .. "&recordSchema=" .. schema
    requests[#requests + 1] = wrk.format("GET", path)
  end
  -- spread the threads over the list
  pos = ((id or 0) * 37) % #requests + 1
end

function request()
  local r = requests[pos]
  pos = pos % #requests + 1
  return r
end

if check then
  function response(status, headers, body)
    checked = checked + 1
    if status ~= 200
      or body:find("<[%w_]-:?diagnostics[%s>/]")
      or not body:find("numberOfRecords>", 1, true) then
      bad = bad + 1
    end
  end
end

function done(summary, latency, requests)
  local secs = summary.duration / 1e6
  local e = summary.errors
  local errors = e.connect + e.read + e.write + e.status + e.timeout
  io.write(string.format(
    "RESULT requests=%d duration_s=%.2f rps=%.1f p50_ms=%.2f p90_ms=%.2f "
      .. "p99_ms=%.2f max_ms=%.2f mean_ms=%.2f errors=%d (connect %d, read %d, "
      .. "write %d, status %d, timeout %d)\n",
    summary.requests, secs, summary.requests / secs,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000, latency.mean / 1000,
    errors, e.connect, e.read, e.write, e.status, e.timeout))
  if check then
    local nbad, nchecked = 0, 0
    for _, t in ipairs(threads) do
      nbad = nbad + (t:get("bad") or 0)
      nchecked = nchecked + (t:get("checked") or 0)
    end
    io.write(string.format("CHECK responses=%d bad=%d\n", nchecked, nbad))
  end
end
