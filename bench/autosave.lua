-- wrk script of bench/exam_save_throughput.py: one wrk thread per connection,
-- and thread n is the learner on line n of the sessions file given after "--".
-- A line: path prefix | Cookie header | X-CSRFToken | items (comma-separated), each
-- "id" or "id:value:value:...", the values the exam page gives the item's options
-- (opaque per attempt); without them the item's answers are A-D.
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
end

function init(args)
  local n = 0
  for line in io.lines(args[1]) do
    n = n + 1
    if n == id then
      local prefix, cookie, csrf, items = line:match("([^|]*)|([^|]*)|([^|]*)|([^|]*)")
      me = {prefix = prefix, items = {}}
      me.headers = {["Cookie"] = cookie, ["X-CSRFToken"] = csrf, ["HX-Request"] = "true",
                    ["Content-Type"] = "application/x-www-form-urlencoded"}
      for token in items:gmatch("[^,]+") do
        local item = {values = {}}
        for part in token:gmatch("[^:]+") do
          if item.id == nil then item.id = part else table.insert(item.values, part) end
        end
        if #item.values == 0 then item.values = {"A", "B", "C", "D"} end
        table.insert(me.items, item)
      end
    end
  end
  sent = 0
end

function request()
  -- The learner goes round their questions, changing each answer as they go.
  sent = sent + 1
  local item = me.items[(sent % #me.items) + 1]
  return wrk.format("POST", me.prefix .. item.id, me.headers,
                    "a-" .. item.id .. "=" .. item.values[math.random(#item.values)])
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %d %d %d %d %d\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), e.status, e.connect + e.read + e.write + e.timeout))
end
