namespace Tasks.Redis.Internal;

/// <summary>
/// The Lua scripts: every state change is one atomic script, so a task is always in exactly one place (a ready set, a
/// delayed set or a worker's in-flight set) and one round trip does the whole step. ARGV[1] is always the key prefix;
/// KEYS[1] is a key under it, only so a cluster routes the call (put a hash tag in the prefix there).
/// </summary>
/// <remarks>
/// Keys under prefix P: <c>P:t:&lt;id&gt;</c> hash per task (v version, r result JSON once it differs from the enqueued
/// one — a waiting task's result is derived from its envelope, so a backlog holds its arguments once —, e envelope JSON while live, q queue,
/// s ready score, x '1' once the reaper put it back after its worker died); <c>P:q:&lt;queue&gt;</c> ready zset scored (100 - priority) * 2^44 + sequence, so ZRANGE 0 0 is the highest
/// priority, oldest first; <c>P:d:&lt;queue&gt;</c> delayed zset scored by run-after (Unix ms); <c>P:inflight</c> zset of taken
/// tasks scored by the deadline of their lease; <c>P:lease</c> hash task id -> lease token of the delivery holding it;
/// <c>P:seq</c> sequence; <c>P:dead</c> dead-letter list; channel <c>P:wake</c> carries a queue name when it gains work.
/// Time is the server's (TIME), so workers on different machines agree on due times and deadlines.
/// </remarks>
internal static class RedisScripts
{
    /// <summary>2^44: one priority step in a ready score; sequences below it keep FIFO order within a priority.</summary>
    public const long PriorityStep = 17592186044416;

    private const string PriorityStepText = "17592186044416";

    private const string Now = """
        local clock = redis.call('TIME')
        local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
        """;

    /// <summary>
    /// Enqueue a batch. ARGV: prefix, 'n' for new tasks ('' = their results exist already: dispatch only), then per task:
    /// id, queue, priority, run-after ms (0 = none), envelope JSON. Refuses the whole batch if a new id exists. Publishes a
    /// wake-up when a ready set goes from empty to non-empty or a delayed set gets an earlier head.
    /// </summary>
    /// <remarks>
    /// Commands per batch, not per task, wherever the data allows (the script's redis.call overhead outweighs the commands'
    /// own work): one multi-key EXISTS per 1,000 new ids, then per task only its HSET, then one ZADD per queue and 1,000
    /// members.
    /// </remarks>
    public const string Enqueue = $$"""
        local p = ARGV[1]
        local new = ARGV[2] ~= ''
        local n = (#ARGV - 2) / 5
        local tks = {}
        for i = 1, n do tks[i] = p .. ':t:' .. ARGV[i * 5 - 2] end
        if new then
          for j = 1, n, 1000 do
            local last = math.min(j + 999, n)
            if redis.call('EXISTS', unpack(tks, j, last)) > 0 then
              for i = j, last do
                if redis.call('EXISTS', tks[i]) == 1 then
                  return redis.error_reply('TASKS_DUPLICATE task ' .. ARGV[i * 5 - 2] .. ' exists already')
                end
              end
            end
          end
        end
        {{Now}}
        local seq = redis.call('INCRBY', p .. ':seq', n) - n
        local ready, delayed, order = {}, {}, {}
        for i = 1, n do
          local b = i * 5 - 2
          local id, q, ra = ARGV[b], ARGV[b + 1], tonumber(ARGV[b + 3])
          local s = string.format('%.0f', (100 - tonumber(ARGV[b + 2])) * {{PriorityStepText}} + seq + i)
          if new then
            redis.call('HSET', tks[i], 'v', '0', 'e', ARGV[b + 4], 'q', q, 's', s)
          else
            redis.call('HSET', tks[i], 'e', ARGV[b + 4], 'q', q, 's', s)
          end
          local into, score = ready, s
          if ra > now then into, score = delayed, ra end
          local m = into[q]
          if m == nil then
            m = {}
            into[q] = m
            order[#order + 1] = q
          end
          m[#m + 1] = score
          m[#m + 1] = id
        end
        local wake = {}
        for _, q in ipairs(order) do
          local m = ready[q]
          if m ~= nil then
            ready[q] = nil
            local qk = p .. ':q:' .. q
            if redis.call('EXISTS', qk) == 0 then wake[q] = true end
            for j = 1, #m, 2000 do redis.call('ZADD', qk, unpack(m, j, math.min(j + 1999, #m))) end
          end
          m = delayed[q]
          if m ~= nil then
            delayed[q] = nil
            local dk = p .. ':d:' .. q
            local head = redis.call('ZRANGE', dk, 0, 0, 'WITHSCORES')
            local first = m[1]
            for j = 3, #m, 2 do if m[j] < first then first = m[j] end end
            if head[2] == nil or first < tonumber(head[2]) then wake[q] = true end
            for j = 1, #m, 2000 do redis.call('ZADD', dk, unpack(m, j, math.min(j + 1999, #m))) end
          end
        end
        for q in pairs(wake) do redis.call('PUBLISH', p .. ':wake', q) end
        return n
        """;

    /// <summary>
    /// Take up to ARGV[2] tasks for one worker. ARGV: prefix, count, visibility ms, lease token base, promote limit, queues...
    /// Promotes due delayed tasks of those queues (ZRANGEBYSCORE ... LIMIT: never the whole set), pops the best task across
    /// the queues, and records each in the in-flight set with a deadline and the delivery's lease token.
    /// Returns {server now ms, next due ms or -1, then per task: id, token, envelope JSON, result JSON or '', queue, '1' if
    /// the reaper put it back before (its worker died) or ''}.
    /// </summary>
    public const string Take = $$"""
        local p = ARGV[1]
        local count = tonumber(ARGV[2])
        local vis = tonumber(ARGV[3])
        local base = ARGV[4]
        local limit = tonumber(ARGV[5])
        {{Now}}
        local nq = #ARGV - 5
        local keys, heads, wake = {}, {}, {}
        for i = 1, nq do
          local q = ARGV[5 + i]
          local qk = p .. ':q:' .. q
          keys[i] = qk
          local dk = p .. ':d:' .. q
          local due = redis.call('ZRANGEBYSCORE', dk, '-inf', now, 'LIMIT', 0, limit)
          if #due > 0 then
            if redis.call('EXISTS', qk) == 0 then wake[q] = true end
            local add = {}
            for _, id in ipairs(due) do
              local s = redis.call('HGET', p .. ':t:' .. id, 's')
              if s then
                add[#add + 1] = s
                add[#add + 1] = id
              end
            end
            for j = 1, #add, 2000 do
              redis.call('ZADD', qk, unpack(add, j, math.min(j + 1999, #add)))
            end
            for j = 1, #due, 1000 do
              redis.call('ZREM', dk, unpack(due, j, math.min(j + 999, #due)))
            end
          end
          local h = redis.call('ZRANGE', qk, 0, 0, 'WITHSCORES')
          if h[1] then heads[i] = tonumber(h[2]) end
        end
        local out = { now, -1 }
        local taken = 0
        local flights, leases = {}, {}
        while taken < count do
          local best, second = nil, nil
          for i = 1, nq do
            if heads[i] then
              if best == nil or heads[i] < heads[best] then
                second = best
                best = i
              elseif second == nil or heads[i] < heads[second] then
                second = i
              end
            end
          end
          if best == nil then break end
          local popped
          if second == nil then
            popped = redis.call('ZPOPMIN', keys[best], count - taken)
          else
            -- Only as many as come before the next queue's head, so the order holds across queues.
            popped = redis.call('ZRANGEBYSCORE', keys[best], '-inf', '(' .. string.format('%.0f', heads[second]), 'WITHSCORES', 'LIMIT', 0, count - taken)
            local ids = {}
            for j = 1, #popped, 2 do ids[#ids + 1] = popped[j] end
            redis.call('ZREM', keys[best], unpack(ids))
          end
          local h = redis.call('ZRANGE', keys[best], 0, 0, 'WITHSCORES')
          if h[1] then heads[best] = tonumber(h[2]) else heads[best] = nil end
          for j = 1, #popped, 2 do
            local id = popped[j]
            local f = redis.call('HMGET', p .. ':t:' .. id, 'e', 'r', 'x')
            if f[1] then
              taken = taken + 1
              local token = base .. ':' .. taken
              flights[#flights + 1] = now + vis
              flights[#flights + 1] = id
              leases[#leases + 1] = id
              leases[#leases + 1] = token
              out[#out + 1] = id
              out[#out + 1] = token
              out[#out + 1] = f[1]
              out[#out + 1] = f[2] or ''
              out[#out + 1] = ARGV[5 + best]
              out[#out + 1] = f[3] or ''
            end
          end
        end
        if taken > 0 then
          redis.call('ZADD', p .. ':inflight', unpack(flights))
          redis.call('HSET', p .. ':lease', unpack(leases))
        end
        if taken < count then
          local nextDue = -1
          for i = 1, nq do
            local h = redis.call('ZRANGE', p .. ':d:' .. ARGV[5 + i], 0, 0, 'WITHSCORES')
            if h[2] then
              local d = tonumber(h[2])
              if nextDue < 0 or d < nextDue then nextDue = d end
            end
          end
          out[2] = nextDue
        end
        for q in pairs(wake) do redis.call('PUBLISH', p .. ':wake', q) end
        return out
        """;


    /// <summary>
    /// A batch of result writes and settles from one process, applied in order (group commit: one call carries whatever
    /// the workers asked for while the previous call was in flight). ARGV: prefix, retention ms, then operations:
    /// <c>c</c> id, expected version, new version, result JSON, status, lease token or '' — compare-and-set of a result; a
    /// retried call whose first try was applied (reply lost) also gets 1; a final status drops the envelope, starts the
    /// retention clock, removes a cancelled task from its sets and releases the lease given; a cancel without a lease token
    /// (from outside any worker) is refused while a worker holds the task, taken ahead or started.
    /// <c>s</c> id, token, mode ('ack' | 'retry' | 'back'), envelope JSON, run-after ms — settle a delivery if its lease is
    /// still held: 'retry' stores the next attempt's envelope and schedules it, 'back' puts it back in its ready set; 0 if
    /// the lease had been taken back (the task is then already queued again).
    /// Returns one 0/1 per operation.
    /// </summary>
    public const string Write = $$"""
        local p, retention = ARGV[1], ARGV[2]
        local lk, ik = p .. ':lease', p .. ':inflight'
        local now = nil
        local function cas(id, expected, version, json, status, token)
          local tk = p .. ':t:' .. id
          local v = redis.call('HGET', tk, 'v')
          if not v then return 0 end
          if v ~= expected then
            if v == version and redis.call('HGET', tk, 'r') == json then return 1 end
            return 0
          end
          local st = tonumber(status)
          -- A cancel from outside loses to a worker holding the task: its start may be on the way unconfirmed.
          if st == 4 and token == '' and redis.call('HEXISTS', lk, id) == 1 then return 0 end
          redis.call('HSET', tk, 'v', version, 'r', json)
          if st >= 2 then
            redis.call('HDEL', tk, 'e')
            redis.call('PEXPIRE', tk, retention)
            if st == 4 then
              local q = redis.call('HGET', tk, 'q')
              if q then
                redis.call('ZREM', p .. ':q:' .. q, id)
                redis.call('ZREM', p .. ':d:' .. q, id)
              end
            end
            if token ~= '' and redis.call('HGET', lk, id) == token then
              redis.call('HDEL', lk, id)
              redis.call('ZREM', ik, id)
            end
          end
          return 1
        end
        local function settle(id, token, mode, envelope, runAfter)
          if redis.call('HGET', lk, id) ~= token then return 0 end
          redis.call('HDEL', lk, id)
          redis.call('ZREM', ik, id)
          if mode == 'ack' then return 1 end
          local tk = p .. ':t:' .. id
          local f = redis.call('HMGET', tk, 'q', 's')
          if not f[1] or not f[2] then return 1 end
          local q = f[1]
          if mode == 'retry' then
            redis.call('HSET', tk, 'e', envelope)
            if now == nil then
              local clock = redis.call('TIME')
              now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
            end
            local ra = tonumber(runAfter)
            if ra > now then
              local dk = p .. ':d:' .. q
              local head = redis.call('ZRANGE', dk, 0, 0, 'WITHSCORES')
              if head[2] == nil or ra < tonumber(head[2]) then redis.call('PUBLISH', p .. ':wake', q) end
              redis.call('ZADD', dk, ra, id)
              return 1
            end
          end
          local qk = p .. ':q:' .. q
          if redis.call('EXISTS', qk) == 0 then redis.call('PUBLISH', p .. ':wake', q) end
          redis.call('ZADD', qk, f[2], id)
          return 1
        end
        local out = {}
        local i = 3
        while i <= #ARGV do
          if ARGV[i] == 'c' then
            out[#out + 1] = cas(ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], ARGV[i + 4], ARGV[i + 5], ARGV[i + 6])
            i = i + 7
          else
            out[#out + 1] = settle(ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], ARGV[i + 4], ARGV[i + 5])
            i = i + 6
          end
        end
        return out
        """;

    /// <summary>
    /// Heartbeat and reaper in one. ARGV: prefix, visibility ms, reap limit, then id/token pairs of the deliveries this worker
    /// holds. Extends their deadlines, then puts back up to the limit of tasks whose deadline passed (their worker died or
    /// lost them). Returns {number reaped, ids whose lease this worker no longer holds...}.
    /// </summary>
    public const string Heartbeat = $$"""
        local p = ARGV[1]
        local vis = tonumber(ARGV[2])
        local limit = tonumber(ARGV[3])
        {{Now}}
        local lk, ik = p .. ':lease', p .. ':inflight'
        local out = { 0 }
        for i = 4, #ARGV, 2 do
          if redis.call('HGET', lk, ARGV[i]) == ARGV[i + 1] then
            redis.call('ZADD', ik, now + vis, ARGV[i])
          else
            out[#out + 1] = ARGV[i]
          end
        end
        local expired = redis.call('ZRANGEBYSCORE', ik, '-inf', now, 'LIMIT', 0, limit)
        {{PutBack}}
        for _, id in ipairs(expired) do put_back(id, true) end
        for q in pairs(wake) do redis.call('PUBLISH', p .. ':wake', q) end
        out[1] = #expired
        return out
        """;

    /// <summary>
    /// Puts back the tasks a take leased whose reply never reached its worker (the connection dropped): nobody runs them,
    /// and without this they would wait for the reaper, a visibility timeout later. ARGV: prefix, the take's lease token
    /// base. Finds them by token in the lease hash (a failure path; the hash holds only in-flight tasks). Returns how many.
    /// </summary>
    public const string ReleaseTake = $$"""
        local p = ARGV[1]
        local mine = ARGV[2] .. ':'
        local lk, ik = p .. ':lease', p .. ':inflight'
        local leases = redis.call('HGETALL', lk)
        {{PutBack}}
        local n = 0
        for i = 1, #leases, 2 do
          if string.sub(leases[i + 1], 1, #mine) == mine then
            put_back(leases[i], false)
            n = n + 1
          end
        end
        for q in pairs(wake) do redis.call('PUBLISH', p .. ':wake', q) end
        return n
        """;

    /// <summary>
    /// A Lua function <c>put_back(id, lost)</c>: ends the task's lease and puts a live task back in its ready set at its old
    /// place, noting in <c>wake</c> the queues that were empty; <c>lost</c> (its worker died) marks it <c>x</c>, so its next
    /// run records its start at once. Needs <c>p</c>, <c>lk</c>, <c>ik</c>.
    /// </summary>
    private const string PutBack = """
        local wake = {}
        local function put_back(id, lost)
          redis.call('ZREM', ik, id)
          redis.call('HDEL', lk, id)
          local tk = p .. ':t:' .. id
          local f = redis.call('HMGET', tk, 'q', 's', 'e')
          if f[1] and f[2] and f[3] then
            if lost then redis.call('HSET', tk, 'x', '1') end
            local qk = p .. ':q:' .. f[1]
            if redis.call('EXISTS', qk) == 0 then wake[f[1]] = true end
            redis.call('ZADD', qk, f[2], id)
          end
        end
        """;

    /// <summary>Creates results that do not exist yet. ARGV: prefix, then id/result JSON pairs. Refuses all if one exists.</summary>
    public const string Create = """
        local p = ARGV[1]
        for i = 2, #ARGV, 2 do
          local tk = p .. ':t:' .. ARGV[i]
          if redis.call('HEXISTS', tk, 'r') == 1 or redis.call('HEXISTS', tk, 'e') == 1 then
            return redis.error_reply('TASKS_DUPLICATE task ' .. ARGV[i] .. ' exists already')
          end
        end
        for i = 2, #ARGV, 2 do
          redis.call('HSET', p .. ':t:' .. ARGV[i], 'v', '0', 'r', ARGV[i + 1])
        end
        return 1
        """;

    /// <summary>
    /// Moves an unreadable task aside. ARGV: prefix, id, token, dead-letter entry JSON, Failed result JSON, its version,
    /// retention ms, dead-letter list length. Only while the lease is held, so a retried call adds no second entry.
    /// </summary>
    public const string DeadLetter = """
        local p, id = ARGV[1], ARGV[2]
        local lk = p .. ':lease'
        if redis.call('HGET', lk, id) ~= ARGV[3] then return 0 end
        redis.call('HDEL', lk, id)
        redis.call('ZREM', p .. ':inflight', id)
        local dl = p .. ':dead'
        redis.call('LPUSH', dl, ARGV[4])
        redis.call('LTRIM', dl, 0, tonumber(ARGV[8]) - 1)
        local tk = p .. ':t:' .. id
        redis.call('HSET', tk, 'v', ARGV[6], 'r', ARGV[5])
        redis.call('HDEL', tk, 'e')
        redis.call('PEXPIRE', tk, ARGV[7])
        return 1
        """;

    /// <summary>
    /// Removes a task and its result if it is still waiting in its ready or delayed set (not taken, not finished).
    /// ARGV: prefix, id. Returns 1 if removed.
    /// </summary>
    public const string RemovePending = """
        local p, id = ARGV[1], ARGV[2]
        local tk = p .. ':t:' .. id
        local q = redis.call('HGET', tk, 'q')
        if not q then return 0 end
        local n = redis.call('ZREM', p .. ':q:' .. q, id) + redis.call('ZREM', p .. ':d:' .. q, id)
        if n == 0 then return 0 end
        redis.call('DEL', tk)
        return 1
        """;

    /// <summary>
    /// Removes tasks and their results (an enqueue whose outcome is unknown, or results whose dispatch failed), except tasks
    /// a worker holds: those are running and keep their results. ARGV: prefix, ids...
    /// </summary>
    public const string Delete = """
        local p = ARGV[1]
        for i = 2, #ARGV do
          if redis.call('HEXISTS', p .. ':lease', ARGV[i]) == 0 then
            local tk = p .. ':t:' .. ARGV[i]
            local q = redis.call('HGET', tk, 'q')
            if q then
              redis.call('ZREM', p .. ':q:' .. q, ARGV[i])
              redis.call('ZREM', p .. ':d:' .. q, ARGV[i])
            end
            redis.call('DEL', tk)
          end
        end
        return 1
        """;
}
