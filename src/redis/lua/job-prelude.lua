-- Shared by the job scripts. JOB_KEY_PREFIX, UPDATES_CHANNEL and FINAL_STATUSES are declared
-- ahead of it from src/redis/keys.ts and src/jobs/job.ts.

-- Tells watchers what changed, without a read on their side.
local function publish(key, id)
  local h = redis.call('HMGET', key, 'status', 'done', 'total')
  redis.call('PUBLISH', UPDATES_CHANNEL, cjson.encode({id = id, status = h[1], done = tonumber(h[2]) or 0, total = tonumber(h[3])}))
end

local function final(status)
  return FINAL_STATUSES[status] == true
end
