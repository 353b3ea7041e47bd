-- wrk script for amendments: PATCH /api/v1/risks/{ref} with a new note, each request to
-- the next risk of a list ("REF VERSION" lines in the file named by AMEND_FILE), each wrk
-- thread taking its own share of the list so no two requests race for one risk. The
-- If-Match sent is the version the last response for that risk returned.
local threads = {}
local counter = 0

function setup(thread)
   thread:set("id", counter)
   counter = counter + 1
   table.insert(threads, thread)
end

function init(args)
   refs, versions, pos, n = {}, {}, 0, 0
   local file = assert(io.open(os.getenv("AMEND_FILE")))
   local i = 0
   for line in file:lines() do
      local ref, version = line:match("^(%S+) (%d+)$")
      if ref and i % 2 == id then
         table.insert(refs, ref)
         versions[ref] = tonumber(version)
      end
      i = i + 1
   end
   file:close()
end

function request()
   pos = pos % #refs + 1
   n = n + 1
   local ref = refs[pos]
   local body = string.format('{"notes":"Benchmark amendment %d.%d"}', id, n)
   wrk.headers["Content-Type"] = "application/json"
   wrk.headers["If-Match"] = string.format('"%s.v%d"', ref, versions[ref])
   return wrk.format("PATCH", "/api/v1/risks/" .. ref, nil, body)
end

function response(status, headers, body)
   if status == 412 then
      -- Someone else's change got there first: take up its version for the next round.
      local ref, version = body:match('"detail":"(%S+) is at version (%d+)')
      if ref then versions[ref] = tonumber(version) end
      return
   end
   local etag = headers["ETag"] or headers["etag"]
   if etag then
      local ref, version = etag:match('^"(.+)%.v(%d+)"$')
      if ref then versions[ref] = tonumber(version) end
   end
end
