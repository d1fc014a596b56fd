-- zipf.lua - wrk load for sfserver: file popularity follows a Zipf law,
-- a share of requests ask for one byte range, and each thread stops after
-- a bounded number of responses.
--
--   wrk -t2 -c32 -d10s -s zipf.lua http://127.0.0.1:PORT -- \
--       MANIFEST [ZIPF_S] [RANGE_SHARE] [MAX_REQUESTS] [SEED]
--
-- MANIFEST: lines "NAME SIZE" (record.sh writes it with the files).
-- ZIPF_S (default 1.0): exponent; RANGE_SHARE (default 0.3): fraction of
-- requests with "Range: bytes=a-b" (a 64 KiB-aligned chunk of at most
-- 256 KiB); MAX_REQUESTS (default 0: unbounded): responses per wrk thread
-- (wrk runs one Lua state per thread and calls init before it knows how
-- many there are);
-- SEED (default 1): the random stream (per thread: SEED + thread index).
-- wrk itself always runs for its -d duration; the bound only stops the
-- requests early.

local counter = 0

function setup(thread)
   thread:set("index", counter)
   counter = counter + 1
end

function init(args)
   local manifest = args[1]
   if manifest == nil then
      error("zipf.lua: usage: -- MANIFEST [ZIPF_S] [RANGE_SHARE] [MAX] [SEED]")
   end
   local s = tonumber(args[2] or "1.0")
   range_share = tonumber(args[3] or "0.3")
   max_per_thread = tonumber(args[4] or "0")
   local seed = tonumber(args[5] or "1")
   names, sizes = {}, {}
   for line in io.lines(manifest) do
      local name, size = line:match("^(%S+)%s+(%d+)$")
      if name then
         table.insert(names, name)
         table.insert(sizes, tonumber(size))
      end
   end
   if #names == 0 then
      error("zipf.lua: no files in " .. manifest)
   end
   -- Cumulative Zipf weights: rank k has weight 1 / k^s.
   cdf = {}
   local sum = 0
   for k = 1, #names do
      sum = sum + 1 / k ^ s
      cdf[k] = sum
   end
   for k = 1, #names do
      cdf[k] = cdf[k] / sum
   end
   math.randomseed(seed + (index or 0))
   done = 0
end

local function pick()
   local u, lo, hi = math.random(), 1, #cdf
   while lo < hi do
      local mid = math.floor((lo + hi) / 2)
      if cdf[mid] < u then lo = mid + 1 else hi = mid end
   end
   return lo
end

function request()
   local k = pick()
   local headers = {}
   local size = sizes[k]
   if size > 0 and math.random() < range_share then
      local chunk = 65536
      local a = math.random(0, math.floor((size - 1) / chunk)) * chunk
      local b = math.min(size, a + chunk * math.random(1, 4)) - 1
      headers["Range"] = string.format("bytes=%d-%d", a, b)
   end
   return wrk.format("GET", "/" .. names[k], headers)
end

function response(status, headers, body)
   done = done + 1
   if max_per_thread > 0 and done >= max_per_thread then
      wrk.thread:stop()
   end
end
