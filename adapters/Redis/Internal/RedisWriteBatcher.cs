using StackExchange.Redis;

namespace Tasks.Redis.Internal;

/// <summary>
/// Group commit of result writes and settles: an operation asked for while no call is in flight goes at once (no added
/// latency when idle); operations asked for while a call is in flight go together in the next call. Under load this turns
/// a write per task into one script call per round trip, which is what keeps Redis and the client cheap per task.
/// </summary>
internal sealed class RedisWriteBatcher(RedisConnection connection, RedisKey[] routingKey, RedisValue prefix, RedisValue retentionMs)
{
    private const int MaxOperations = 256;

    private readonly object _gate = new();
    private List<Operation> _pending = [];
    private bool _flushing;

    /// <summary>Compare-and-set of a result (see <see cref="RedisScripts.Write"/>).</summary>
    public Task<bool> CompareAndSetAsync(string id, string expectedVersion, string newVersion, string json, int status, string leaseToken) =>
        Enqueue(new Operation(["c", id, expectedVersion, newVersion, json, status, leaseToken]));

    /// <summary>Settles a delivery (see <see cref="RedisScripts.Write"/>).</summary>
    public Task<bool> SettleAsync(string id, string token, string mode, RedisValue envelope, long runAfterMs) =>
        Enqueue(new Operation(["s", id, token, mode, envelope, runAfterMs]));

    private Task<bool> Enqueue(Operation operation)
    {
        bool start;
        lock (_gate)
        {
            _pending.Add(operation);
            start = !_flushing;
            _flushing = true;
        }

        if (start)
        {
            _ = FlushAsync();
        }

        return operation.Done.Task;
    }

    private async Task FlushAsync()
    {
        while (true)
        {
            List<Operation> batch;
            lock (_gate)
            {
                if (_pending.Count == 0)
                {
                    _flushing = false;
                    return;
                }

                if (_pending.Count <= MaxOperations)
                {
                    batch = _pending;
                    _pending = [];
                }
                else
                {
                    batch = _pending.GetRange(0, MaxOperations);
                    _pending.RemoveRange(0, MaxOperations);
                }
            }

            try
            {
                var args = new RedisValue[2 + batch.Sum(o => o.Arguments.Length)];
                args[0] = prefix;
                args[1] = retentionMs;
                var at = 2;
                foreach (var o in batch)
                {
                    o.Arguments.CopyTo(args, at);
                    at += o.Arguments.Length;
                }

                var db = await connection.DatabaseAsync().ConfigureAwait(false);
                var reply = (RedisResult[])(await db.ScriptEvaluateAsync(RedisScripts.Write, routingKey, args).ConfigureAwait(false))!;
                for (var i = 0; i < batch.Count; i++)
                {
                    batch[i].Done.TrySetResult((long)reply[i] == 1);
                }
            }
            catch (Exception ex)
            {
                // Every operation of the call fails alike; each caller decides whether to retry (all are idempotent).
                foreach (var o in batch)
                {
                    o.Done.TrySetException(ex);
                }
            }
        }
    }

    private sealed class Operation(RedisValue[] arguments)
    {
        public RedisValue[] Arguments { get; } = arguments;

        // Asynchronous continuations: the flush loop must not run the callers' pipelines inline.
        public TaskCompletionSource<bool> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
