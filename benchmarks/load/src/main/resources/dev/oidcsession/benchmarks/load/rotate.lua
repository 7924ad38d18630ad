-- wrk script of benchmarks/run.sh: every request carries the next Cookie line of the file named by
-- $BENCH_COOKIES (one session per line), so the sessions are used in rotation; each wrk thread
-- starts at its own offset.
local cookies = {}
for line in io.lines(os.getenv("BENCH_COOKIES")) do
  if #line > 0 then
    cookies[#cookies + 1] = line
  end
end

local started = 0
function setup(thread)
  thread:set("offset", started)
  started = started + 1
end

local next_index = 0
function init(args)
  next_index = ((offset or 0) * 7919) % #cookies
end

function request()
  next_index = next_index % #cookies + 1
  return wrk.format(nil, nil, { ["Cookie"] = cookies[next_index] })
end
