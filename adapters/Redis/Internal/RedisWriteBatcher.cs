using StackExchange.Redis;

namespace Tasks.Redis.Internal;

/// <summary>
/// Group commit of result writes and settles: an operation asked for while no call is in flight goes at once (no added
/// latency when idle); operations asked for while a call is in flight go together in the next call. Under load this turns
/// a write per task into one script call per round trip, which is what keeps Redis and the client cheap per task.
/// </summary>
internal sealed class RedisWriteBatcher
{
    private readonly RedisConnection _connection;
    private readonly RedisKey[] _routingKey;
    private readonly RedisValue _prefix;
    private readonly RedisValue _retentionMs;
    private readonly GroupCommit<RedisValue[], bool> _commit;

    public RedisWriteBatcher(RedisConnection connection, RedisKey[] routingKey, RedisValue prefix, RedisValue retentionMs)
    {
        _connection = connection;
        _routingKey = routingKey;
        _prefix = prefix;
        _retentionMs = retentionMs;

        // No conflict key: the script runs a call's operations in order, so one task's operations may share a call.
        _commit = new GroupCommit<RedisValue[], bool>(SendAsync);
    }

    /// <summary>Compare-and-set of a result (see <see cref="RedisScripts.Write"/>).</summary>
    public Task<bool> CompareAndSetAsync(string id, string expectedVersion, string newVersion, string json, int status, string leaseToken) =>
        _commit.AddAsync(["c", id, expectedVersion, newVersion, json, status, leaseToken]);

    /// <summary>Settles a delivery (see <see cref="RedisScripts.Write"/>).</summary>
    public Task<bool> SettleAsync(string id, string token, string mode, RedisValue envelope, long runAfterMs) =>
        _commit.AddAsync(["s", id, token, mode, envelope, runAfterMs]);

    /// <summary>One script call for the batch; every operation of a failed call fails alike, and each caller decides whether to retry (all are idempotent).</summary>
    private async Task<IReadOnlyList<bool>> SendAsync(IReadOnlyList<RedisValue[]> batch)
    {
        var args = new RedisValue[2 + batch.Sum(o => o.Length)];
        args[0] = _prefix;
        args[1] = _retentionMs;
        var at = 2;
        foreach (var o in batch)
        {
            o.CopyTo(args, at);
            at += o.Length;
        }

        var db = await _connection.DatabaseAsync().ConfigureAwait(false);
        var reply = (RedisResult[])(await db.ScriptEvaluateAsync(RedisScripts.Write, _routingKey, args).ConfigureAwait(false))!;
        var done = new bool[batch.Count];
        for (var i = 0; i < done.Length; i++)
        {
            done[i] = (long)reply[i] == 1;
        }

        return done;
    }
}
